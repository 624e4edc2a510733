/**
 * The planner as a composer of rules: the order findings read in (VPC DNS, then service by service,
 * rule by rule within a service, then network ACLs, then agents), one ModifyVpcEndpoint merging the
 * repairs several rules ask for on one endpoint, the one explicit order of actions, and what each
 * rule sees of the rules before it.
 */
import type { DesiredVpc, NaclEntry, ObservedVpc } from '../../../shared/core/domain.js';
import { plan, runRules } from '../../../shared/core/plan.js';
import type { Rule, RuleDraft, RuleResult } from '../../../shared/core/rules/rule.js';
import type { VpcView } from '../../../shared/core/rules/vpc-view.js';
import { AZS, MANAGED, SG_NAME, endpoint, region } from '../../support/fixtures.js';
import {
  HEALTHY,
  desiredFor,
  endpointsWith,
  endpointsWithout,
  only,
  viewOf,
} from '../../support/rule-view.js';

const DENY_443: NaclEntry = {
  ruleNumber: 50,
  egress: false,
  protocol: '6',
  action: 'deny',
  cidrBlock: '0.0.0.0/0',
  portFrom: 443,
  portTo: 443,
};

function planOne(vpc: ObservedVpc, desired: Partial<DesiredVpc> = {}) {
  const observed = region([vpc]);
  const p = plan([desiredFor(vpc, desired)], observed, {
    securityGroupName: SG_NAME,
    managedTagKey: MANAGED,
  });
  return p.vpcs[0]!;
}

/** Everything wrong at once, across every rule. */
const BROKEN: ObservedVpc = {
  ...HEALTHY,
  enableDnsSupport: false,
  networkAcls: HEALTHY.networkAcls.map((n) => ({
    ...n,
    entries: [DENY_443, ...n.entries],
  })),
  endpoints: [
    ...endpointsWithout('logs').map((e) =>
      e.service === 'ecs-agent'
        ? {
            ...e,
            subnetIds: ['subnet-1p0', 'subnet-1p1'],
            privateDnsEnabled: false,
            securityGroupIds: ['sg-1default'],
            policyDocument: '{',
          }
        : e.service === 'ecs'
          ? { ...e, privateDnsEnabled: false }
          : e.service === 's3'
            ? { ...e, routeTableIds: [] }
            : e,
    ),
  ],
  containerInstances: HEALTHY.containerInstances.map((ci, i) =>
    i === 0
      ? { ...ci, agentConnected: false, agentVersion: '1.0.0' }
      : i === 1
        ? { ...ci, ssmManaged: false }
        : ci,
  ),
};

describe('plan composes the rules', () => {
  it('lists findings VPC first, then service by service (desired order), then NACLs, then agents', () => {
    const p = planOne(BROKEN, only('logs', 's3', 'ecs', 'ecs-agent', 'ssm', 'ssmmessages', 'ec2messages'));
    expect(p.findings.map((f) => (f.service ? `${f.code}:${f.service}` : f.code))).toEqual([
      'VPC_DNS_SUPPORT_DISABLED',
      'MISSING_ENDPOINT:logs',
      'S3_GATEWAY_ROUTE_MISSING:s3',
      'PRIVATE_DNS_DISABLED:ecs',
      'ENDPOINT_AZ_NOT_COVERED:ecs-agent',
      'PRIVATE_DNS_DISABLED:ecs-agent',
      'ENDPOINT_SG_BLOCKS_HTTPS:ecs-agent',
      'ENDPOINT_POLICY_UNSUPPORTED:ecs-agent',
      'NACL_BLOCKS_HTTPS',
      'AGENT_DISCONNECTED',
      'AGENT_TOO_OLD',
      'INSTANCE_NOT_SSM_MANAGED',
    ]);
    expect(p.findings.every((f) => f.vpcId === 'vpc-1')).toBe(true);
  });

  it('orders actions: DNS, the group, its 443 rule, endpoint work by service rank, agent updates, the restart', () => {
    const vpc: ObservedVpc = {
      ...BROKEN,
      securityGroups: [HEALTHY.securityGroups[0]!],
      endpoints: endpointsWithout('logs', 'ecs-telemetry').map((e) =>
        e.service === 'ecs'
          ? { ...e, privateDnsEnabled: false }
          : e.service === 's3'
            ? { ...e, routeTableIds: [] }
            : e,
      ),
    };
    const p = planOne(vpc, only('logs', 's3', 'ecs', 'ecs-telemetry'));
    expect(p.actions.map((a) => a.id)).toEqual([
      'vpc-1:EnableVpcDnsAttribute:enableDnsSupport',
      'vpc-1:CreateSecurityGroup:ecs-endpoint-remediator-endpoints',
      'vpc-1:AuthorizeHttpsIngress:dedicated',
      'vpc-1:CreateVpcEndpoint:ecs-telemetry',
      'vpc-1:ModifyVpcEndpoint:ecs',
      'vpc-1:AddGatewayRoutes:s3',
      'vpc-1:CreateVpcEndpoint:logs',
      'vpc-1:UpdateContainerAgent:i-100',
      'vpc-1:RestartEcsAgent:agents',
    ]);
  });

  it('puts the SSM endpoints first when the restart needs them', () => {
    const vpc: ObservedVpc = {
      ...HEALTHY,
      endpoints: endpointsWithout('ecs', 'ssm', 'ec2messages'),
    };
    const p = planOne(vpc, {
      ...only('ecs', 'ssm', 'ec2messages'),
      restartNeedsSsmEndpoints: true,
    });
    const ordered = p.actions.map((a) => a.id);
    expect(ordered).toEqual([
      'vpc-1:CreateVpcEndpoint:ssm',
      'vpc-1:CreateVpcEndpoint:ec2messages',
      'vpc-1:CreateVpcEndpoint:ecs',
      'vpc-1:RestartEcsAgent:agents',
    ]);
    const withoutSsmNeed = planOne(vpc, only('ecs', 'ssm', 'ec2messages')).actions.map((a) => a.id);
    expect(withoutSsmNeed.slice(0, 3)).toEqual([
      'vpc-1:CreateVpcEndpoint:ecs',
      'vpc-1:CreateVpcEndpoint:ssm',
      'vpc-1:CreateVpcEndpoint:ec2messages',
    ]);
  });

  it('merges the repairs of one endpoint into one ModifyVpcEndpoint, in rule order; others stay apart', () => {
    const p = planOne(
      {
        ...HEALTHY,
        endpoints: endpointsWith(
          {
            service: 'ecs',
            subnetIds: ['subnet-1p0'],
            privateDnsEnabled: false,
            securityGroupIds: [],
          },
          { service: 'logs', privateDnsEnabled: false },
        ),
      },
      only('ecs', 'logs'),
    );
    expect(p.actions.filter((a) => a.kind === 'ModifyVpcEndpoint')).toEqual([
      {
        kind: 'ModifyVpcEndpoint',
        id: 'vpc-1:ModifyVpcEndpoint:ecs',
        vpcId: 'vpc-1',
        apply: true,
        service: 'ecs',
        endpointId: 'vpce-1ecs',
        addSubnetIds: ['subnet-1p1', 'subnet-1p2'],
        addSecurityGroup: { kind: 'existing', groupId: 'sg-1eer' },
        enablePrivateDns: true,
        newEndpointAzs: 2,
        reason:
          'repair ecs endpoint vpce-1ecs: add subnets in us-east-1b, us-east-1c, enable private DNS, attach the dedicated security group that allows 443',
      },
      {
        kind: 'ModifyVpcEndpoint',
        id: 'vpc-1:ModifyVpcEndpoint:logs',
        vpcId: 'vpc-1',
        apply: true,
        service: 'logs',
        endpointId: 'vpce-1logs',
        addSubnetIds: [],
        enablePrivateDns: true,
        newEndpointAzs: 0,
        reason: 'repair logs endpoint vpce-1logs: enable private DNS',
      },
    ]);
    expect(p.estimatedMonthlyCostUsd).toBeGreaterThan(0);
  });

  it('audit plans the same actions, none applied; off and nothing required plan nothing', () => {
    const vpc: ObservedVpc = { ...HEALTHY, endpoints: endpointsWithout('ecs') };
    const enforce = planOne(vpc);
    const audit = planOne(vpc, { mode: 'audit' });
    expect(audit.actions).toEqual(enforce.actions.map((a) => ({ ...a, apply: false })));
    expect(enforce.actions.map((a) => a.apply)).toEqual(enforce.actions.map(() => true));
    const off = planOne(vpc, { mode: 'off' });
    const none = planOne(vpc, { services: new Map() });
    expect([off, none].map((p) => [p.mode, p.findings, p.actions, p.estimatedMonthlyCostUsd])).toEqual([
      ['off', [], [], 0],
      ['enforce', [], [], 0],
    ]);
  });

  it('gives each rule the drafts of the rules before it', () => {
    const seen: string[][] = [];
    const draft = (service: 'ecs' | 'logs'): RuleDraft => ({
      kind: 'EndpointRepair',
      service,
      endpointId: `vpce-${service}`,
      enablePrivateDns: true,
      part: service,
    });
    const recording =
      (drafts: RuleDraft[]) =>
      (_view: VpcView, earlier: readonly RuleDraft[]): RuleResult => {
        seen.push(earlier.map((d) => d.kind));
        return { findings: [], drafts };
      };
    const rules: Rule[] = [
      { name: 'a', scope: 'vpc', check: recording([draft('ecs')]) },
      { name: 'b', scope: 'vpc', check: recording([draft('logs')]) },
      { name: 'c', scope: 'vpc', check: recording([]) },
    ];
    const results = runRules(rules, viewOf());
    expect({ seen, drafts: results.map((r) => r.drafts.length) }).toEqual({
      seen: [[], ['EndpointRepair'], ['EndpointRepair', 'EndpointRepair']],
      drafts: [1, 1, 0],
    });
  });

  it('a deleted endpoint of another service is no reason to recreate one', () => {
    const vpc: ObservedVpc = {
      ...HEALTHY,
      endpoints: [...HEALTHY.endpoints, endpoint('logs', { endpointId: 'vpce-old', state: 'deleted' })],
    };
    expect(planOne(vpc, { requiredAzs: [...AZS] }).actions).toEqual([]);
  });
});

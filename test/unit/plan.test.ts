import { defaultConfig, type RemediatorConfig } from '../../shared/core/config.js';
import { deriveDesired } from '../../shared/core/desired.js';
import type { Action, ActionKind, FindingCode, ObservedVpc, VpcPlan } from '../../shared/core/domain.js';
import { FINDING_CODES } from '../../shared/core/domain.js';
import { endpointClientToken } from '../../shared/core/client-token.js';
import { plan } from '../../shared/core/plan.js';
import { AZS, MANAGED, SG_NAME, endpoint, healthyVpc, offers, region } from '../support/fixtures.js';

function planVpcs(
  vpcs: ObservedVpc[],
  config: Partial<RemediatorConfig> = {},
  endpointAzs?: readonly string[],
) {
  const observed = region(vpcs, endpointAzs ? { endpointServices: offers(undefined, endpointAzs) } : {});
  const cfg = { ...defaultConfig, ...config };
  const desired = deriveDesired(observed, cfg);
  return plan(desired.vpcs, observed, {
    securityGroupName: cfg.endpointSecurityGroupName,
    managedTagKey: cfg.managedTagKey,
    warnings: desired.warnings,
  });
}

function planOne(
  vpc: ObservedVpc,
  config: Partial<RemediatorConfig> = {},
  endpointAzs?: readonly string[],
): VpcPlan {
  const result = planVpcs([vpc], config, endpointAzs).vpcs[0];
  if (!result) throw new Error('no plan for the VPC');
  return result;
}

const codes = (p: VpcPlan) => [...new Set(p.findings.map((f) => f.code))].sort();
const kinds = (p: VpcPlan) => p.actions.map((a) => a.kind);
const without = (vpc: ObservedVpc, ...services: string[]) =>
  vpc.endpoints.filter((e) => !services.includes(e.service ?? ''));
const withEndpoint = (
  vpc: ObservedVpc,
  service: Parameters<typeof endpoint>[0],
  o: Parameters<typeof endpoint>[1],
) => [...without(vpc, service), endpoint(service, o)];

const base = healthyVpc();

/** Finding codes only a hub and spoke or a resolver rule produces (serving.ts). */
const CENTRAL_SERVING_CODES: readonly FindingCode[] = [
  'CENTRAL_ZONE_NOT_ASSOCIATED',
  'CENTRAL_ZONE_RECORD_BROKEN',
  'CENTRAL_ENDPOINT_NO_ROUTE',
  'CENTRAL_ENDPOINT_SG_BLOCKS_HTTPS',
  'DNS_FORWARDED_BY_RESOLVER_RULE',
  'CENTRAL_ZONE_OTHER_ACCOUNT',
];

interface Case {
  name: string;
  vpc: ObservedVpc;
  codes: FindingCode[];
  kinds: ActionKind[];
  endpointAzs?: readonly string[];
}

const cases: Case[] = [
  { name: 'healthy VPC', vpc: base, codes: [], kinds: [] },
  {
    name: 'deleted ecs-telemetry endpoint',
    vpc: {
      ...base,
      endpoints: withEndpoint(base, 'ecs-telemetry', { state: 'deleted' }),
    },
    codes: ['MISSING_ENDPOINT'],
    kinds: ['CreateVpcEndpoint', 'RestartEcsAgent'],
  },
  {
    name: 'ecs endpoint missing an AZ',
    vpc: { ...base, endpoints: withEndpoint(base, 'ecs', { subnetIds: ['subnet-1p0', 'subnet-1p1'] }) },
    codes: ['ENDPOINT_AZ_NOT_COVERED'],
    kinds: ['ModifyVpcEndpoint', 'RestartEcsAgent'],
  },
  {
    name: 'private DNS off on ecs-agent',
    vpc: { ...base, endpoints: withEndpoint(base, 'ecs-agent', { privateDnsEnabled: false }) },
    codes: ['PRIVATE_DNS_DISABLED'],
    kinds: ['ModifyVpcEndpoint', 'RestartEcsAgent'],
  },
  {
    name: 'endpoint security group without 443',
    vpc: {
      ...base,
      securityGroups: [
        ...base.securityGroups,
        { groupId: 'sg-user', groupName: 'user', isDefault: false, ingress: [], tags: {} },
      ],
      endpoints: withEndpoint(base, 'ecr.dkr', { securityGroupIds: ['sg-user'] }),
    },
    codes: ['ENDPOINT_SG_BLOCKS_HTTPS'],
    kinds: ['ModifyVpcEndpoint'],
  },
  {
    name: 'no dedicated group yet and an endpoint that blocks 443',
    vpc: {
      ...base,
      securityGroups: [
        { groupId: 'sg-1default', groupName: 'default', isDefault: true, ingress: [], tags: {} },
        { groupId: 'sg-user', groupName: 'user', isDefault: false, ingress: [], tags: {} },
      ],
      endpoints: base.endpoints.map((e) =>
        e.type === 'Interface' ? { ...e, securityGroupIds: ['sg-user'] } : e,
      ),
    },
    codes: ['ENDPOINT_SG_BLOCKS_HTTPS'],
    kinds: [
      'CreateSecurityGroup',
      'AuthorizeHttpsIngress',
      'ModifyVpcEndpoint',
      'ModifyVpcEndpoint',
      'ModifyVpcEndpoint',
      'ModifyVpcEndpoint',
      'ModifyVpcEndpoint',
      'ModifyVpcEndpoint',
      'ModifyVpcEndpoint',
      'ModifyVpcEndpoint',
      'ModifyVpcEndpoint',
      'ModifyVpcEndpoint',
      'RestartEcsAgent',
    ],
  },
  {
    name: 'dedicated group lost its 443 rule',
    vpc: {
      ...base,
      securityGroups: base.securityGroups.map((g) => (g.groupName === SG_NAME ? { ...g, ingress: [] } : g)),
    },
    codes: ['ENDPOINT_SG_BLOCKS_HTTPS'],
    kinds: ['AuthorizeHttpsIngress'],
  },
  {
    name: 'VPC DNS support off',
    vpc: { ...base, enableDnsSupport: false },
    codes: ['VPC_DNS_SUPPORT_DISABLED'],
    kinds: ['EnableVpcDnsAttribute'],
  },
  {
    name: 'VPC DNS hostnames off',
    vpc: { ...base, enableDnsHostnames: false },
    codes: ['VPC_DNS_HOSTNAMES_DISABLED'],
    kinds: ['EnableVpcDnsAttribute'],
  },
  {
    name: 'network ACL denies 443 into the endpoint subnets',
    vpc: {
      ...base,
      networkAcls: [
        {
          naclId: 'acl-1',
          isDefault: false,
          subnetIds: base.subnets.map((s) => s.subnetId),
          entries: [
            {
              ruleNumber: 90,
              egress: false,
              protocol: '6',
              action: 'deny',
              cidrBlock: '10.1.0.0/16',
              portFrom: 443,
              portTo: 443,
            },
            { ruleNumber: 100, egress: false, protocol: '-1', action: 'allow', cidrBlock: '0.0.0.0/0' },
            { ruleNumber: 100, egress: true, protocol: '-1', action: 'allow', cidrBlock: '0.0.0.0/0' },
          ],
        },
      ],
    },
    codes: ['NACL_BLOCKS_HTTPS'],
    kinds: [],
  },
  {
    name: 'custom DNS servers in the DHCP options',
    vpc: { ...base, domainNameServers: ['10.0.0.2', '10.0.0.3'] },
    codes: ['CUSTOM_DNS_SERVERS'],
    kinds: [],
  },
  {
    name: 'custom policy on the ecs endpoint',
    vpc: {
      ...base,
      endpoints: withEndpoint(base, 'ecs', {
        policyDocument: JSON.stringify({
          Statement: [{ Effect: 'Allow', Principal: '*', Action: 'ecs:*', Resource: '*' }],
        }),
      }),
    },
    codes: ['ENDPOINT_POLICY_UNSUPPORTED'],
    kinds: [],
  },
  {
    name: 's3 gateway not on the private route table',
    vpc: { ...base, endpoints: withEndpoint(base, 's3', { routeTableIds: [] }) },
    codes: ['S3_GATEWAY_ROUTE_MISSING'],
    kinds: ['AddGatewayRoutes'],
  },
  {
    name: 'a service not offered in one AZ',
    vpc: base,
    endpointAzs: ['us-east-1a', 'us-east-1b'],
    codes: ['SERVICE_NOT_OFFERED_IN_AZ'],
    kinds: [],
  },
  {
    name: 'old agent on Amazon Linux',
    vpc: {
      ...base,
      containerInstances: base.containerInstances.map((ci, i) =>
        i === 0 ? { ...ci, agentVersion: '1.20.0' } : ci,
      ),
    },
    codes: ['AGENT_TOO_OLD'],
    kinds: ['UpdateContainerAgent'],
  },
  {
    name: 'old agent on Windows (cannot be updated by the API)',
    vpc: {
      ...base,
      containerInstances: base.containerInstances.map((ci, i) =>
        i === 0 ? { ...ci, agentVersion: '1.20.0', platform: 'windows' as const } : ci,
      ),
    },
    codes: ['AGENT_TOO_OLD'],
    kinds: [],
  },
  {
    name: 'disconnected agent with healthy endpoints',
    vpc: {
      ...base,
      containerInstances: base.containerInstances.map((ci, i) =>
        i === 1 ? { ...ci, agentConnected: false } : ci,
      ),
    },
    codes: ['AGENT_DISCONNECTED'],
    kinds: [],
  },
  {
    name: 'an instance not managed by SSM while the ECS endpoints change',
    vpc: {
      ...base,
      endpoints: without(base, 'ecs'),
      containerInstances: base.containerInstances.map((ci, i) =>
        i === 2 ? { ...ci, ssmManaged: false } : ci,
      ),
    },
    codes: ['INSTANCE_NOT_SSM_MANAGED', 'MISSING_ENDPOINT'],
    kinds: ['CreateVpcEndpoint', 'RestartEcsAgent'],
  },
  {
    name: 'no SSM path: SSM endpoints are created before the ECS ones, then the restart',
    vpc: { ...base, endpoints: without(base, 'ssm', 'ssmmessages', 'ec2messages', 'ecs-agent') },
    codes: ['MISSING_ENDPOINT', 'SSM_PATH_MISSING'],
    kinds: [
      'CreateVpcEndpoint',
      'CreateVpcEndpoint',
      'CreateVpcEndpoint',
      'CreateVpcEndpoint',
      'RestartEcsAgent',
    ],
  },
  {
    name: 'a pending endpoint is waited for, not duplicated',
    vpc: { ...base, endpoints: withEndpoint(base, 'logs', { state: 'pending' }) },
    codes: ['ENDPOINT_NOT_AVAILABLE'],
    kinds: [],
  },
  {
    name: 'a pending ecs-telemetry endpoint (an earlier run ended while waiting): agents still restart, after it',
    vpc: { ...base, endpoints: withEndpoint(base, 'ecs-telemetry', { state: 'pending' }) },
    codes: ['ENDPOINT_NOT_AVAILABLE'],
    kinds: ['RestartEcsAgent'],
  },
  {
    name: 'a failed endpoint is reported, never deleted',
    vpc: { ...base, endpoints: withEndpoint(base, 'logs', { state: 'failed' }) },
    codes: ['ENDPOINT_NOT_AVAILABLE'],
    kinds: [],
  },
];

describe('plan(desired, observed)', () => {
  it.each(cases)('$name', ({ vpc, codes: expectedCodes, kinds: expectedKinds, endpointAzs }) => {
    const p = planOne(vpc, {}, endpointAzs);
    expect(codes(p)).toEqual([...expectedCodes].sort());
    expect(kinds(p)).toEqual(expectedKinds);
    for (const action of p.actions) {
      expect(action.reason.length).toBeGreaterThan(10);
      expect(action.apply).toBe(true);
    }
    for (const finding of p.findings) expect(finding.message.length).toBeGreaterThan(10);
  });

  it('covers every finding code and every action kind in its table', () => {
    const seenCodes = new Set(cases.flatMap((c) => c.codes));
    // The central-serving codes need hosted zones or resolver rules in the Region, not one VPC:
    // test/unit/core/plan-hub.test.ts and the central-zone / resolver-rules tables cover them.
    const regionWide: readonly string[] = CENTRAL_SERVING_CODES;
    expect(FINDING_CODES.filter((c) => !seenCodes.has(c) && !regionWide.includes(c))).toEqual([]);
    const seenKinds = new Set(cases.flatMap((c) => c.kinds));
    expect(seenKinds).toEqual(
      new Set([
        'EnableVpcDnsAttribute',
        'CreateSecurityGroup',
        'AuthorizeHttpsIngress',
        'CreateVpcEndpoint',
        'ModifyVpcEndpoint',
        'AddGatewayRoutes',
        'RestartEcsAgent',
        'UpdateContainerAgent',
      ]),
    );
  });

  it('orders a fresh VPC: DNS, security group, SSM endpoints, ecs-agent, ecs-telemetry, ecs, the rest, agents', () => {
    const fresh: ObservedVpc = {
      ...base,
      enableDnsHostnames: false,
      securityGroups: base.securityGroups.filter((g) => g.isDefault),
      endpoints: [],
    };
    const p = planOne(fresh);
    const order = p.actions.map((a) => ('service' in a ? `${a.kind}:${a.service}` : a.kind));
    expect(order).toEqual([
      'EnableVpcDnsAttribute',
      'CreateSecurityGroup',
      'AuthorizeHttpsIngress',
      'CreateVpcEndpoint:ssm',
      'CreateVpcEndpoint:ssmmessages',
      'CreateVpcEndpoint:ec2messages',
      'CreateVpcEndpoint:ecs-agent',
      'CreateVpcEndpoint:ecs-telemetry',
      'CreateVpcEndpoint:ecs',
      'CreateVpcEndpoint:ecr.api',
      'CreateVpcEndpoint:ecr.dkr',
      'CreateVpcEndpoint:s3',
      'CreateVpcEndpoint:logs',
      'CreateVpcEndpoint:secretsmanager',
      'RestartEcsAgent',
    ]);
    const restart = p.actions.at(-1) as Extract<Action, { kind: 'RestartEcsAgent' }>;
    expect(restart.dependsOn).toEqual([
      'ecs-agent',
      'ecs-telemetry',
      'ecs',
      'ssm',
      'ssmmessages',
      'ec2messages',
    ]);
    expect(restart.instances.map((i) => i.ec2InstanceId)).toEqual(['i-100', 'i-101', 'i-102']);
    // 10 interface endpoints in 3 AZs at USD 0.01 per endpoint-AZ-hour (us-east-1), 730 hours: about
    // USD 219 a month (AWS PrivateLink pricing, https://aws.amazon.com/privatelink/pricing/).
    expect(p.estimatedMonthlyCostUsd).toBeCloseTo(10 * 3 * 0.01 * 730, 2);
  });

  it('never uses the default security group and puts one subnet per AZ', () => {
    const p = planOne({ ...base, endpoints: [] });
    for (const a of p.actions) {
      if (a.kind === 'CreateVpcEndpoint' && a.endpointType === 'Interface') {
        expect(a.securityGroup).toEqual({ kind: 'existing', groupId: 'sg-1eer' });
        expect(a.subnetIds).toEqual(['subnet-1p0', 'subnet-1p1', 'subnet-1p2']);
      }
    }
    expect(JSON.stringify(p.actions)).not.toContain('sg-1default');
  });

  it('prefers the private subnet that hosts container instances in each AZ', () => {
    const extra = { ...base.subnets[0]!, subnetId: 'subnet-1a-other', cidrBlock: '10.1.100.0/24' };
    const vpc: ObservedVpc = {
      ...base,
      subnets: [extra, ...base.subnets],
      endpoints: without(base, 'ecs-agent'),
    };
    const create = planOne(vpc).actions.find((a) => a.kind === 'CreateVpcEndpoint');
    expect(create && create.kind === 'CreateVpcEndpoint' && create.subnetIds[0]).toBe('subnet-1p0');
  });

  it('marks audit VPC actions as not to be applied, and off VPCs get nothing', () => {
    const audit = planOne({ ...base, tags: { 'ecs-endpoint-remediator:mode': 'audit' }, endpoints: [] });
    expect(audit.mode).toBe('audit');
    expect(audit.actions.length).toBeGreaterThan(0);
    expect(audit.actions.filter((a) => a.apply !== false)).toEqual([]);
    const off = planOne({ ...base, tags: { 'ecs-endpoint-remediator:mode': 'off' }, endpoints: [] });
    expect(off).toMatchObject({ mode: 'off', findings: [], actions: [] });
  });

  it('untagged VPCs take the configured default mode; a bad tag value is audit with a warning', () => {
    expect(planOne({ ...base, tags: {} }).mode).toBe('audit');
    expect(planOne({ ...base, tags: {} }, { defaultMode: 'enforce' }).mode).toBe('enforce');
    const result = planVpcs([{ ...base, tags: { 'ecs-endpoint-remediator:mode': 'yes please' } }]);
    expect(result.vpcs[0]?.mode).toBe('audit');
    expect(result.warnings.join()).toContain('yes please');
  });

  it('a VPC without ECS needs nothing', () => {
    const empty = planOne({
      ...base,
      endpoints: [],
      containerInstances: [],
      workloads: { ...base.workloads, ec2ContainerInstances: 0, ec2Services: 0, subnetIds: [] },
    });
    expect(empty).toMatchObject({ findings: [], actions: [] });
  });

  it('a Fargate-only VPC does not need the ECS agent endpoints', () => {
    const fargate = planOne({
      ...base,
      endpoints: [],
      containerInstances: [],
      workloads: {
        ...base.workloads,
        ec2ContainerInstances: 0,
        ec2Services: 0,
        fargateServices: 2,
        awslogs: false,
      },
    });
    const created = fargate.actions.flatMap((a) => (a.kind === 'CreateVpcEndpoint' ? [a.service] : []));
    expect(created).toEqual(['ecr.api', 'ecr.dkr', 's3', 'secretsmanager']);
    expect(kinds(fargate)).not.toContain('RestartEcsAgent');
  });

  it('workloads only in public subnets, on instances with public IPs, need no endpoints', () => {
    const publicOnly = planOne({
      ...base,
      endpoints: [],
      subnets: base.subnets.map((s) => ({ ...s, isPrivate: false })),
      containerInstances: base.containerInstances.map((ci) => ({ ...ci, hasPublicIpv4: true })),
    });
    expect(publicOnly.actions).toEqual([]);
  });

  it('with a NAT path, logs and the SSM endpoints are not required', () => {
    const nat = planOne({
      ...base,
      endpoints: without(base, 'logs', 'ssm', 'ssmmessages', 'ec2messages'),
      subnets: base.subnets.map((s) => ({ ...s, hasNatRoute: true })),
    });
    expect(nat.findings).toEqual([]);
  });

  it('config adds and excludes services', () => {
    const p = planOne(
      { ...base, endpoints: without(base, 'secretsmanager') },
      { excludeServices: ['secretsmanager'], addServices: ['ssm'] },
    );
    expect(p.findings).toEqual([]);
  });

  it('gives stable ids and idempotency tokens', () => {
    const vpc = { ...base, endpoints: without(base, 'ecs') };
    const a = planOne(vpc).actions.find((x) => x.kind === 'CreateVpcEndpoint');
    const b = planOne(vpc).actions.find((x) => x.kind === 'CreateVpcEndpoint');
    expect(a?.id).toBe('vpc-1:CreateVpcEndpoint:ecs');
    expect(a && a.kind === 'CreateVpcEndpoint' && a.clientToken).toMatch(/^eer-[0-9a-f]{16}$/);
    expect(a).toEqual(b);
  });

  it('sums the cost over VPCs', () => {
    const p = planVpcs([
      { ...base, endpoints: without(base, 'ecs') },
      healthyVpc(2, { endpoints: without(healthyVpc(2), 'logs', 'ecs') }),
    ]);
    expect(p.vpcs.map((v) => v.estimatedMonthlyCostUsd)).toEqual([21.9, 43.8]);
    expect(p.estimatedMonthlyCostUsd).toBe(65.7);
  });

  it('reports the SSM status as unknown when the inventory could not be read', () => {
    const p = planOne({
      ...base,
      endpoints: without(base, 'ecs'),
      containerInstances: base.containerInstances.map((ci) => {
        const { ssmManaged: _ignored, ...rest } = ci;
        return rest;
      }),
    });
    const unknown = p.findings.filter((f) => f.code === 'INSTANCE_NOT_SSM_MANAGED');
    expect(unknown).toHaveLength(3);
    expect(unknown[0]?.message).toContain('unknown');
    expect(kinds(p)).not.toContain('RestartEcsAgent');
  });

  it('uses the managed tag to recognise its own group', () => {
    const vpc = {
      ...base,
      securityGroups: base.securityGroups.map((g) => (g.groupName === SG_NAME ? { ...g, tags: {} } : g)),
      endpoints: without(base, 'ecs'),
    };
    const p = planOne(vpc);
    expect(kinds(p).slice(0, 2)).toEqual(['CreateSecurityGroup', 'AuthorizeHttpsIngress']);
    expect(MANAGED).toBe(defaultConfig.managedTagKey);
    expect(AZS).toHaveLength(3);
  });
});

describe('agent updates switched off', () => {
  it('reports an old agent with advice instead of updating it', () => {
    const vpc = {
      ...healthyVpc(),
      containerInstances: healthyVpc().containerInstances.map((ci, i) =>
        i === 0 ? { ...ci, agentVersion: '1.20.0' } : ci,
      ),
    };
    const observed = region([vpc]);
    const cfg = { ...defaultConfig, updateOldAgents: false };
    const p = plan(deriveDesired(observed, cfg).vpcs, observed, {
      securityGroupName: cfg.endpointSecurityGroupName,
      managedTagKey: cfg.managedTagKey,
      updateOldAgents: false,
    });
    expect(p.vpcs[0]?.actions).toEqual([]);
    expect(p.vpcs[0]?.findings[0]).toMatchObject({
      code: 'AGENT_TOO_OLD',
      advice: expect.stringContaining('switched off'),
    });
  });
});

// EC2 answers a repeated ClientToken with the original request's result, even once that endpoint is
// deleted, for far longer than an hour ("Ensuring idempotency in Amazon EC2 API requests"). The
// emulator does not honour ClientToken, so this follows AWS's documented behaviour: the token must be
// the same for a retry of the same plan and differ once the endpoint it produced is deleted.
describe('CreateVpcEndpoint ClientToken (AWS idempotency rules; not shown by the emulator)', () => {
  type Seen = Parameters<typeof endpointClientToken>[3];
  const agent = (endpointId: string, state: Seen[number]['state']) =>
    ({ endpointId, service: 'ecs-agent', state }) as const;
  const first = endpointClientToken('vpc-1', 'ecs-agent', ['subnet-a', 'subnet-b'], []);

  it.each<[string, boolean, Parameters<typeof endpointClientToken>]>([
    [
      'the same observation (a retry, a re-run of the same plan)',
      true,
      ['vpc-1', 'ecs-agent', ['subnet-a', 'subnet-b'], []],
    ],
    ['the placement in another order', true, ['vpc-1', 'ecs-agent', ['subnet-b', 'subnet-a'], []]],
    [
      'another service’s endpoints',
      true,
      [
        'vpc-1',
        'ecs-agent',
        ['subnet-a', 'subnet-b'],
        [{ endpointId: 'vpce-9', service: 'logs', state: 'deleted' }],
      ],
    ],
    ['another VPC', false, ['vpc-2', 'ecs-agent', ['subnet-a', 'subnet-b'], []]],
    ['another service', false, ['vpc-1', 'ecs', ['subnet-a', 'subnet-b'], []]],
    ['another placement', false, ['vpc-1', 'ecs-agent', ['subnet-a'], []]],
    [
      'the endpoint it created, now deleted',
      false,
      ['vpc-1', 'ecs-agent', ['subnet-a', 'subnet-b'], [agent('vpce-1', 'deleted')]],
    ],
    [
      'the endpoint it created, now being deleted',
      false,
      ['vpc-1', 'ecs-agent', ['subnet-a', 'subnet-b'], [agent('vpce-1', 'deleting')]],
    ],
  ])('%s: same token %s', (_what, same, args) => {
    expect(endpointClientToken(...args) === first).toBe(same);
  });

  it('every state an endpoint goes through gives its own token, whatever order the endpoints come in', () => {
    const tokens = ['pending', 'available', 'deleting', 'deleted', 'failed'].map((state) =>
      endpointClientToken(
        'vpc-1',
        'ecs-agent',
        ['subnet-a'],
        [agent('vpce-1', state as Seen[number]['state'])],
      ),
    );
    expect(new Set(tokens).size).toBe(tokens.length);
    const two = [agent('vpce-1', 'deleted'), agent('vpce-2', 'deleted')];
    expect(endpointClientToken('vpc-1', 'ecs-agent', ['subnet-a'], two)).toBe(
      endpointClientToken('vpc-1', 'ecs-agent', ['subnet-a'], [...two].reverse()),
    );
    expect(endpointClientToken('vpc-1', 'ecs-agent', ['subnet-a'], two)).not.toBe(
      endpointClientToken('vpc-1', 'ecs-agent', ['subnet-a'], [agent('vpce-1', 'deleted')]),
    );
  });

  it('a plan made later gives the same token; a deletion since gives a new one', () => {
    const before = { ...base, endpoints: without(base, 'ecs-agent') };
    const token = (vpc: ObservedVpc) => {
      const action = planOne(vpc).actions.find(
        (a) => a.kind === 'CreateVpcEndpoint' && a.service === 'ecs-agent',
      );
      return action?.kind === 'CreateVpcEndpoint' ? action.clientToken : undefined;
    };
    expect(token(before)).toMatch(/^eer-[0-9a-f]{16}$/);
    expect(token(before)).toBe(token(before));
    // The endpoint that token created is deleted: EC2 lists it as deleted for a while.
    const deleted = {
      ...before,
      endpoints: [...before.endpoints, endpoint('ecs-agent', { endpointId: 'vpce-old', state: 'deleted' })],
    };
    expect(token(deleted)).toMatch(/^eer-[0-9a-f]{16}$/);
    expect(token(deleted)).not.toBe(token(before));
  });
});

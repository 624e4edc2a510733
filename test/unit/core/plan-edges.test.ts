/**
 * Edges of the planner that the rule tables do not reach: subnet preference weights, the network
 * ACLs of subnets a repair adds, and the exhaustiveness guard.
 */
import { deriveDesired } from '../../../shared/core/desired.js';
import type { ObservedSubnet, ObservedVpc, ServiceName, VpcPlan } from '../../../shared/core/domain.js';
import { assertNever } from '../../../shared/core/domain.js';
import { plan } from '../../../shared/core/plan.js';
import { CORE_DEFAULTS } from '../../support/core-config.js';
import { AZS, endpoint, healthyVpc, region } from '../../support/fixtures.js';

const base = healthyVpc();
const planOne = (vpc: ObservedVpc, only?: ServiceName[]): VpcPlan => {
  const observed = region([vpc]);
  const desired = deriveDesired(observed, CORE_DEFAULTS).vpcs.map((d) =>
    only ? { ...d, services: new Map([...d.services].filter(([s]) => only.includes(s))) } : d,
  );
  return plan(desired, observed, {
    securityGroupName: CORE_DEFAULTS.endpointSecurityGroupName,
    managedTagKey: CORE_DEFAULTS.managedTagKey,
  }).vpcs[0]!;
};
const without = (vpc: ObservedVpc, ...services: string[]) =>
  vpc.endpoints.filter((e) => !services.includes(e.service ?? ''));

describe('subnet preference in an AZ: private (weight 4) over instances (1) over workloads (1)', () => {
  /** Two candidate subnets in the first AZ, `a` sorting before `b`; which one the new endpoint gets. */
  const chosen = (
    a: { isPrivate: boolean; instance: boolean; workload: boolean },
    b: { isPrivate: boolean; instance: boolean; workload: boolean },
  ) => {
    const subnet = (id: string, s: typeof a): ObservedSubnet => ({
      subnetId: id,
      availabilityZone: AZS[0],
      cidrBlock: id === 'subnet-a' ? '10.1.100.0/24' : '10.1.101.0/24',
      routeTableId: 'rtb-1p',
      networkAclId: 'acl-1',
      isPrivate: s.isPrivate,
      hasNatRoute: false,
    });
    const instanceIn = (id: string) => ({
      ...base.containerInstances[0]!,
      containerInstanceArn: `arn:${id}`,
      ec2InstanceId: `i-${id}`,
      subnetId: id,
    });
    const vpc: ObservedVpc = {
      ...base,
      subnets: [subnet('subnet-a', a), subnet('subnet-b', b), ...base.subnets.slice(1)],
      containerInstances: [
        ...base.containerInstances.slice(1),
        ...(a.instance ? [instanceIn('subnet-a')] : []),
        ...(b.instance ? [instanceIn('subnet-b')] : []),
      ],
      workloads: {
        ...base.workloads,
        subnetIds: [
          ...base.workloads.subnetIds.slice(1),
          ...(a.workload ? ['subnet-a'] : []),
          ...(b.workload ? ['subnet-b'] : []),
        ],
      },
      endpoints: without(base, 'ecr.api'),
    };
    const create = planOne(vpc).actions.find((x) => x.kind === 'CreateVpcEndpoint');
    return create?.kind === 'CreateVpcEndpoint' ? create.subnetIds[0] : undefined;
  };
  const s = (isPrivate: boolean, instance: boolean, workload: boolean) => ({ isPrivate, instance, workload });
  it.each<[string, ReturnType<typeof s>, ReturnType<typeof s>, string]>([
    [
      'a public subnet with instances and workloads loses to a private one with neither',
      s(false, true, true),
      s(true, false, false),
      'subnet-b',
    ],
    ['instances and workloads beat workloads only', s(true, false, true), s(true, true, true), 'subnet-b'],
    ['instances and workloads beat instances only', s(true, true, false), s(true, true, true), 'subnet-b'],
    ['instances only beat nothing', s(true, false, false), s(true, true, false), 'subnet-b'],
    ['workloads only beat nothing', s(true, false, false), s(true, false, true), 'subnet-b'],
    [
      'instances only and workloads only tie: the lower id',
      s(true, true, false),
      s(true, false, true),
      'subnet-a',
    ],
    ['equal subnets: the lower id', s(true, true, true), s(true, true, true), 'subnet-a'],
  ])('%s', (_name, a, b, expected) => {
    expect({ a, b, chosen: chosen(a, b) }).toEqual({ a, b, chosen: expected });
  });
});

describe('network ACLs of subnets a repair adds', () => {
  it('are checked like the subnets the endpoints already use', () => {
    const denying = {
      naclId: 'acl-x',
      isDefault: false,
      subnetIds: ['subnet-1p0'],
      entries: [
        {
          ruleNumber: 50,
          egress: false,
          protocol: '6',
          action: 'deny' as const,
          cidrBlock: '0.0.0.0/0',
          portFrom: 443,
          portTo: 443,
        },
        { ruleNumber: 100, egress: false, protocol: '-1', action: 'allow' as const, cidrBlock: '0.0.0.0/0' },
        { ruleNumber: 100, egress: true, protocol: '-1', action: 'allow' as const, cidrBlock: '0.0.0.0/0' },
      ],
    };
    const vpc: ObservedVpc = {
      ...base,
      subnets: base.subnets.map((sn) =>
        sn.subnetId === 'subnet-1p0' ? { ...sn, networkAclId: 'acl-x' } : sn,
      ),
      networkAcls: [...base.networkAcls, denying],
      // Every interface endpoint misses the first AZ; workloads only in the other two.
      endpoints: base.endpoints.map((e) =>
        e.type === 'Interface' ? endpoint(e.service!, { subnetIds: ['subnet-1p1', 'subnet-1p2'] }) : e,
      ),
      workloads: { ...base.workloads, subnetIds: ['subnet-1p1', 'subnet-1p2'] },
    };
    const p = planOne(vpc);
    expect(p.findings.filter((f) => f.code === 'NACL_BLOCKS_HTTPS').map((f) => f.message)).toEqual([
      'network ACL acl-x blocks inbound 443 from 10.1.1.0/24 to subnet-1p0; inbound 443 from 10.1.2.0/24 to subnet-1p0',
    ]);
  });
});

describe('the security group is created only when an interface endpoint needs it', () => {
  it('a gateway-only repair in a VPC without the dedicated group creates no group', () => {
    const vpc: ObservedVpc = {
      ...base,
      securityGroups: base.securityGroups.filter((g) => g.isDefault),
      endpoints: base.endpoints.map((e) =>
        e.type === 'Gateway' ? { ...e, routeTableIds: [] } : { ...e, securityGroupIds: ['sg-1default'] },
      ),
    };
    // The default group has no 443 rule: the interface endpoints block, so the group is needed ...
    expect(planOne(vpc).actions.map((a) => a.kind)).toContain('CreateSecurityGroup');
    // ... but with only the gateway to repair, nothing about groups is planned.
    const gatewayOnly = planOne({ ...vpc, endpoints: vpc.endpoints.filter((e) => e.type === 'Gateway') }, [
      's3',
    ]);
    expect(gatewayOnly.actions.map((a) => a.kind)).toEqual(['AddGatewayRoutes']);
  });
});

describe('finding texts', () => {
  it('lists every gone endpoint of the service, comma-separated', () => {
    const vpc: ObservedVpc = {
      ...base,
      endpoints: [
        ...without(base, 'logs'),
        endpoint('logs', { state: 'deleted', endpointId: 'vpce-l1' }),
        endpoint('logs', { state: 'deleting', endpointId: 'vpce-l2' }),
      ],
    };
    expect(planOne(vpc).findings.map((f) => f.message)).toEqual([
      'no interface endpoint for logs (vpce-l1 deleted, vpce-l2 deleting): tasks use the awslogs driver in 3 subnet(s) without an internet path',
    ]);
  });

  it('advises resetting a custom policy on an ECS endpoint', () => {
    const policyDocument = JSON.stringify({
      Statement: [{ Effect: 'Deny', Principal: '*', Action: '*', Resource: '*' }],
    });
    const vpc: ObservedVpc = {
      ...base,
      endpoints: [...without(base, 'ecs'), endpoint('ecs', { policyDocument })],
    };
    expect(planOne(vpc).findings.map((f) => f.advice)).toEqual([
      'Reset the endpoint policy to full access (ModifyVpcEndpoint --reset-policy); control access with IAM instead',
    ]);
  });
});

describe('assertNever', () => {
  it('names what it did not expect', () => {
    expect(() => assertNever('x' as never)).toThrow('unexpected value: "x"');
    expect(() => assertNever({ kind: 'y' } as never, 'thing')).toThrow('unexpected thing: {"kind":"y"}');
  });
});

/**
 * Edges of the planner that the rule tables do not reach: subnet preference weights, the network
 * ACLs of subnets a repair adds, and the exhaustiveness guard.
 */
import { deriveDesired } from '../../../shared/core/desired.js';
import type { ObservedSubnet, ObservedVpc, VpcPlan } from '../../../shared/core/domain.js';
import { assertNever } from '../../../shared/core/domain.js';
import { plan } from '../../../shared/core/plan.js';
import { CORE_DEFAULTS } from '../../support/core-config.js';
import { AZS, endpoint, healthyVpc, region } from '../../support/fixtures.js';

const base = healthyVpc();
const planOne = (vpc: ObservedVpc): VpcPlan => {
  const observed = region([vpc]);
  return plan(deriveDesired(observed, CORE_DEFAULTS).vpcs, observed, {
    securityGroupName: CORE_DEFAULTS.endpointSecurityGroupName,
    managedTagKey: CORE_DEFAULTS.managedTagKey,
    now: new Date('2026-11-28T21:00:00Z'),
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
      hasInternetPath: !s.isPrivate,
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

describe('assertNever', () => {
  it('names what it did not expect', () => {
    expect(() => assertNever('x' as never)).toThrow('unexpected value: "x"');
    expect(() => assertNever({ kind: 'y' } as never, 'thing')).toThrow('unexpected thing: {"kind":"y"}');
  });
});

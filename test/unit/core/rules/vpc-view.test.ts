/**
 * The read-only view every rule reads: each required service's presence (with the placement the
 * planner would use), the dedicated group, the CIDRs 443 is opened to, the private route tables and
 * the subnets that hold or will hold interface endpoints.
 */
import type { ObservedSecurityGroup, ObservedSubnet, ServiceName } from '../../../../shared/core/domain.js';
import type { Presence } from '../../../../shared/core/rules/vpc-view.js';
import { AZS, MANAGED, endpoint, offers } from '../../../support/fixtures.js';
import {
  HEALTHY,
  endpointsWith,
  endpointsWithout,
  only,
  viewOf,
  type ViewTweak,
} from '../../../support/rule-view.js';

const [A, B, C] = HEALTHY.subnets as [ObservedSubnet, ObservedSubnet, ObservedSubnet];
const SG_DEDICATED = HEALTHY.securityGroups[1]!;
const presenceOf = (tweak: ViewTweak, service: ServiceName): Presence | undefined =>
  viewOf(tweak).services.find((s) => s.service === service)?.presence;
/** The subnets a missing `ecs` endpoint would be created in. */
const createdIn = (tweak: ViewTweak) => {
  const p = presenceOf({ ...tweak, desired: { ...only('ecs'), ...tweak.desired } }, 'ecs');
  return p?.kind === 'missing' ? p.subnetIds : p?.kind;
};
const extra = (subnetId: string, az: string, o: Partial<ObservedSubnet> = {}): ObservedSubnet => ({
  ...A,
  subnetId,
  availabilityZone: az,
  ...o,
});

describe('vpc view', () => {
  it.each<[string, ViewTweak, ServiceName, Presence['kind']]>([
    ['available interface endpoint', {}, 'ecs', 'liveInterface'],
    ['available gateway endpoint', {}, 's3', 'liveGateway'],
    ['no endpoint', { vpc: { endpoints: endpointsWithout('ecs') } }, 'ecs', 'missing'],
    [
      'pending',
      {
        vpc: { endpoints: endpointsWith({ service: 'ecs', state: 'pending' }) },
      },
      'ecs',
      'waiting',
    ],
    [
      'rejected',
      {
        vpc: {
          endpoints: endpointsWith({ service: 'ecs', state: 'rejected' }),
        },
      },
      'ecs',
      'unusable',
    ],
    [
      'deleted',
      {
        vpc: { endpoints: endpointsWith({ service: 'ecs', state: 'deleted' }) },
      },
      'ecs',
      'missing',
    ],
    ['not offered', { offers: [] }, 'ecs', 'notOffered'],
  ])('presence: %s', (_name, tweak, service, kind) => {
    expect(presenceOf(tweak, service)?.kind).toBe(kind);
  });

  it.each<[string, ViewTweak, string[] | string | undefined]>([
    [
      'one private subnet per AZ, in the required order',
      { vpc: { endpoints: endpointsWithout('ecs') } },
      [A.subnetId, B.subnetId, C.subnetId],
    ],
    [
      'only AZs where the service is offered',
      {
        vpc: { endpoints: endpointsWithout('ecs') },
        offers: offers(undefined, [AZS[1]]),
      },
      [B.subnetId],
    ],
    [
      'a private subnet before a public one',
      {
        vpc: {
          endpoints: endpointsWithout('ecs'),
          subnets: [extra('subnet-0pub', AZS[0], { isPrivate: false }), A],
        },
        desired: { requiredAzs: [AZS[0]] },
      },
      [A.subnetId],
    ],
    [
      'a public subnet when it is the only one in the AZ',
      {
        vpc: {
          endpoints: endpointsWithout('ecs'),
          subnets: [extra('subnet-0pub', AZS[0], { isPrivate: false })],
        },
        desired: { requiredAzs: [AZS[0]] },
      },
      ['subnet-0pub'],
    ],
    [
      'an instance subnet and a workload subnet weigh the same (then by id), both before any other',
      {
        vpc: {
          endpoints: endpointsWithout('ecs'),
          subnets: [extra('subnet-z', AZS[0]), extra('subnet-y', AZS[0]), extra('subnet-x', AZS[0])],
          containerInstances: [{ ...HEALTHY.containerInstances[0]!, subnetId: 'subnet-z' }],
          workloads: { ...HEALTHY.workloads, subnetIds: ['subnet-y'] },
        },
        desired: { requiredAzs: [AZS[0]] },
      },
      ['subnet-y'],
    ],
    [
      'a container instance subnet before any other',
      {
        vpc: {
          endpoints: endpointsWithout('ecs'),
          subnets: [extra('subnet-z', AZS[0]), extra('subnet-x', AZS[0])],
          containerInstances: [{ ...HEALTHY.containerInstances[0]!, subnetId: 'subnet-z' }],
          workloads: { ...HEALTHY.workloads, subnetIds: [] },
        },
        desired: { requiredAzs: [AZS[0]] },
      },
      ['subnet-z'],
    ],
    [
      'a workload subnet before any other',
      {
        vpc: {
          endpoints: endpointsWithout('ecs'),
          subnets: [extra('subnet-y', AZS[0]), extra('subnet-x', AZS[0])],
          containerInstances: [],
          workloads: { ...HEALTHY.workloads, subnetIds: ['subnet-y'] },
        },
        desired: { requiredAzs: [AZS[0]] },
      },
      ['subnet-y'],
    ],
    [
      'equal subnets: the smallest id',
      {
        vpc: {
          endpoints: endpointsWithout('ecs'),
          subnets: [extra('subnet-y', AZS[0]), extra('subnet-x', AZS[0])],
          containerInstances: [],
          workloads: { ...HEALTHY.workloads, subnetIds: [] },
        },
        desired: { requiredAzs: [AZS[0]] },
      },
      ['subnet-x'],
    ],
    [
      'a required AZ without a subnet gets none',
      { vpc: { endpoints: endpointsWithout('ecs'), subnets: [A] } },
      [A.subnetId],
    ],
    [
      'a container instance without a subnet is no preference',
      {
        vpc: {
          endpoints: endpointsWithout('ecs'),
          subnets: [extra('subnet-y', AZS[0]), extra('subnet-x', AZS[0])],
          containerInstances: [{ ...HEALTHY.containerInstances[0]!, subnetId: undefined }],
          workloads: { ...HEALTHY.workloads, subnetIds: [] },
        },
        desired: { requiredAzs: [AZS[0]] },
      },
      ['subnet-x'],
    ],
  ])('a missing interface endpoint is placed in %s', (_name, tweak, expected) => {
    expect(createdIn(tweak)).toEqual(expected);
  });

  it('a missing gateway endpoint has no subnets', () => {
    expect(presenceOf({ vpc: { endpoints: endpointsWithout('s3') } }, 's3')).toEqual({
      kind: 'missing',
      offer: expect.objectContaining({ service: 's3', type: 'Gateway' }),
      gone: [],
      subnetIds: [],
    });
  });

  it('a live interface endpoint: the required, offered AZs it misses and the subnets to add', () => {
    const tweak = {
      vpc: {
        endpoints: endpointsWith({ service: 'ecs', subnetIds: [B.subnetId] }),
      },
    };
    expect(presenceOf(tweak, 'ecs')).toEqual(
      expect.objectContaining({
        kind: 'liveInterface',
        missingAzs: [AZS[0], AZS[2]],
        addSubnetIds: [A.subnetId, C.subnetId],
      }),
    );
  });

  it('lists the deleted and deleting endpoints of a missing service, not those of others', () => {
    const gone = endpoint('ecs', { endpointId: 'vpce-gone', state: 'deleted' });
    const p = presenceOf(
      {
        vpc: {
          endpoints: [
            ...endpointsWithout('ecs'),
            gone,
            endpoint('logs', { endpointId: 'vpce-x', state: 'deleted' }),
          ],
        },
      },
      'ecs',
    );
    expect(p?.kind === 'missing' ? p.gone.map((e) => e.endpointId) : p).toEqual(['vpce-gone']);
  });

  it('the subnets holding or getting interface endpoints, in service order, each once', () => {
    const view = viewOf({
      desired: only('s3', 'logs', 'ecs', 'ecr.api', 'ssm'),
      vpc: {
        subnets: [A, B, C, extra('subnet-other', AZS[0])],
        endpoints: [
          ...endpointsWith(
            { service: 'logs', subnetIds: [B.subnetId, 'subnet-other'] },
            {
              service: 'ecr.api',
              state: 'pending',
              subnetIds: ['subnet-pending'],
            },
          ).filter((e) => e.service !== 'ecs'),
        ],
      },
    });
    expect(view.endpointSubnetIds).toEqual([B.subnetId, 'subnet-other', C.subnetId, A.subnetId]);
  });

  it.each<[string, Partial<ObservedSecurityGroup>, string | undefined]>([
    ['its name and managed tag', {}, 'sg-1eer'],
    ['a default group with its name and tag', { isDefault: true }, undefined],
    ['no managed tag', { tags: {} }, undefined],
    ['the tag not "true"', { tags: { [MANAGED]: 'yes' } }, undefined],
    ['another name', { groupName: 'other' }, undefined],
  ])('the dedicated group: %s', (_name, change, groupId) => {
    const view = viewOf({
      vpc: {
        securityGroups: [HEALTHY.securityGroups[0]!, { ...SG_DEDICATED, ...change }],
      },
    });
    expect({
      dedicated: view.dedicatedGroup?.groupId,
      ref: view.endpointGroup,
    }).toEqual({
      dedicated: groupId,
      ref: groupId ? { kind: 'existing', groupId } : { kind: 'dedicated', vpcId: 'vpc-1' },
    });
  });

  it('opens 443 to the VPC CIDRs, or to the workload CIDRs when the VPC CIDRs were not read', () => {
    expect([viewOf().vpcCidrs, viewOf({ vpc: { cidrBlocks: [] } }).vpcCidrs]).toEqual([
      ['10.1.0.0/16'],
      ['10.1.0.0/24', '10.1.1.0/24', '10.1.2.0/24'],
    ]);
  });

  it('private route tables: private subnets and enclosed ones, each once, sorted', () => {
    const view = viewOf({
      vpc: {
        subnets: [
          { ...A, routeTableId: 'rtb-z' },
          { ...B, routeTableId: 'rtb-a' },
          { ...C, routeTableId: 'rtb-z' },
          extra('subnet-pub', AZS[0], {
            isPrivate: false,
            routeTableId: 'rtb-pub',
          }),
          extra('subnet-enclosed', AZS[0], {
            isPrivate: false,
            routeTableId: 'rtb-enc',
          }),
          extra('subnet-none', AZS[0], { routeTableId: undefined }),
        ],
      },
      desired: { enclosedWorkloadSubnetIds: ['subnet-enclosed'] },
    });
    expect(view.privateRouteTableIds).toEqual(['rtb-a', 'rtb-enc', 'rtb-z']);
  });

  it('needs interface endpoints unless only gateway services are required; AZ offers only for interface ones', () => {
    const narrow = offers(undefined, [AZS[0]]);
    const gatewayOnly = viewOf({ desired: only('s3'), offers: narrow });
    const both = viewOf({ desired: only('s3', 'ecs'), offers: narrow });
    expect({
      gatewayOnly: [gatewayOnly.needsInterface, gatewayOnly.services.map((s) => s.unofferedAzs)],
      both: [both.needsInterface, both.services.map((s) => [s.service, s.reason, s.unofferedAzs])],
    }).toEqual({
      gatewayOnly: [false, [[]]],
      both: [
        true,
        [
          ['s3', 's3 is needed', []],
          ['ecs', 'ecs is needed', [AZS[1], AZS[2]]],
        ],
      ],
    });
  });
});

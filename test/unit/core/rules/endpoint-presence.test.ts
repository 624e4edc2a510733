/**
 * The endpoint presence rule alone: a service not offered (in the Region or in a required AZ), a
 * missing endpoint and the CreateVpcEndpoint that fixes it, a waiting or unusable endpoint (reported
 * only). Deleted endpoints are ignored per service; endpoints of the wrong type do not count.
 */
import type { EndpointState, ServiceName } from '../../../../shared/core/domain.js';
import { endpointClientToken } from '../../../../shared/core/client-token.js';
import { endpointPresenceRule } from '../../../../shared/core/rules/endpoint-presence.js';
import { AZS, endpoint, offers } from '../../../support/fixtures.js';
import {
  HEALTHY,
  codes,
  endpointsWith,
  endpointsWithout,
  kinds,
  only,
  viewOf,
  type ViewTweak,
} from '../../../support/rule-view.js';

const missing = (...services: ServiceName[]): ViewTweak => ({
  vpc: { endpoints: endpointsWithout(...services) },
});
const inState = (service: ServiceName, state: EndpointState): ViewTweak => ({
  vpc: { endpoints: endpointsWith({ service, state }) },
});
const SUBNETS = ['subnet-1p0', 'subnet-1p1', 'subnet-1p2'];

describe('endpoint-presence rule', () => {
  it.each<[string, ViewTweak, string[], string[]]>([
    ['healthy VPC: nothing', {}, [], []],
    [
      'a missing interface endpoint: finding and create',
      missing('ecs-agent'),
      ['MISSING_ENDPOINT:ecs-agent'],
      ['CreateVpcEndpoint:ecs-agent'],
    ],
    [
      'a missing gateway endpoint: finding and create',
      missing('s3'),
      ['MISSING_ENDPOINT:s3'],
      ['CreateVpcEndpoint:s3'],
    ],
    [
      'two missing: in the desired order',
      { vpc: { endpoints: endpointsWithout('logs', 'ecs') }, desired: only('logs', 'ecs') },
      ['MISSING_ENDPOINT:logs', 'MISSING_ENDPOINT:ecs'],
      ['CreateVpcEndpoint:logs', 'CreateVpcEndpoint:ecs'],
    ],
    [
      'only the deleted endpoint of the service: missing, created again',
      inState('ecs', 'deleted'),
      ['MISSING_ENDPOINT:ecs'],
      ['CreateVpcEndpoint:ecs'],
    ],
    [
      'deleting counts as gone too',
      inState('ecr.dkr', 'deleting'),
      ['MISSING_ENDPOINT:ecr.dkr'],
      ['CreateVpcEndpoint:ecr.dkr'],
    ],
    [
      'a deleted endpoint of another service does not hide this one',
      {
        vpc: {
          endpoints: [
            ...HEALTHY.endpoints,
            endpoint('ecs', { endpointId: 'vpce-old', state: 'deleted', service: 'logs' }),
          ],
        },
      },
      [],
      [],
    ],
    [
      'an endpoint of the wrong type does not count',
      { vpc: { endpoints: endpointsWith({ service: 's3', type: 'Interface' }) } },
      ['MISSING_ENDPOINT:s3'],
      ['CreateVpcEndpoint:s3'],
    ],
    ['pending: waiting, nothing created', inState('ecs', 'pending'), ['ENDPOINT_NOT_AVAILABLE:ecs'], []],
    ['pendingAcceptance: waiting', inState('ecs', 'pendingAcceptance'), ['ENDPOINT_NOT_AVAILABLE:ecs'], []],
    ...(['failed', 'rejected', 'expired', 'partial', 'unknown'] as const).map(
      (state): [string, ViewTweak, string[], string[]] => [
        `${state}: unusable, reported, never replaced`,
        inState('logs', state),
        ['ENDPOINT_NOT_AVAILABLE:logs'],
        [],
      ],
    ),
    [
      'available and pending endpoints of one service: the available one counts',
      {
        vpc: {
          endpoints: [...HEALTHY.endpoints, endpoint('ecs', { endpointId: 'vpce-0new', state: 'pending' })],
        },
      },
      [],
      [],
    ],
    [
      'not offered in the Region: one finding, no create',
      { vpc: { endpoints: endpointsWithout('logs') }, offers: offers().filter((o) => o.service !== 'logs') },
      ['SERVICE_NOT_OFFERED_IN_AZ:logs'],
      [],
    ],
    [
      'offered only as another type: not offered',
      { offers: offers().map((o) => (o.service === 'logs' ? { ...o, type: 'Gateway' as const } : o)) },
      ['SERVICE_NOT_OFFERED_IN_AZ:logs'],
      [],
    ],
    [
      'an interface service not offered in one required AZ: one finding for that AZ',
      {
        desired: only('ecs'),
        offers: offers().map((o) =>
          o.service === 'ecs' ? { ...o, availabilityZones: [AZS[0], AZS[1]] } : o,
        ),
      },
      ['SERVICE_NOT_OFFERED_IN_AZ:ecs'],
      [],
    ],
    [
      'not offered in an AZ and missing: the AZ finding first, created in the offered AZs',
      {
        vpc: { endpoints: endpointsWithout('ecs') },
        desired: only('ecs'),
        offers: offers(undefined, [AZS[0]]),
      },
      ['SERVICE_NOT_OFFERED_IN_AZ:ecs', 'SERVICE_NOT_OFFERED_IN_AZ:ecs', 'MISSING_ENDPOINT:ecs'],
      ['CreateVpcEndpoint:ecs'],
    ],
    [
      'not offered in an AZ and pending: both reported',
      {
        vpc: inState('ecs', 'pending').vpc!,
        desired: only('ecs'),
        offers: offers(undefined, [AZS[0], AZS[1]]),
      },
      ['SERVICE_NOT_OFFERED_IN_AZ:ecs', 'ENDPOINT_NOT_AVAILABLE:ecs'],
      [],
    ],
    [
      'a gateway service gets no AZ finding',
      { desired: only('s3'), offers: offers(undefined, [AZS[0]]) },
      [],
      [],
    ],
    [
      'missing interface endpoint with no subnet in any required AZ: finding, nothing to create',
      {
        vpc: { endpoints: endpointsWithout('ecs') },
        desired: { ...only('ecs'), requiredAzs: ['us-east-1d'] },
        offers: offers(undefined, ['us-east-1d']),
      },
      ['MISSING_ENDPOINT:ecs'],
      [],
    ],
    [
      'missing gateway endpoint with no private route table: still created (on none)',
      {
        vpc: {
          endpoints: endpointsWithout('s3'),
          subnets: HEALTHY.subnets.map((s) => ({ ...s, isPrivate: false })),
        },
      },
      ['MISSING_ENDPOINT:s3'],
      ['CreateVpcEndpoint:s3'],
    ],
  ])('%s', (_name, tweak, expectedCodes, expectedDrafts) => {
    const result = endpointPresenceRule(viewOf(tweak));
    expect({ codes: codes(result), drafts: kinds(result) }).toEqual({
      codes: expectedCodes,
      drafts: expectedDrafts,
    });
  });

  it('creates a missing ECS endpoint in one subnet per AZ, with the dedicated group and private DNS', () => {
    const view = viewOf(missing('ecs-agent'));
    expect(endpointPresenceRule(view)).toEqual({
      findings: [
        {
          code: 'MISSING_ENDPOINT',
          severity: 'critical',
          service: 'ecs-agent',
          message: 'no interface endpoint for ecs-agent: ecs-agent is needed',
        },
      ],
      drafts: [
        {
          kind: 'CreateVpcEndpoint',
          service: 'ecs-agent',
          serviceName: 'com.amazonaws.us-east-1.ecs-agent',
          endpointType: 'Interface',
          subnetIds: SUBNETS,
          securityGroup: { kind: 'existing', groupId: 'sg-1eer' },
          routeTableIds: [],
          privateDnsEnabled: true,
          clientToken: endpointClientToken('vpc-1', 'ecs-agent', SUBNETS, view.vpc.endpoints),
          newEndpointAzs: 3,
          reason: 'ecs-agent is needed; creating it in 3 AZ(s) with private DNS',
        },
      ],
    });
  });

  it('creates a missing s3 gateway on the private route tables; other services are high, not critical', () => {
    const view = viewOf({ vpc: { endpoints: endpointsWithout('s3') }, desired: only('s3') });
    expect(endpointPresenceRule(view)).toEqual({
      findings: [
        {
          code: 'MISSING_ENDPOINT',
          severity: 'high',
          service: 's3',
          message: 'no gateway endpoint for s3: s3 is needed',
        },
      ],
      drafts: [
        {
          kind: 'CreateVpcEndpoint',
          service: 's3',
          serviceName: 'com.amazonaws.us-east-1.s3',
          endpointType: 'Gateway',
          subnetIds: [],
          routeTableIds: ['rtb-1p'],
          privateDnsEnabled: false,
          clientToken: endpointClientToken('vpc-1', 's3', ['rtb-1p'], view.vpc.endpoints),
          newEndpointAzs: 0,
          reason: 's3 is needed; creating the gateway endpoint on 1 private route table(s)',
        },
      ],
    });
  });

  it('names the gone endpoints of the service, and a new group when there is no dedicated one', () => {
    const gone = [
      endpoint('logs', { endpointId: 'vpce-a', state: 'deleted' }),
      endpoint('logs', { endpointId: 'vpce-b', state: 'deleting' }),
    ];
    const view = viewOf({
      vpc: {
        endpoints: [...endpointsWithout('logs'), ...gone],
        securityGroups: [HEALTHY.securityGroups[0]!],
      },
      desired: only('logs'),
    });
    const result = endpointPresenceRule(view);
    expect(result.findings.map((f) => [f.severity, f.message])).toEqual([
      ['high', 'no interface endpoint for logs (vpce-a deleted, vpce-b deleting): logs is needed'],
    ]);
    expect(result.drafts.map((d) => (d.kind === 'CreateVpcEndpoint' ? d.securityGroup : d))).toEqual([
      { kind: 'dedicated', vpcId: 'vpc-1' },
    ]);
  });

  it('explains waiting, unusable and not-offered findings', () => {
    const waiting = endpointPresenceRule(viewOf({ ...inState('ecs', 'pending'), desired: only('ecs') }));
    const failed = endpointPresenceRule(viewOf({ ...inState('ecs', 'failed'), desired: only('ecs') }));
    const region = endpointPresenceRule(viewOf({ desired: only('ecs'), offers: [] }));
    const az = endpointPresenceRule(
      viewOf({ desired: only('ecs'), offers: offers(undefined, [AZS[0], AZS[1]]) }),
    );
    expect([...waiting.findings, ...failed.findings, ...region.findings, ...az.findings]).toEqual([
      {
        code: 'ENDPOINT_NOT_AVAILABLE',
        severity: 'low',
        service: 'ecs',
        resourceId: 'vpce-1ecs',
        message: 'ecs endpoint vpce-1ecs is pending',
        advice: 'Wait: new endpoints take minutes to become available; the next run checks again',
      },
      {
        code: 'ENDPOINT_NOT_AVAILABLE',
        severity: 'high',
        service: 'ecs',
        resourceId: 'vpce-1ecs',
        message: 'ecs endpoint vpce-1ecs is failed',
        advice:
          'Delete this endpoint (the tool never deletes what it did not create); the next run creates a working one',
      },
      {
        code: 'SERVICE_NOT_OFFERED_IN_AZ',
        severity: 'high',
        service: 'ecs',
        resourceId: 'us-east-1',
        message: 'ecs (Interface) is not offered in us-east-1',
        advice: 'Reach the service another way (NAT or a proxy); the tool cannot create this endpoint',
      },
      {
        code: 'SERVICE_NOT_OFFERED_IN_AZ',
        severity: 'medium',
        service: 'ecs',
        resourceId: 'us-east-1c',
        message: 'ecs is not offered in us-east-1c: workloads there reach it across AZs',
        advice: 'Keep workloads in AZs where the service is offered, or accept cross-AZ traffic',
      },
    ]);
  });

  it('picks, among several unusable endpoints, the first by id; a waiting one before an unusable one', () => {
    const two = (a: EndpointState, b: EndpointState) =>
      endpointPresenceRule(
        viewOf({
          desired: only('ecs'),
          vpc: {
            endpoints: [
              endpoint('ecs', { endpointId: 'vpce-b', state: a }),
              endpoint('ecs', { endpointId: 'vpce-a', state: b }),
            ],
          },
        }),
      ).findings.map((f) => f.resourceId);
    expect([two('failed', 'failed'), two('pending', 'failed'), two('failed', 'pending')]).toEqual([
      ['vpce-a'],
      ['vpce-b'],
      ['vpce-a'],
    ]);
  });
});

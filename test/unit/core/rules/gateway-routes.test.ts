/**
 * The gateway routes rule alone: the s3 gateway endpoint is added to each private route table (and
 * to the route tables of enclosed workload subnets) it is missing from; never removed from any.
 */
import type { ObservedSubnet } from '../../../../shared/core/domain.js';
import { gatewayRoutesRule } from '../../../../shared/core/rules/gateway-routes.js';
import type { RuleDraft } from '../../../../shared/core/rules/rule.js';
import { HEALTHY, codes, endpointsWith, viewOf, type ViewTweak } from '../../../support/rule-view.js';

const [A, B, C] = HEALTHY.subnets as [ObservedSubnet, ObservedSubnet, ObservedSubnet];
const routes = (routeTableIds: string[]): RuleDraft => ({
  kind: 'AddGatewayRoutes',
  service: 's3',
  endpointId: 'vpce-1s3',
  routeTableIds,
  reason: `private subnets behind ${routeTableIds.join(', ')} must route S3 (ECR layers) through the gateway endpoint`,
});
const s3On = (routeTableIds: string[], subnets: ObservedSubnet[] = HEALTHY.subnets as ObservedSubnet[]) => ({
  endpoints: endpointsWith({ service: 's3', routeTableIds }),
  subnets,
});
const ownTables = [A, { ...B, routeTableId: 'rtb-1b' }, { ...C, routeTableId: 'rtb-1c' }];

describe('gateway-routes rule', () => {
  it.each<[string, ViewTweak, string[], RuleDraft[]]>([
    ['healthy VPC: nothing', {}, [], []],
    [
      'on no route table: added to the private one',
      { vpc: s3On([]) },
      ['S3_GATEWAY_ROUTE_MISSING:s3'],
      [routes(['rtb-1p'])],
    ],
    [
      'on one of three private route tables: added to the other two, sorted',
      { vpc: s3On(['rtb-1b'], ownTables) },
      ['S3_GATEWAY_ROUTE_MISSING:s3'],
      [routes(['rtb-1c', 'rtb-1p'])],
    ],
    [
      'a public subnet route table is not one it needs',
      {
        vpc: s3On(['rtb-1p'], [A, { ...B, routeTableId: 'rtb-public', isPrivate: false }]),
      },
      [],
      [],
    ],
    [
      'an enclosed workload subnet (public, no direct path) gets it too',
      {
        vpc: s3On(['rtb-1p'], [A, { ...B, routeTableId: 'rtb-public', isPrivate: false }]),
        desired: { enclosedWorkloadSubnetIds: ['subnet-1p1'] },
      },
      ['S3_GATEWAY_ROUTE_MISSING:s3'],
      [routes(['rtb-public'])],
    ],
    [
      'a subnet without a route table adds none',
      { vpc: s3On(['rtb-1p'], [A, { ...B, routeTableId: undefined }]) },
      [],
      [],
    ],
    [
      'a pending gateway endpoint is not routed',
      {
        vpc: {
          endpoints: endpointsWith({
            service: 's3',
            routeTableIds: [],
            state: 'pending',
          }),
        },
      },
      [],
      [],
    ],
  ])('%s', (_name, tweak, expectedCodes, expectedDrafts) => {
    const result = gatewayRoutesRule(viewOf(tweak));
    expect({ codes: codes(result), drafts: result.drafts }).toEqual({
      codes: expectedCodes,
      drafts: expectedDrafts,
    });
  });

  it('names the endpoint and the route tables it misses', () => {
    expect(gatewayRoutesRule(viewOf({ vpc: s3On(['rtb-1p'], ownTables) })).findings).toEqual([
      {
        code: 'S3_GATEWAY_ROUTE_MISSING',
        severity: 'high',
        service: 's3',
        resourceId: 'vpce-1s3',
        message: 'gateway endpoint vpce-1s3 is not on route table(s) rtb-1b, rtb-1c of private subnets',
      },
    ]);
  });
});

/**
 * The AZ coverage rule alone: each required AZ where the service is offered and its interface
 * endpoint has no subnet is a finding; a subnet there is added (never one removed) when the VPC has
 * one in that AZ.
 */
import { azCoverageRule } from '../../../../shared/core/rules/az-coverage.js';
import type { RuleDraft } from '../../../../shared/core/rules/rule.js';
import { AZS, offers } from '../../../support/fixtures.js';
import { HEALTHY, codes, endpointsWith, only, viewOf, type ViewTweak } from '../../../support/rule-view.js';

const inSubnets = (service: 'ecs' | 'logs' | 's3', subnetIds: string[], extra: ViewTweak['vpc'] = {}) => ({
  endpoints: endpointsWith({ service, subnetIds }),
  ...extra,
});
const addSubnets = (service: string, endpointId: string, subnetIds: string[], azs: string): RuleDraft => ({
  kind: 'EndpointRepair',
  service: service as 'ecs',
  endpointId,
  addSubnetIds: subnetIds,
  part: `add subnets in ${azs}`,
});

describe('az-coverage rule', () => {
  it.each<[string, ViewTweak, string[], RuleDraft[]]>([
    ['healthy VPC: nothing', {}, [], []],
    [
      'one AZ short: finding, the subnet there added',
      { vpc: inSubnets('ecs', ['subnet-1p0', 'subnet-1p1']) },
      ['ENDPOINT_AZ_NOT_COVERED:ecs'],
      [addSubnets('ecs', 'vpce-1ecs', ['subnet-1p2'], 'us-east-1c')],
    ],
    [
      'two AZs short: both named, in the required order',
      { vpc: inSubnets('logs', ['subnet-1p1']) },
      ['ENDPOINT_AZ_NOT_COVERED:logs'],
      [addSubnets('logs', 'vpce-1logs', ['subnet-1p0', 'subnet-1p2'], 'us-east-1a, us-east-1c')],
    ],
    [
      'a subnet the VPC does not have counts for no AZ',
      { vpc: inSubnets('ecs', ['subnet-1p0', 'subnet-1p1', 'subnet-gone']) },
      ['ENDPOINT_AZ_NOT_COVERED:ecs'],
      [addSubnets('ecs', 'vpce-1ecs', ['subnet-1p2'], 'us-east-1c')],
    ],
    [
      'an AZ where the service is not offered need not be covered',
      {
        vpc: inSubnets('ecs', ['subnet-1p0', 'subnet-1p1']),
        offers: offers().map((o) =>
          o.service === 'ecs' ? { ...o, availabilityZones: [AZS[0], AZS[1]] } : o,
        ),
      },
      [],
      [],
    ],
    [
      'an AZ not required need not be covered',
      {
        vpc: inSubnets('ecs', ['subnet-1p0']),
        desired: { requiredAzs: [AZS[0]] },
      },
      [],
      [],
    ],
    [
      'a required AZ without any subnet in the VPC: finding, nothing to add',
      {
        vpc: {
          subnets: HEALTHY.subnets.filter((s) => s.subnetId !== 'subnet-1p2'),
        },
        desired: only('ecs'),
      },
      ['ENDPOINT_AZ_NOT_COVERED:ecs'],
      [],
    ],
    [
      'a waiting endpoint is not repaired',
      {
        vpc: {
          endpoints: endpointsWith({
            service: 'ecs',
            subnetIds: [],
            state: 'pending',
          }),
        },
      },
      [],
      [],
    ],
    ['a gateway endpoint has no AZs to cover', { vpc: inSubnets('s3', []) }, [], []],
  ])('%s', (_name, tweak, expectedCodes, expectedDrafts) => {
    const result = azCoverageRule(viewOf(tweak));
    expect({ codes: codes(result), drafts: result.drafts }).toEqual({
      codes: expectedCodes,
      drafts: expectedDrafts,
    });
  });

  it('names the endpoint and the AZs it misses', () => {
    const result = azCoverageRule(viewOf({ vpc: inSubnets('ecs', ['subnet-1p0']), desired: only('ecs') }));
    expect(result.findings).toEqual([
      {
        code: 'ENDPOINT_AZ_NOT_COVERED',
        severity: 'high',
        service: 'ecs',
        resourceId: 'vpce-1ecs',
        message: 'ecs endpoint vpce-1ecs has no subnet in us-east-1b, us-east-1c',
      },
    ]);
  });
});

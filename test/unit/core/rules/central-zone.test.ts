/** The central-zone rule: each broken link of the hub pattern, seen from the spoke, is its own finding. */
import type { ObservedHostedZone, ObservedRegion } from '../../../../shared/core/domain.js';
import { centralZoneRule } from '../../../../shared/core/rules/central-zone.js';
import { vpcView } from '../../../../shared/core/rules/vpc-view.js';
import { MANAGED, SG_NAME } from '../../../support/fixtures.js';
import { hubAndSpoke, hubVpc, hubZones, spokeVpc } from '../../../support/hub-and-spoke.js';
import { codes, desiredFor, only } from '../../../support/rule-view.js';

function spokeView(observed: ObservedRegion) {
  const spoke = observed.vpcs.find((v) => v.vpcId === 'vpc-2')!;
  return vpcView(desiredFor(spoke, only('ecs-agent', 's3')), spoke, observed, {
    securityGroupName: SG_NAME,
    managedTagKey: MANAGED,
  });
}

const zonesWith = (change: (z: ObservedHostedZone) => ObservedHostedZone) =>
  hubZones().map((z) => (z.name.startsWith('ecs-agent.') ? change(z) : z));
const hub = hubVpc();

describe('central-zone rule', () => {
  it.each<[string, ObservedRegion, string[], string[]]>([
    ['spoke fully served by the hub: nothing, s3 stays local', hubAndSpoke(), [], ['s3']],
    [
      'zone not associated with the spoke (hub endpoint available and reachable)',
      hubAndSpoke({ zones: zonesWith((z) => ({ ...z, vpcIds: ['vpc-1'] })) }),
      ['CENTRAL_ZONE_NOT_ASSOCIATED:ecs-agent'],
      ['s3'],
    ],
    [
      'associated zone without a record for the name',
      hubAndSpoke({ zones: zonesWith((z) => ({ ...z, aliasRecords: [] })) }),
      ['CENTRAL_ZONE_RECORD_BROKEN:ecs-agent'],
      ['s3'],
    ],
    [
      'record aliasing a deleted endpoint',
      hubAndSpoke({
        hub: {
          ...hub,
          endpoints: hub.endpoints.map((e) =>
            e.service === 'ecs-agent' ? { ...e, state: 'deleted' as const } : e,
          ),
        },
      }),
      ['CENTRAL_ZONE_RECORD_BROKEN:ecs-agent'],
      ['s3'],
    ],
    [
      'record aliasing a failed endpoint',
      hubAndSpoke({
        hub: {
          ...hub,
          endpoints: hub.endpoints.map((e) =>
            e.service === 'ecs-agent' ? { ...e, state: 'failed' as const } : e,
          ),
        },
      }),
      ['CENTRAL_ZONE_RECORD_BROKEN:ecs-agent'],
      ['s3'],
    ],
    [
      'spoke without a route to the hub',
      hubAndSpoke({
        spoke: spokeVpc({ routeTables: spokeVpc().routeTables.map((t) => ({ ...t, transitRoutes: [] })) }),
      }),
      ['CENTRAL_ENDPOINT_NO_ROUTE:ecs-agent'],
      ['s3'],
    ],
    [
      'a route through something other than peering or a transit gateway does not count',
      hubAndSpoke({
        spoke: spokeVpc({
          routeTables: spokeVpc().routeTables.map((t) => ({
            ...t,
            transitRoutes: [{ destinationCidrBlock: '10.1.0.0/16', targetId: 'vgw-1' }],
          })),
        }),
      }),
      ['CENTRAL_ENDPOINT_NO_ROUTE:ecs-agent'],
      ['s3'],
    ],
    [
      "the hub endpoint's group not admitting the spoke",
      hubAndSpoke({ hub: { ...hub, securityGroups: healthyHubGroups() } }),
      ['CENTRAL_ENDPOINT_SG_BLOCKS_HTTPS:ecs-agent'],
      ['s3'],
    ],
    [
      'no route and blocked group: two findings',
      hubAndSpoke({
        hub: { ...hub, securityGroups: healthyHubGroups() },
        spoke: spokeVpc({ routeTables: spokeVpc().routeTables.map((t) => ({ ...t, transitRoutes: [] })) }),
      }),
      ['CENTRAL_ENDPOINT_NO_ROUTE:ecs-agent', 'CENTRAL_ENDPOINT_SG_BLOCKS_HTTPS:ecs-agent'],
      ['s3'],
    ],
    [
      'unassociated zone whose hub is unreachable: not central, planned locally',
      hubAndSpoke({
        zones: zonesWith((z) => ({ ...z, vpcIds: ['vpc-1'] })),
        spoke: spokeVpc({ routeTables: spokeVpc().routeTables.map((t) => ({ ...t, transitRoutes: [] })) }),
      }),
      [],
      ['ecs-agent', 's3'],
    ],
    [
      'a parent zone (<region>.amazonaws.com) with the record serves the name',
      hubAndSpoke({
        zones: [{ ...hubZones()[0]!, zoneId: 'ZREGION', name: 'us-east-1.amazonaws.com' }],
      }),
      [],
      ['s3'],
    ],
    [
      "another account's zone associated with the spoke: served, reported for information",
      hubAndSpoke({
        hub: { ...hub, endpoints: hub.endpoints.filter((e) => e.service !== 'ecs-agent') },
        zones: zonesWith((z) => ({
          ...z,
          vpcIds: ['vpc-2'],
          aliasRecords: [],
          ownerAccountId: '222222222222',
        })),
      }),
      ['CENTRAL_ZONE_OTHER_ACCOUNT:ecs-agent'],
      ['s3'],
    ],
    [
      "another account's zone associated only with another VPC: planned locally",
      hubAndSpoke({
        zones: zonesWith((z) => ({
          ...z,
          vpcIds: ['vpc-1'],
          aliasRecords: [],
          ownerAccountId: '222222222222',
        })),
      }),
      [],
      ['ecs-agent', 's3'],
    ],
    [
      'zones not read (absent): everything local as before',
      hubAndSpoke({ hostedZones: undefined }),
      [],
      ['ecs-agent', 's3'],
    ],
  ])('%s', (_name, observed, expectedCodes, localServices) => {
    const view = spokeView(observed);
    const result = centralZoneRule(view);
    expect({
      codes: codes(result),
      drafts: result.drafts.map((d) => `${d.kind}:${'service' in d ? d.service : ''}`),
      local: view.services.map((s) => s.service),
    }).toEqual({
      codes: expectedCodes,
      // The one repair: a missing association with a zone of this account.
      drafts: expectedCodes
        .filter((c) => c.startsWith('CENTRAL_ZONE_NOT_ASSOCIATED:'))
        .map((c) => c.replace('CENTRAL_ZONE_NOT_ASSOCIATED', 'AssociateVpcWithHostedZone')),
      local: localServices,
    });
  });

  it('plans the association with the zone, explained', () => {
    const result = centralZoneRule(
      spokeView(hubAndSpoke({ zones: zonesWith((z) => ({ ...z, vpcIds: ['vpc-1'] })) })),
    );
    expect(result.drafts).toEqual([
      {
        kind: 'AssociateVpcWithHostedZone',
        service: 'ecs-agent',
        zoneId: 'ZECSAGENT',
        zoneName: 'ecs-agent.us-east-1.amazonaws.com',
        reason: expect.stringMatching(
          /^ecs-agent\.us-east-1\.amazonaws\.com is served by hub endpoint vpce-\S+ through zone ecs-agent\.us-east-1\.amazonaws\.com \(ZECSAGENT\), which this VPC is not associated with$/,
        ),
      },
    ]);
  });

  it('names the zone and the fix for a missing association', () => {
    const result = centralZoneRule(
      spokeView(hubAndSpoke({ zones: zonesWith((z) => ({ ...z, vpcIds: ['vpc-1'] })) })),
    );
    expect(result.findings).toEqual([
      {
        code: 'CENTRAL_ZONE_NOT_ASSOCIATED',
        severity: 'critical',
        service: 'ecs-agent',
        resourceId: 'ZECSAGENT',
        message:
          'ecs-agent.us-east-1.amazonaws.com is served by hub endpoint vpce-1ecsagent through zone ecs-agent.us-east-1.amazonaws.com (ZECSAGENT), which is not associated with this VPC',
        advice:
          'Associate this VPC with hosted zone ZECSAGENT (AssociateVPCWithHostedZone; from another account after CreateVPCAssociationAuthorization)',
      },
    ]);
  });
});

/** The hub's groups as the healthy fixture has them: 443 from the hub's own CIDR only. */
function healthyHubGroups() {
  return hubVpc().securityGroups.map((g) =>
    g.isDefault ? g : { ...g, ingress: g.ingress.filter((r) => !r.cidrBlocks.includes('10.2.0.0/16')) },
  );
}

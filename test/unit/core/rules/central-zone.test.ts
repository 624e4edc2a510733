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

describe('central-zone findings, word for word', () => {
  it.each<[string, ObservedRegion, object]>([
    [
      'no record',
      hubAndSpoke({ zones: zonesWith((z) => ({ ...z, aliasRecords: [] })) }),
      {
        code: 'CENTRAL_ZONE_RECORD_BROKEN',
        severity: 'critical',
        service: 'ecs-agent',
        resourceId: 'ZECSAGENT',
        message:
          'zone ecs-agent.us-east-1.amazonaws.com (ZECSAGENT) is associated with this VPC but has no alias record for ecs-agent.us-east-1.amazonaws.com',
        advice:
          'Add an alias record ecs-agent.us-east-1.amazonaws.com to an available ecs-agent interface endpoint, or disassociate the zone',
      },
    ],
    [
      'a record aliasing no endpoint in scope',
      hubAndSpoke({
        zones: zonesWith((z) => ({
          ...z,
          aliasRecords: z.aliasRecords.map((r) => ({
            ...r,
            target: 'vpce-0aa-bbb.ecs-agent.us-east-1.vpce.amazonaws.com',
          })),
        })),
      }),
      {
        code: 'CENTRAL_ZONE_RECORD_BROKEN',
        severity: 'critical',
        service: 'ecs-agent',
        resourceId: 'ZECSAGENT',
        message:
          'ecs-agent.us-east-1.amazonaws.com in zone ecs-agent.us-east-1.amazonaws.com (ZECSAGENT) aliases vpce-0aa-bbb.ecs-agent.us-east-1.vpce.amazonaws.com, which is no ecs-agent endpoint in scope',
        advice: 'Point the record at an available ecs-agent interface endpoint',
      },
    ],
    [
      'a record aliasing a failed endpoint',
      hubAndSpoke({
        hub: {
          ...hub,
          endpoints: hub.endpoints.map((e) =>
            e.service === 'ecs-agent' ? { ...e, state: 'failed' as const } : e,
          ),
        },
      }),
      {
        code: 'CENTRAL_ZONE_RECORD_BROKEN',
        severity: 'critical',
        service: 'ecs-agent',
        resourceId: 'vpce-1ecsagent',
        message:
          'ecs-agent.us-east-1.amazonaws.com in zone ecs-agent.us-east-1.amazonaws.com (ZECSAGENT) aliases hub endpoint vpce-1ecsagent, which is failed',
        advice: 'Repair the hub endpoint or point the record at an available one',
      },
    ],
  ])('%s', (_name, observed, expected) => {
    expect(centralZoneRule(spokeView(observed)).findings).toEqual([expected]);
  });

  it('no route names every table and the hub endpoint; a blocked group names every CIDR', () => {
    const base = spokeVpc();
    const [first, ...others] = base.subnets;
    const table = base.routeTables[0]!;
    // Two workload subnets on two tables, neither routing to the hub; the VPC has two CIDRs.
    const spoke = spokeVpc({
      cidrBlocks: ['10.2.0.0/16', '10.3.0.0/16'],
      subnets: [first!, ...others.map((sn) => ({ ...sn, routeTableId: 'rtb-second' }))],
      routeTables: [
        { ...table, transitRoutes: [] },
        {
          ...table,
          routeTableId: 'rtb-second',
          subnetIds: others.map((sn) => sn.subnetId),
          transitRoutes: [],
        },
      ],
    });
    const observed = hubAndSpoke({ hub: { ...hub, securityGroups: healthyHubGroups() }, spoke });
    const view = spokeView(observed);
    const tables = [
      ...new Set(view.vpc.subnets.flatMap((sn) => (sn.routeTableId ? [sn.routeTableId] : []))),
    ].sort();
    expect(tables.length).toBe(2);
    const findings = centralZoneRule(view).findings;
    const cidrs = view.desired.clientCidrs;
    expect(findings).toEqual([
      {
        code: 'CENTRAL_ENDPOINT_NO_ROUTE',
        severity: 'critical',
        service: 'ecs-agent',
        resourceId: 'vpc-1',
        message: `route table(s) ${tables.join(', ')} have no peering or transit gateway route to hub VPC vpc-1 (ecs-agent endpoint vpce-1ecsagent)`,
        advice: "Add a route to vpc-1's CIDR through its peering connection or transit gateway",
      },
      {
        code: 'CENTRAL_ENDPOINT_SG_BLOCKS_HTTPS',
        severity: 'critical',
        service: 'ecs-agent',
        resourceId: 'vpce-1ecsagent',
        message: `security group(s) of hub endpoint vpce-1ecsagent do not allow TCP 443 from ${cidrs.join(', ')}`,
        advice: `Allow TCP 443 from ${cidrs.join(', ')} in the hub endpoint's security group`,
      },
    ]);
    expect(cidrs.length).toBeGreaterThan(1);
  });

  it("another account's zone read from its owner: the missing association is advice, never a draft", () => {
    const result = centralZoneRule(
      spokeView(
        hubAndSpoke({
          zones: zonesWith((z) => ({
            ...z,
            vpcIds: ['vpc-1'],
            ownerAccountId: '111111111111',
            readFromOwner: true,
          })),
        }),
      ),
    );
    expect({ codes: codes(result), drafts: result.drafts }).toEqual({
      codes: ['CENTRAL_ZONE_NOT_ASSOCIATED:ecs-agent'],
      drafts: [],
    });
  });

  it('a zone of another account not read from its owner: CENTRAL_ZONE_OTHER_ACCOUNT, word for word', () => {
    const result = centralZoneRule(
      spokeView(
        hubAndSpoke({
          zones: zonesWith((z) => ({
            ...z,
            vpcIds: ['vpc-2'],
            aliasRecords: [],
            ownerAccountId: '111111111111',
          })),
        }),
      ),
    );
    expect(result.findings).toEqual([
      {
        code: 'CENTRAL_ZONE_OTHER_ACCOUNT',
        severity: 'info',
        service: 'ecs-agent',
        resourceId: 'ZECSAGENT',
        message:
          'ecs-agent.us-east-1.amazonaws.com resolves through zone ecs-agent.us-east-1.amazonaws.com (ZECSAGENT) of account 111111111111, associated with this VPC; its record, endpoint, route and security group are not readable from this account',
        advice: 'Plan account 111111111111 too (--accounts) to check the hub side',
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

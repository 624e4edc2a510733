/** A spoke's view lent the hub side another account of the same run owns (shared/core/cross-account.ts). */
import type { ObservedHostedZone, ObservedRegion } from '../../../shared/core/domain.js';
import { withHubsOfOtherAccounts } from '../../../shared/core/cross-account.js';
import { plan } from '../../../shared/core/plan.js';
import { deriveDesired } from '../../../shared/core/desired.js';
import { region } from '../../support/fixtures.js';
import { hubVpc, hubZones, spokeVpc } from '../../support/hub-and-spoke.js';
import { CORE_DEFAULTS as coreConfig } from '../../support/core-config.js';

const HUB_ACCOUNT = '111111111111';
const SPOKE_ACCOUNT = '222222222222';

/** What the spoke's own reader sees of the hub's zones: name and owner, no records. */
const seenFromSpoke = (zones: ObservedHostedZone[]): ObservedHostedZone[] =>
  zones.map((z) => ({
    zoneId: z.zoneId,
    name: z.name,
    vpcIds: ['vpc-2'],
    aliasRecords: [],
    ownerAccountId: HUB_ACCOUNT,
  }));

function centralCodes(observed: ObservedRegion): string[] {
  const desired = deriveDesired(observed, coreConfig);
  const p = plan(desired.vpcs, observed, {
    securityGroupName: coreConfig.endpointSecurityGroupName,
    managedTagKey: coreConfig.managedTagKey,
    updateOldAgents: coreConfig.updateOldAgents,
    warnings: [],
  });
  const spoke = p.vpcs.find((v) => v.vpcId === 'vpc-2');
  return [
    ...new Set(
      (spoke?.findings ?? []).filter((f) => /^(CENTRAL|MISSING_ENDPOINT)/.test(f.code)).map((f) => f.code),
    ),
  ].sort();
}

describe('withHubsOfOtherAccounts', () => {
  const owner = { accountId: HUB_ACCOUNT, observed: region([hubVpc()], { hostedZones: hubZones() }) };
  const spokeView = (spoke = spokeVpc()) => ({
    accountId: SPOKE_ACCOUNT,
    observed: region([spoke], { hostedZones: seenFromSpoke(hubZones()) }),
  });

  it.each<[string, ObservedRegion, string[]]>([
    [
      'alone, the other account’s zones are served but unverified',
      spokeView().observed,
      ['CENTRAL_ZONE_OTHER_ACCOUNT'],
    ],
    [
      'with the owner in the run, every link is checked and holds',
      withHubsOfOtherAccounts(spokeView(), [owner]),
      [],
    ],
    [
      'with the owner in the run, a missing route is found',
      withHubsOfOtherAccounts(
        spokeView(
          spokeVpc({ routeTables: spokeVpc().routeTables.map((t) => ({ ...t, transitRoutes: [] })) }),
        ),
        [owner],
      ),
      ['CENTRAL_ENDPOINT_NO_ROUTE'],
    ],
    [
      'an owner in another Region lends nothing',
      withHubsOfOtherAccounts(spokeView(), [
        { ...owner, observed: { ...owner.observed, region: 'eu-west-1' } },
      ]),
      ['CENTRAL_ZONE_OTHER_ACCOUNT'],
    ],
  ])('%s', (_name, observed, expected) => {
    expect(centralCodes(observed)).toEqual(expected);
  });

  it('lends nothing from the spoke itself, or when no other account is in the run (the same view back)', () => {
    const spoke = spokeView();
    expect(withHubsOfOtherAccounts(spoke, [])).toBe(spoke.observed);
    expect(withHubsOfOtherAccounts(spoke, [spoke])).toBe(spoke.observed);
    expect(withHubsOfOtherAccounts(spoke, [spoke, owner])).toEqual(withHubsOfOtherAccounts(spoke, [owner]));
  });

  it("keeps the spoke's own zones, lends only zones the owner owns, and names each hub once", () => {
    const ownZone: ObservedHostedZone = {
      zoneId: 'ZOWN',
      name: 'logs.us-east-1.amazonaws.com',
      vpcIds: ['vpc-2'],
      aliasRecords: [],
    };
    const thirdParty: ObservedHostedZone = {
      ...hubZones()[0]!,
      zoneId: 'ZTHIRD',
      ownerAccountId: '333333333333',
    };
    const spoke = {
      accountId: SPOKE_ACCOUNT,
      observed: region([spokeVpc()], {
        hostedZones: [...seenFromSpoke(hubZones()), ownZone],
        contextVpcs: [hubVpc()],
      }),
    };
    const merged = withHubsOfOtherAccounts(spoke, [
      { ...owner, observed: { ...owner.observed, hostedZones: [...hubZones(), thirdParty] } },
    ]);
    expect({
      zones: (merged.hostedZones ?? []).map((z) => `${z.zoneId}:${z.ownerAccountId ?? 'own'}`).sort(),
      context: (merged.contextVpcs ?? []).map((v) => v.vpcId),
    }).toEqual({
      zones: [...hubZones().map((z) => `${z.zoneId}:${HUB_ACCOUNT}`), 'ZOWN:own'].sort(),
      context: ['vpc-1'],
    });
  });

  it("adds the owner's hub beside the context the spoke's own read already holds", () => {
    const other = { ...spokeVpc(), vpcId: 'vpc-7' };
    const spoke = {
      accountId: SPOKE_ACCOUNT,
      observed: region([spokeVpc()], { hostedZones: seenFromSpoke(hubZones()), contextVpcs: [other] }),
    };
    expect((withHubsOfOtherAccounts(spoke, [owner]).contextVpcs ?? []).map((v) => v.vpcId)).toEqual([
      'vpc-7',
      'vpc-1',
    ]);
  });

  it('matches a record aliasing the dualstack name, and only a leading dualstack. is dropped', () => {
    const hub = hubVpc();
    const withNames = (names: (e: string) => string[]) => ({
      ...hub,
      endpoints: hub.endpoints.map((e) => ({ ...e, dnsNames: names(e.dnsNames?.[0] ?? '') })),
    });
    const aliasing = (target: (t: string) => string) =>
      hubZones().map((z) => ({
        ...z,
        aliasRecords: z.aliasRecords.map((r) => ({ ...r, target: target(r.target) })),
      }));
    const lentContext = (hubVpcView: typeof hub, zones: ObservedHostedZone[]) =>
      (
        withHubsOfOtherAccounts(spokeView(), [
          { accountId: HUB_ACCOUNT, observed: region([hubVpcView], { hostedZones: zones }) },
        ]).contextVpcs ?? []
      ).map((v) => v.vpcId);
    expect({
      dualstack: lentContext(
        hub,
        aliasing((t) => `dualstack.${t}`),
      ),
      inside: lentContext(
        withNames((n) => [n.replace('.', '.dualstack.')]),
        aliasing((t) => t.replace('.', '.dualstack.')),
      ),
      elsewhere: lentContext(
        hub,
        aliasing(() => 'vpce-0ff-x.ecs.us-east-1.vpce.amazonaws.com'),
      ),
    }).toEqual({ dualstack: ['vpc-1'], inside: ['vpc-1'], elsewhere: [] });
  });

  it('lends the owner’s zones whole and only the hub VPCs their records alias, as context', () => {
    const merged = withHubsOfOtherAccounts(spokeView(), [
      {
        ...owner,
        observed: { ...owner.observed, vpcs: [...owner.observed.vpcs, spokeVpc({ vpcId: 'vpc-9' })] },
      },
    ]);
    expect({
      zones: (merged.hostedZones ?? []).map((z) => [
        z.ownerAccountId,
        z.readFromOwner,
        z.aliasRecords.length > 0,
      ]),
      context: (merged.contextVpcs ?? []).map((v) => v.vpcId),
      planned: merged.vpcs.map((v) => v.vpcId),
    }).toEqual({
      zones: hubZones().map(() => [HUB_ACCOUNT, true, true]),
      context: ['vpc-1'],
      planned: ['vpc-2'],
    });
  });
});

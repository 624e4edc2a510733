/**
 * Centralised endpoints across accounts (issue #13 §2): in a run over several accounts, a spoke's
 * view gains the hub side another account in the same run owns, with no further AWS call. Pure.
 *
 * The owner's reader saw its own zones whole (records, every associated VPC: "GetHostedZone" lists
 * VPCs of any account) and its VPCs (the hub endpoints, their groups, the hub's CIDRs). In the
 * spoke's view those zones stand in for what ListHostedZonesByVPC showed of them (name and owner
 * only), marked `readFromOwner`, and the owner's VPCs holding an endpoint whose DNS name a record
 * aliases join as context (never planned). A zone of an account outside the run stays as it was: unverified.
 */
import type { ObservedHostedZone, ObservedRegion, ObservedVpc } from './domain.js';

export interface AccountView {
  readonly accountId: string;
  readonly observed: ObservedRegion;
}

export function withHubsOfOtherAccounts(spoke: AccountView, others: readonly AccountView[]): ObservedRegion {
  const owners = others.filter(
    (o) => o.accountId !== spoke.accountId && o.observed.region === spoke.observed.region,
  );
  if (owners.length === 0 || spoke.observed.hostedZones === undefined) return spoke.observed;
  const lent: ObservedHostedZone[] = owners.flatMap((o) =>
    (o.observed.hostedZones ?? [])
      .filter((z) => z.ownerAccountId === undefined)
      .map((z) => ({ ...z, ownerAccountId: o.accountId, readFromOwner: true as const })),
  );
  const lentIds = new Set(lent.map((z) => z.zoneId));
  const zones = [...spoke.observed.hostedZones.filter((z) => !lentIds.has(z.zoneId)), ...lent];
  const targets = new Set(
    lent.flatMap((z) => z.aliasRecords.map((r) => r.target.replace(/^dualstack\./, ''))),
  );
  const spokeIds = new Set(spoke.observed.vpcs.map((v) => v.vpcId));
  const hubs: ObservedVpc[] = owners
    .flatMap((o) => [...o.observed.vpcs, ...(o.observed.contextVpcs ?? [])])
    .filter(
      (v) =>
        !spokeIds.has(v.vpcId) && v.endpoints.some((e) => (e.dnsNames ?? []).some((n) => targets.has(n))),
    );
  const context = [...(spoke.observed.contextVpcs ?? [])];
  for (const hub of hubs) if (!context.some((v) => v.vpcId === hub.vpcId)) context.push(hub);
  return { ...spoke.observed, hostedZones: zones, ...(context.length > 0 ? { contextVpcs: context } : {}) };
}

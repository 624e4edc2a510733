/**
 * Route 53 private hosted zones that can answer an AWS service's name in a Region (issue #13 §1,
 * the hub pattern of shared/core/serving.ts), mapped to `ObservedHostedZone`.
 *
 * - The account's own private zones: ListHostedZones (every page), kept when the zone's name covers
 *   some service's `<service>.<region>.amazonaws.com`; for each kept zone GetHostedZone (the VPCs
 *   associated with it, this Region's only) and ListResourceRecordSets (every page; the alias
 *   records, whose target is an endpoint's DNS name in the hub pattern). Reading the zone's records
 *   needs the zone's own account ("ListResourceRecordSets", Amazon Route 53 API Reference).
 * - Zones of other accounts associated with the VPCs asked about: ListHostedZonesByVPC, one call (and
 *   its pages) per VPC; it lists "all the private hosted zones that a specified VPC is associated
 *   with, regardless of which AWS account or AWS service owns the hosted zones" ("ListHostedZonesByVPC").
 *   Their records cannot be read from here: `ownerAccountId` says so.
 *
 * Names are lower case without the trailing dot. Route 53 meters every account's requests in token
 * buckets (account level 50 tokens, refilled 10 per second: "Throttling for Amazon Route 53 API
 * requests", Route 53 Developer Guide); the client passed in is paced by the composition root.
 */
import {
  GetHostedZoneCommand,
  ListHostedZonesByVPCCommand,
  ListResourceRecordSetsCommand,
  paginateListHostedZones,
  type ListResourceRecordSetsCommandOutput,
  type Route53Client,
  type VPCRegion,
} from '@aws-sdk/client-route-53';
import type { AliasRecord, ObservedHostedZone } from '../core/domain.js';
import { SERVICE_NAMES } from '../core/domain.js';
import { domainCovers, serviceDnsName } from '../core/serving.js';
import { collectPages } from './collect-pages.js';

export interface HostedZoneReadScope {
  readonly region: string;
  /** VPCs asked about other accounts' zones (one ListHostedZonesByVPC each). */
  readonly vpcIds: readonly string[];
}

/** Lower case, no trailing dot: the form the core compares names in. */
export function dnsNameOf(name: string): string {
  return name.toLowerCase().replace(/\.$/, '');
}

/** The zone id without its `/hostedzone/` prefix. */
export function zoneIdOf(id: string): string {
  return id.replace(/^\/hostedzone\//, '');
}

/** A zone of this name can answer some service's name in the Region. */
export function coversAServiceName(zoneName: string, region: string): boolean {
  return SERVICE_NAMES.some((service) => domainCovers(zoneName, serviceDnsName(service, region)));
}

export async function readHostedZones(
  route53: Route53Client,
  scope: HostedZoneReadScope,
): Promise<ObservedHostedZone[]> {
  const listed = await collectPages(paginateListHostedZones({ client: route53 }, {}), (p) => p.HostedZones);
  const ownIds = new Set(listed.flatMap((z) => (z.Id ? [zoneIdOf(z.Id)] : [])));
  const own = listed.filter(
    (z) =>
      z.Id && z.Config?.PrivateZone === true && coversAServiceName(dnsNameOf(z.Name ?? ''), scope.region),
  );
  const ownZones = await Promise.all(
    own.map((z) => readOwnZone(route53, zoneIdOf(z.Id ?? ''), scope.region)),
  );
  const foreign = new Map<string, { name: string; owner: string; vpcIds: Set<string> }>();
  for (const vpcId of [...new Set(scope.vpcIds)].sort()) {
    for (const summary of await zonesOfVpc(route53, vpcId, scope.region)) {
      const zoneId = zoneIdOf(summary.HostedZoneId ?? '');
      const owner = summary.Owner?.OwningAccount;
      const name = dnsNameOf(summary.Name ?? '');
      if (!zoneId || ownIds.has(zoneId) || !owner || !coversAServiceName(name, scope.region)) continue;
      const entry = foreign.get(zoneId) ?? { name, owner, vpcIds: new Set<string>() };
      entry.vpcIds.add(vpcId);
      foreign.set(zoneId, entry);
    }
  }
  const foreignZones = [...foreign].map(([zoneId, z]): ObservedHostedZone => ({
    zoneId,
    name: z.name,
    vpcIds: [...z.vpcIds].sort(),
    aliasRecords: [],
    ownerAccountId: z.owner,
  }));
  return [...ownZones, ...foreignZones].sort((a, b) => a.zoneId.localeCompare(b.zoneId));
}

/**
 * One zone as its own account sees it: its name and VPCs in this Region (GetHostedZone lists the
 * VPCs of every account associated with it) and its alias records.
 */
export async function readOwnZone(
  route53: Route53Client,
  zoneId: string,
  region: string,
): Promise<ObservedHostedZone> {
  const [{ HostedZone, VPCs }, aliasRecords] = await Promise.all([
    route53.send(new GetHostedZoneCommand({ Id: zoneId })),
    readAliasRecords(route53, zoneId),
  ]);
  const vpcIds = (VPCs ?? [])
    .filter((v) => v.VPCRegion === region && v.VPCId)
    .map((v) => v.VPCId ?? '')
    .sort();
  return { zoneId, name: dnsNameOf(HostedZone?.Name ?? ''), vpcIds, aliasRecords };
}

/** Every page of ListHostedZonesByVPC for one VPC. */
async function zonesOfVpc(route53: Route53Client, vpcId: string, region: string) {
  const summaries = [];
  let nextToken: string | undefined;
  do {
    const page = await route53.send(
      new ListHostedZonesByVPCCommand({
        VPCId: vpcId,
        VPCRegion: region as VPCRegion,
        ...(nextToken ? { NextToken: nextToken } : {}),
      }),
    );
    summaries.push(...(page.HostedZoneSummaries ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  return summaries;
}

/** The zone's alias A/AAAA records, every page (ListResourceRecordSets pages by next record name). */
async function readAliasRecords(route53: Route53Client, zoneId: string): Promise<AliasRecord[]> {
  const records: AliasRecord[] = [];
  let page: ListResourceRecordSetsCommandOutput | undefined;
  do {
    page = await route53.send(
      new ListResourceRecordSetsCommand({
        HostedZoneId: zoneId,
        ...(page?.NextRecordName ? { StartRecordName: page.NextRecordName } : {}),
        ...(page?.NextRecordType ? { StartRecordType: page.NextRecordType } : {}),
        ...(page?.NextRecordIdentifier ? { StartRecordIdentifier: page.NextRecordIdentifier } : {}),
      }),
    );
    for (const set of page.ResourceRecordSets ?? []) {
      const target = set.AliasTarget?.DNSName;
      if (target && (set.Type === 'A' || set.Type === 'AAAA') && set.Name) {
        records.push({ name: dnsNameOf(set.Name), target: dnsNameOf(target) });
      }
    }
  } while (page.IsTruncated);
  return records;
}

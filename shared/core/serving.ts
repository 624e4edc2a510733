/**
 * How each required service is served in a VPC: by a local endpoint (the rules' usual checks), by a
 * central ("hub") endpoint through a Route 53 private hosted zone, or by DNS a Route 53 Resolver
 * forwarding rule delegates elsewhere. Pure.
 *
 * The hub pattern ("Centralized access to VPC private endpoints", Building a Scalable and Secure
 * Multi-VPC AWS Network Infrastructure,
 * https://docs.aws.amazon.com/whitepapers/latest/building-scalable-secure-multi-vpc-network-infrastructure/centralized-access-to-vpc-private-endpoints.html):
 * the hub VPC has the interface endpoints with private DNS off; one private hosted zone per service
 * name (or a parent zone such as `<region>.amazonaws.com`) holds an alias record to the hub endpoint's
 * DNS name and is associated with every spoke; spokes route to the hub's CIDR through peering or a
 * transit gateway, and the hub endpoint's group admits them on 443.
 *
 * Precedence: a Resolver forwarding rule associated with the VPC takes precedence over private hosted
 * zones (an endpoint's private DNS included) for the names it covers; among rules the most specific
 * domain wins, so a SYSTEM rule for a longer name takes the name back ("Forwarding outbound DNS
 * queries to your network", Amazon Route 53 Developer Guide,
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-forwarding-outbound-queries.html).
 * Among private zones associated with the VPC the most specific name answers ("Private hosted zones
 * that have overlapping namespaces", https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/hosted-zone-private-considerations.html).
 * A private DNS endpoint cannot be created where a zone of that name is associated with the VPC
 * (CreateVpcEndpoint fails), so a zone-served service never gets a local endpoint.
 *
 * A zone not associated with this VPC counts (as a missing association, to fix) only when it is the
 * hub pattern and everything else already works: it is associated with at least one other VPC in
 * scope and its record for the name aliases an available endpoint of the service in scope that this
 * VPC reaches (route and security group). Anything less and the service is planned as a local
 * endpoint, as without the zone.
 */
import type {
  ObservedEndpoint,
  ObservedHostedZone,
  ObservedRegion,
  ObservedResolverRule,
  ObservedVpc,
  ServiceName,
} from './domain.js';
import { cidrContains, groupsAllowHttpsFrom } from './network.js';
import { partitionOf } from './service-names.js';
import { ENDPOINT_TYPE } from './services.js';

/** One link of the hub pattern that does not hold for this VPC. */
export type BrokenLink =
  | { readonly kind: 'notAssociated' }
  | { readonly kind: 'noRecord' }
  | { readonly kind: 'endpointMissing'; readonly target: string }
  | { readonly kind: 'endpointUnavailable'; readonly endpointId: string; readonly state: string }
  | { readonly kind: 'noRoute'; readonly hubVpcId: string; readonly routeTableIds: readonly string[] }
  | { readonly kind: 'groupBlocks'; readonly endpointId: string; readonly cidrs: readonly string[] };

export type Serving =
  | { readonly kind: 'local' }
  | { readonly kind: 'delegated'; readonly dnsName: string; readonly rule: ObservedResolverRule }
  | {
      readonly kind: 'zone';
      readonly dnsName: string;
      readonly zone: ObservedHostedZone;
      /** The zone is associated with this VPC (else: the hub zone it should be associated with). */
      readonly associated: boolean;
      /** The hub endpoint the record aliases, when it exists in scope. */
      readonly hubEndpointId?: string;
      /** The zone's owner when another account owns it: nothing beyond the association is verified. */
      readonly unverifiedOwner?: string;
      readonly hubVpcId?: string;
      /** Empty: the service is served. */
      readonly broken: readonly BrokenLink[];
    };

/** The name clients resolve: `<service>.<region>.amazonaws.com` (`.com.cn` in China). */
export function serviceDnsName(service: ServiceName, region: string): string {
  const suffix = partitionOf(region) === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com';
  return `${service}.${region}.${suffix}`;
}

/**
 * The endpoint id an endpoint's DNS name starts with: AWS names an interface endpoint
 * `<endpoint id>-<suffix>.<service>.<region>.vpce.amazonaws.com` (zonal names add the AZ: "DNS names
 * for interface endpoints", AWS PrivateLink guide); undefined for any other name.
 */
export function endpointIdOfDnsName(name: string): string | undefined {
  const match = /^(?:dualstack\.)?(vpce-[0-9a-f]+)-[0-9a-z-]+\./.exec(name);
  return match?.[1];
}

/** `domain` (lower case, no trailing dot, '' for the root) covers `name`. */
export function domainCovers(domain: string, name: string): boolean {
  return domain === '' || name === domain || name.endsWith(`.${domain}`);
}

const bySpecificity =
  <T>(name: (t: T) => string) =>
  (a: T, b: T) =>
    name(b).length - name(a).length;

export function servingOf(
  service: ServiceName,
  vpc: ObservedVpc,
  region: ObservedRegion,
  clientCidrs: readonly string[],
): Serving {
  // Gateway endpoints (s3) are route-table based, not DNS: always local.
  if (ENDPOINT_TYPE[service] === 'Gateway') return { kind: 'local' };
  const dnsName = serviceDnsName(service, region.region);
  const rule = [...(region.resolverRules ?? [])]
    .filter((r) => r.vpcIds.includes(vpc.vpcId) && domainCovers(r.domainName, dnsName))
    .sort(bySpecificity((r) => r.domainName))[0];
  if (rule?.ruleType === 'FORWARD') return { kind: 'delegated', dnsName, rule };
  const zones = [...(region.hostedZones ?? [])]
    .filter((z) => domainCovers(z.name, dnsName))
    .sort(bySpecificity((z) => z.name));
  const associated = zones.find((z) => z.vpcIds.includes(vpc.vpcId));
  if (associated) return { kind: 'zone', dnsName, associated: true, ...links(associated) };
  const inScope = new Set(
    [...region.vpcs, ...(region.contextVpcs ?? [])].map((v) => v.vpcId).filter((id) => id !== vpc.vpcId),
  );
  // Another account's zone is seen only where it is associated, its hub side unchecked, unless its
  // owner read it in the same run.
  const hubZones = zones.filter(
    (z) =>
      (z.ownerAccountId === undefined || z.readFromOwner === true) && z.vpcIds.some((id) => inScope.has(id)),
  );
  for (const zone of hubZones) {
    const checked = links(zone);
    if (checked.broken.length === 0) {
      return { kind: 'zone', dnsName, associated: false, ...checked, broken: [{ kind: 'notAssociated' }] };
    }
  }
  return { kind: 'local' };

  function links(zone: ObservedHostedZone) {
    // Another account's zone: its records are not readable here. It is associated, so private DNS
    // on a local endpoint would fail against it; it is taken as serving the name, and said so.
    if (zone.ownerAccountId !== undefined && zone.readFromOwner !== true)
      return { zone, unverifiedOwner: zone.ownerAccountId, broken: [] as BrokenLink[] };
    const record = zone.aliasRecords.find((r) => r.name === dnsName);
    if (!record) return { zone, broken: [{ kind: 'noRecord' as const }] };
    const hub = findEndpoint(region, service, record.target);
    if (!hub) return { zone, broken: [{ kind: 'endpointMissing' as const, target: record.target }] };
    const { endpoint, hubVpc } = hub;
    const ids = { zone, hubEndpointId: endpoint.endpointId, hubVpcId: hubVpc.vpcId };
    if (endpoint.state !== 'available') {
      return {
        ...ids,
        broken: [
          { kind: 'endpointUnavailable' as const, endpointId: endpoint.endpointId, state: endpoint.state },
        ],
      };
    }
    const broken: BrokenLink[] = [];
    const unrouted = hubVpc.vpcId === vpc.vpcId ? [] : tablesWithoutRoute(vpc, hubVpc);
    if (unrouted.length > 0)
      broken.push({ kind: 'noRoute', hubVpcId: hubVpc.vpcId, routeTableIds: unrouted });
    const groups = endpoint.securityGroupIds.flatMap(
      (id) => hubVpc.securityGroups.find((g) => g.groupId === id) ?? [],
    );
    const blocked = clientCidrs.filter((cidr) => !groupsAllowHttpsFrom(groups, cidr));
    if (blocked.length > 0)
      broken.push({ kind: 'groupBlocks', endpointId: endpoint.endpointId, cidrs: blocked });
    return { ...ids, broken };
  }
}

/** The endpoint of `service` in scope one of whose DNS names is `target` (alias targets may carry a `dualstack.` prefix). */
function findEndpoint(
  region: ObservedRegion,
  service: ServiceName,
  target: string,
): { endpoint: ObservedEndpoint; hubVpc: ObservedVpc } | undefined {
  const name = target.replace(/^dualstack\./, '');
  for (const hubVpc of [...region.vpcs, ...(region.contextVpcs ?? [])]) {
    const endpoint = hubVpc.endpoints.find(
      (e) => e.service === service && e.state !== 'deleted' && (e.dnsNames ?? []).includes(name),
    );
    if (endpoint) return { endpoint, hubVpc };
  }
  return undefined;
}

/**
 * Route tables of the VPC's workload subnets (all its subnets when it has no workload subnet) without
 * a peering or transit gateway route whose destination covers one of the hub VPC's CIDRs.
 */
function tablesWithoutRoute(vpc: ObservedVpc, hubVpc: ObservedVpc): string[] {
  const workloads = new Set(vpc.workloads.subnetIds);
  const subnets = vpc.subnets.some((s) => workloads.has(s.subnetId))
    ? vpc.subnets.filter((s) => workloads.has(s.subnetId))
    : vpc.subnets;
  const tableIds = [...new Set(subnets.flatMap((s) => (s.routeTableId ? [s.routeTableId] : [])))].sort();
  return tableIds.filter((id) => {
    const table = vpc.routeTables.find((t) => t.routeTableId === id);
    return !(table?.transitRoutes ?? []).some(
      (r) =>
        /^(pcx|tgw)-/.test(r.targetId) &&
        hubVpc.cidrBlocks.some((cidr) => cidrContains(r.destinationCidrBlock, cidr)),
    );
  });
}

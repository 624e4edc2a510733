/**
 * EC2 SDK shapes to domain records. Pure: no calls. The reader lists, these map, and the core
 * (shared/core/ec2-snapshot.ts) joins the records per VPC.
 */
import type {
  DhcpOptions,
  Instance,
  IpPermission,
  NetworkAcl,
  Route,
  RouteTable,
  SecurityGroup,
  Subnet,
  Tag,
  Vpc,
  VpcEndpoint,
} from '@aws-sdk/client-ec2';
import {
  ENDPOINT_STATES,
  type EndpointServiceOffer,
  type EndpointState,
  type EndpointType,
  type NaclEntry,
  type ObservedEndpoint,
  type ObservedNetworkAcl,
  type ObservedSecurityGroup,
  type SecurityGroupRule,
} from '../core/domain.js';
import type {
  Ec2InstanceRecord,
  Ec2RawRegion,
  RawDhcpOptions,
  RawEndpoint,
  RawNetworkAcl,
  RawRouteTable,
  RawSecurityGroup,
  RawSubnet,
  RawVpc,
} from '../core/ec2-snapshot.js';
import { shortServiceName } from '../core/service-names.js';

const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();

export function tagsToRecord(tags: readonly Tag[] | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) record[tag.Key] = tag.Value ?? '';
  return record;
}

export function recordToTags(tags: Readonly<Record<string, string>>): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** Real AWS spells states `Available`, `PendingAcceptance`; moto `available`. */
export function normaliseEndpointState(state: string | undefined): EndpointState {
  const lower = (state ?? '').toLowerCase();
  return ENDPOINT_STATES.find((known) => known.toLowerCase() === lower) ?? 'unknown';
}

export function endpointTypeOf(type: string | undefined): EndpointType | undefined {
  const lower = (type ?? '').toLowerCase();
  if (lower === 'interface') return 'Interface';
  if (lower === 'gateway') return 'Gateway';
  return undefined;
}

/**
 * An SDK endpoint as a domain endpoint; undefined for types the remediator does not handle
 * (Gateway Load Balancer, resource and service-network endpoints).
 */
export function toObservedEndpoint(endpoint: VpcEndpoint, region: string): ObservedEndpoint | undefined {
  const type = endpointTypeOf(endpoint.VpcEndpointType);
  if (!endpoint.VpcEndpointId || !type) return undefined;
  const serviceName = endpoint.ServiceName ?? '';
  const service = shortServiceName(serviceName, region);
  return {
    endpointId: endpoint.VpcEndpointId,
    serviceName,
    ...(service ? { service } : {}),
    type,
    state: normaliseEndpointState(endpoint.State),
    subnetIds: sorted(endpoint.SubnetIds ?? []),
    securityGroupIds: sorted((endpoint.Groups ?? []).flatMap((g) => (g.GroupId ? [g.GroupId] : []))),
    routeTableIds: sorted(endpoint.RouteTableIds ?? []),
    privateDnsEnabled: endpoint.PrivateDnsEnabled ?? false,
    ...(endpoint.PolicyDocument ? { policyDocument: endpoint.PolicyDocument } : {}),
    tags: tagsToRecord(endpoint.Tags),
    // Lower case, no trailing dot: how alias targets are compared (serving.ts).
    dnsNames: (endpoint.DnsEntries ?? []).flatMap((d) =>
      d.DnsName ? [d.DnsName.toLowerCase().replace(/\.$/, '')] : [],
    ),
  };
}

export function toSecurityGroupRule(permission: IpPermission): SecurityGroupRule {
  return {
    protocol: permission.IpProtocol ?? '-1',
    ...(permission.FromPort !== undefined ? { fromPort: permission.FromPort } : {}),
    ...(permission.ToPort !== undefined ? { toPort: permission.ToPort } : {}),
    cidrBlocks: [
      ...(permission.IpRanges ?? []).flatMap((r) => (r.CidrIp ? [r.CidrIp] : [])),
      ...(permission.Ipv6Ranges ?? []).flatMap((r) => (r.CidrIpv6 ? [r.CidrIpv6] : [])),
    ],
    sourceGroupIds: (permission.UserIdGroupPairs ?? []).flatMap((p) => (p.GroupId ? [p.GroupId] : [])),
    prefixListIds: (permission.PrefixListIds ?? []).flatMap((p) => (p.PrefixListId ? [p.PrefixListId] : [])),
  };
}

export function toSecurityGroup(group: SecurityGroup): ObservedSecurityGroup {
  return {
    groupId: group.GroupId ?? '',
    groupName: group.GroupName ?? '',
    isDefault: group.GroupName === 'default',
    ingress: (group.IpPermissions ?? []).map(toSecurityGroupRule),
    tags: tagsToRecord(group.Tags),
  };
}

export function toNetworkAcl(acl: NetworkAcl): ObservedNetworkAcl {
  const entries: NaclEntry[] = (acl.Entries ?? []).map((entry) => ({
    ruleNumber: entry.RuleNumber ?? 0,
    egress: entry.Egress ?? false,
    protocol: entry.Protocol ?? '-1',
    action: entry.RuleAction === 'allow' ? 'allow' : 'deny',
    cidrBlock: entry.CidrBlock ?? entry.Ipv6CidrBlock ?? '',
    ...(entry.PortRange?.From !== undefined ? { portFrom: entry.PortRange.From } : {}),
    ...(entry.PortRange?.To !== undefined ? { portTo: entry.PortRange.To } : {}),
  }));
  entries.sort((a, b) => Number(a.egress) - Number(b.egress) || a.ruleNumber - b.ruleNumber);
  return {
    naclId: acl.NetworkAclId ?? '',
    isDefault: acl.IsDefault ?? false,
    subnetIds: sorted((acl.Associations ?? []).flatMap((a) => (a.SubnetId ? [a.SubnetId] : []))),
    entries,
  };
}

const isDefaultRoute = (route: Route) =>
  route.DestinationCidrBlock === '0.0.0.0/0' || route.DestinationIpv6CidrBlock === '::/0';
const isUsable = (route: Route) => route.State !== 'blackhole';

export function hasInternetGatewayRoute(table: RouteTable): boolean {
  return (table.Routes ?? []).some(
    (r) => isDefaultRoute(r) && isUsable(r) && !!r.GatewayId?.startsWith('igw-'),
  );
}

/** A default route to a NAT gateway, or to a NAT instance or its network interface. */
export function hasNatRoute(table: RouteTable): boolean {
  return (table.Routes ?? []).some(
    (r) =>
      r.DestinationCidrBlock === '0.0.0.0/0' &&
      isUsable(r) &&
      Boolean(r.NatGatewayId || r.InstanceId || r.NetworkInterfaceId),
  );
}

function explicitSubnetIds(table: RouteTable): string[] {
  return (table.Associations ?? [])
    .filter((a) => !a.Main && a.SubnetId && (a.AssociationState?.State ?? 'associated') === 'associated')
    .map((a) => a.SubnetId as string);
}

export function toRawRouteTable(table: RouteTable): RawRouteTable | undefined {
  if (!table.VpcId) return undefined;
  return {
    routeTableId: table.RouteTableId ?? '',
    vpcId: table.VpcId,
    isMain: (table.Associations ?? []).some((a) => a.Main === true),
    subnetIds: explicitSubnetIds(table),
    hasInternetGatewayRoute: hasInternetGatewayRoute(table),
    hasNatRoute: hasNatRoute(table),
    routeEndpointIds: (table.Routes ?? [])
      .map((r) => r.GatewayId)
      .filter((id): id is string => !!id?.startsWith('vpce-')),
    transitRoutes: (table.Routes ?? []).flatMap((r) => {
      const targetId = r.VpcPeeringConnectionId ?? r.TransitGatewayId;
      return targetId && r.DestinationCidrBlock && isUsable(r)
        ? [{ destinationCidrBlock: r.DestinationCidrBlock, targetId }]
        : [];
    }),
  };
}

function cidrBlocksOf(vpc: Vpc): string[] {
  const associated = (vpc.CidrBlockAssociationSet ?? [])
    .filter((a) => a.CidrBlock && (a.CidrBlockState?.State ?? 'associated') === 'associated')
    .map((a) => a.CidrBlock as string);
  return associated.length > 0 ? associated : vpc.CidrBlock ? [vpc.CidrBlock] : [];
}

export function toRawVpc(vpc: Vpc): RawVpc | undefined {
  if (!vpc.VpcId) return undefined;
  // `default` means no DHCP options set: AWS's DNS.
  const dhcpOptionsId = vpc.DhcpOptionsId && vpc.DhcpOptionsId !== 'default' ? vpc.DhcpOptionsId : undefined;
  return {
    vpcId: vpc.VpcId,
    isDefault: vpc.IsDefault ?? false,
    cidrBlocks: cidrBlocksOf(vpc),
    tags: tagsToRecord(vpc.Tags),
    ...(dhcpOptionsId ? { dhcpOptionsId } : {}),
  };
}

export function toRawDhcpOptions(options: DhcpOptions): RawDhcpOptions {
  const configuration = (options.DhcpConfigurations ?? []).find((c) => c.Key === 'domain-name-servers');
  return {
    dhcpOptionsId: options.DhcpOptionsId ?? '',
    domainNameServers: (configuration?.Values ?? []).flatMap((v) => (v.Value ? [v.Value] : [])),
  };
}

export function toRawSubnet(subnet: Subnet): RawSubnet | undefined {
  if (!subnet.SubnetId || !subnet.VpcId) return undefined;
  return {
    subnetId: subnet.SubnetId,
    vpcId: subnet.VpcId,
    availabilityZone: subnet.AvailabilityZone ?? '',
    cidrBlock: subnet.CidrBlock ?? '',
  };
}

export function toRawEndpoint(endpoint: VpcEndpoint, region: string): RawEndpoint | undefined {
  if (!endpoint.VpcEndpointId) return undefined;
  const observed = toObservedEndpoint(endpoint, region);
  return {
    endpointId: endpoint.VpcEndpointId,
    ...(endpoint.VpcId ? { vpcId: endpoint.VpcId } : {}),
    isGateway: endpointTypeOf(endpoint.VpcEndpointType) === 'Gateway',
    ...(observed ? { observed } : {}),
  };
}

export function toInstanceRecord(instance: Instance): Ec2InstanceRecord | undefined {
  if (!instance.InstanceId || instance.State?.Name === 'terminated') return undefined;
  return {
    instanceId: instance.InstanceId,
    state: instance.State?.Name ?? 'unknown',
    ...(instance.VpcId ? { vpcId: instance.VpcId } : {}),
    ...(instance.SubnetId ? { subnetId: instance.SubnetId } : {}),
    ...(instance.Placement?.AvailabilityZone
      ? { availabilityZone: instance.Placement.AvailabilityZone }
      : {}),
    ...(instance.Architecture ? { architecture: instance.Architecture } : {}),
    ...(instance.Platform ? { platform: instance.Platform } : {}),
    ...(instance.PlatformDetails ? { platformDetails: instance.PlatformDetails } : {}),
    hasPublicIpv4: !!instance.PublicIpAddress,
  };
}

/** The pages of one Region (or of some of its VPCs), as the SDK returns them. */
export interface Ec2SdkPages {
  readonly vpcs: readonly Vpc[];
  readonly dhcpOptions: readonly DhcpOptions[];
  readonly subnets: readonly Subnet[];
  readonly routeTables: readonly RouteTable[];
  readonly networkAcls: readonly NetworkAcl[];
  readonly securityGroups: readonly SecurityGroup[];
  readonly endpoints: readonly VpcEndpoint[];
  readonly endpointServices: readonly EndpointServiceOffer[];
  readonly instances: readonly Instance[];
}

const defined = <T>(items: readonly (T | undefined)[]): T[] => items.filter((i): i is T => i !== undefined);

/** Maps the SDK pages to the core's raw records; items without the ids they hang on are left out. */
export function toEc2RawRegion(pages: Ec2SdkPages, region: string): Ec2RawRegion {
  return {
    vpcs: defined(pages.vpcs.map(toRawVpc)),
    dhcpOptions: pages.dhcpOptions.map(toRawDhcpOptions),
    subnets: defined(pages.subnets.map(toRawSubnet)),
    routeTables: defined(pages.routeTables.map(toRawRouteTable)),
    networkAcls: defined(
      pages.networkAcls.map((acl): RawNetworkAcl | undefined =>
        acl.VpcId ? { ...toNetworkAcl(acl), vpcId: acl.VpcId } : undefined,
      ),
    ),
    securityGroups: defined(
      pages.securityGroups.map((group): RawSecurityGroup | undefined =>
        group.VpcId ? { ...toSecurityGroup(group), vpcId: group.VpcId } : undefined,
      ),
    ),
    endpoints: defined(pages.endpoints.map((e) => toRawEndpoint(e, region))),
    endpointServices: pages.endpointServices,
    instances: defined(pages.instances.map(toInstanceRecord)),
  };
}

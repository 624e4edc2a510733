/**
 * EC2 adapter: reads a Region's network state in a fixed number of paginated calls (never one call
 * per VPC, except the DNS attributes, which EC2 cannot read in batch), and performs the few writes
 * the remediator makes. SDK shapes stop here: callers get domain types.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateVpcEndpointCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcEndpointServicesCommand,
  ModifyVpcAttributeCommand,
  ModifyVpcEndpointCommand,
  paginateDescribeDhcpOptions,
  paginateDescribeInstances,
  paginateDescribeNetworkAcls,
  paginateDescribeRouteTables,
  paginateDescribeSecurityGroups,
  paginateDescribeSubnets,
  paginateDescribeVpcEndpoints,
  paginateDescribeVpcs,
  type DhcpOptions,
  type EC2Client,
  type Filter,
  type Instance,
  type IpPermission,
  type NetworkAcl,
  type Route,
  type RouteTable,
  type SecurityGroup,
  type ServiceDetail,
  type Subnet,
  type Tag,
  type Vpc,
  type VpcEndpoint,
} from '@aws-sdk/client-ec2';
import {
  SERVICE_NAMES,
  isServiceName,
  type EndpointServiceOffer,
  type EndpointState,
  type EndpointType,
  type NaclEntry,
  type ObservedEndpoint,
  type ObservedNetworkAcl,
  type ObservedRouteTable,
  type ObservedSecurityGroup,
  type ObservedSubnet,
  type ObservedVpc,
  type SecurityGroupRule,
  type ServiceName,
} from '../core/domain.js';
import { ENDPOINT_STATES } from '../core/domain.js';
import { stableHash } from '../core/hash.js';
import type { CreateVpcEndpointRequest, Ec2Writer, ModifyVpcEndpointRequest } from '../core/ports.js';
import { isErrorNamed } from './aws-errors.js';
import { mapWithConcurrency } from './concurrency.js';

// ---------------------------------------------------------------------------------------------
// Snapshot types
// ---------------------------------------------------------------------------------------------

/** An EC2 instance as far as the remediator cares (terminated instances are never listed). */
export interface Ec2InstanceRecord {
  readonly instanceId: string;
  readonly state: string;
  readonly vpcId?: string;
  readonly subnetId?: string;
  readonly availabilityZone?: string;
  /** 'x86_64', 'arm64', 'i386', … */
  readonly architecture?: string;
  /** 'windows' for Windows instances, absent otherwise (EC2's `Platform`). */
  readonly platform?: string;
  /** EC2's `PlatformDetails`, e.g. 'Linux/UNIX', 'Windows'. */
  readonly platformDetails?: string;
  /** EC2 reports a `PublicIpAddress` (auto-assigned or an Elastic IP association). */
  readonly hasPublicIpv4: boolean;
}

/** One VPC's network facts; ECS facts and the DNS attributes are added by the state reader. */
export type Ec2VpcSnapshot = Pick<
  ObservedVpc,
  | 'vpcId'
  | 'isDefault'
  | 'cidrBlocks'
  | 'tags'
  | 'domainNameServers'
  | 'subnets'
  | 'routeTables'
  | 'networkAcls'
  | 'securityGroups'
  | 'endpoints'
> & { readonly dhcpOptionsId?: string };

export interface Ec2Snapshot {
  readonly region: string;
  readonly vpcs: readonly Ec2VpcSnapshot[];
  /** The known services offered in the Region, one entry per short name and endpoint type. */
  readonly endpointServices: readonly EndpointServiceOffer[];
  /** Instances by id, terminated ones left out. */
  readonly instances: ReadonlyMap<string, Ec2InstanceRecord>;
  /** Every subnet's VPC. */
  readonly subnetVpcs: ReadonlyMap<string, string>;
}

export interface VpcDnsAttributes {
  readonly enableDnsSupport: boolean;
  readonly enableDnsHostnames: boolean;
}

// ---------------------------------------------------------------------------------------------
// Mapping helpers (exported for tests and for other adapters)
// ---------------------------------------------------------------------------------------------

export function tagsToRecord(tags: readonly Tag[] | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) record[tag.Key] = tag.Value ?? '';
  return record;
}

function recordToTags(tags: Readonly<Record<string, string>>): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** `com.amazonaws.<region>.` (`cn.com.amazonaws.<region>.` in the China partition). */
export function endpointServicePrefix(region: string): string {
  return `${region.startsWith('cn-') ? 'cn.' : ''}com.amazonaws.${region}.`;
}

/** The full endpoint service name of a known service in a Region. */
export function endpointServiceName(region: string, service: ServiceName): string {
  return `${endpointServicePrefix(region)}${service}`;
}

/** The short name when `serviceName` is a known service of that Region. */
export function shortServiceName(serviceName: string, region: string): ServiceName | undefined {
  const prefix = endpointServicePrefix(region);
  if (!serviceName.startsWith(prefix)) return undefined;
  const short = serviceName.slice(prefix.length);
  return isServiceName(short) ? short : undefined;
}

/** Real AWS spells states `Available`, `PendingAcceptance`; moto `available`. */
export function normaliseEndpointState(state: string | undefined): EndpointState {
  const lower = (state ?? '').toLowerCase();
  return ENDPOINT_STATES.find((known) => known.toLowerCase() === lower) ?? 'unknown';
}

function endpointTypeOf(type: string | undefined): EndpointType | undefined {
  const lower = (type ?? '').toLowerCase();
  if (lower === 'interface') return 'Interface';
  if (lower === 'gateway') return 'Gateway';
  return undefined;
}

const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();

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

function isMainTable(table: RouteTable): boolean {
  return (table.Associations ?? []).some((a) => a.Main === true);
}

function explicitSubnetIds(table: RouteTable): string[] {
  return (table.Associations ?? [])
    .filter((a) => !a.Main && a.SubnetId && (a.AssociationState?.State ?? 'associated') === 'associated')
    .map((a) => a.SubnetId as string);
}

function domainNameServersOf(options: DhcpOptions | undefined): string[] {
  const configuration = (options?.DhcpConfigurations ?? []).find((c) => c.Key === 'domain-name-servers');
  return (configuration?.Values ?? []).flatMap((v) => (v.Value ? [v.Value] : []));
}

function cidrBlocksOf(vpc: Vpc): string[] {
  const associated = (vpc.CidrBlockAssociationSet ?? [])
    .filter((a) => a.CidrBlock && (a.CidrBlockState?.State ?? 'associated') === 'associated')
    .map((a) => a.CidrBlock as string);
  return associated.length > 0 ? associated : vpc.CidrBlock ? [vpc.CidrBlock] : [];
}

function toInstanceRecord(instance: Instance): Ec2InstanceRecord | undefined {
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

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

async function collect<Page, Item>(pages: AsyncIterable<Page>, items: (page: Page) => Item[] | undefined) {
  const all: Item[] = [];
  for await (const page of pages) all.push(...(items(page) ?? []));
  return all;
}

export { mapWithConcurrency };

async function describeEndpointServicePages(ec2: EC2Client, filters: Filter[] | undefined) {
  const details: ServiceDetail[] = [];
  let token: string | undefined;
  do {
    const page = await ec2.send(
      new DescribeVpcEndpointServicesCommand({ ...(filters ? { Filters: filters } : {}), NextToken: token }),
    );
    details.push(...(page.ServiceDetails ?? []));
    token = page.NextToken || undefined;
  } while (token);
  return details;
}

/**
 * The known services offered in the Region (`DescribeVpcEndpointServices` filtered by name); one
 * offer per short name and type (s3 has a Gateway and an Interface offer).
 */
export async function readEndpointServiceOffers(
  ec2: EC2Client,
  region: string,
): Promise<EndpointServiceOffer[]> {
  const names = SERVICE_NAMES.map((s) => endpointServiceName(region, s));
  const details = await describeEndpointServicePages(ec2, [{ Name: 'service-name', Values: names }]);
  const offers = new Map<
    string,
    { service: ServiceName; serviceName: string; type: EndpointType; azs: Set<string> }
  >();
  for (const detail of details) {
    const serviceName = detail.ServiceName ?? '';
    const service = shortServiceName(serviceName, region);
    if (!service) continue;
    for (const t of detail.ServiceType ?? []) {
      const type = endpointTypeOf(t.ServiceType);
      if (!type) continue;
      const key = `${service}/${type}`;
      const offer = offers.get(key) ?? { service, serviceName, type, azs: new Set<string>() };
      for (const az of detail.AvailabilityZones ?? []) offer.azs.add(az);
      offers.set(key, offer);
    }
  }
  return [...offers.values()]
    .map(({ service, serviceName, type, azs }) => ({
      service,
      serviceName,
      type,
      availabilityZones: sorted(azs),
    }))
    .sort(
      (a, b) =>
        SERVICE_NAMES.indexOf(a.service) - SERVICE_NAMES.indexOf(b.service) || a.type.localeCompare(b.type),
    );
}

/** Reads the Region's network state: each API paginated once over the whole Region, at its largest page size. */
export async function readEc2Snapshot(ec2: EC2Client, region: string): Promise<Ec2Snapshot> {
  const [
    vpcs,
    dhcpOptions,
    subnets,
    routeTables,
    networkAcls,
    securityGroups,
    endpoints,
    services,
    instances,
  ] = await Promise.all([
    collect(paginateDescribeVpcs({ client: ec2, pageSize: 1000 }, {}), (p) => p.Vpcs),
    collect(paginateDescribeDhcpOptions({ client: ec2, pageSize: 1000 }, {}), (p) => p.DhcpOptions),
    collect(paginateDescribeSubnets({ client: ec2, pageSize: 1000 }, {}), (p) => p.Subnets),
    collect(paginateDescribeRouteTables({ client: ec2, pageSize: 100 }, {}), (p) => p.RouteTables),
    collect(paginateDescribeNetworkAcls({ client: ec2, pageSize: 100 }, {}), (p) => p.NetworkAcls),
    collect(paginateDescribeSecurityGroups({ client: ec2, pageSize: 1000 }, {}), (p) => p.SecurityGroups),
    collect(paginateDescribeVpcEndpoints({ client: ec2, pageSize: 1000 }, {}), (p) => p.VpcEndpoints),
    readEndpointServiceOffers(ec2, region),
    collect(paginateDescribeInstances({ client: ec2, pageSize: 1000 }, {}), (p) =>
      (p.Reservations ?? []).flatMap((r) => r.Instances ?? []),
    ),
  ]);
  return assembleEc2Snapshot(region, {
    vpcs,
    dhcpOptions,
    subnets,
    routeTables,
    networkAcls,
    securityGroups,
    endpoints,
    endpointServices: services,
    instances,
  });
}

/** The raw pages of one Region, as the SDK returns them. */
export interface Ec2RawRegion {
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

function groupBy<T>(items: readonly T[], key: (item: T) => string | undefined): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    if (k === undefined) continue;
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Derives the per-VPC facts from the raw pages (pure: no AWS calls). */
export function assembleEc2Snapshot(region: string, raw: Ec2RawRegion): Ec2Snapshot {
  const dhcpById = new Map(raw.dhcpOptions.map((d) => [d.DhcpOptionsId ?? '', d]));
  const subnetsByVpc = groupBy(raw.subnets, (s) => s.VpcId);
  const tablesByVpc = groupBy(raw.routeTables, (t) => t.VpcId);
  const aclsByVpc = groupBy(raw.networkAcls, (a) => a.VpcId);
  const groupsByVpc = groupBy(raw.securityGroups, (g) => g.VpcId);
  // Deleted endpoints stay in the snapshot (EC2 lists them for a while with state deleted): the plan
  // never uses them, but it names them and derives CreateVpcEndpoint's ClientToken from them.
  const observedEndpoints = raw.endpoints.flatMap((e) => {
    const observed = toObservedEndpoint(e, region);
    return observed && e.VpcId ? [{ vpcId: e.VpcId, endpoint: observed }] : [];
  });
  const endpointsByVpc = groupBy(observedEndpoints, (e) => e.vpcId);
  const nonGatewayEndpointIds = new Set(
    raw.endpoints
      .filter((e) => e.VpcEndpointId && endpointTypeOf(e.VpcEndpointType) !== 'Gateway')
      .map((e) => e.VpcEndpointId as string),
  );

  const vpcs: Ec2VpcSnapshot[] = raw.vpcs
    .filter((vpc) => vpc.VpcId)
    .map((vpc) => {
      const vpcId = vpc.VpcId as string;
      const endpoints = (endpointsByVpc.get(vpcId) ?? []).map((e) => e.endpoint);
      const tables = tablesByVpc.get(vpcId) ?? [];
      const mainTable = tables.find(isMainTable);

      const routeTables: ObservedRouteTable[] = tables.map((table) => {
        const routeTableId = table.RouteTableId ?? '';
        const fromRoutes = (table.Routes ?? [])
          .map((r) => r.GatewayId)
          .filter((id): id is string => !!id?.startsWith('vpce-') && !nonGatewayEndpointIds.has(id));
        const fromEndpoints = endpoints
          .filter(
            (e) => e.type === 'Gateway' && e.state !== 'deleted' && e.routeTableIds.includes(routeTableId),
          )
          .map((e) => e.endpointId);
        return {
          routeTableId,
          isMain: isMainTable(table),
          subnetIds: sorted(explicitSubnetIds(table)),
          hasInternetGatewayRoute: hasInternetGatewayRoute(table),
          hasNatRoute: hasNatRoute(table),
          gatewayEndpointIds: sorted([...fromRoutes, ...fromEndpoints]),
        };
      });

      const tableBySubnet = new Map<string, RouteTable>();
      for (const table of tables)
        for (const subnetId of explicitSubnetIds(table)) tableBySubnet.set(subnetId, table);
      const aclBySubnet = new Map<string, string>();
      for (const acl of aclsByVpc.get(vpcId) ?? [])
        for (const a of acl.Associations ?? [])
          if (a.SubnetId && acl.NetworkAclId) aclBySubnet.set(a.SubnetId, acl.NetworkAclId);

      const subnets: ObservedSubnet[] = (subnetsByVpc.get(vpcId) ?? [])
        .filter((s) => s.SubnetId)
        .map((subnet) => {
          const subnetId = subnet.SubnetId as string;
          const table = tableBySubnet.get(subnetId) ?? mainTable;
          const igw = table ? hasInternetGatewayRoute(table) : false;
          const nat = table ? hasNatRoute(table) : false;
          const networkAclId = aclBySubnet.get(subnetId);
          return {
            subnetId,
            availabilityZone: subnet.AvailabilityZone ?? '',
            cidrBlock: subnet.CidrBlock ?? '',
            ...(table?.RouteTableId ? { routeTableId: table.RouteTableId } : {}),
            ...(networkAclId ? { networkAclId } : {}),
            isPrivate: !igw,
            hasNatRoute: nat,
          };
        })
        .sort(
          (a, b) =>
            a.availabilityZone.localeCompare(b.availabilityZone) || a.subnetId.localeCompare(b.subnetId),
        );

      const dhcpOptionsId =
        vpc.DhcpOptionsId && vpc.DhcpOptionsId !== 'default' ? vpc.DhcpOptionsId : undefined;
      return {
        vpcId,
        isDefault: vpc.IsDefault ?? false,
        cidrBlocks: cidrBlocksOf(vpc),
        tags: tagsToRecord(vpc.Tags),
        ...(dhcpOptionsId ? { dhcpOptionsId } : {}),
        domainNameServers: dhcpOptionsId ? domainNameServersOf(dhcpById.get(dhcpOptionsId)) : [],
        subnets,
        routeTables,
        networkAcls: (aclsByVpc.get(vpcId) ?? []).map(toNetworkAcl),
        securityGroups: (groupsByVpc.get(vpcId) ?? []).map(toSecurityGroup),
        endpoints,
      };
    });

  const instances = new Map<string, Ec2InstanceRecord>();
  for (const instance of raw.instances) {
    const record = toInstanceRecord(instance);
    if (record) instances.set(record.instanceId, record);
  }
  const subnetVpcs = new Map<string, string>();
  for (const subnet of raw.subnets)
    if (subnet.SubnetId && subnet.VpcId) subnetVpcs.set(subnet.SubnetId, subnet.VpcId);

  return { region, vpcs, endpointServices: raw.endpointServices, instances, subnetVpcs };
}

/**
 * `enableDnsSupport` and `enableDnsHostnames` per VPC: EC2 has no batch read, so this makes two
 * DescribeVpcAttribute calls per VPC (at most `concurrency` in flight). Call it only for VPCs that
 * need it (those with ECS workloads).
 */
export async function readVpcDnsAttributes(
  ec2: EC2Client,
  vpcIds: readonly string[],
  concurrency = 8,
): Promise<Map<string, VpcDnsAttributes>> {
  const unique = sorted(vpcIds);
  const jobs = unique.flatMap((vpcId) => [
    { vpcId, attribute: 'enableDnsSupport' as const },
    { vpcId, attribute: 'enableDnsHostnames' as const },
  ]);
  const values = await mapWithConcurrency(jobs, concurrency, async ({ vpcId, attribute }) => {
    const result = await ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: attribute }));
    const value =
      attribute === 'enableDnsSupport' ? result.EnableDnsSupport?.Value : result.EnableDnsHostnames?.Value;
    return value ?? false;
  });
  const attributes = new Map<string, VpcDnsAttributes>();
  unique.forEach((vpcId, i) => {
    attributes.set(vpcId, {
      enableDnsSupport: values[2 * i] ?? false,
      enableDnsHostnames: values[2 * i + 1] ?? false,
    });
  });
  return attributes;
}

// ---------------------------------------------------------------------------------------------
// Writing
// ---------------------------------------------------------------------------------------------

const HTTPS_PORT = 443;

/** The VPC default security group: never used and never changed by the remediator. */
export class DefaultSecurityGroupRefusedError extends Error {
  constructor(what: string) {
    super(`refusing to ${what}: the VPC default security group is never changed or used by the remediator`);
    this.name = 'DefaultSecurityGroupRefusedError';
  }
}

function coversHttps(permission: IpPermission): boolean {
  const protocol = (permission.IpProtocol ?? '').toLowerCase();
  if (protocol === '-1' || protocol === 'all') return true;
  if (protocol !== 'tcp' && protocol !== '6') return false;
  const from = permission.FromPort ?? 0;
  const to = permission.ToPort ?? 65535;
  return from <= HTTPS_PORT && HTTPS_PORT <= to;
}

const isIpv6 = (cidr: string) => cidr.includes(':');

function httpsPermission(cidrs: readonly string[], description: string): IpPermission {
  const v4 = cidrs.filter((c) => !isIpv6(c));
  const v6 = cidrs.filter(isIpv6);
  return {
    IpProtocol: 'tcp',
    FromPort: HTTPS_PORT,
    ToPort: HTTPS_PORT,
    ...(v4.length ? { IpRanges: v4.map((CidrIp) => ({ CidrIp, Description: description })) } : {}),
    ...(v6.length ? { Ipv6Ranges: v6.map((CidrIpv6) => ({ CidrIpv6, Description: description })) } : {}),
  };
}

export class Ec2WriterAdapter implements Ec2Writer {
  constructor(private readonly ec2: EC2Client) {}

  async enableVpcDnsAttribute(
    vpcId: string,
    attribute: 'enableDnsSupport' | 'enableDnsHostnames',
  ): Promise<void> {
    // ModifyVpcAttribute takes one attribute per call.
    await this.ec2.send(
      new ModifyVpcAttributeCommand(
        attribute === 'enableDnsSupport'
          ? { VpcId: vpcId, EnableDnsSupport: { Value: true } }
          : { VpcId: vpcId, EnableDnsHostnames: { Value: true } },
      ),
    );
  }

  async findDedicatedSecurityGroup(vpcId: string, groupName: string): Promise<string | undefined> {
    if (groupName === 'default') throw new DefaultSecurityGroupRefusedError('use a group named "default"');
    const result = await this.ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [vpcId] },
          { Name: 'group-name', Values: [groupName] },
        ],
      }),
    );
    return (result.SecurityGroups ?? []).find((g) => g.GroupName === groupName && g.VpcId === vpcId)?.GroupId;
  }

  async createSecurityGroup(
    vpcId: string,
    groupName: string,
    description: string,
    tags: Readonly<Record<string, string>>,
  ): Promise<string> {
    if (groupName === 'default') throw new DefaultSecurityGroupRefusedError('create a group named "default"');
    try {
      const result = await this.ec2.send(
        new CreateSecurityGroupCommand({
          VpcId: vpcId,
          GroupName: groupName,
          Description: description,
          ...(Object.keys(tags).length
            ? { TagSpecifications: [{ ResourceType: 'security-group', Tags: recordToTags(tags) }] }
            : {}),
        }),
      );
      if (!result.GroupId)
        throw new Error(`CreateSecurityGroup returned no group id for ${groupName} in ${vpcId}`);
      return result.GroupId;
    } catch (error) {
      if (!isErrorNamed(error, 'InvalidGroup.Duplicate')) throw error;
      const existing = await this.findDedicatedSecurityGroup(vpcId, groupName);
      if (!existing) throw error;
      return existing;
    }
  }

  async authorizeHttpsIngress(groupId: string, cidrs: readonly string[], description: string): Promise<void> {
    const described = await this.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
    const group = (described.SecurityGroups ?? []).find((g) => g.GroupId === groupId);
    if (!group) throw new Error(`security group ${groupId} was not found`);
    if (group.GroupName === 'default') throw new DefaultSecurityGroupRefusedError(`change ${groupId}`);
    const present = new Set(
      (group.IpPermissions ?? []).filter(coversHttps).flatMap((p) => toSecurityGroupRule(p).cidrBlocks),
    );
    const missing = sorted(cidrs).filter((cidr) => !present.has(cidr));
    if (missing.length === 0) return;
    try {
      await this.authorize(groupId, missing, description);
    } catch (error) {
      if (!isErrorNamed(error, 'InvalidPermission.Duplicate')) throw error;
      // The whole call fails when one range exists already (a rule added meanwhile): add one by one.
      if (missing.length === 1) return;
      for (const cidr of missing) {
        try {
          await this.authorize(groupId, [cidr], description);
        } catch (inner) {
          if (!isErrorNamed(inner, 'InvalidPermission.Duplicate')) throw inner;
        }
      }
    }
  }

  private async authorize(groupId: string, cidrs: readonly string[], description: string): Promise<void> {
    await this.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [httpsPermission(cidrs, description)],
      }),
    );
  }

  /**
   * EC2 answers a repeated ClientToken with the original result even when that endpoint has been
   * deleted since ("Ensuring idempotency in Amazon EC2 API requests", EC2 developer guide). A
   * create that gets a deleted (or deleting) endpoint back is therefore a re-creation after
   * someone deleted it: it is sent once more with a token derived from the old one and that
   * endpoint's id, so a retry of the re-creation is idempotent too.
   */
  async createVpcEndpoint(request: CreateVpcEndpointRequest): Promise<string> {
    const first = await this.sendCreateVpcEndpoint(request, request.clientToken);
    if (first.state !== 'deleted' && first.state !== 'deleting') return first.id;
    const token = `eer-${stableHash(`${request.clientToken}|${first.id}`)}`;
    return (await this.sendCreateVpcEndpoint(request, token)).id;
  }

  private async sendCreateVpcEndpoint(
    request: CreateVpcEndpointRequest,
    clientToken: string,
  ): Promise<{ id: string; state: string }> {
    const isInterface = request.endpointType === 'Interface';
    const result = await this.ec2.send(
      new CreateVpcEndpointCommand({
        VpcId: request.vpcId,
        ServiceName: request.serviceName,
        VpcEndpointType: request.endpointType,
        ClientToken: clientToken,
        ...(isInterface
          ? {
              PrivateDnsEnabled: request.privateDnsEnabled,
              ...(request.subnetIds.length ? { SubnetIds: [...request.subnetIds] } : {}),
              ...(request.securityGroupIds.length ? { SecurityGroupIds: [...request.securityGroupIds] } : {}),
            }
          : { ...(request.routeTableIds.length ? { RouteTableIds: [...request.routeTableIds] } : {}) }),
        ...(Object.keys(request.tags).length
          ? { TagSpecifications: [{ ResourceType: 'vpc-endpoint', Tags: recordToTags(request.tags) }] }
          : {}),
      }),
    );
    const id = result.VpcEndpoint?.VpcEndpointId;
    if (!id)
      throw new Error(
        `CreateVpcEndpoint returned no endpoint id for ${request.serviceName} in ${request.vpcId}`,
      );
    return { id, state: String(result.VpcEndpoint?.State ?? '').toLowerCase() };
  }

  async modifyVpcEndpoint(request: ModifyVpcEndpointRequest): Promise<void> {
    const add = (ids: readonly string[] | undefined) => (ids && ids.length ? [...ids] : undefined);
    const input = {
      VpcEndpointId: request.endpointId,
      AddSubnetIds: add(request.addSubnetIds),
      AddSecurityGroupIds: add(request.addSecurityGroupIds),
      AddRouteTableIds: add(request.addRouteTableIds),
      PrivateDnsEnabled: request.enablePrivateDns ? true : undefined,
    };
    if (
      !input.AddSubnetIds &&
      !input.AddSecurityGroupIds &&
      !input.AddRouteTableIds &&
      !input.PrivateDnsEnabled
    )
      return;
    await this.ec2.send(new ModifyVpcEndpointCommand(input));
  }

  async describeVpcEndpoints(
    vpcId: string,
    endpointIds?: readonly string[],
  ): Promise<readonly ObservedEndpoint[]> {
    if (endpointIds && endpointIds.length === 0) return [];
    const region = await this.ec2.config.region();
    // "DescribeVpcEndpoints" (EC2 API Reference) filters: vpc-id, and vpc-endpoint-id when the
    // caller asks about given endpoints (an unknown id in a filter matches nothing, where
    // VpcEndpointIds would fail the whole call).
    const filters: Filter[] = [
      { Name: 'vpc-id', Values: [vpcId] },
      ...(endpointIds ? [{ Name: 'vpc-endpoint-id', Values: [...endpointIds] }] : []),
    ];
    const endpoints = await collect(
      paginateDescribeVpcEndpoints({ client: this.ec2, pageSize: 1000 }, { Filters: filters }),
      (p) => p.VpcEndpoints,
    );
    return endpoints.flatMap((e) => {
      const observed = e.VpcId === vpcId ? toObservedEndpoint(e, region) : undefined;
      return observed && observed.state !== 'deleted' ? [observed] : [];
    });
  }
}

/**
 * One Region's EC2 network facts, joined per VPC. Pure (no SDK, no I/O): the EC2 mappers in
 * shared/aws turn SDK shapes into the raw records below, and `assembleEc2Snapshot` joins them.
 */
import type {
  EndpointServiceOffer,
  ObservedEndpoint,
  ObservedNetworkAcl,
  ObservedRouteTable,
  TransitRoute,
  ObservedSecurityGroup,
  ObservedSubnet,
  ObservedVpc,
} from './domain.js';

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
  /** Every listed subnet's VPC. */
  readonly subnetVpcs: ReadonlyMap<string, string>;
}

export interface VpcDnsAttributes {
  readonly enableDnsSupport: boolean;
  readonly enableDnsHostnames: boolean;
}

// ---------------------------------------------------------------------------------------------
// Raw records: one per item EC2 lists, already out of SDK shapes
// ---------------------------------------------------------------------------------------------

export interface RawVpc {
  readonly vpcId: string;
  readonly isDefault: boolean;
  readonly cidrBlocks: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  /** Absent when the VPC has no DHCP options set (EC2's `default`). */
  readonly dhcpOptionsId?: string;
}

export interface RawDhcpOptions {
  readonly dhcpOptionsId: string;
  readonly domainNameServers: readonly string[];
}

export interface RawSubnet {
  readonly subnetId: string;
  readonly vpcId: string;
  readonly availabilityZone: string;
  readonly cidrBlock: string;
}

export interface RawRouteTable {
  readonly routeTableId: string;
  readonly vpcId: string;
  readonly isMain: boolean;
  /** Subnets explicitly (and currently) associated. */
  readonly subnetIds: readonly string[];
  readonly hasInternetGatewayRoute: boolean;
  readonly hasNatRoute: boolean;
  /** `vpce-…` targets of its routes (gateway endpoints, and Gateway Load Balancer endpoints). */
  readonly routeEndpointIds: readonly string[];
  /** Active routes through a peering connection or a transit gateway (central endpoints, serving.ts). */
  readonly transitRoutes?: readonly TransitRoute[];
}

export type RawNetworkAcl = ObservedNetworkAcl & { readonly vpcId: string };

export type RawSecurityGroup = ObservedSecurityGroup & { readonly vpcId: string };

/** Every endpoint EC2 lists; `observed` only for the types the remediator handles. */
export interface RawEndpoint {
  readonly endpointId: string;
  readonly vpcId?: string;
  readonly isGateway: boolean;
  readonly observed?: ObservedEndpoint;
}

export interface Ec2RawRegion {
  readonly vpcs: readonly RawVpc[];
  readonly dhcpOptions: readonly RawDhcpOptions[];
  readonly subnets: readonly RawSubnet[];
  readonly routeTables: readonly RawRouteTable[];
  readonly networkAcls: readonly RawNetworkAcl[];
  readonly securityGroups: readonly RawSecurityGroup[];
  readonly endpoints: readonly RawEndpoint[];
  readonly endpointServices: readonly EndpointServiceOffer[];
  readonly instances: readonly Ec2InstanceRecord[];
}

const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();

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

function withoutVpcId<T extends { readonly vpcId: string }>({ vpcId: _vpcId, ...rest }: T): Omit<T, 'vpcId'> {
  return rest;
}

/** Derives the per-VPC facts from the raw records (pure: no AWS calls). */
export function assembleEc2Snapshot(region: string, raw: Ec2RawRegion): Ec2Snapshot {
  const dhcpById = new Map(raw.dhcpOptions.map((d) => [d.dhcpOptionsId, d]));
  const subnetsByVpc = groupBy(raw.subnets, (s) => s.vpcId);
  const tablesByVpc = groupBy(raw.routeTables, (t) => t.vpcId);
  const aclsByVpc = groupBy(raw.networkAcls, (a) => a.vpcId);
  const groupsByVpc = groupBy(raw.securityGroups, (g) => g.vpcId);
  // Deleted endpoints stay in the snapshot (EC2 lists them for a while with state deleted): the plan
  // never uses them, but it names them and derives CreateVpcEndpoint's ClientToken from them.
  const observedEndpoints = raw.endpoints.flatMap((e) =>
    e.observed && e.vpcId ? [{ vpcId: e.vpcId, endpoint: e.observed }] : [],
  );
  const endpointsByVpc = groupBy(observedEndpoints, (e) => e.vpcId);
  const nonGatewayEndpointIds = new Set(raw.endpoints.filter((e) => !e.isGateway).map((e) => e.endpointId));

  const vpcs: Ec2VpcSnapshot[] = raw.vpcs.map((vpc) => {
    const { vpcId } = vpc;
    const endpoints = (endpointsByVpc.get(vpcId) ?? []).map((e) => e.endpoint);
    const tables = tablesByVpc.get(vpcId) ?? [];
    const mainTable = tables.find((t) => t.isMain);

    const routeTables: ObservedRouteTable[] = tables.map((table) => {
      const fromRoutes = table.routeEndpointIds.filter((id) => !nonGatewayEndpointIds.has(id));
      const fromEndpoints = endpoints
        .filter(
          (e) =>
            e.type === 'Gateway' && e.state !== 'deleted' && e.routeTableIds.includes(table.routeTableId),
        )
        .map((e) => e.endpointId);
      return {
        routeTableId: table.routeTableId,
        isMain: table.isMain,
        subnetIds: sorted(table.subnetIds),
        hasInternetGatewayRoute: table.hasInternetGatewayRoute,
        hasNatRoute: table.hasNatRoute,
        gatewayEndpointIds: sorted([...fromRoutes, ...fromEndpoints]),
        ...(table.transitRoutes ? { transitRoutes: table.transitRoutes } : {}),
      };
    });

    const tableBySubnet = new Map<string, RawRouteTable>();
    for (const table of tables) for (const subnetId of table.subnetIds) tableBySubnet.set(subnetId, table);
    const aclBySubnet = new Map<string, string>();
    for (const acl of aclsByVpc.get(vpcId) ?? [])
      for (const subnetId of acl.subnetIds) if (acl.naclId) aclBySubnet.set(subnetId, acl.naclId);

    const subnets: ObservedSubnet[] = (subnetsByVpc.get(vpcId) ?? [])
      .map((subnet) => {
        const table = tableBySubnet.get(subnet.subnetId) ?? mainTable;
        const networkAclId = aclBySubnet.get(subnet.subnetId);
        return {
          subnetId: subnet.subnetId,
          availabilityZone: subnet.availabilityZone,
          cidrBlock: subnet.cidrBlock,
          ...(table?.routeTableId ? { routeTableId: table.routeTableId } : {}),
          ...(networkAclId ? { networkAclId } : {}),
          isPrivate: !(table?.hasInternetGatewayRoute ?? false),
          hasNatRoute: table?.hasNatRoute ?? false,
        };
      })
      .sort(
        (a, b) =>
          a.availabilityZone.localeCompare(b.availabilityZone) || a.subnetId.localeCompare(b.subnetId),
      );

    const { dhcpOptionsId } = vpc;
    return {
      vpcId,
      isDefault: vpc.isDefault,
      cidrBlocks: vpc.cidrBlocks,
      tags: vpc.tags,
      ...(dhcpOptionsId ? { dhcpOptionsId } : {}),
      domainNameServers: dhcpOptionsId ? [...(dhcpById.get(dhcpOptionsId)?.domainNameServers ?? [])] : [],
      subnets,
      routeTables,
      networkAcls: (aclsByVpc.get(vpcId) ?? []).map(withoutVpcId),
      securityGroups: (groupsByVpc.get(vpcId) ?? []).map(withoutVpcId),
      endpoints,
    };
  });

  const instances = new Map<string, Ec2InstanceRecord>();
  for (const instance of raw.instances) instances.set(instance.instanceId, instance);
  const subnetVpcs = new Map<string, string>();
  for (const subnet of raw.subnets) subnetVpcs.set(subnet.subnetId, subnet.vpcId);

  return { region, vpcs, endpointServices: raw.endpointServices, instances, subnetVpcs };
}

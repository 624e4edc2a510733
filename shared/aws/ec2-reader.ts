/**
 * EC2 reads: a Region's network state in a fixed number of paginated calls (never one call per
 * VPC, except the DNS attributes, which EC2 cannot read in batch), or the same for a few VPCs with
 * every Describe filtered by `vpc-id`; and the small by-id lookups that place an event's resources
 * in their VPCs. SDK shapes stop in ./ec2-mappers.ts; the join is the core's.
 */
import {
  DescribeVpcAttributeCommand,
  DescribeVpcEndpointServicesCommand,
  paginateDescribeDhcpOptions,
  paginateDescribeInstances,
  paginateDescribeNetworkAcls,
  paginateDescribeRouteTables,
  paginateDescribeSecurityGroups,
  paginateDescribeSubnets,
  paginateDescribeVpcEndpoints,
  paginateDescribeVpcs,
  type EC2Client,
  type Filter,
  type ServiceDetail,
} from '@aws-sdk/client-ec2';
import {
  SERVICE_NAMES,
  type EndpointServiceOffer,
  type EndpointType,
  type ServiceName,
} from '../core/domain.js';
import type { ResourceRefs } from '../core/ports.js';
import { assembleEc2Snapshot, type Ec2Snapshot, type VpcDnsAttributes } from '../core/ec2-snapshot.js';
import { endpointServiceNames, shortServiceName } from '../core/service-names.js';
import { collectPages as collect } from './collect-pages.js';
import { mapWithConcurrency } from './concurrency.js';
import { endpointTypeOf, toEc2RawRegion } from './ec2-mappers.js';

const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();

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
  const names = SERVICE_NAMES.flatMap((s) => endpointServiceNames(region, s));
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

/** What to read: the whole Region, or only the named VPCs. */
export interface Ec2ReadScope {
  readonly vpcIds?: readonly string[];
}

/**
 * Reads the Region's network state, each API paginated once at its largest page size. With
 * `scope.vpcIds`, every Describe carries a `vpc-id` filter (DescribeVpcs, DescribeSubnets,
 * DescribeRouteTables, DescribeNetworkAcls, DescribeSecurityGroups, DescribeVpcEndpoints and
 * DescribeInstances all accept one: EC2 API Reference, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSubnets.html
 * and its siblings), and DescribeDhcpOptions asks for the scoped VPCs' sets by `dhcp-options-id`. A
 * filter value that matches nothing is not an error, so a VPC deleted meanwhile is simply absent.
 */
export async function readEc2Snapshot(
  ec2: EC2Client,
  region: string,
  scope: Ec2ReadScope = {},
): Promise<Ec2Snapshot> {
  const vpcFilter: Filter[] | undefined = scope.vpcIds
    ? [{ Name: 'vpc-id', Values: [...scope.vpcIds] }]
    : undefined;
  if (scope.vpcIds && scope.vpcIds.length === 0) {
    return assembleEc2Snapshot(
      region,
      toEc2RawRegion(emptyPages(await readEndpointServiceOffers(ec2, region)), region),
    );
  }
  // A fresh input per paginator: the SDK's paginators write MaxResults and NextToken into it.
  const input = () => (vpcFilter ? { Filters: vpcFilter } : {});
  const vpcsAndDhcp = (async () => {
    const vpcs = await collect(paginateDescribeVpcs({ client: ec2, pageSize: 1000 }, input()), (p) => p.Vpcs);
    if (!vpcFilter) {
      const dhcpOptions = await collect(
        paginateDescribeDhcpOptions({ client: ec2, pageSize: 1000 }, {}),
        (p) => p.DhcpOptions,
      );
      return { vpcs, dhcpOptions };
    }
    const ids = sorted(
      vpcs.flatMap((v) => (v.DhcpOptionsId && v.DhcpOptionsId !== 'default' ? [v.DhcpOptionsId] : [])),
    );
    const dhcpOptions =
      ids.length === 0
        ? []
        : await collect(
            paginateDescribeDhcpOptions(
              { client: ec2, pageSize: 1000 },
              { Filters: [{ Name: 'dhcp-options-id', Values: ids }] },
            ),
            (p) => p.DhcpOptions,
          );
    return { vpcs, dhcpOptions };
  })();
  const [
    { vpcs, dhcpOptions },
    subnets,
    routeTables,
    networkAcls,
    securityGroups,
    endpoints,
    services,
    instances,
  ] = await Promise.all([
    vpcsAndDhcp,
    collect(paginateDescribeSubnets({ client: ec2, pageSize: 1000 }, input()), (p) => p.Subnets),
    collect(paginateDescribeRouteTables({ client: ec2, pageSize: 100 }, input()), (p) => p.RouteTables),
    collect(paginateDescribeNetworkAcls({ client: ec2, pageSize: 100 }, input()), (p) => p.NetworkAcls),
    collect(
      paginateDescribeSecurityGroups({ client: ec2, pageSize: 1000 }, input()),
      (p) => p.SecurityGroups,
    ),
    collect(paginateDescribeVpcEndpoints({ client: ec2, pageSize: 1000 }, input()), (p) => p.VpcEndpoints),
    readEndpointServiceOffers(ec2, region),
    collect(paginateDescribeInstances({ client: ec2, pageSize: 1000 }, input()), (p) =>
      (p.Reservations ?? []).flatMap((r) => r.Instances ?? []),
    ),
  ]);
  return assembleEc2Snapshot(
    region,
    toEc2RawRegion(
      {
        vpcs,
        dhcpOptions,
        subnets,
        routeTables,
        networkAcls,
        securityGroups,
        endpoints,
        endpointServices: services,
        instances,
      },
      region,
    ),
  );
}

function emptyPages(endpointServices: EndpointServiceOffer[]) {
  return {
    vpcs: [],
    dhcpOptions: [],
    subnets: [],
    routeTables: [],
    networkAcls: [],
    securityGroups: [],
    endpoints: [],
    endpointServices,
    instances: [],
  };
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

/**
 * The VPC of each named resource that exists: one Describe per kind of id named, filtered by those
 * ids (`vpc-id`, `subnet-id`, `group-id`, `network-acl-id`, `vpc-endpoint-id`, `instance-id`; EC2
 * API Reference, e.g. https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DescribeSecurityGroups.html).
 * Filters, unlike the id parameters, answer an unknown id with nothing instead of failing the call,
 * so a deleted resource is simply absent from the map.
 */
export async function locateResources(ec2: EC2Client, refs: ResourceRefs): Promise<Map<string, string>> {
  const filter = (name: string, ids: readonly string[]) => ({ Filters: [{ Name: name, Values: [...ids] }] });
  const lookups: Promise<[string, string][]>[] = [];
  const pairs = <T>(items: T[], id: (t: T) => string | undefined, vpc: (t: T) => string | undefined) =>
    items.flatMap((item): [string, string][] => {
      const key = id(item);
      const vpcId = vpc(item);
      return key && vpcId ? [[key, vpcId]] : [];
    });
  if (refs.vpcIds.length > 0)
    lookups.push(
      collect(
        paginateDescribeVpcs({ client: ec2, pageSize: 1000 }, filter('vpc-id', refs.vpcIds)),
        (p) => p.Vpcs,
      ).then((items) =>
        pairs(
          items,
          (v) => v.VpcId,
          (v) => v.VpcId,
        ),
      ),
    );
  if (refs.subnetIds.length > 0)
    lookups.push(
      collect(
        paginateDescribeSubnets({ client: ec2, pageSize: 1000 }, filter('subnet-id', refs.subnetIds)),
        (p) => p.Subnets,
      ).then((items) =>
        pairs(
          items,
          (s) => s.SubnetId,
          (s) => s.VpcId,
        ),
      ),
    );
  if (refs.securityGroupIds.length > 0)
    lookups.push(
      collect(
        paginateDescribeSecurityGroups(
          { client: ec2, pageSize: 1000 },
          filter('group-id', refs.securityGroupIds),
        ),
        (p) => p.SecurityGroups,
      ).then((items) =>
        pairs(
          items,
          (g) => g.GroupId,
          (g) => g.VpcId,
        ),
      ),
    );
  if (refs.networkAclIds.length > 0)
    lookups.push(
      collect(
        paginateDescribeNetworkAcls(
          { client: ec2, pageSize: 100 },
          filter('network-acl-id', refs.networkAclIds),
        ),
        (p) => p.NetworkAcls,
      ).then((items) =>
        pairs(
          items,
          (a) => a.NetworkAclId,
          (a) => a.VpcId,
        ),
      ),
    );
  if (refs.endpointIds.length > 0)
    lookups.push(
      collect(
        paginateDescribeVpcEndpoints(
          { client: ec2, pageSize: 1000 },
          filter('vpc-endpoint-id', refs.endpointIds),
        ),
        (p) => p.VpcEndpoints,
      ).then((items) =>
        pairs(
          items,
          (e) => e.VpcEndpointId,
          (e) => e.VpcId,
        ),
      ),
    );
  if (refs.instanceIds.length > 0)
    lookups.push(
      collect(
        paginateDescribeInstances({ client: ec2, pageSize: 1000 }, filter('instance-id', refs.instanceIds)),
        (p) => (p.Reservations ?? []).flatMap((r) => r.Instances ?? []),
      ).then((items) =>
        pairs(
          items.filter((i) => i.State?.Name !== 'terminated'),
          (i) => i.InstanceId,
          (i) => i.VpcId,
        ),
      ),
    );
  return new Map((await Promise.all(lookups)).flat());
}

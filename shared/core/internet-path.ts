/**
 * Whether a workload reaches the internet (and so AWS's public service endpoints) without VPC
 * endpoints. The one place this is decided; desired.ts and plan.ts ask here.
 *
 * Amazon VPC User Guide ("Enable internet access for a VPC using an internet gateway"; "NAT
 * gateways"): an instance in a subnet whose default route goes to an internet gateway reaches the
 * internet only when it has a public IPv4 address or an Elastic IP; a default route to a NAT gateway
 * or NAT instance gives every instance of the subnet a path. Amazon ECS Developer Guide ("Fargate
 * task networking"): a Fargate task in a subnet routed to an internet gateway needs
 * `assignPublicIp: ENABLED`; otherwise image pulls and log delivery need a NAT or VPC endpoints.
 */
import type { ObservedContainerInstance, ObservedSubnet, ObservedVpc } from './domain.js';

export type InternetAccess =
  /** Internet gateway route and a public IPv4 address: reaches AWS directly. */
  | 'public'
  /** A NAT gateway or NAT instance route: reaches AWS through the NAT. */
  | 'nat'
  /** No internet path: only VPC endpoints reach AWS. */
  | 'none';

/** How a network interface in `subnet` with (or without) a public IPv4 address reaches the internet. Pure. */
export function internetAccess(
  subnet: Pick<ObservedSubnet, 'isPrivate' | 'hasNatRoute'> | undefined,
  publicIpv4: boolean,
): InternetAccess {
  if (subnet === undefined) return 'none';
  if (!subnet.isPrivate && publicIpv4) return 'public';
  if (subnet.hasNatRoute) return 'nat';
  return 'none';
}

export function hasInternetPath(access: InternetAccess): boolean {
  return access !== 'none';
}

/** An EC2 container instance's access, from its subnet's route table and its public IPv4 address. */
export function instanceAccess(
  instance: Pick<ObservedContainerInstance, 'subnetId' | 'hasPublicIpv4'>,
  subnetsById: ReadonlyMap<string, ObservedSubnet>,
): InternetAccess {
  const subnet = instance.subnetId ? subnetsById.get(instance.subnetId) : undefined;
  return internetAccess(subnet, instance.hasPublicIpv4 ?? false);
}

/** One place workloads run: a container instance or an awsvpc service's subnet. */
export interface WorkloadPlacement {
  readonly subnet: ObservedSubnet;
  readonly access: InternetAccess;
}

/**
 * Every place the VPC's workloads run with its access: each container instance, each awsvpc service
 * subnet (with its assignPublicIp), and any other workload subnet as one without public IPs.
 */
export function workloadPlacements(vpc: ObservedVpc): WorkloadPlacement[] {
  const subnetsById = new Map(vpc.subnets.map((s) => [s.subnetId, s]));
  const placements: WorkloadPlacement[] = [];
  const explained = new Set<string>();
  for (const ci of vpc.containerInstances) {
    const subnet = ci.subnetId ? subnetsById.get(ci.subnetId) : undefined;
    if (!subnet) continue;
    explained.add(subnet.subnetId);
    placements.push({ subnet, access: instanceAccess(ci, subnetsById) });
  }
  for (const p of vpc.workloads.awsvpcPlacements ?? []) {
    const subnet = subnetsById.get(p.subnetId);
    if (!subnet) continue;
    explained.add(subnet.subnetId);
    placements.push({ subnet, access: internetAccess(subnet, p.assignPublicIp) });
  }
  for (const id of vpc.workloads.subnetIds) {
    const subnet = subnetsById.get(id);
    if (subnet && !explained.has(id)) placements.push({ subnet, access: internetAccess(subnet, false) });
  }
  return placements;
}

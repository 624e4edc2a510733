import type {
  DesiredVpc,
  EndpointServiceOffer,
  EndpointType,
  ObservedEndpoint,
  ObservedRegion,
  ObservedSecurityGroup,
  ObservedSubnet,
  ObservedVpc,
  SecurityGroupRef,
  ServiceName,
} from '../domain.js';
import { servingOf, type Serving } from '../serving.js';
import { ENDPOINT_TYPE } from '../services.js';

export interface PlanOptions {
  /** Name of the tool's dedicated endpoint security group. */
  readonly securityGroupName: string;
  /** Tag key marking what the tool created. */
  readonly managedTagKey: string;
  /** False: old agents are reported, never updated. */
  readonly updateOldAgents?: boolean;
  /** Extra lines for the plan's warnings (e.g. from deriving the desired state). */
  readonly warnings?: readonly string[];
}

/**
 * Where a required service stands in the VPC. `missing` and the live kinds carry the placement the
 * planner would use (subnets chosen once here, so every rule and the NACL check agree on them).
 */
export type Presence =
  | { readonly kind: 'notOffered' }
  | {
      readonly kind: 'missing';
      readonly offer: EndpointServiceOffer;
      /** Deleted or deleting endpoints of the service (named in the finding, never reused). */
      readonly gone: readonly ObservedEndpoint[];
      /** Interface: one subnet per required AZ where the service is offered; gateway: none. */
      readonly subnetIds: readonly string[];
    }
  | {
      readonly kind: 'waiting' | 'unusable';
      readonly offer: EndpointServiceOffer;
      readonly endpoint: ObservedEndpoint;
    }
  | {
      readonly kind: 'liveInterface';
      readonly offer: EndpointServiceOffer;
      readonly endpoint: ObservedEndpoint;
      /** Required AZs where the service is offered and the endpoint has no subnet. */
      readonly missingAzs: readonly string[];
      /** One subnet for each of those AZs that has one. */
      readonly addSubnetIds: readonly string[];
    }
  | {
      readonly kind: 'liveGateway';
      readonly offer: EndpointServiceOffer;
      readonly endpoint: ObservedEndpoint;
    };

export interface ServiceView {
  readonly service: ServiceName;
  readonly type: EndpointType;
  /** Why the VPC needs the service (from the desired state). */
  readonly reason: string;
  /** Interface services: required AZs where the Region does not offer it. */
  readonly unofferedAzs: readonly string[];
  readonly presence: Presence;
}

/** A required service not served by a local endpoint: a central zone or a forwarding rule serves it. */
export interface ServedService {
  readonly service: ServiceName;
  readonly reason: string;
  readonly serving: Exclude<Serving, { kind: 'local' }>;
}

/** A read-only view of one VPC, built once per plan: what every rule reads. */
export interface VpcView {
  readonly vpc: ObservedVpc;
  readonly desired: DesiredVpc;
  readonly region: string;
  readonly options: PlanOptions;
  readonly subnetsById: ReadonlyMap<string, ObservedSubnet>;
  readonly groupsById: ReadonlyMap<string, ObservedSecurityGroup>;
  /** Some required service is reached through an interface endpoint (its private DNS needs the VPC's). */
  readonly needsInterface: boolean;
  /** The tool's own group: its name and managed tag, and never the VPC's default group. */
  readonly dedicatedGroup: ObservedSecurityGroup | undefined;
  /** The group endpoints get: the dedicated one, or the one a CreateSecurityGroup of this plan makes. */
  readonly endpointGroup: SecurityGroupRef;
  /** Who the dedicated group opens 443 to: the VPC's CIDRs, else (not read) the workloads'. */
  readonly vpcCidrs: readonly string[];
  /** Route tables gateway endpoints belong on (sorted). */
  readonly privateRouteTableIds: readonly string[];
  /**
   * The required services served by a local endpoint, in the desired order. Those a central zone or a
   * forwarding rule serves are in `served` instead, so no local endpoint rule (presence, AZs, private
   * DNS, groups, policy) and no cost applies to them.
   */
  readonly services: readonly ServiceView[];
  /** The required services served centrally or delegated (serving.ts), in the desired order. */
  readonly served: readonly ServedService[];
  /** Subnets that hold or will hold an interface endpoint, in service order. */
  readonly endpointSubnetIds: readonly string[];
}

const UNUSABLE_STATES = new Set(['failed', 'rejected', 'expired', 'partial', 'unknown']);
const WAITING_STATES = new Set(['pending', 'pendingAcceptance']);
const GONE_STATES = new Set(['deleted', 'deleting']);

export function vpcView(
  desired: DesiredVpc,
  vpc: ObservedVpc,
  region: ObservedRegion,
  options: PlanOptions,
): VpcView {
  const subnetsById = new Map(vpc.subnets.map((s) => [s.subnetId, s]));
  const dedicatedGroup = vpc.securityGroups.find(
    (g) =>
      !g.isDefault && g.groupName === options.securityGroupName && g.tags[options.managedTagKey] === 'true',
  );
  const privateRouteTableIds = privateRouteTables(vpc, desired);
  const required = [...desired.services.entries()].map(([service, reason]) => ({
    service,
    reason,
    serving: servingOf(service, vpc, region, desired.clientCidrs),
  }));
  const served = required.flatMap(({ service, reason, serving }) =>
    serving.kind === 'local' ? [] : [{ service, reason, serving }],
  );
  const services = required.flatMap(({ service, reason, serving }) =>
    serving.kind === 'local' ? [serviceView(service, reason, vpc, region, desired, subnetsById)] : [],
  );
  return {
    vpc,
    desired,
    region: region.region,
    options,
    subnetsById,
    groupsById: new Map(vpc.securityGroups.map((g) => [g.groupId, g])),
    // Zone-served names need the VPC's DNS attributes too (private hosted zones need both).
    needsInterface:
      services.some((s) => s.type === 'Interface') || served.some((s) => s.serving.kind === 'zone'),
    dedicatedGroup,
    endpointGroup: dedicatedGroup
      ? { kind: 'existing', groupId: dedicatedGroup.groupId }
      : { kind: 'dedicated', vpcId: vpc.vpcId },
    vpcCidrs: vpc.cidrBlocks.length > 0 ? vpc.cidrBlocks : desired.clientCidrs,
    privateRouteTableIds,
    services,
    served,
    endpointSubnetIds: [...new Set(services.flatMap((s) => endpointSubnets(s.presence)))],
  };
}

function serviceView(
  service: ServiceName,
  reason: string,
  vpc: ObservedVpc,
  region: ObservedRegion,
  desired: DesiredVpc,
  subnetsById: ReadonlyMap<string, ObservedSubnet>,
): ServiceView {
  const type = ENDPOINT_TYPE[service];
  const offer = region.endpointServices.find((o) => o.service === service && o.type === type);
  const offered = (az: string) => offer?.availabilityZones.includes(az) === true;
  const unofferedAzs = offer && type === 'Interface' ? desired.requiredAzs.filter((az) => !offered(az)) : [];
  return { service, type, reason, unofferedAzs, presence: presence() };

  function presence(): Presence {
    if (!offer) return { kind: 'notOffered' };
    const offeredAzs = desired.requiredAzs.filter(offered);
    const endpoint = pickEndpoint(vpc.endpoints, service);
    if (!endpoint) {
      const gone = vpc.endpoints.filter((e) => e.service === service && GONE_STATES.has(e.state));
      const subnetIds = type === 'Interface' ? chooseSubnets(vpc, offeredAzs, desired) : [];
      return { kind: 'missing', offer, gone, subnetIds };
    }
    if (WAITING_STATES.has(endpoint.state)) return { kind: 'waiting', offer, endpoint };
    if (UNUSABLE_STATES.has(endpoint.state)) return { kind: 'unusable', offer, endpoint };
    if (type === 'Gateway') return { kind: 'liveGateway', offer, endpoint };
    const covered = new Set(endpoint.subnetIds.flatMap((id) => subnetsById.get(id)?.availabilityZone ?? []));
    const missingAzs = offeredAzs.filter((az) => !covered.has(az));
    const addSubnetIds = chooseSubnets(vpc, missingAzs, desired);
    return { kind: 'liveInterface', offer, endpoint, missingAzs, addSubnetIds };
  }
}

function endpointSubnets(presence: Presence): readonly string[] {
  switch (presence.kind) {
    case 'missing':
      return presence.subnetIds;
    case 'liveInterface':
      return [...presence.endpoint.subnetIds, ...presence.addSubnetIds];
    case 'notOffered':
    case 'waiting':
    case 'unusable':
    case 'liveGateway':
      return [];
  }
}

/** The endpoint that counts for a service: available first, then waiting, then unusable; gone ones never. */
function pickEndpoint(
  endpoints: readonly ObservedEndpoint[],
  service: ServiceName,
): ObservedEndpoint | undefined {
  const type = ENDPOINT_TYPE[service];
  const candidates = endpoints.filter(
    (e) => e.service === service && e.type === type && !GONE_STATES.has(e.state),
  );
  const score = (e: ObservedEndpoint) => (e.state === 'available' ? 0 : WAITING_STATES.has(e.state) ? 1 : 2);
  return [...candidates].sort((a, b) => score(a) - score(b) || a.endpointId.localeCompare(b.endpointId))[0];
}

/** One subnet per AZ: private subnets hosting container instances first, then workload subnets, then any private one. */
function chooseSubnets(vpc: ObservedVpc, azs: readonly string[], desired: DesiredVpc): string[] {
  const instanceSubnets = new Set(vpc.containerInstances.flatMap((ci) => (ci.subnetId ? [ci.subnetId] : [])));
  const workloadSubnets = new Set(vpc.workloads.subnetIds);
  const score = (s: ObservedSubnet) =>
    (s.isPrivate ? 0 : 4) +
    (instanceSubnets.has(s.subnetId) ? 0 : 1) +
    (workloadSubnets.has(s.subnetId) ? 0 : 1);
  return azs.flatMap((az) => {
    const best = vpc.subnets
      .filter((s) => s.availabilityZone === az)
      .sort((a, b) => score(a) - score(b) || a.subnetId.localeCompare(b.subnetId))[0];
    // Stryker disable next-line ConditionalExpression: callers pass only required AZs, so forcing the check true changes nothing
    return best && desired.requiredAzs.includes(az) ? [best.subnetId] : [];
  });
}

/** Route tables of the private subnets and of the subnets whose workloads do not reach AWS directly. */
function privateRouteTables(vpc: ObservedVpc, desired: DesiredVpc): string[] {
  const enclosed = new Set(desired.enclosedWorkloadSubnetIds ?? []);
  return [
    ...new Set(
      vpc.subnets
        .filter((s) => (s.isPrivate || enclosed.has(s.subnetId)) && s.routeTableId)
        .map((s) => s.routeTableId as string),
    ),
  ].sort();
}

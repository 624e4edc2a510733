/**
 * Reads one Region's state for the core: EC2 network facts, ECS workloads and SSM inventory, read
 * concurrently in a fixed number of paginated calls, then joined per VPC. The only per-VPC calls are
 * the two DescribeVpcAttribute calls for VPCs that run ECS workloads.
 *
 * Asked for some VPCs, it reads only those: every EC2 Describe filtered by `vpc-id`, ECS container
 * instances listed only on those VPCs' EC2 instances, SSM asked only about those instances.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { ECSClient } from '@aws-sdk/client-ecs';
import type { SSMClient } from '@aws-sdk/client-ssm';
import type { Route53Client } from '@aws-sdk/client-route-53';
import type { Route53ResolverClient } from '@aws-sdk/client-route53resolver';
import type {
  AwsvpcPlacement,
  ObservedContainerInstance,
  ObservedHostedZone,
  ObservedRegion,
  ObservedVpc,
  Platform,
  WorkloadUsage,
} from '../core/domain.js';
import type { ReadRegionOptions, ResourceRefs, StateReader } from '../core/ports.js';
import { errorMessage } from './aws-errors.js';
import type {
  Ec2InstanceRecord,
  Ec2Snapshot,
  Ec2VpcSnapshot,
  VpcDnsAttributes,
} from '../core/ec2-snapshot.js';
import { locateResources, readEc2Snapshot, readVpcDnsAttributes, type Ec2ReadScope } from './ec2-reader.js';
import {
  readEcsSnapshot,
  TaskDefinitionCache,
  type EcsReadScope,
  type EcsContainerInstanceRecord,
  type EcsServiceRecord,
  type EcsSnapshot,
} from './ecs-adapter.js';
import { readManagedInstanceIds } from './ssm-adapter.js';
import { readHostedZones } from './route53-reader.js';
import { endpointIdOfDnsName } from '../core/serving.js';
import { readResolverRules } from './resolver-reader.js';

export interface RegionStateReaderOptions {
  readonly ec2: EC2Client;
  readonly ecs: ECSClient;
  readonly ssm: SSMClient;
  readonly region: string;
  /**
   * Route 53 and Route 53 Resolver: when given, the Region's private hosted zones and the Resolver
   * rules of the VPCs read are read too (how services are served: shared/core/serving.ts).
   */
  readonly route53?: Route53Client;
  readonly resolver?: Route53ResolverClient;
  /** DescribeVpcAttribute calls in flight at once. */
  readonly dnsAttributeConcurrency?: number;
  /** Seams for tests; default to the SDK adapters. */
  readonly readEc2?: (ec2: EC2Client, region: string, scope?: Ec2ReadScope) => Promise<Ec2Snapshot>;
  readonly readEcs?: (ecs: ECSClient, scope?: EcsReadScope) => Promise<EcsSnapshot>;
  readonly readManagedInstances?: (
    ssm: SSMClient,
    instanceIds?: readonly string[],
  ) => Promise<ReadonlySet<string>>;
  readonly readDnsAttributes?: (
    ec2: EC2Client,
    vpcIds: readonly string[],
    concurrency?: number,
  ) => Promise<ReadonlyMap<string, VpcDnsAttributes>>;
}

/** A requested VPC that is not in the Region. */
export class VpcNotFoundError extends Error {
  constructor(
    readonly vpcIds: readonly string[],
    readonly region: string,
  ) {
    super(
      `${vpcIds.length === 1 ? 'VPC' : 'VPCs'} ${vpcIds.join(', ')} ${vpcIds.length === 1 ? 'does' : 'do'} not exist in ${region}`,
    );
    this.name = 'VpcNotFoundError';
  }
}

/**
 * The platform the agent restart must handle: ECS's attributes first (they describe the OS the agent
 * runs on), EC2's platform and architecture as the fallback.
 */
export function platformOf(
  attributes: Readonly<Record<string, string>>,
  instance: Ec2InstanceRecord | undefined,
): Platform {
  const osType = attributes['ecs.os-type']?.toLowerCase();
  if (osType === 'windows') return 'windows';
  if (attributes['bottlerocket.variant'] !== undefined) return 'bottlerocket';
  const ecsArchitecture = attributes['ecs.cpu-architecture']?.toLowerCase();
  if (ecsArchitecture === 'arm64') return 'linux-arm64';
  if (instance) {
    if (instance.platform?.toLowerCase() === 'windows' || /windows/i.test(instance.platformDetails ?? '')) {
      return osType === 'linux' ? 'linux' : 'windows';
    }
    if (instance.architecture === 'arm64' && !ecsArchitecture) return 'linux-arm64';
    return 'linux';
  }
  return osType === 'linux' || ecsArchitecture === 'x86_64' ? 'linux' : 'unknown';
}

interface VpcWorkloads {
  containerInstances: ObservedContainerInstance[];
  services: EcsServiceRecord[];
  subnetIds: Set<string>;
  awsvpcPlacements: AwsvpcPlacement[];
}

type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };

/** A read's result or why it failed (a warning, never a failed read of the whole Region). */
function settle<T>(reading: Promise<T>): Promise<Settled<T>> {
  return reading.then(
    (value) => ({ ok: true as const, value }),
    (error: unknown) => ({ ok: false as const, error }),
  );
}

/** A context VPC's workloads: not read (it is never planned). */
const NO_WORKLOADS: WorkloadUsage = {
  ec2ContainerInstances: 0,
  fargateServices: 0,
  ec2Services: 0,
  privateEcrImages: false,
  awslogs: false,
  secretsManagerSecrets: false,
  ssmParameters: false,
  subnetIds: [],
};

interface Sources {
  readonly ec2Snapshot: Ec2Snapshot;
  readonly ecsSnapshot: EcsSnapshot;
  readonly managed: Settled<ReadonlySet<string>>;
}

function causeOf(error: unknown): unknown {
  const cause = error instanceof Error ? error.cause : undefined;
  return typeof cause === 'object' && cause !== null ? cause : error;
}

function ssmFailure(error: unknown): string {
  return errorMessage(causeOf(error));
}

export class RegionStateReader implements StateReader {
  private readonly options: RegionStateReaderOptions;
  /** Task definition revisions read by this reader's earlier reads (a warm Lambda's, the CLI's). */
  private readonly taskDefinitions = new TaskDefinitionCache();

  constructor(options: RegionStateReaderOptions) {
    this.options = options;
  }

  /** The ECS read: the seam, else the SDK adapter with this reader's task definition cache. */
  private readEcs(scope?: EcsReadScope): Promise<EcsSnapshot> {
    const { ecs, readEcs } = this.options;
    return readEcs ? readEcs(ecs, scope) : readEcsSnapshot(ecs, scope, this.taskDefinitions);
  }

  /** Places resources in their VPCs with one Describe per kind of id, filtered by those ids. */
  async locate(refs: ResourceRefs): Promise<ReadonlyMap<string, string>> {
    return locateResources(this.options.ec2, refs);
  }

  async readRegion(options: ReadRegionOptions = {}): Promise<ObservedRegion> {
    const { ec2, region, readDnsAttributes = readVpcDnsAttributes } = this.options;
    const warnings: string[] = [];

    const requested = options.vpcIds ? [...new Set(options.vpcIds)] : undefined;
    const { ec2Snapshot, ecsSnapshot, managed } = requested
      ? await this.readScoped(requested)
      : await this.readWhole();
    const managedIds = managed.ok ? managed.value : undefined;
    if (!managed.ok) {
      warnings.push(
        `SSM inventory unavailable (${ssmFailure(managed.error)}): instances' SSM status unknown`,
      );
    }

    const known = new Set(ec2Snapshot.vpcs.map((v) => v.vpcId));
    const missing = (requested ?? []).filter((id) => !known.has(id));
    if (missing.length > 0 && !options.ignoreMissing) throw new VpcNotFoundError(missing, region);
    const wanted = requested ? new Set(requested) : undefined;
    const vpcs = wanted ? ec2Snapshot.vpcs.filter((v) => wanted.has(v.vpcId)) : ec2Snapshot.vpcs;

    const workloads = this.workloadsByVpc(ec2Snapshot, ecsSnapshot, managedIds, warnings);

    const ecsVpcIds = vpcs
      .map((v) => v.vpcId)
      .filter((id) => {
        const w = workloads.get(id);
        return !!w && (w.containerInstances.length > 0 || w.services.length > 0);
      });
    const [dns, serving] = await Promise.all([
      ecsVpcIds.length > 0
        ? readDnsAttributes(ec2, ecsVpcIds, this.options.dnsAttributeConcurrency ?? 8)
        : Promise.resolve(new Map<string, VpcDnsAttributes>()),
      this.readServing(requested ? vpcs.map((v) => v.vpcId) : undefined, ecsVpcIds, warnings),
    ]);

    const observed: ObservedVpc[] = vpcs.map((vpc) => {
      const w = workloads.get(vpc.vpcId);
      const services = w?.services ?? [];
      const usage = {
        privateEcrImages: false,
        awslogs: false,
        secretsManagerSecrets: false,
        ssmParameters: false,
      };
      for (const service of services) {
        const td = ecsSnapshot.taskDefinitions.get(service.taskDefinitionArn);
        if (!td) continue;
        usage.privateEcrImages ||= td.privateEcrImages;
        usage.awslogs ||= td.awslogs;
        usage.secretsManagerSecrets ||= td.secretsManager;
        usage.ssmParameters ||= td.ssmParameters;
      }
      const workloadUsage: WorkloadUsage = {
        ec2ContainerInstances: w?.containerInstances.length ?? 0,
        fargateServices: services.filter((s) => s.usesFargate).length,
        ec2Services: services.filter((s) => !s.usesFargate).length,
        ...usage,
        subnetIds: [...(w?.subnetIds ?? [])].sort(),
        ...(w && w.awsvpcPlacements.length > 0 ? { awsvpcPlacements: w.awsvpcPlacements } : {}),
      };
      return observedVpc(vpc, w?.containerInstances ?? [], workloadUsage, dns.get(vpc.vpcId));
    });

    const contextVpcs =
      requested && serving.hostedZones
        ? await readHubVpcs(ec2, region, serving.hostedZones, observed, this.options.readEc2)
        : [];
    return {
      region,
      vpcs: observed,
      ...serving,
      ...(contextVpcs.length > 0 ? { contextVpcs } : {}),
      endpointServices: ec2Snapshot.endpointServices,
      warnings,
    };
  }

  /**
   * Private hosted zones and Resolver rules, when the clients are given. Zones: the account's own,
   * and other accounts' associated with the VPCs that run ECS workloads (those needing endpoints);
   * rules: the associations of the VPCs read (all of the Region's for a whole-Region read). A read
   * that fails is a warning and leaves its field absent: services are then planned as local
   * endpoints, as before zones and rules were read.
   */
  private async readServing(
    scopedVpcIds: readonly string[] | undefined,
    ecsVpcIds: readonly string[],
    warnings: string[],
  ): Promise<Pick<ObservedRegion, 'hostedZones' | 'resolverRules'>> {
    const { route53, resolver, region } = this.options;
    // No VPC of those asked for exists: nothing to serve, nothing read.
    if (scopedVpcIds !== undefined && scopedVpcIds.length === 0) return {};
    const [zones, rules] = await Promise.all([
      route53 ? settle(readHostedZones(route53, { region, vpcIds: ecsVpcIds })) : Promise.resolve(undefined),
      resolver
        ? settle(readResolverRules(resolver, scopedVpcIds ? { vpcIds: scopedVpcIds } : {}))
        : Promise.resolve(undefined),
    ]);
    if (zones && !zones.ok)
      warnings.push(
        `Route 53 private hosted zones unavailable (${errorMessage(zones.error)}): centrally served endpoints not considered`,
      );
    if (rules && !rules.ok)
      warnings.push(
        `Route 53 Resolver rules unavailable (${errorMessage(rules.error)}): forwarding rules not considered`,
      );
    return {
      ...(zones?.ok ? { hostedZones: zones.value } : {}),
      ...(rules?.ok ? { resolverRules: rules.value } : {}),
    };
  }

  /** EC2, ECS and SSM of the whole Region, read concurrently. */
  private async readWhole(): Promise<Sources> {
    const { ec2, ssm, region } = this.options;
    const [ec2Snapshot, ecsSnapshot, managed] = await Promise.all([
      (this.options.readEc2 ?? readEc2Snapshot)(ec2, region),
      this.readEcs(),
      settle((this.options.readManagedInstances ?? readManagedInstanceIds)(ssm)),
    ]);
    return { ec2Snapshot, ecsSnapshot, managed };
  }

  /**
   * Only `vpcIds`: EC2 first (every Describe filtered by vpc-id; it says which instances and subnets
   * the VPCs hold), then ECS on those instances and subnets, then SSM about the container instances
   * found (none: no SSM call). No VPC found: no ECS or SSM call either.
   */
  private async readScoped(vpcIds: readonly string[]): Promise<Sources> {
    const { ec2, ssm, region } = this.options;
    const ec2Snapshot = await (this.options.readEc2 ?? readEc2Snapshot)(ec2, region, { vpcIds });
    const inScope = new Set(vpcIds);
    const vpcOf = (i: Ec2InstanceRecord) =>
      i.vpcId ?? (i.subnetId ? ec2Snapshot.subnetVpcs.get(i.subnetId) : undefined);
    const instanceIds = [...ec2Snapshot.instances.values()]
      .filter((i) => inScope.has(vpcOf(i) ?? ''))
      .map((i) => i.instanceId)
      .sort();
    const subnetIds = [...ec2Snapshot.subnetVpcs].filter(([, vpcId]) => inScope.has(vpcId)).map(([id]) => id);
    const ecsSnapshot: EcsSnapshot =
      ec2Snapshot.vpcs.length === 0
        ? { containerInstances: [], services: [], taskDefinitions: new Map() }
        : await this.readEcs({ ec2InstanceIds: instanceIds, subnetIds });
    const hosts = [
      ...new Set(
        ecsSnapshot.containerInstances
          .filter((r) => r.status.toUpperCase() !== 'INACTIVE' && ec2Snapshot.instances.has(r.ec2InstanceId))
          .map((r) => r.ec2InstanceId),
      ),
    ];
    const managed =
      hosts.length > 0
        ? await settle((this.options.readManagedInstances ?? readManagedInstanceIds)(ssm, hosts))
        : { ok: true as const, value: new Set<string>() as ReadonlySet<string> };
    return { ec2Snapshot, ecsSnapshot, managed };
  }

  /** Container instances and services of every VPC (of the whole Region: services span clusters). */
  private workloadsByVpc(
    ec2: Ec2Snapshot,
    ecs: EcsSnapshot,
    managedIds: ReadonlySet<string> | undefined,
    warnings: string[],
  ): Map<string, VpcWorkloads> {
    const byVpc = new Map<string, VpcWorkloads>();
    const entry = (vpcId: string): VpcWorkloads => {
      let w = byVpc.get(vpcId);
      if (!w) {
        w = { containerInstances: [], services: [], subnetIds: new Set(), awsvpcPlacements: [] };
        byVpc.set(vpcId, w);
      }
      return w;
    };

    const clusterVpcs = new Map<string, Set<string>>();
    const unmappedInstances: EcsContainerInstanceRecord[] = [];
    for (const record of ecs.containerInstances) {
      if (record.status.toUpperCase() === 'INACTIVE') continue;
      const instance = ec2.instances.get(record.ec2InstanceId);
      const vpcId =
        instance?.vpcId ?? (instance?.subnetId ? ec2.subnetVpcs.get(instance.subnetId) : undefined);
      if (!instance || !vpcId) {
        unmappedInstances.push(record);
        continue;
      }
      const observed: ObservedContainerInstance = {
        containerInstanceArn: record.containerInstanceArn,
        clusterArn: record.clusterArn,
        ec2InstanceId: record.ec2InstanceId,
        ...(instance.subnetId ? { subnetId: instance.subnetId } : {}),
        ...(instance.availabilityZone ? { availabilityZone: instance.availabilityZone } : {}),
        ...(record.agentVersion ? { agentVersion: record.agentVersion } : {}),
        agentConnected: record.agentConnected,
        platform: platformOf(record.attributes, instance),
        ...(managedIds ? { ssmManaged: managedIds.has(record.ec2InstanceId) } : {}),
        ...(instance.hasPublicIpv4 ? { hasPublicIpv4: true } : {}),
        status: record.status,
      };
      const w = entry(vpcId);
      w.containerInstances.push(observed);
      if (instance.subnetId) w.subnetIds.add(instance.subnetId);
      const vpcsOfCluster = clusterVpcs.get(record.clusterArn) ?? new Set<string>();
      vpcsOfCluster.add(vpcId);
      clusterVpcs.set(record.clusterArn, vpcsOfCluster);
    }
    if (unmappedInstances.length > 0) {
      const ids = unmappedInstances.map((r) => r.ec2InstanceId);
      warnings.push(
        `${ids.length} container instance(s) not matched to an EC2 instance in a VPC of this Region (${ids
          .slice(0, 5)
          .join(', ')}${ids.length > 5 ? ', …' : ''}): left out`,
      );
    }

    for (const service of ecs.services) {
      const awsvpcVpcs = new Set<string>();
      for (const subnetId of service.awsvpcSubnetIds) {
        const vpcId = ec2.subnetVpcs.get(subnetId);
        if (!vpcId) continue;
        awsvpcVpcs.add(vpcId);
        entry(vpcId).subnetIds.add(subnetId);
        entry(vpcId).awsvpcPlacements.push({ subnetId, assignPublicIp: service.assignPublicIp });
      }
      // Not awsvpc (bridge/host networking): the service runs where its cluster's instances are.
      const vpcIds =
        service.awsvpcSubnetIds.length > 0
          ? awsvpcVpcs
          : (clusterVpcs.get(service.clusterArn) ?? new Set<string>());
      for (const vpcId of vpcIds) entry(vpcId).services.push(service);
    }
    return byVpc;
  }
}

/**
 * The hub VPCs of some zones: the VPCs of the endpoints the zones' alias records point at (the id is
 * in the endpoint's DNS name), when those endpoints are not in the VPCs already read. One
 * DescribeVpcEndpoints filtered by those ids places them, then one EC2 read scoped to their VPCs;
 * nothing when every target is local or names no endpoint. The VPCs come back as context (no
 * workloads read): they are never planned.
 */
export async function readHubVpcs(
  ec2: EC2Client,
  region: string,
  zones: readonly ObservedHostedZone[],
  read: readonly ObservedVpc[],
  readEc2: (ec2: EC2Client, region: string, scope?: Ec2ReadScope) => Promise<Ec2Snapshot> = readEc2Snapshot,
): Promise<ObservedVpc[]> {
  const local = new Set(read.flatMap((v) => v.endpoints.map((e) => e.endpointId)));
  const targets = [
    ...new Set(
      zones.flatMap((z) =>
        z.aliasRecords.flatMap((r) => {
          const id = endpointIdOfDnsName(r.target);
          return id && !local.has(id) ? [id] : [];
        }),
      ),
    ),
  ].sort();
  if (targets.length === 0) return [];
  const placed = await locateResources(ec2, {
    vpcIds: [],
    subnetIds: [],
    securityGroupIds: [],
    networkAclIds: [],
    endpointIds: targets,
    instanceIds: [],
  });
  const readIds = new Set(read.map((v) => v.vpcId));
  const hubIds = [...new Set(placed.values())].filter((id) => !readIds.has(id)).sort();
  if (hubIds.length === 0) return [];
  const snapshot = await readEc2(ec2, region, { vpcIds: hubIds });
  return snapshot.vpcs.map((vpc) => observedVpc(vpc, [], NO_WORKLOADS, undefined));
}

/** A VPC's EC2 snapshot with what was read of its workloads and DNS attributes (undefined: not read). */
function observedVpc(
  vpc: Ec2VpcSnapshot,
  containerInstances: readonly ObservedContainerInstance[],
  workloads: WorkloadUsage,
  attributes: VpcDnsAttributes | undefined,
): ObservedVpc {
  return {
    vpcId: vpc.vpcId,
    isDefault: vpc.isDefault,
    cidrBlocks: vpc.cidrBlocks,
    tags: vpc.tags,
    ...(attributes
      ? { enableDnsSupport: attributes.enableDnsSupport, enableDnsHostnames: attributes.enableDnsHostnames }
      : {}),
    domainNameServers: vpc.domainNameServers,
    subnets: vpc.subnets,
    routeTables: vpc.routeTables,
    networkAcls: vpc.networkAcls,
    securityGroups: vpc.securityGroups,
    endpoints: vpc.endpoints,
    containerInstances,
    workloads,
  };
}

import {
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  UpdateContainerAgentCommand,
  paginateListClusters,
  paginateListContainerInstances,
  paginateListServices,
  type ContainerDefinition,
  type ContainerInstance,
  type ECSClient,
  type Service,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import type { ObservedContainerInstance } from '../core/domain.js';
import type { EcsAgentControl } from '../core/ports.js';
import { mapWithConcurrency as mapBounded } from './concurrency.js';

export interface EcsContainerInstanceRecord {
  containerInstanceArn: string;
  clusterArn: string;
  ec2InstanceId: string;
  agentVersion?: string;
  agentConnected: boolean;
  status: string;
  attributes: Readonly<Record<string, string>>;
}

export interface EcsServiceRecord {
  serviceArn: string;
  clusterArn: string;
  usesFargate: boolean;
  awsvpcSubnetIds: readonly string[];
  /** awsvpcConfiguration.assignPublicIp is ENABLED: its tasks get a public IPv4 address. */
  assignPublicIp: boolean;
  taskDefinitionArn: string;
}

export interface TaskDefinitionUsage {
  privateEcrImages: boolean;
  awslogs: boolean;
  secretsManager: boolean;
  ssmParameters: boolean;
}

export interface EcsSnapshot {
  containerInstances: readonly EcsContainerInstanceRecord[];
  services: readonly EcsServiceRecord[];
  /** Keyed by task definition ARN (with revision). */
  taskDefinitions: ReadonlyMap<string, TaskDefinitionUsage>;
}

/** API limits per call. */
export const DESCRIBE_CONTAINER_INSTANCES_BATCH = 100;
export const DESCRIBE_SERVICES_BATCH = 10;
/** Task definition reads in flight at once. */
export const TASK_DEFINITION_CONCURRENCY = 8;
/** Clusters read in flight at once. */
const CLUSTER_CONCURRENCY = 4;
/** Task definition revisions a reader remembers (four booleans each). */
export const TASK_DEFINITION_CACHE_SIZE = 2000;

/** `arn:<partition>:ecs:<region>:<account>:task-definition/<family>:<revision>`. */
const TASK_DEFINITION_REVISION_ARN = /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:task-definition\/[^:/]+:\d+$/;

/**
 * What task definition revisions need, kept across reads: a revision never changes (a change to a
 * task definition registers a new revision: "Updating an Amazon ECS task definition", Amazon ECS
 * developer guide, https://docs.aws.amazon.com/AmazonECS/latest/developerguide/update-task-definition-console-v2.html),
 * and a deleted revision's number is not given again ("the revision is incremented the next time you
 * create a task definition with that name": "Deleting an Amazon ECS task definition revision",
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/delete-task-definition-v2.html), so a
 * revision read once need not be read again. Keyed by the full ARN with its revision; the oldest
 * entry leaves first beyond `capacity`.
 */
export class TaskDefinitionCache {
  private readonly entries = new Map<string, TaskDefinitionUsage>();

  constructor(private readonly capacity = TASK_DEFINITION_CACHE_SIZE) {}

  get(arn: string): TaskDefinitionUsage | undefined {
    return this.entries.get(arn);
  }

  /** Remembers `usage` when `arn` names one revision (a family name alone could move on). */
  set(arn: string, usage: TaskDefinitionUsage): void {
    if (!TASK_DEFINITION_REVISION_ARN.test(arn)) return;
    this.entries.delete(arn);
    this.entries.set(arn, usage);
    for (const oldest of this.entries.keys()) {
      if (this.entries.size <= this.capacity) break;
      this.entries.delete(oldest);
    }
  }

  get size(): number {
    return this.entries.size;
  }
}

function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** `<12 digits>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`: a private ECR registry. */
const PRIVATE_ECR_HOST = /^\d{12}\.dkr\.ecr(?:-fips)?\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?$/;
const SECRETS_MANAGER_ARN = /^arn:aws[a-z-]*:secretsmanager:/;
const SSM_ARN = /^arn:aws[a-z-]*:ssm:/;

/** The registry host of an image reference, or undefined for Docker Hub short names. */
function imageHost(image: string): string | undefined {
  const slash = image.indexOf('/');
  if (slash < 0) return undefined;
  const first = image.slice(0, slash);
  return first.includes('.') || first.includes(':') ? first.split(':')[0] : undefined;
}

export function isPrivateEcrImage(image: string): boolean {
  const host = imageHost(image);
  return host !== undefined && PRIVATE_ECR_HOST.test(host.toLowerCase());
}

type SecretSource = 'secretsManager' | 'ssmParameters' | undefined;

/**
 * Where a `secrets[].valueFrom` lives: Secrets Manager only by ARN; an SSM parameter by ARN or by
 * its bare name/path (same Region). Other ARNs (another service) are neither.
 */
function secretValueSource(valueFrom: string): SecretSource {
  if (SECRETS_MANAGER_ARN.test(valueFrom)) return 'secretsManager';
  if (SSM_ARN.test(valueFrom)) return 'ssmParameters';
  if (valueFrom.startsWith('arn:')) return undefined;
  return valueFrom.length > 0 ? 'ssmParameters' : undefined;
}

/** What a task definition needs from AWS services when its tasks start. Pure. */
export function taskDefinitionUsage(taskDefinition: TaskDefinition): TaskDefinitionUsage {
  const usage: TaskDefinitionUsage = {
    privateEcrImages: false,
    awslogs: false,
    secretsManager: false,
    ssmParameters: false,
  };
  const mark = (source: SecretSource): void => {
    if (source) usage[source] = true;
  };
  const containers: readonly ContainerDefinition[] = taskDefinition.containerDefinitions ?? [];
  for (const container of containers) {
    if (container.image && isPrivateEcrImage(container.image)) usage.privateEcrImages = true;
    if (container.logConfiguration?.logDriver === 'awslogs') usage.awslogs = true;
    for (const secret of container.secrets ?? []) mark(secretValueSource(secret.valueFrom ?? ''));
    for (const secret of container.logConfiguration?.secretOptions ?? []) {
      mark(secretValueSource(secret.valueFrom ?? ''));
    }
    // Private registry credentials are always a Secrets Manager secret, given by ARN or by name.
    const credentials = container.repositoryCredentials?.credentialsParameter;
    if (credentials) {
      mark(SSM_ARN.test(credentials) ? 'ssmParameters' : 'secretsManager');
    }
  }
  return usage;
}

function usesFargate(service: Service): boolean {
  if (service.launchType === 'FARGATE') return true;
  return (service.capacityProviderStrategy ?? []).some(
    (item) => item.capacityProvider === 'FARGATE' || item.capacityProvider === 'FARGATE_SPOT',
  );
}

function toContainerInstanceRecord(
  clusterArn: string,
  instance: ContainerInstance,
): EcsContainerInstanceRecord | undefined {
  if (!instance.containerInstanceArn || !instance.ec2InstanceId) return undefined;
  const attributes: Record<string, string> = {};
  for (const attribute of instance.attributes ?? []) {
    if (attribute.name !== undefined && attribute.value !== undefined) {
      attributes[attribute.name] = attribute.value;
    }
  }
  return {
    containerInstanceArn: instance.containerInstanceArn,
    clusterArn,
    ec2InstanceId: instance.ec2InstanceId,
    ...(instance.versionInfo?.agentVersion ? { agentVersion: instance.versionInfo.agentVersion } : {}),
    agentConnected: instance.agentConnected ?? false,
    status: instance.status ?? 'UNKNOWN',
    attributes,
  };
}

async function describeContainerInstancesBatched(
  ecs: ECSClient,
  clusterArn: string,
  containerInstanceArns: readonly string[],
): Promise<ContainerInstance[]> {
  const described: ContainerInstance[] = [];
  for (const batch of chunk(containerInstanceArns, DESCRIBE_CONTAINER_INSTANCES_BATCH)) {
    const { containerInstances } = await ecs.send(
      new DescribeContainerInstancesCommand({ cluster: clusterArn, containerInstances: batch }),
    );
    described.push(...(containerInstances ?? []));
  }
  return described;
}

/**
 * EC2 instance ids per ListContainerInstances filter. The API reference gives the filter no length
 * bound, and the cluster query language caps a placement expression at 2,000 characters; 50 ids of
 * 19 characters (`i-` and 17 hex digits) plus separators stay near 1,100, well inside that.
 */
export const INSTANCE_IDS_PER_FILTER = 50;

/**
 * The container instance ARNs of a cluster; with `ec2InstanceIds`, only those on these EC2
 * instances, asked with the cluster query language's `ec2InstanceId in [...]` ("Cluster query
 * language", Amazon ECS developer guide, https://docs.aws.amazon.com/AmazonECS/latest/developerguide/cluster-query-language.html).
 */
async function listContainerInstanceArns(
  ecs: ECSClient,
  clusterArn: string,
  ec2InstanceIds: readonly string[] | undefined,
): Promise<string[]> {
  const filters = ec2InstanceIds
    ? chunk(ec2InstanceIds, INSTANCE_IDS_PER_FILTER).map((ids) => `ec2InstanceId in [${ids.join(', ')}]`)
    : [undefined];
  const arns: string[] = [];
  for (const filter of filters) {
    for await (const page of paginateListContainerInstances(
      { client: ecs, pageSize: 100 },
      { cluster: clusterArn, ...(filter ? { filter } : {}) },
    )) {
      arns.push(...(page.containerInstanceArns ?? []));
    }
  }
  return [...new Set(arns)];
}

async function readCluster(
  ecs: ECSClient,
  clusterArn: string,
  scope: EcsReadScope | undefined,
): Promise<{ instances: EcsContainerInstanceRecord[]; services: EcsServiceRecord[] }> {
  const instanceArns =
    scope && scope.ec2InstanceIds.length === 0
      ? []
      : await listContainerInstanceArns(ecs, clusterArn, scope?.ec2InstanceIds);
  const instances = (await describeContainerInstancesBatched(ecs, clusterArn, instanceArns))
    .map((instance) => toContainerInstanceRecord(clusterArn, instance))
    .filter((record): record is EcsContainerInstanceRecord => record !== undefined);

  const serviceArns: string[] = [];
  for await (const page of paginateListServices({ client: ecs, pageSize: 100 }, { cluster: clusterArn })) {
    serviceArns.push(...(page.serviceArns ?? []));
  }
  const services: EcsServiceRecord[] = [];
  for (const batch of chunk(serviceArns, DESCRIBE_SERVICES_BATCH)) {
    const response = await ecs.send(new DescribeServicesCommand({ cluster: clusterArn, services: batch }));
    for (const service of response.services ?? []) {
      if (!service.serviceArn || !service.taskDefinition) continue;
      services.push({
        serviceArn: service.serviceArn,
        clusterArn,
        usesFargate: usesFargate(service),
        awsvpcSubnetIds: service.networkConfiguration?.awsvpcConfiguration?.subnets ?? [],
        assignPublicIp: service.networkConfiguration?.awsvpcConfiguration?.assignPublicIp === 'ENABLED',
        taskDefinitionArn: service.taskDefinition,
      });
    }
  }
  if (!scope) return { instances, services };
  // A service runs in the scope when its awsvpc subnets are there, or (bridge and host networking)
  // when its cluster has container instances there.
  const subnets = new Set(scope.subnetIds);
  const kept = services.filter((service) =>
    service.awsvpcSubnetIds.length > 0
      ? service.awsvpcSubnetIds.some((id) => subnets.has(id))
      : instances.length > 0,
  );
  return { instances, services: kept };
}

/** What an event-scoped read covers: the EC2 instances and subnets of the VPCs in scope. */
export interface EcsReadScope {
  /** Only container instances on these EC2 instances are listed and described. */
  readonly ec2InstanceIds: readonly string[];
  /** awsvpc services are kept only when one of their subnets is here. */
  readonly subnetIds: readonly string[];
}

/**
 * Reads every cluster's container instances and services, and each task definition those services
 * run exactly once (revisions are immutable). With a scope, container instances are listed only on
 * the scope's EC2 instances, and only the services that run in the scope are kept (and their task
 * definitions read). With a cache, a task definition revision already read is not read again.
 * Services are still listed and described in every cluster: ECS has no VPC or subnet filter for
 * services (ListServices filters by launch type and scheduling strategy only:
 * https://docs.aws.amazon.com/AmazonECS/latest/APIReference/API_ListServices.html), a Fargate
 * service placed by a capacity provider strategy has no launch type to filter on, and what runs in
 * a VPC right now does not tell which clusters to skip: a Fargate service scaled to zero, or an
 * awsvpc service of a cluster that has no container instance yet, has no task and no network
 * interface there, and still needs its endpoints (test/integration/scoped-read-equivalence.test.ts).
 */
export async function readEcsSnapshot(
  ecs: ECSClient,
  scope?: EcsReadScope,
  cache?: TaskDefinitionCache,
): Promise<EcsSnapshot> {
  const clusterArns: string[] = [];
  for await (const page of paginateListClusters({ client: ecs, pageSize: 100 }, {})) {
    clusterArns.push(...(page.clusterArns ?? []));
  }
  const clusters = await mapBounded(clusterArns, CLUSTER_CONCURRENCY, (arn) => readCluster(ecs, arn, scope));
  const containerInstances = clusters.flatMap((cluster) => cluster.instances);
  const services = clusters.flatMap((cluster) => cluster.services);

  const taskDefinitions = new Map<string, TaskDefinitionUsage>();
  const unread: string[] = [];
  for (const arn of new Set(services.map((service) => service.taskDefinitionArn))) {
    const known = cache?.get(arn);
    if (known) taskDefinitions.set(arn, known);
    else unread.push(arn);
  }
  const usages = await mapBounded(unread, TASK_DEFINITION_CONCURRENCY, async (arn) => {
    const { taskDefinition } = await ecs.send(new DescribeTaskDefinitionCommand({ taskDefinition: arn }));
    if (!taskDefinition) throw new Error(`ECS returned no task definition for ${arn}`);
    return taskDefinitionUsage(taskDefinition);
  });
  unread.forEach((arn, index) => {
    const usage = usages[index];
    if (!usage) return;
    taskDefinitions.set(arn, usage);
    cache?.set(arn, usage);
  });
  return { containerInstances, services, taskDefinitions };
}

function errorName(error: unknown): string | undefined {
  return error instanceof Error ? error.name : undefined;
}

/** Agent version checks and updates through the ECS API. */
export class EcsAgentControlAdapter implements EcsAgentControl {
  constructor(private readonly ecs: ECSClient) {}

  async describeContainerInstances(
    clusterArn: string,
    containerInstanceArns: readonly string[],
  ): Promise<
    readonly Pick<ObservedContainerInstance, 'containerInstanceArn' | 'agentConnected' | 'agentVersion'>[]
  > {
    const described = await describeContainerInstancesBatched(this.ecs, clusterArn, containerInstanceArns);
    return described.flatMap((instance) =>
      instance.containerInstanceArn
        ? [
            {
              containerInstanceArn: instance.containerInstanceArn,
              agentConnected: instance.agentConnected ?? false,
              ...(instance.versionInfo?.agentVersion
                ? { agentVersion: instance.versionInfo.agentVersion }
                : {}),
            },
          ]
        : [],
    );
  }

  /** An agent already current or already updating is the outcome asked for: not an error. */
  async updateContainerAgent(clusterArn: string, containerInstanceArn: string): Promise<void> {
    try {
      await this.ecs.send(
        new UpdateContainerAgentCommand({ cluster: clusterArn, containerInstance: containerInstanceArn }),
      );
    } catch (error) {
      const name = errorName(error);
      if (name === 'NoUpdateAvailableException' || name === 'UpdateInProgressException') return;
      throw error;
    }
  }
}

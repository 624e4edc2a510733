/**
 * Small building blocks for seeding an emulated (or sandbox) account with VPCs, ECS workloads and
 * endpoints. Every helper takes its client as a parameter and returns the ids it made.
 */
import {
  AllocateAddressCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcEndpointCommand,
  DeleteVpcEndpointsCommand,
  DescribeVpcAttributeCommand,
  ModifyVpcAttributeCommand,
  RunInstancesCommand,
  type EC2Client,
  type ResourceType,
  type Tag,
  type TagSpecification,
} from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  type ContainerDefinition,
  type ECSClient,
  type NetworkMode,
} from '@aws-sdk/client-ecs';
import { CreateInstanceProfileCommand, IAMClient } from '@aws-sdk/client-iam';
import { CreateSecretCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateDocumentCommand, PutParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { loadRestartDocument } from '../../shared/aws/restart-document.js';
import { endpointServiceName } from '../../shared/core/service-names.js';

/** The clients a seeder needs (structurally what shared/aws/clients.ts builds). */
export interface SeedClients {
  region: string;
  ec2: EC2Client;
  ecs: ECSClient;
  ssm: SSMClient;
  secretsManager: SecretsManagerClient;
}

export type Tags = Readonly<Record<string, string>>;

/** moto's default account; only the shape (12 digits) matters for image classification. */
export const SEED_ACCOUNT_ID = '123456789012';
/** An Amazon Linux 2 ECS-optimized AMI id (moto does not validate AMIs by default). */
export const SEED_AMI_ID = 'ami-0c1f4e6ab5d4bf5e0';
/** A Windows Server AMI from moto's built-in image list: instances launched from it have `platform: windows`. */
export const SEED_WINDOWS_AMI_ID = 'ami-1ecc1e67';
/** The agent version seeded container instances report unless told otherwise (current, not too old). */
export const SEED_AGENT_VERSION = '1.90.0';
/** The instance profile that makes a seeded instance SSM-managed. */
export const SEED_INSTANCE_PROFILE = 'ecsInstanceRole';
/**
 * The emulator's host kind tag (see emulator/host_sandbox.py): `ecs-optimized` (default),
 * `docker-agent`, `no-agent`, `restart-fails`.
 */
export const EMULATOR_HOST_TAG = 'emulator:host';

export function availabilityZones(region: string, count = 3): string[] {
  return ['a', 'b', 'c', 'd', 'e', 'f'].slice(0, count).map((letter) => `${region}${letter}`);
}

export function ecrImage(region: string, repository: string, tag = 'latest'): string {
  return `${SEED_ACCOUNT_ID}.dkr.ecr.${region}.amazonaws.com/${repository}:${tag}`;
}

export function toTagList(tags: Tags): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

function tagSpecifications(resourceType: ResourceType, tags: Tags): TagSpecification[] | undefined {
  return Object.keys(tags).length > 0 ? [{ ResourceType: resourceType, Tags: toTagList(tags) }] : undefined;
}

function required<T>(value: T | undefined | null, what: string): T {
  if (value === undefined || value === null) throw new Error(`seeding: ${what} came back empty`);
  return value;
}

export { mapWithConcurrency as mapBounded } from '../../shared/aws/concurrency.js';

// ---------------------------------------------------------------- network

export interface VpcSpec {
  cidr: string;
  name: string;
  tags?: Tags;
  enableDnsSupport?: boolean;
  enableDnsHostnames?: boolean;
}

/**
 * A VPC with the DNS attributes asked for (default: both on). New VPCs start with DNS support on and
 * DNS hostnames off, so only the attributes that differ from that are modified.
 */
export async function createVpc(ec2: EC2Client, spec: VpcSpec): Promise<string> {
  const { Vpc } = await ec2.send(
    new CreateVpcCommand({
      CidrBlock: spec.cidr,
      TagSpecifications: tagSpecifications('vpc', { Name: spec.name, ...spec.tags }),
    }),
  );
  const vpcId = required(Vpc?.VpcId, 'CreateVpc VpcId');
  if (spec.enableDnsSupport === false) {
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsSupport: { Value: false } }));
  }
  if (spec.enableDnsHostnames ?? true) {
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));
  }
  return vpcId;
}

export interface SeededSubnet {
  subnetId: string;
  availabilityZone: string;
  cidr: string;
  /** The subnet's own route table; undefined when it uses the VPC's main table. */
  routeTableId: string | undefined;
}

/** A subnet implicitly associated with the VPC's main route table. */
export async function createSubnet(
  ec2: EC2Client,
  spec: { vpcId: string; cidr: string; availabilityZone: string; name: string; tags?: Tags },
): Promise<SeededSubnet> {
  const { Subnet } = await ec2.send(
    new CreateSubnetCommand({
      VpcId: spec.vpcId,
      CidrBlock: spec.cidr,
      AvailabilityZone: spec.availabilityZone,
      TagSpecifications: tagSpecifications('subnet', { Name: spec.name, ...spec.tags }),
    }),
  );
  const subnetId = required(Subnet?.SubnetId, 'CreateSubnet SubnetId');
  return { subnetId, availabilityZone: spec.availabilityZone, cidr: spec.cidr, routeTableId: undefined };
}

/** A subnet with its own route table (local route only until someone adds one). */
export async function createSubnetWithRouteTable(
  ec2: EC2Client,
  spec: { vpcId: string; cidr: string; availabilityZone: string; name: string; tags?: Tags },
): Promise<SeededSubnet & { routeTableId: string }> {
  const subnet = await createSubnet(ec2, spec);
  const { RouteTable } = await ec2.send(
    new CreateRouteTableCommand({
      VpcId: spec.vpcId,
      TagSpecifications: tagSpecifications('route-table', { Name: `${spec.name}-rt` }),
    }),
  );
  const routeTableId = required(RouteTable?.RouteTableId, 'CreateRouteTable RouteTableId');
  await ec2.send(new AssociateRouteTableCommand({ RouteTableId: routeTableId, SubnetId: subnet.subnetId }));
  return { ...subnet, routeTableId };
}

/**
 * Private subnets: one per CIDR, spread round-robin over `availabilityZones`, each with its own
 * route table ('own', default) or on the VPC's main table ('main'); neither has a default route.
 */
export async function createPrivateSubnets(
  ec2: EC2Client,
  spec: {
    vpcId: string;
    cidrs: readonly string[];
    availabilityZones: readonly string[];
    namePrefix: string;
    routeTables?: 'own' | 'main';
  },
): Promise<SeededSubnet[]> {
  const create = spec.routeTables === 'main' ? createSubnet : createSubnetWithRouteTable;
  const subnets: SeededSubnet[] = [];
  for (const [index, cidr] of spec.cidrs.entries()) {
    const availabilityZone = required(
      spec.availabilityZones[index % spec.availabilityZones.length],
      'availability zone list',
    );
    subnets.push(
      await create(ec2, {
        vpcId: spec.vpcId,
        cidr,
        availabilityZone,
        name: `${spec.namePrefix}-private-${availabilityZone}`,
        tags: { tier: 'private' },
      }),
    );
  }
  return subnets;
}

/** A public subnet: its route table sends 0.0.0.0/0 to a new internet gateway. */
export async function createPublicSubnet(
  ec2: EC2Client,
  spec: { vpcId: string; cidr: string; availabilityZone: string; name: string },
): Promise<SeededSubnet & { routeTableId: string; internetGatewayId: string }> {
  const subnet = await createSubnetWithRouteTable(ec2, { ...spec, tags: { tier: 'public' } });
  const { InternetGateway } = await ec2.send(
    new CreateInternetGatewayCommand({
      TagSpecifications: tagSpecifications('internet-gateway', { Name: `${spec.name}-igw` }),
    }),
  );
  const internetGatewayId = required(InternetGateway?.InternetGatewayId, 'CreateInternetGateway id');
  await ec2.send(
    new AttachInternetGatewayCommand({ InternetGatewayId: internetGatewayId, VpcId: spec.vpcId }),
  );
  await ec2.send(
    new CreateRouteCommand({
      RouteTableId: subnet.routeTableId,
      DestinationCidrBlock: '0.0.0.0/0',
      GatewayId: internetGatewayId,
    }),
  );
  return { ...subnet, internetGatewayId };
}

/** A NAT gateway in a public subnet, and a default route to it from each given route table. */
export async function createNatGatewayRoutes(
  ec2: EC2Client,
  spec: { publicSubnetId: string; routeTableIds: readonly string[] },
): Promise<string> {
  const { AllocationId } = await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }));
  const { NatGateway } = await ec2.send(
    new CreateNatGatewayCommand({
      SubnetId: spec.publicSubnetId,
      AllocationId: required(AllocationId, 'AllocateAddress AllocationId'),
    }),
  );
  const natGatewayId = required(NatGateway?.NatGatewayId, 'CreateNatGateway id');
  for (const routeTableId of spec.routeTableIds) {
    await ec2.send(
      new CreateRouteCommand({
        RouteTableId: routeTableId,
        DestinationCidrBlock: '0.0.0.0/0',
        NatGatewayId: natGatewayId,
      }),
    );
  }
  return natGatewayId;
}

/** A security group, optionally allowing tcp/443 in from the given CIDRs. */
export async function createSecurityGroup(
  ec2: EC2Client,
  spec: { vpcId: string; name: string; description: string; httpsFromCidrs?: readonly string[]; tags?: Tags },
): Promise<string> {
  const { GroupId } = await ec2.send(
    new CreateSecurityGroupCommand({
      VpcId: spec.vpcId,
      GroupName: spec.name,
      Description: spec.description,
      TagSpecifications: tagSpecifications('security-group', { Name: spec.name, ...spec.tags }),
    }),
  );
  const groupId = required(GroupId, 'CreateSecurityGroup GroupId');
  const cidrs = spec.httpsFromCidrs ?? [];
  if (cidrs.length > 0) {
    await ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [
          {
            IpProtocol: 'tcp',
            FromPort: 443,
            ToPort: 443,
            IpRanges: cidrs.map((CidrIp) => ({ CidrIp, Description: 'HTTPS to endpoints' })),
          },
        ],
      }),
    );
  }
  return groupId;
}

// ---------------------------------------------------------------- endpoints

export async function createInterfaceEndpoint(
  ec2: EC2Client,
  spec: {
    region: string;
    vpcId: string;
    service: string;
    subnetIds: readonly string[];
    securityGroupIds: readonly string[];
    privateDnsEnabled: boolean;
    tags?: Tags;
  },
): Promise<string> {
  // EC2 refuses private DNS on a VPC without both DNS attributes ("Access an AWS service using an
  // interface VPC endpoint", AWS PrivateLink guide). A seeded VPC with an attribute off and a
  // private-DNS endpoint is one whose attribute was turned off after the endpoint was created.
  const restore = spec.privateDnsEnabled ? await enableDnsAttributesFor(ec2, spec.vpcId) : [];
  const { VpcEndpoint } = await ec2.send(
    new CreateVpcEndpointCommand({
      VpcId: spec.vpcId,
      VpcEndpointType: 'Interface',
      ServiceName: endpointServiceName(spec.region, spec.service),
      SubnetIds: [...spec.subnetIds],
      SecurityGroupIds: [...spec.securityGroupIds],
      PrivateDnsEnabled: spec.privateDnsEnabled,
      TagSpecifications: tagSpecifications('vpc-endpoint', { Name: spec.service, ...spec.tags }),
    }),
  );
  for (const undo of restore) await ec2.send(undo);
  return required(VpcEndpoint?.VpcEndpointId, 'CreateVpcEndpoint id');
}

/** Turns on the VPC DNS attributes that are off; returns the calls that turn them off again. */
export async function enableDnsAttributesFor(
  ec2: EC2Client,
  vpcId: string,
): Promise<ModifyVpcAttributeCommand[]> {
  const undo: ModifyVpcAttributeCommand[] = [];
  const support = await ec2.send(
    new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsSupport' }),
  );
  if (support.EnableDnsSupport?.Value !== true) {
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsSupport: { Value: true } }));
    undo.push(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsSupport: { Value: false } }));
  }
  const hostnames = await ec2.send(
    new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsHostnames' }),
  );
  if (hostnames.EnableDnsHostnames?.Value !== true) {
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));
    undo.push(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: false } }));
  }
  return undo;
}

export async function createGatewayEndpoint(
  ec2: EC2Client,
  spec: { region: string; vpcId: string; service: 's3' | 'dynamodb'; routeTableIds: readonly string[] },
): Promise<string> {
  const { VpcEndpoint } = await ec2.send(
    new CreateVpcEndpointCommand({
      VpcId: spec.vpcId,
      VpcEndpointType: 'Gateway',
      ServiceName: endpointServiceName(spec.region, spec.service),
      RouteTableIds: [...spec.routeTableIds],
    }),
  );
  return required(VpcEndpoint?.VpcEndpointId, 'CreateVpcEndpoint id');
}

export async function deleteEndpoint(ec2: EC2Client, endpointId: string): Promise<void> {
  await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [endpointId] }));
}

/** Publishes the restart document (documents/restart-ecs-agent.yml) as the deployment does. */
export async function publishRestartDocument(ssm: SSMClient, name: string): Promise<void> {
  await ssm.send(
    new CreateDocumentCommand({
      Name: name,
      DocumentType: 'Command',
      DocumentFormat: 'YAML',
      Content: loadRestartDocument().content,
    }),
  );
}

/** Turns a VPC's enableDnsHostnames attribute on or off (e.g. the drift of someone switching it off). */
export async function setDnsHostnames(ec2: EC2Client, vpcId: string, enabled: boolean): Promise<void> {
  await ec2.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: enabled } }));
}

// ---------------------------------------------------------------- compute and ECS

export async function launchInstance(
  ec2: EC2Client,
  spec: {
    subnetId: string;
    name: string;
    securityGroupIds?: readonly string[];
    tags?: Tags;
    /** Launch with this instance profile (SSM-managed). */
    instanceProfileName?: string;
    imageId?: string;
    publicIp?: boolean;
  },
): Promise<string> {
  const { Instances } = await ec2.send(
    new RunInstancesCommand({
      ImageId: spec.imageId ?? SEED_AMI_ID,
      InstanceType: 't3.medium',
      MinCount: 1,
      MaxCount: 1,
      ...(spec.publicIp
        ? {
            NetworkInterfaces: [
              {
                DeviceIndex: 0,
                SubnetId: spec.subnetId,
                AssociatePublicIpAddress: true,
                ...(spec.securityGroupIds ? { Groups: [...spec.securityGroupIds] } : {}),
              },
            ],
          }
        : {
            SubnetId: spec.subnetId,
            ...(spec.securityGroupIds ? { SecurityGroupIds: [...spec.securityGroupIds] } : {}),
          }),
      ...(spec.instanceProfileName ? { IamInstanceProfile: { Name: spec.instanceProfileName } } : {}),
      TagSpecifications: tagSpecifications('instance', { Name: spec.name, ...spec.tags }),
    }),
  );
  return required(Instances?.[0]?.InstanceId, 'RunInstances InstanceId');
}

/** An IAM client for the same endpoint, Region and credentials as the EC2 client. */
export function iamClientFor(ec2: EC2Client): IAMClient {
  const { endpoint, credentials, region } = ec2.config;
  return new IAMClient({ ...(endpoint ? { endpoint } : {}), credentials, region, maxAttempts: 1 });
}

/** Creates the instance profile SSM-managed instances are launched with (once per account). */
export async function ensureInstanceProfile(iam: IAMClient, name = SEED_INSTANCE_PROFILE): Promise<string> {
  try {
    await iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: name }));
  } catch (error) {
    const exists = error instanceof Error && /^EntityAlreadyExists/.test(error.name);
    if (!exists) throw error;
  }
  return name;
}

export async function createCluster(ecs: ECSClient, name: string, tags: Tags = {}): Promise<string> {
  const { cluster } = await ecs.send(
    new CreateClusterCommand({
      clusterName: name,
      tags: Object.entries(tags).map(([key, value]) => ({ key, value })),
    }),
  );
  return required(cluster?.clusterArn, 'CreateCluster clusterArn');
}

/** Registers an EC2 instance the way the agent does (moto reads `instanceId` from the document). */
export async function registerContainerInstance(
  ecs: ECSClient,
  spec: {
    region: string;
    clusterArn: string;
    instanceId: string;
    availabilityZone: string;
    /** The agent's version (`versionInfo`); default SEED_AGENT_VERSION. */
    agentVersion?: string;
    osType?: 'linux' | 'windows';
  },
): Promise<string> {
  const document = {
    accountId: SEED_ACCOUNT_ID,
    architecture: 'x86_64',
    availabilityZone: spec.availabilityZone,
    imageId: SEED_AMI_ID,
    instanceId: spec.instanceId,
    instanceType: 't3.medium',
    region: spec.region,
  };
  const { containerInstance } = await ecs.send(
    new RegisterContainerInstanceCommand({
      cluster: spec.clusterArn,
      instanceIdentityDocument: JSON.stringify(document),
      versionInfo: {
        agentVersion: spec.agentVersion ?? SEED_AGENT_VERSION,
        agentHash: 'a1b2c3d4',
        dockerVersion: 'DockerVersion: 25.0.8',
      },
      attributes: [
        { name: 'ecs.os-type', value: spec.osType ?? 'linux' },
        { name: 'ecs.cpu-architecture', value: 'x86_64' },
      ],
    }),
  );
  return required(containerInstance?.containerInstanceArn, 'RegisterContainerInstance arn');
}

export interface ContainerInstanceSpec {
  clusterArn: string;
  subnet: SeededSubnet;
  name: string;
  /** Launched with an instance profile, so SSM manages it. */
  ssmManaged?: boolean;
  platform?: 'linux' | 'windows';
  agentVersion?: string;
  /** The emulator's host kind (EMULATOR_HOST_TAG). */
  host?: 'ecs-optimized' | 'docker-agent' | 'no-agent' | 'restart-fails';
  publicIp?: boolean;
}

/** Launches an instance in the subnet and registers it in the cluster. */
export async function launchContainerInstance(
  clients: Pick<SeedClients, 'region' | 'ec2' | 'ecs'> & { iam?: IAMClient },
  spec: ContainerInstanceSpec,
): Promise<{ instanceId: string; containerInstanceArn: string }> {
  let instanceProfileName: string | undefined;
  if (spec.ssmManaged) {
    instanceProfileName = await ensureInstanceProfile(clients.iam ?? iamClientFor(clients.ec2));
  }
  const instanceId = await launchInstance(clients.ec2, {
    subnetId: spec.subnet.subnetId,
    name: spec.name,
    ...(instanceProfileName ? { instanceProfileName } : {}),
    ...(spec.platform === 'windows' ? { imageId: SEED_WINDOWS_AMI_ID } : {}),
    ...(spec.host ? { tags: { [EMULATOR_HOST_TAG]: spec.host } } : {}),
    ...(spec.publicIp ? { publicIp: true } : {}),
  });
  const containerInstanceArn = await registerContainerInstance(clients.ecs, {
    region: clients.region,
    clusterArn: spec.clusterArn,
    instanceId,
    availabilityZone: spec.subnet.availabilityZone,
    ...(spec.agentVersion ? { agentVersion: spec.agentVersion } : {}),
    osType: spec.platform ?? 'linux',
  });
  return { instanceId, containerInstanceArn };
}

export interface TaskDefinitionSpec {
  family: string;
  image: string;
  networkMode?: NetworkMode;
  fargate?: boolean;
  /** awslogs log group; no log configuration when absent. */
  awslogsGroup?: string;
  /** secrets[].valueFrom values (Secrets Manager ARNs, SSM parameter ARNs or names). */
  secretValueFrom?: readonly string[];
}

export async function registerTaskDefinition(
  clients: Pick<SeedClients, 'region' | 'ecs'>,
  spec: TaskDefinitionSpec,
): Promise<string> {
  const container: ContainerDefinition = {
    name: 'app',
    image: spec.image,
    essential: true,
    memory: 512,
    cpu: 256,
    ...(spec.awslogsGroup
      ? {
          logConfiguration: {
            logDriver: 'awslogs',
            options: {
              'awslogs-group': spec.awslogsGroup,
              'awslogs-region': clients.region,
              'awslogs-stream-prefix': spec.family,
            },
          },
        }
      : {}),
    ...(spec.secretValueFrom && spec.secretValueFrom.length > 0
      ? {
          secrets: spec.secretValueFrom.map((valueFrom, index) => ({
            name: `SECRET_${index}`,
            valueFrom,
          })),
        }
      : {}),
  };
  const { taskDefinition } = await clients.ecs.send(
    new RegisterTaskDefinitionCommand({
      family: spec.family,
      networkMode: spec.networkMode ?? (spec.fargate ? 'awsvpc' : 'bridge'),
      containerDefinitions: [container],
      ...(spec.fargate
        ? {
            requiresCompatibilities: ['FARGATE'],
            cpu: '256',
            memory: '512',
            executionRoleArn: `arn:aws:iam::${SEED_ACCOUNT_ID}:role/ecsTaskExecutionRole`,
          }
        : {}),
    }),
  );
  return required(taskDefinition?.taskDefinitionArn, 'RegisterTaskDefinition arn');
}

export async function createService(
  ecs: ECSClient,
  spec: {
    clusterArn: string;
    name: string;
    taskDefinitionArn: string;
    desiredCount?: number;
    /** Fargate with awsvpc networking in these subnets; EC2 launch type when absent. */
    fargateSubnetIds?: readonly string[];
    securityGroupIds?: readonly string[];
  },
): Promise<string> {
  const fargate = spec.fargateSubnetIds !== undefined;
  const { service } = await ecs.send(
    new CreateServiceCommand({
      cluster: spec.clusterArn,
      serviceName: spec.name,
      taskDefinition: spec.taskDefinitionArn,
      desiredCount: spec.desiredCount ?? 1,
      launchType: fargate ? 'FARGATE' : 'EC2',
      ...(fargate
        ? {
            networkConfiguration: {
              awsvpcConfiguration: {
                subnets: [...(spec.fargateSubnetIds ?? [])],
                securityGroups: [...(spec.securityGroupIds ?? [])],
                assignPublicIp: 'DISABLED',
              },
            },
          }
        : {}),
    }),
  );
  return required(service?.serviceArn, 'CreateService serviceArn');
}

// ---------------------------------------------------------------- secrets

export async function createSecret(
  secretsManager: SecretsManagerClient,
  name: string,
  value: string,
): Promise<string> {
  const { ARN } = await secretsManager.send(new CreateSecretCommand({ Name: name, SecretString: value }));
  return required(ARN, 'CreateSecret ARN');
}

/** A SecureString parameter; returns its ARN. */
export async function createParameter(
  clients: Pick<SeedClients, 'region' | 'ssm'>,
  name: string,
  value: string,
): Promise<string> {
  await clients.ssm.send(new PutParameterCommand({ Name: name, Value: value, Type: 'SecureString' }));
  const path = name.startsWith('/') ? name.slice(1) : name;
  return `arn:aws:ssm:${clients.region}:${SEED_ACCOUNT_ID}:parameter/${path}`;
}

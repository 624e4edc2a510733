/**
 * The demo account: four VPCs in three AZs with the drift the remediator is built to find.
 *
 * - payments (enforce): DNS hostnames off; ecs-agent fine; ecs-telemetry deleted; ecs missing one
 *   AZ; ecr.api/ecr.dkr behind a group without 443; no s3 gateway, logs, secretsmanager nor SSM
 *   endpoints. Three SSM-managed Amazon Linux container instances and one Windows instance in the
 *   private subnets (their agents are disconnected: no path to ECS), and one SSM-managed instance in
 *   the public subnet (public IP: connected over the internet) whose agent is too old (1.20.0).
 * - analytics (audit): EC2 cluster using ECR, awslogs and an SSM parameter; no endpoints; its
 *   instances have no instance profile (not SSM-managed).
 * - batch (no tag, default mode): Fargate service pulling from ECR; no endpoints.
 * - sandbox: no ECS.
 * The region's default VPC is left as it is.
 */
import { defaultConfig } from '../../shared/core/config.js';
import {
  availabilityZones,
  createCluster,
  createInterfaceEndpoint,
  createParameter,
  createPrivateSubnets,
  createPublicSubnet,
  createSecret,
  createSecurityGroup,
  createService,
  createVpc,
  deleteEndpoint,
  ecrImage,
  launchContainerInstance,
  publishRestartDocument,
  registerTaskDefinition,
  setDnsHostnames,
  type ContainerInstanceSpec,
  type SeedClients,
  type SeededSubnet,
} from './builders.js';

export const MODE_TAG_KEY = 'ecs-endpoint-remediator:mode';

export type DemoVpcName = 'payments' | 'analytics' | 'batch' | 'sandbox';
export const DEMO_VPC_NAMES: readonly DemoVpcName[] = ['payments', 'analytics', 'batch', 'sandbox'];

export interface DemoContainerInstance {
  instanceId: string;
  containerInstanceArn: string;
  subnetId: string;
  availabilityZone: string;
}

export interface DemoVpc {
  name: DemoVpcName;
  vpcId: string;
  cidr: string;
  privateSubnets: SeededSubnet[];
  publicSubnet?: SeededSubnet & { routeTableId: string; internetGatewayId: string };
  clusterArn?: string;
  containerInstances: DemoContainerInstance[];
  serviceArns: string[];
  taskDefinitionArns: string[];
}

export interface PaymentsEndpoints {
  ecsAgent: string;
  /** Created, then deleted: moto keeps it listed in state `deleted`. */
  ecsTelemetryDeleted: string;
  /** Covers only the first two AZs. */
  ecs: string;
  ecrApi: string;
  ecrDkr: string;
  /** Allows tcp/443 from the VPC CIDR (used by ecs-agent, ecs-telemetry, ecs). */
  httpsGroupId: string;
  /** No 443 ingress (used by ecr.api and ecr.dkr). */
  blockingGroupId: string;
}

export interface DemoAccount {
  region: string;
  availabilityZones: string[];
  vpcs: Record<DemoVpcName, DemoVpc>;
  vpcIds: Record<DemoVpcName, string>;
  clusterArns: { payments: string; analytics: string; batch: string };
  containerInstanceArns: string[];
  instanceIds: string[];
  endpoints: PaymentsEndpoints;
  secretArn: string;
  parameterArn: string;
}

function emptyVpc(name: DemoVpcName, vpcId: string, cidr: string, privateSubnets: SeededSubnet[]): DemoVpc {
  return {
    name,
    vpcId,
    cidr,
    privateSubnets,
    containerInstances: [],
    serviceArns: [],
    taskDefinitionArns: [],
  };
}

/** The agent version of the payments instance whose agent the demo updates. */
export const DEMO_OLD_AGENT_VERSION = '1.20.0';

async function launchContainerInstances(
  clients: SeedClients,
  vpc: DemoVpc,
  clusterArn: string,
  subnets: readonly SeededSubnet[],
  options: Omit<ContainerInstanceSpec, 'clusterArn' | 'subnet' | 'name'> & { namePrefix?: string } = {},
): Promise<void> {
  const { namePrefix = `${vpc.name}-ecs`, ...spec } = options;
  for (const [index, subnet] of subnets.entries()) {
    const made = await launchContainerInstance(clients, {
      ...spec,
      clusterArn,
      subnet,
      name: `${namePrefix}-${index + 1}`,
    });
    vpc.containerInstances.push({
      ...made,
      subnetId: subnet.subnetId,
      availabilityZone: subnet.availabilityZone,
    });
  }
}

async function seedPayments(
  clients: SeedClients,
  azs: readonly string[],
): Promise<{ vpc: DemoVpc; endpoints: PaymentsEndpoints; secretArn: string }> {
  const { ec2, region } = clients;
  const cidr = '10.10.0.0/16';
  const vpcId = await createVpc(ec2, {
    cidr,
    name: 'payments',
    tags: { [MODE_TAG_KEY]: 'enforce' },
  });
  const privateSubnets = await createPrivateSubnets(ec2, {
    vpcId,
    cidrs: ['10.10.1.0/24', '10.10.2.0/24', '10.10.3.0/24'],
    availabilityZones: azs,
    namePrefix: 'payments',
  });
  const vpc = emptyVpc('payments', vpcId, cidr, privateSubnets);
  vpc.publicSubnet = await createPublicSubnet(ec2, {
    vpcId,
    cidr: '10.10.100.0/24',
    availabilityZone: azs[0] ?? `${region}a`,
    name: 'payments-public',
  });

  const clusterArn = await createCluster(clients.ecs, 'payments');
  vpc.clusterArn = clusterArn;
  await launchContainerInstances(clients, vpc, clusterArn, privateSubnets, { ssmManaged: true });
  const lastPrivate = privateSubnets.slice(-1);
  await launchContainerInstances(clients, vpc, clusterArn, lastPrivate, {
    ssmManaged: true,
    platform: 'windows',
    namePrefix: 'payments-win',
  });
  await launchContainerInstances(clients, vpc, clusterArn, [vpc.publicSubnet], {
    ssmManaged: true,
    publicIp: true,
    agentVersion: DEMO_OLD_AGENT_VERSION,
    namePrefix: 'payments-legacy',
  });
  const secretArn = await createSecret(clients.secretsManager, 'payments/db-password', 'not-a-real-password');
  const taskDefinitionArn = await registerTaskDefinition(clients, {
    family: 'payments-api',
    image: ecrImage(region, 'payments-api', '1.4.2'),
    networkMode: 'bridge',
    awslogsGroup: '/ecs/payments-api',
    secretValueFrom: [secretArn],
  });
  vpc.taskDefinitionArns.push(taskDefinitionArn);
  vpc.serviceArns.push(
    await createService(clients.ecs, {
      clusterArn,
      name: 'payments-api',
      taskDefinitionArn,
      desiredCount: 3,
    }),
  );

  const allSubnetIds = privateSubnets.map((subnet) => subnet.subnetId);
  const httpsGroupId = await createSecurityGroup(ec2, {
    vpcId,
    name: 'payments-ecs-endpoints',
    description: 'ECS endpoints: HTTPS from the VPC',
    httpsFromCidrs: [cidr],
  });
  const blockingGroupId = await createSecurityGroup(ec2, {
    vpcId,
    name: 'payments-ecr-endpoints',
    description: 'ECR endpoints: no HTTPS rule',
  });
  const ecsAgent = await createInterfaceEndpoint(ec2, {
    region,
    vpcId,
    service: 'ecs-agent',
    subnetIds: allSubnetIds,
    securityGroupIds: [httpsGroupId],
    privateDnsEnabled: true,
  });
  const ecsTelemetryDeleted = await createInterfaceEndpoint(ec2, {
    region,
    vpcId,
    service: 'ecs-telemetry',
    subnetIds: allSubnetIds,
    securityGroupIds: [httpsGroupId],
    privateDnsEnabled: true,
  });
  await deleteEndpoint(ec2, ecsTelemetryDeleted);
  const ecs = await createInterfaceEndpoint(ec2, {
    region,
    vpcId,
    service: 'ecs',
    subnetIds: allSubnetIds.slice(0, 2),
    securityGroupIds: [httpsGroupId],
    privateDnsEnabled: true,
  });
  const ecrApi = await createInterfaceEndpoint(ec2, {
    region,
    vpcId,
    service: 'ecr.api',
    subnetIds: allSubnetIds,
    securityGroupIds: [blockingGroupId],
    privateDnsEnabled: true,
  });
  const ecrDkr = await createInterfaceEndpoint(ec2, {
    region,
    vpcId,
    service: 'ecr.dkr',
    subnetIds: allSubnetIds,
    securityGroupIds: [blockingGroupId],
    privateDnsEnabled: true,
  });
  // The drift: DNS hostnames switched off after the endpoints were made (EC2 refuses private DNS on
  // a VPC without both DNS attributes, so they had to be on then).
  await setDnsHostnames(ec2, vpcId, false);
  return {
    vpc,
    endpoints: { ecsAgent, ecsTelemetryDeleted, ecs, ecrApi, ecrDkr, httpsGroupId, blockingGroupId },
    secretArn,
  };
}

async function seedAnalytics(
  clients: SeedClients,
  azs: readonly string[],
): Promise<{ vpc: DemoVpc; parameterArn: string }> {
  const { ec2, region } = clients;
  const cidr = '10.20.0.0/16';
  const vpcId = await createVpc(ec2, { cidr, name: 'analytics', tags: { [MODE_TAG_KEY]: 'audit' } });
  const privateSubnets = await createPrivateSubnets(ec2, {
    vpcId,
    cidrs: ['10.20.1.0/24', '10.20.2.0/24', '10.20.3.0/24'],
    availabilityZones: azs,
    namePrefix: 'analytics',
  });
  const vpc = emptyVpc('analytics', vpcId, cidr, privateSubnets);
  const clusterArn = await createCluster(clients.ecs, 'analytics');
  vpc.clusterArn = clusterArn;
  await launchContainerInstances(clients, vpc, clusterArn, privateSubnets.slice(0, 2));
  const parameterArn = await createParameter(clients, '/analytics/warehouse-token', 'not-a-real-token');
  const taskDefinitionArn = await registerTaskDefinition(clients, {
    family: 'analytics-worker',
    image: ecrImage(region, 'analytics-worker', '2.0.0'),
    networkMode: 'bridge',
    awslogsGroup: '/ecs/analytics-worker',
    secretValueFrom: [parameterArn],
  });
  vpc.taskDefinitionArns.push(taskDefinitionArn);
  vpc.serviceArns.push(
    await createService(clients.ecs, { clusterArn, name: 'analytics-worker', taskDefinitionArn }),
  );
  return { vpc, parameterArn };
}

async function seedBatch(clients: SeedClients, azs: readonly string[]): Promise<DemoVpc> {
  const { ec2, region } = clients;
  const cidr = '10.30.0.0/16';
  const vpcId = await createVpc(ec2, { cidr, name: 'batch' });
  const privateSubnets = await createPrivateSubnets(ec2, {
    vpcId,
    cidrs: ['10.30.1.0/24', '10.30.2.0/24'],
    availabilityZones: azs,
    namePrefix: 'batch',
  });
  const vpc = emptyVpc('batch', vpcId, cidr, privateSubnets);
  const clusterArn = await createCluster(clients.ecs, 'batch');
  vpc.clusterArn = clusterArn;
  const taskGroupId = await createSecurityGroup(ec2, {
    vpcId,
    name: 'batch-tasks',
    description: 'Fargate batch tasks',
  });
  const taskDefinitionArn = await registerTaskDefinition(clients, {
    family: 'batch-job',
    image: ecrImage(region, 'batch-job', '0.9.1'),
    fargate: true,
  });
  vpc.taskDefinitionArns.push(taskDefinitionArn);
  vpc.serviceArns.push(
    await createService(clients.ecs, {
      clusterArn,
      name: 'batch-job',
      taskDefinitionArn,
      fargateSubnetIds: privateSubnets.map((subnet) => subnet.subnetId),
      securityGroupIds: [taskGroupId],
    }),
  );
  return vpc;
}

async function seedSandbox(clients: SeedClients, azs: readonly string[]): Promise<DemoVpc> {
  const cidr = '10.40.0.0/16';
  const vpcId = await createVpc(clients.ec2, { cidr, name: 'sandbox' });
  const privateSubnets = await createPrivateSubnets(clients.ec2, {
    vpcId,
    cidrs: ['10.40.1.0/24', '10.40.2.0/24'],
    availabilityZones: azs,
    namePrefix: 'sandbox',
  });
  return emptyVpc('sandbox', vpcId, cidr, privateSubnets);
}

export async function seedDemoAccount(
  clients: SeedClients,
  options: { restartDocumentName?: string } = {},
): Promise<DemoAccount> {
  const azs = availabilityZones(clients.region, 3);
  await publishRestartDocument(clients.ssm, options.restartDocumentName ?? defaultConfig.restartDocumentName);
  const [payments, analytics, batch, sandbox] = await Promise.all([
    seedPayments(clients, azs),
    seedAnalytics(clients, azs),
    seedBatch(clients, azs),
    seedSandbox(clients, azs),
  ]);
  const vpcs: Record<DemoVpcName, DemoVpc> = {
    payments: payments.vpc,
    analytics: analytics.vpc,
    batch,
    sandbox,
  };
  const all = DEMO_VPC_NAMES.map((name) => vpcs[name]);
  const clusterArn = (vpc: DemoVpc): string => {
    if (!vpc.clusterArn) throw new Error(`demo VPC ${vpc.name} has no cluster`);
    return vpc.clusterArn;
  };
  return {
    region: clients.region,
    availabilityZones: azs,
    vpcs,
    vpcIds: {
      payments: payments.vpc.vpcId,
      analytics: analytics.vpc.vpcId,
      batch: batch.vpcId,
      sandbox: sandbox.vpcId,
    },
    clusterArns: {
      payments: clusterArn(payments.vpc),
      analytics: clusterArn(analytics.vpc),
      batch: clusterArn(batch),
    },
    containerInstanceArns: all.flatMap((vpc) => vpc.containerInstances.map((ci) => ci.containerInstanceArn)),
    instanceIds: all.flatMap((vpc) => vpc.containerInstances.map((ci) => ci.instanceId)),
    endpoints: payments.endpoints,
    secretArn: payments.secretArn,
    parameterArn: analytics.parameterArn,
  };
}

/**
 * A small private network on the emulator for the SSM and ECS behaviour tests: one VPC with private
 * subnets (no internet path), a group allowing 443 from the VPC, the restart document, and helpers to
 * add the endpoints an agent needs and to move the emulator's clock.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { emulatorControl } from '../../scripts/emulator/moto-server.js';
import {
  createCluster,
  createInterfaceEndpoint,
  createPrivateSubnets,
  createSecurityGroup,
  createVpc,
  launchContainerInstance,
  publishRestartDocument,
  type ContainerInstanceSpec,
  type SeededSubnet,
} from '../../scripts/seed/builders.js';
import { resetEmulator } from './emulator.js';

export const REGION = 'us-east-1';
export const RESTART_DOCUMENT = 'Test-RestartEcsAgent';
export const SSM_SERVICES = ['ssm', 'ssmmessages', 'ec2messages'] as const;
export const ECS_SERVICES = ['ecs-agent', 'ecs-telemetry', 'ecs'] as const;

export interface World {
  endpoint: string;
  ec2: EC2Client;
  ecs: ECSClient;
  ssm: SSMClient;
  vpcId: string;
  subnets: SeededSubnet[];
  httpsGroupId: string;
  clusterArn: string;
}

function clientConfig(endpoint: string) {
  return {
    region: REGION,
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  };
}

/** Resets the emulator, freezes its clock and builds the network. */
export async function createWorld(): Promise<World> {
  const endpoint = await resetEmulator();
  await emulatorControl(endpoint, 'clock', { freeze: true });
  const ec2 = new EC2Client(clientConfig(endpoint));
  const ecs = new ECSClient(clientConfig(endpoint));
  const ssm = new SSMClient(clientConfig(endpoint));
  const cidr = '10.77.0.0/16';
  const vpcId = await createVpc(ec2, { cidr, name: 'agents' });
  const subnets = await createPrivateSubnets(ec2, {
    vpcId,
    cidrs: ['10.77.1.0/24', '10.77.2.0/24'],
    availabilityZones: [`${REGION}a`, `${REGION}b`],
    namePrefix: 'agents',
  });
  const httpsGroupId = await createSecurityGroup(ec2, {
    vpcId,
    name: 'endpoints',
    description: 'HTTPS from the VPC',
    httpsFromCidrs: [cidr],
  });
  const clusterArn = await createCluster(ecs, 'agents');
  await publishRestartDocument(ssm, RESTART_DOCUMENT);
  return { endpoint, ec2, ecs, ssm, vpcId, subnets, httpsGroupId, clusterArn };
}

/** Interface endpoints for `services` in every subnet of the world, private DNS on unless told. */
export async function addEndpoints(
  world: World,
  services: readonly string[],
  options: { privateDnsEnabled?: boolean; securityGroupIds?: string[]; subnetIds?: string[] } = {},
): Promise<string[]> {
  const ids: string[] = [];
  for (const service of services) {
    ids.push(
      await createInterfaceEndpoint(world.ec2, {
        region: REGION,
        vpcId: world.vpcId,
        service,
        subnetIds: options.subnetIds ?? world.subnets.map((s) => s.subnetId),
        securityGroupIds: options.securityGroupIds ?? [world.httpsGroupId],
        privateDnsEnabled: options.privateDnsEnabled ?? true,
      }),
    );
  }
  return ids;
}

export async function launch(
  world: World,
  spec: Partial<Omit<ContainerInstanceSpec, 'clusterArn'>> & { subnetIndex?: number } = {},
): Promise<{ instanceId: string; containerInstanceArn: string }> {
  const { subnetIndex = 0, ...rest } = spec;
  const subnet = world.subnets[subnetIndex];
  if (!subnet) throw new Error(`no subnet ${subnetIndex}`);
  return launchContainerInstance(
    { region: REGION, ec2: world.ec2, ecs: world.ecs },
    { clusterArn: world.clusterArn, subnet, name: `agent-${subnetIndex}`, ...rest },
  );
}

export async function advance(world: World, seconds: number): Promise<void> {
  await emulatorControl(world.endpoint, 'clock', { advanceSeconds: seconds });
}

/**
 * The emulator's ECS agents through the SDK: versionInfo, agentConnected from the network path,
 * reconnection after a restart or the poll-endpoint interval, UpdateContainerAgent's stages and
 * refusals, and the control route.
 */
import { DeleteVpcEndpointsCommand } from '@aws-sdk/client-ec2';
import {
  DescribeContainerInstancesCommand,
  RegisterContainerInstanceCommand,
  UpdateContainerAgentCommand,
  type ContainerInstance,
} from '@aws-sdk/client-ecs';
import { SendCommandCommand } from '@aws-sdk/client-ssm';
import { emulatorControl } from '../../scripts/emulator/moto-server.js';
import { createPublicSubnet, launchContainerInstance, launchInstance } from '../../scripts/seed/builders.js';
import {
  ECS_SERVICES,
  RESTART_DOCUMENT,
  SSM_SERVICES,
  addEndpoints,
  advance,
  createWorld,
  launch,
  type World,
} from '../support/emulator-world.js';

let world: World;

beforeEach(async () => {
  world = await createWorld();
});

async function describe1(containerInstanceArn: string): Promise<ContainerInstance> {
  const { containerInstances = [] } = await world.ecs.send(
    new DescribeContainerInstancesCommand({
      cluster: world.clusterArn,
      containerInstances: [containerInstanceArn],
    }),
  );
  const [instance] = containerInstances;
  if (!instance) throw new Error(`${containerInstanceArn} not described`);
  return instance;
}

async function restartAgent(instanceId: string): Promise<void> {
  await world.ssm.send(
    new SendCommandCommand({
      DocumentName: RESTART_DOCUMENT,
      InstanceIds: [instanceId],
      TimeoutSeconds: 600,
    }),
  );
  await advance(world, 5);
}

async function updateAgent(containerInstanceArn: string) {
  return world.ecs.send(
    new UpdateContainerAgentCommand({ cluster: world.clusterArn, containerInstance: containerInstanceArn }),
  );
}

describe('RegisterContainerInstance', () => {
  it('keeps the versionInfo the agent sends; without it the instance has no version', async () => {
    const { containerInstanceArn } = await launch(world, { agentVersion: '1.51.0' });
    expect((await describe1(containerInstanceArn)).versionInfo?.agentVersion).toBe('1.51.0');

    const bare = await launchInstance(world.ec2, {
      subnetId: world.subnets[0]?.subnetId ?? '',
      name: 'bare',
    });
    const { containerInstance } = await world.ecs.send(
      new RegisterContainerInstanceCommand({
        cluster: world.clusterArn,
        instanceIdentityDocument: JSON.stringify({ instanceId: bare }),
      }),
    );
    expect(containerInstance?.versionInfo?.agentVersion).toBeUndefined();
    await expect(updateAgent(containerInstance?.containerInstanceArn ?? '')).rejects.toMatchObject({
      name: 'MissingVersionException',
    });
  });
});

describe('agentConnected', () => {
  it('is false without a path; new endpoints alone do not reconnect it, a restart through SSM does', async () => {
    const { instanceId, containerInstanceArn } = await launch(world, { ssmManaged: true });
    expect((await describe1(containerInstanceArn)).agentConnected).toBe(false);

    await addEndpoints(world, [...ECS_SERVICES, ...SSM_SERVICES]);
    await advance(world, 60);
    expect((await describe1(containerInstanceArn)).agentConnected).toBe(false);

    await restartAgent(instanceId);
    expect((await describe1(containerInstanceArn)).agentConnected).toBe(true);
  });

  it('reconnects on its own once the path has existed for the reconnect interval', async () => {
    const { containerInstanceArn } = await launch(world);
    await addEndpoints(world, ECS_SERVICES);
    await advance(world, 599);
    expect((await describe1(containerInstanceArn)).agentConnected).toBe(false);
    await advance(world, 2);
    expect((await describe1(containerInstanceArn)).agentConnected).toBe(true);
  });

  it('needs all three ECS endpoints with private DNS behind a group allowing 443, and drops when one goes', async () => {
    const { containerInstanceArn } = await launch(world);
    await addEndpoints(world, ['ecs-agent', 'ecs-telemetry']);
    await addEndpoints(world, ['ecs'], { privateDnsEnabled: false });
    await advance(world, 700);
    expect((await describe1(containerInstanceArn)).agentConnected).toBe(false);

    const [ecs] = await addEndpoints(world, ['ecs'], { subnetIds: [world.subnets[0]?.subnetId ?? ''] });
    await advance(world, 700);
    expect((await describe1(containerInstanceArn)).agentConnected).toBe(true);

    await world.ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [ecs ?? ''] }));
    expect((await describe1(containerInstanceArn)).agentConnected).toBe(false);
  });

  it('is connected at once over the internet; an agent older than 1.25.1 never uses the endpoints', async () => {
    const publicSubnet = await createPublicSubnet(world.ec2, {
      vpcId: world.vpcId,
      cidr: '10.77.100.0/24',
      availabilityZone: 'us-east-1a',
      name: 'public',
    });
    const spec = { clusterArn: world.clusterArn, subnet: publicSubnet, agentVersion: '1.20.0' };
    const clients = { region: 'us-east-1', ec2: world.ec2, ecs: world.ecs };
    const online = await launchContainerInstance(clients, { ...spec, name: 'public', publicIp: true });
    expect((await describe1(online.containerInstanceArn)).agentConnected).toBe(true);
    // An internet gateway route without a public IP is no internet path.
    const noIp = await launchContainerInstance(clients, { ...spec, name: 'no-ip' });
    expect((await describe1(noIp.containerInstanceArn)).agentConnected).toBe(false);

    const old = await launch(world, { agentVersion: '1.20.0' });
    await addEndpoints(world, ECS_SERVICES);
    await advance(world, 3600);
    expect((await describe1(old.containerInstanceArn)).agentConnected).toBe(false);
  });
});

describe('UpdateContainerAgent', () => {
  async function connectedAgent(spec: Parameters<typeof launch>[1] = {}) {
    const made = await launch(world, { agentVersion: '1.20.0', ...spec });
    await emulatorControl(world.endpoint, 'ecs-agent', {
      containerInstanceArn: made.containerInstanceArn,
      connection: 'connected',
    });
    return made;
  }

  it('moves PENDING -> STAGING -> STAGED -> UPDATING -> UPDATED over emulator time and raises the version', async () => {
    const { containerInstanceArn } = await connectedAgent();
    const { containerInstance } = await updateAgent(containerInstanceArn);
    expect(containerInstance?.agentUpdateStatus).toBe('PENDING');
    const seen: (string | undefined)[] = [];
    for (let i = 0; i < 4; i++) {
      await advance(world, 1);
      seen.push((await describe1(containerInstanceArn)).agentUpdateStatus);
    }
    expect(seen).toEqual(['STAGING', 'STAGED', 'UPDATING', 'UPDATED']);
    expect((await describe1(containerInstanceArn)).versionInfo?.agentVersion).toBe('1.90.0');
  });

  it('refuses an update in progress, a current agent and Windows', async () => {
    const { containerInstanceArn } = await connectedAgent();
    await updateAgent(containerInstanceArn);
    await expect(updateAgent(containerInstanceArn)).rejects.toMatchObject({
      name: 'UpdateInProgressException',
    });

    const current = await connectedAgent({ agentVersion: '1.90.0' });
    await expect(updateAgent(current.containerInstanceArn)).rejects.toMatchObject({
      name: 'NoUpdateAvailableException',
    });

    const windows = await connectedAgent({ platform: 'windows' });
    await expect(updateAgent(windows.containerInstanceArn)).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });

  it('stays PENDING while the agent is disconnected, and fails on a host without ecs-init', async () => {
    const disconnected = await launch(world, { agentVersion: '1.20.0' });
    await updateAgent(disconnected.containerInstanceArn);
    await advance(world, 30);
    expect((await describe1(disconnected.containerInstanceArn)).agentUpdateStatus).toBe('PENDING');

    const handRun = await connectedAgent({ host: 'docker-agent' });
    await updateAgent(handRun.containerInstanceArn);
    await advance(world, 5);
    const described = await describe1(handRun.containerInstanceArn);
    expect(described.agentUpdateStatus).toBe('FAILED');
    expect(described.versionInfo?.agentVersion).toBe('1.20.0');
  });
});

describe('control route /_emulator/ecs-agent', () => {
  it('sets an agent version and forces a connection; bad calls are HTTP 400 with the reason', async () => {
    const { containerInstanceArn } = await launch(world);
    await emulatorControl(world.endpoint, 'ecs-agent', { containerInstanceArn, agentVersion: '1.24.0' });
    expect((await describe1(containerInstanceArn)).versionInfo?.agentVersion).toBe('1.24.0');
    await emulatorControl(world.endpoint, 'ecs-agent', { containerInstanceArn, connection: 'connected' });
    expect((await describe1(containerInstanceArn)).agentConnected).toBe(true);
    await emulatorControl(world.endpoint, 'ecs-agent', { containerInstanceArn, connection: 'auto' });
    expect((await describe1(containerInstanceArn)).agentConnected).toBe(false);

    await expect(
      emulatorControl(world.endpoint, 'ecs-agent', { containerInstanceArn, connection: 'sometimes' }),
    ).rejects.toThrow(/HTTP 400 .*connection must be one of auto, connected, disconnected/);
    await expect(
      emulatorControl(world.endpoint, 'ecs-agent', { containerInstanceArn, agentVersion: 'latest' }),
    ).rejects.toThrow(/HTTP 400 .*agentVersion must look like 1.2.3/);
    await expect(
      emulatorControl(world.endpoint, 'ecs-agent', { containerInstanceArn: 'arn:nope' }),
    ).rejects.toThrow(/HTTP 400 .*no registered container instance/);
    await expect(emulatorControl(world.endpoint, 'ecs-agent', { version: '1' })).rejects.toThrow(/HTTP 400/);
  });
});

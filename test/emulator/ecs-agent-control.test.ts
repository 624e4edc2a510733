/**
 * The product's ECS agent adapter against the emulator: agent state as ECS reports it, and
 * UpdateContainerAgent with the answers ECS gives (replaces the mocked-SDK versions of these tests).
 */
import { DescribeContainerInstancesCommand, RegisterContainerInstanceCommand } from '@aws-sdk/client-ecs';
import { EcsAgentControlAdapter } from '../../shared/aws/ecs-adapter.js';
import { emulatorControl } from '../../scripts/emulator/moto-server.js';
import { launchInstance } from '../../scripts/seed/builders.js';
import { advance, createWorld, launch, type World } from '../support/emulator-world.js';

let world: World;
let adapter: EcsAgentControlAdapter;

beforeEach(async () => {
  world = await createWorld();
  adapter = new EcsAgentControlAdapter(world.ecs);
});

async function connected(spec: Parameters<typeof launch>[1] = {}): Promise<string> {
  const { containerInstanceArn } = await launch(world, { agentVersion: '1.20.0', ...spec });
  await emulatorControl(world.endpoint, 'ecs-agent', { containerInstanceArn, connection: 'connected' });
  return containerInstanceArn;
}

async function updateStatus(containerInstanceArn: string): Promise<string | undefined> {
  const { containerInstances = [] } = await world.ecs.send(
    new DescribeContainerInstancesCommand({
      cluster: world.clusterArn,
      containerInstances: [containerInstanceArn],
    }),
  );
  return containerInstances[0]?.agentUpdateStatus;
}

describe('EcsAgentControlAdapter against the emulator', () => {
  it('maps connection and version as ECS reports them, an instance without version info included', async () => {
    const online = await connected({ agentVersion: '1.25.0' });
    const offline = (await launch(world, { agentVersion: '1.80.0' })).containerInstanceArn;
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
    const noVersion = containerInstance?.containerInstanceArn ?? '';
    const states = await adapter.describeContainerInstances(world.clusterArn, [online, offline, noVersion]);
    const byArn = new Map(states.map((s) => [s.containerInstanceArn, s]));
    expect(byArn.get(online)).toEqual({
      containerInstanceArn: online,
      agentConnected: true,
      agentVersion: '1.25.0',
    });
    expect(byArn.get(offline)).toEqual({
      containerInstanceArn: offline,
      agentConnected: false,
      agentVersion: '1.80.0',
    });
    expect(byArn.get(noVersion)).toEqual({ containerInstanceArn: noVersion, agentConnected: false });
  });

  it('starts an update that ECS then walks to UPDATED', async () => {
    const arn = await connected();
    await adapter.updateContainerAgent(world.clusterArn, arn);
    expect(await updateStatus(arn)).toBe('PENDING');
    await advance(world, 4);
    expect(await updateStatus(arn)).toBe('UPDATED');
  });

  it('treats an agent already current and an update in progress as done', async () => {
    const current = await connected({ agentVersion: '1.90.0' });
    await expect(adapter.updateContainerAgent(world.clusterArn, current)).resolves.toBeUndefined();
    const old = await connected();
    await adapter.updateContainerAgent(world.clusterArn, old);
    await expect(adapter.updateContainerAgent(world.clusterArn, old)).resolves.toBeUndefined();
    expect(await updateStatus(old)).toBe('PENDING');
  });

  it('passes other refusals on (a Windows container instance)', async () => {
    const windows = await connected({ platform: 'windows' });
    await expect(adapter.updateContainerAgent(world.clusterArn, windows)).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });
});

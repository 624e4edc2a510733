/**
 * ListContainerInstances' `filter` (cluster query language) on the emulator: moto ignores it; the
 * ECS extension evaluates the terms the remediator sends and refuses the rest.
 */
import { ListContainerInstancesCommand } from '@aws-sdk/client-ecs';
import { createWorld, launch, type World } from '../support/emulator-world.js';

let world: World;
let first: { instanceId: string; containerInstanceArn: string };
let second: { instanceId: string; containerInstanceArn: string };

beforeAll(async () => {
  world = await createWorld();
  first = await launch(world, { subnetIndex: 0 });
  second = await launch(world, { subnetIndex: 1 });
});

const list = async (filter?: string) =>
  (
    await world.ecs.send(
      new ListContainerInstancesCommand({ cluster: world.clusterArn, ...(filter ? { filter } : {}) }),
    )
  ).containerInstanceArns ?? [];

describe('ListContainerInstances filter', () => {
  it('without a filter lists every container instance', async () => {
    expect((await list()).sort()).toEqual([first.containerInstanceArn, second.containerInstanceArn].sort());
  });

  it('ec2InstanceId in [...] and == keep the named instances only', async () => {
    expect(await list(`ec2InstanceId in [${second.instanceId}]`)).toEqual([second.containerInstanceArn]);
    expect(await list(`ec2InstanceId == ${first.instanceId}`)).toEqual([first.containerInstanceArn]);
    expect((await list(`ec2InstanceId in [${first.instanceId}, ${second.instanceId}]`)).sort()).toEqual(
      [first.containerInstanceArn, second.containerInstanceArn].sort(),
    );
    expect(await list('ec2InstanceId in [i-0123456789abcdef0]')).toEqual([]);
  });

  it('attribute terms compare the registered attributes, and terms join with and', async () => {
    expect((await list('attribute:ecs.os-type == linux')).sort()).toEqual(
      [first.containerInstanceArn, second.containerInstanceArn].sort(),
    );
    expect(await list(`attribute:ecs.os-type == linux and ec2InstanceId == ${first.instanceId}`)).toEqual([
      first.containerInstanceArn,
    ]);
    expect(await list('attribute:ecs.os-type == windows')).toEqual([]);
  });

  it('refuses an expression it cannot evaluate instead of ignoring it', async () => {
    await expect(list('runningTasksCount > 1')).rejects.toMatchObject({ name: 'InvalidParameterException' });
  });
});

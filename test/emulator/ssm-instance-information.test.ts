/**
 * The emulator's SSM inventory through the SDK: which instances are managed, when they are Online,
 * the filters and pages the product reads with.
 */
import { DeleteVpcEndpointsCommand } from '@aws-sdk/client-ec2';
import { DescribeInstanceInformationCommand, type InstanceInformation } from '@aws-sdk/client-ssm';
import { readManagedInstanceIds } from '../../shared/aws/ssm-adapter.js';
import {
  createNatGatewayRoutes,
  createPublicSubnet,
  createSecurityGroup,
  ensureInstanceProfile,
  iamClientFor,
  launchInstance,
} from '../../scripts/seed/builders.js';
import { markDeliberate, unmarkDeliberate } from '../support/deliberate.js';
import { SSM_SERVICES, addEndpoints, createWorld, launch, type World } from '../support/emulator-world.js';

let world: World;

beforeEach(async () => {
  world = await createWorld();
});

async function information(filters?: { Key: string; Values: string[] }[]): Promise<InstanceInformation[]> {
  const { InstanceInformationList = [] } = await world.ssm.send(
    new DescribeInstanceInformationCommand(filters ? { Filters: filters } : {}),
  );
  return InstanceInformationList;
}

async function pingStatus(instanceId: string): Promise<string | undefined> {
  const list = await information([{ Key: 'InstanceIds', Values: [instanceId] }]);
  return list[0]?.PingStatus;
}

describe('DescribeInstanceInformation', () => {
  it('lists only instances launched with an instance profile', async () => {
    const managed = await launch(world, { ssmManaged: true });
    await launch(world, { ssmManaged: false });
    const ids = (await information()).map((i) => i.InstanceId);
    expect(ids).toEqual([managed.instanceId]);
  });

  it('is ConnectionLost without a path and Online once the three SSM endpoints serve the AZ', async () => {
    const { instanceId } = await launch(world, { ssmManaged: true, subnetIndex: 1 });
    expect(await pingStatus(instanceId)).toBe('ConnectionLost');

    // Two of three is not a path.
    const [ssm, ssmmessages] = await addEndpoints(world, SSM_SERVICES.slice(0, 2));
    expect(await pingStatus(instanceId)).toBe('ConnectionLost');

    // An endpoint only in the other AZ does not serve this instance.
    const [ec2messagesElsewhere] = await addEndpoints(world, ['ec2messages'], {
      subnetIds: [world.subnets[0]?.subnetId ?? ''],
    });
    expect(await pingStatus(instanceId)).toBe('ConnectionLost');
    await world.ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [ec2messagesElsewhere ?? ''] }));

    await addEndpoints(world, ['ec2messages']);
    expect(await pingStatus(instanceId)).toBe('Online');

    // Losing one endpoint loses the path.
    await world.ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [ssm ?? '', ssmmessages ?? ''] }));
    expect(await pingStatus(instanceId)).toBe('ConnectionLost');
  });

  it('needs private DNS and a group that allows 443 from the instance', async () => {
    const { instanceId } = await launch(world, { ssmManaged: true });
    await addEndpoints(world, SSM_SERVICES, { privateDnsEnabled: false });
    expect(await pingStatus(instanceId)).toBe('ConnectionLost');

    world = await createWorld();
    const other = await launch(world, { ssmManaged: true });
    const closed = await createSecurityGroup(world.ec2, {
      vpcId: world.vpcId,
      name: 'closed',
      description: 'no ingress',
    });
    await addEndpoints(world, SSM_SERVICES, { securityGroupIds: [closed] });
    expect(await pingStatus(other.instanceId)).toBe('ConnectionLost');
  });

  it('is Online over a NAT route, and over an internet gateway only with a public IP', async () => {
    const publicSubnet = await createPublicSubnet(world.ec2, {
      vpcId: world.vpcId,
      cidr: '10.77.100.0/24',
      availabilityZone: 'us-east-1a',
      name: 'public',
    });
    const instanceProfileName = await ensureInstanceProfile(iamClientFor(world.ec2));
    const withIp = await launchInstance(world.ec2, {
      subnetId: publicSubnet.subnetId,
      name: 'public-ip',
      instanceProfileName,
      publicIp: true,
    });
    const withoutIp = await launchInstance(world.ec2, {
      subnetId: publicSubnet.subnetId,
      name: 'no-public-ip',
      instanceProfileName,
    });
    expect(await pingStatus(withIp)).toBe('Online');
    expect(await pingStatus(withoutIp)).toBe('ConnectionLost');

    const { instanceId: behindNat } = await launch(world, { ssmManaged: true });
    expect(await pingStatus(behindNat)).toBe('ConnectionLost');
    await createNatGatewayRoutes(world.ec2, {
      publicSubnetId: publicSubnet.subnetId,
      routeTableIds: [world.subnets[0]?.routeTableId ?? ''],
    });
    expect(await pingStatus(behindNat)).toBe('Online');
  });

  it('reports the platform and filters on PingStatus and PlatformTypes', async () => {
    const linux = await launch(world, { ssmManaged: true, subnetIndex: 0 });
    const windows = await launch(world, { ssmManaged: true, platform: 'windows', subnetIndex: 1 });
    await addEndpoints(world, SSM_SERVICES, { subnetIds: [world.subnets[0]?.subnetId ?? ''] });
    const all = await information();
    expect(all.find((i) => i.InstanceId === windows.instanceId)?.PlatformType).toBe('Windows');
    expect(all.find((i) => i.InstanceId === linux.instanceId)?.PlatformType).toBe('Linux');
    expect((await information([{ Key: 'PingStatus', Values: ['Online'] }])).map((i) => i.InstanceId)).toEqual(
      [linux.instanceId],
    );
    expect(
      (await information([{ Key: 'PlatformTypes', Values: ['Windows'] }])).map((i) => i.InstanceId),
    ).toEqual([windows.instanceId]);
  });

  it('pages with MaxResults 5-50 and refuses other page sizes and mixed filter styles', async () => {
    const launched: string[] = [];
    for (let i = 0; i < 6; i++) launched.push((await launch(world, { ssmManaged: true })).instanceId);
    const first = await world.ssm.send(new DescribeInstanceInformationCommand({ MaxResults: 5 }));
    expect(first.InstanceInformationList).toHaveLength(5);
    expect(first.NextToken).toBeDefined();
    const second = await world.ssm.send(
      new DescribeInstanceInformationCommand({ MaxResults: 5, NextToken: first.NextToken }),
    );
    expect(second.InstanceInformationList).toHaveLength(1);
    expect(second.NextToken).toBeUndefined();
    const seen = [...(first.InstanceInformationList ?? []), ...(second.InstanceInformationList ?? [])];
    expect(seen.map((i) => i.InstanceId).sort()).toEqual([...launched].sort());

    markDeliberate(world.ssm, 'emulator test: MaxResults below the minimum 5 is refused');
    await expect(
      world.ssm.send(new DescribeInstanceInformationCommand({ MaxResults: 4 })),
    ).rejects.toMatchObject({ name: 'ValidationException' });
    unmarkDeliberate(world.ssm);
    await expect(
      world.ssm.send(
        new DescribeInstanceInformationCommand({
          Filters: [{ Key: 'PingStatus', Values: ['Online'] }],
          InstanceInformationFilterList: [{ key: 'PingStatus', valueSet: ['Online'] }],
        }),
      ),
    ).rejects.toMatchObject({ name: 'ValidationException' });
  });
});

describe('readManagedInstanceIds against the emulator', () => {
  it('counts Online and ConnectionLost instances as managed, over every page, and no others', async () => {
    const online = await launch(world, { ssmManaged: true, subnetIndex: 0 });
    const lost = await launch(world, { ssmManaged: true, subnetIndex: 1 });
    const unmanaged = await launch(world, { ssmManaged: false });
    await addEndpoints(world, SSM_SERVICES, { subnetIds: [world.subnets[0]?.subnetId ?? ''] });
    const extra: string[] = [];
    for (let i = 0; i < 50; i++) extra.push((await launch(world, { ssmManaged: true })).instanceId);
    const ids = await readManagedInstanceIds(world.ssm);
    expect([...ids]).toEqual(expect.arrayContaining([online.instanceId, lost.instanceId]));
    expect([...ids]).not.toContain(unmanaged.instanceId);
    expect(ids.size).toBe(52);
  });
});

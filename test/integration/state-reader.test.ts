import { CreateVpcCommand, DescribeVpcsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateClusterCommand,
  CreateServiceCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import type { ObservedRegion } from '../../shared/core/domain.js';
import { countCalls } from '../../shared/aws/call-counter.js';
import { createAwsClients, type AwsClients } from '../../shared/aws/clients.js';
import { Ec2WriterAdapter } from '../../shared/aws/ec2-writer.js';
import { RegionStateReader, VpcNotFoundError } from '../../shared/aws/state-reader.js';
import { resetEmulator } from '../support/emulator.js';
import {
  ARM64_AMI,
  AZS,
  REGION,
  WINDOWS_AMI,
  runInstance,
  seedNetwork,
  type SeededNetwork,
} from './ec2-seed.js';

const ACCOUNT = '123456789012';

async function registerContainerInstance(
  ecs: ECSClient,
  cluster: string,
  instanceId: string,
): Promise<string> {
  const result = await ecs.send(
    new RegisterContainerInstanceCommand({
      cluster,
      instanceIdentityDocument: JSON.stringify({ instanceId, region: REGION, accountId: ACCOUNT }),
      versionInfo: { agentVersion: '1.70.0' },
    }),
  );
  return result.containerInstance!.containerInstanceArn!;
}

async function registerTaskDefinitions(ecs: ECSClient) {
  const web = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'web',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [
        {
          name: 'web',
          image: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/web:1`,
          logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': '/ecs/web' } },
          secrets: [
            { name: 'DB', valueFrom: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:db-AbCdEf` },
          ],
        },
      ],
    }),
  );
  const worker = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family: 'worker',
      containerDefinitions: [
        {
          name: 'worker',
          image: 'public.ecr.aws/docker/library/busybox:latest',
          memory: 128,
          secrets: [{ name: 'TOKEN', valueFrom: '/worker/token' }],
        },
      ],
    }),
  );
  return { web: web.taskDefinition!.taskDefinitionArn!, worker: worker.taskDefinition!.taskDefinitionArn! };
}

const readerFor = (clients: AwsClients) =>
  new RegionStateReader({ ec2: clients.ec2, ecs: clients.ecs, ssm: clients.ssm, region: clients.region });

describe('RegionStateReader against the emulator', () => {
  let clients: AwsClients;
  let ec2: EC2Client;
  let seed: SeededNetwork;
  let otherVpcId: string;
  let defaultVpcId: string;
  let instances: string[];
  let region: ObservedRegion;
  let callsDuringRead: Record<string, number>;

  beforeAll(async () => {
    clients = createAwsClients({ region: REGION, endpointUrl: await resetEmulator(), env: {} });
    ec2 = clients.ec2;
    seed = await seedNetwork(ec2, 0, 'ecs-vpc');
    otherVpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.99.0.0/16' }))).Vpc!.VpcId!;
    defaultVpcId = (await ec2.send(new DescribeVpcsCommand({}))).Vpcs!.find((v) => v.IsDefault)!.VpcId!;
    await new Ec2WriterAdapter(ec2).enableVpcDnsAttribute(seed.vpcId, 'enableDnsHostnames');

    instances = [
      await runInstance(ec2, seed.privateSubnetIds[0]!),
      await runInstance(ec2, seed.privateSubnetIds[1]!, ARM64_AMI),
      await runInstance(ec2, seed.privateSubnetIds[2]!, WINDOWS_AMI),
    ];
    await clients.ecs.send(new CreateClusterCommand({ clusterName: 'prod' }));
    for (const id of instances) await registerContainerInstance(clients.ecs, 'prod', id);
    const taskDefinitions = await registerTaskDefinitions(clients.ecs);
    await clients.ecs.send(
      new CreateServiceCommand({
        cluster: 'prod',
        serviceName: 'web',
        taskDefinition: taskDefinitions.web,
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: {
          awsvpcConfiguration: {
            subnets: [seed.privateSubnetIds[0]!, seed.privateSubnetIds[2]!],
            // moto requires security groups here
            securityGroups: [seed.endpointGroupId],
            assignPublicIp: 'ENABLED',
          },
        },
      }),
    );
    await clients.ecs.send(
      new CreateServiceCommand({
        cluster: 'prod',
        serviceName: 'worker',
        taskDefinition: taskDefinitions.worker,
        desiredCount: 1,
        launchType: 'EC2',
      }),
    );

    const counter = countCalls(clients);
    region = await readerFor(clients).readRegion();
    callsDuringRead = counter.counts();
  });

  const vpc = (id: string) => {
    const found = region.vpcs.find((v) => v.vpcId === id);
    if (!found) throw new Error(`${id} not in the observed region`);
    return found;
  };

  it('lists every VPC of the region, the default one flagged', () => {
    expect(region.region).toBe(REGION);
    expect(region.vpcs.map((v) => v.vpcId).sort()).toEqual([seed.vpcId, otherVpcId, defaultVpcId].sort());
    expect(vpc(defaultVpcId).isDefault).toBe(true);
    expect(vpc(seed.vpcId).isDefault).toBe(false);
  });

  it('carries the network facts of each VPC', () => {
    const observed = vpc(seed.vpcId);
    expect(observed.tags).toEqual({ Name: 'ecs-vpc' });
    expect(observed.domainNameServers).toEqual(seed.dnsServers);
    expect(
      observed.subnets
        .filter((s) => s.isPrivate && !s.hasNatRoute)
        .map((s) => s.subnetId)
        .sort(),
    ).toEqual([...seed.privateSubnetIds].sort());
    const live = observed.endpoints.filter((e) => e.state !== 'deleted');
    expect(live.map((e) => e.service).sort()).toEqual(['ecr.api', 'ecr.dkr', 's3']);
    expect(live.filter((e) => e.state !== 'available')).toEqual([]);
    // The deleted one is kept with its state: the plan's ClientToken derives from it.
    expect(observed.endpoints.filter((e) => e.state === 'deleted').map((e) => e.service)).toEqual(['logs']);
    expect(
      observed.routeTables.find((t) => t.routeTableId === seed.privateRouteTableId)?.gatewayEndpointIds,
    ).toEqual([seed.s3GatewayEndpointId]);
    expect(observed.securityGroups).toContainEqual(
      expect.objectContaining({ groupId: seed.endpointGroupId }),
    );
    expect(observed.networkAcls).toContainEqual(expect.objectContaining({ naclId: seed.naclId }));
    expect(region.endpointServices).toHaveLength(12);
  });

  it('maps container instances to their subnet and AZ through EC2, with platform and agent', () => {
    const observed = vpc(seed.vpcId).containerInstances;
    expect(observed).toHaveLength(3);
    const byInstance = new Map(observed.map((ci) => [ci.ec2InstanceId, ci]));
    expect(byInstance.get(instances[0]!)).toMatchObject({
      subnetId: seed.privateSubnetIds[0],
      availabilityZone: AZS[0],
      platform: 'linux',
      agentVersion: '1.70.0',
      // Private subnets with only ECR endpoints: the agent has no path to ECS.
      agentConnected: false,
      status: 'ACTIVE',
    });
    expect(byInstance.get(instances[1]!)).toMatchObject({
      subnetId: seed.privateSubnetIds[1],
      availabilityZone: AZS[1],
      platform: 'linux-arm64',
    });
    expect(byInstance.get(instances[2]!)).toMatchObject({
      subnetId: seed.privateSubnetIds[2],
      availabilityZone: AZS[2],
      platform: 'windows',
    });
    expect(observed[0]!.clusterArn).toMatch(/cluster\/prod$/);
  });

  it('reads the SSM inventory: instances launched without an instance profile are not SSM-managed', () => {
    expect(vpc(seed.vpcId).containerInstances.filter((ci) => ci.ssmManaged !== false)).toEqual([]);
    expect(region.warnings).toEqual([]);
  });

  it('sums the VPC’s workloads: instances, fargate and ec2 services, task definition usage, subnets', () => {
    expect(vpc(seed.vpcId).workloads).toEqual({
      ec2ContainerInstances: 3,
      fargateServices: 1,
      ec2Services: 1,
      privateEcrImages: true,
      awslogs: true,
      secretsManagerSecrets: true,
      ssmParameters: true,
      subnetIds: [...seed.privateSubnetIds].sort(),
      // The Fargate service's subnets, with its assignPublicIp.
      awsvpcPlacements: [
        { subnetId: seed.privateSubnetIds[0], assignPublicIp: true },
        { subnetId: seed.privateSubnetIds[2], assignPublicIp: true },
      ],
    });
    const none = {
      ec2ContainerInstances: 0,
      fargateServices: 0,
      ec2Services: 0,
      privateEcrImages: false,
      awslogs: false,
      secretsManagerSecrets: false,
      ssmParameters: false,
      subnetIds: [],
    };
    expect(vpc(otherVpcId).workloads).toEqual(none);
    expect(vpc(defaultVpcId).workloads).toEqual(none);
    expect(vpc(otherVpcId).containerInstances).toEqual([]);
  });

  it('reads the DNS attributes only for the VPC with ECS workloads (2 calls)', () => {
    expect(vpc(seed.vpcId)).toMatchObject({ enableDnsSupport: true, enableDnsHostnames: true });
    for (const id of [otherVpcId, defaultVpcId]) {
      expect(vpc(id).enableDnsSupport).toBeUndefined();
      expect(vpc(id).enableDnsHostnames).toBeUndefined();
    }
    expect(callsDuringRead['EC2:DescribeVpcAttribute']).toBe(2);
    expect(
      Object.keys(callsDuringRead).filter((k) => !k.startsWith('EC2:') && !k.startsWith('ECS:')),
    ).toEqual(['SSM:DescribeInstanceInformation']);
    expect(Object.entries(callsDuringRead).filter(([op]) => !/:(Describe|List|Get)/.test(op))).toEqual([]);
  });

  it('narrows to the requested VPCs and still reads the DNS attributes where ECS runs', async () => {
    const narrowed = await readerFor(clients).readRegion({ vpcIds: [seed.vpcId, seed.vpcId] });
    expect(narrowed.vpcs.map((v) => v.vpcId)).toEqual([seed.vpcId]);
    expect(narrowed.vpcs[0]).toMatchObject({ enableDnsSupport: true, enableDnsHostnames: true });
    expect(narrowed.vpcs[0]!.workloads.ec2ContainerInstances).toBe(3);
    const counter = countCalls(clients);
    const other = await readerFor(clients).readRegion({ vpcIds: [otherVpcId] });
    expect(other.vpcs.map((v) => v.vpcId)).toEqual([otherVpcId]);
    expect(counter.counts()['EC2:DescribeVpcAttribute']).toBeUndefined();
  });

  it('a second read by the same reader (a warm Lambda) does not describe the task definitions again', async () => {
    const reader = readerFor(clients);
    const first = countCalls(clients);
    const once = await reader.readRegion();
    expect(first.counts()['ECS:DescribeTaskDefinition']).toBe(2);
    const second = countCalls(clients);
    const again = await reader.readRegion();
    expect(second.counts()['ECS:DescribeTaskDefinition']).toBeUndefined();
    expect(again.vpcs).toEqual(once.vpcs);
    const scoped = countCalls(clients);
    await reader.readRegion({ vpcIds: [seed.vpcId] });
    expect(scoped.counts()['ECS:DescribeTaskDefinition']).toBeUndefined();
  });

  it('throws, naming the id, when a requested VPC does not exist', async () => {
    const reading = readerFor(clients).readRegion({ vpcIds: [seed.vpcId, 'vpc-0123456789abcdef0'] });
    await expect(reading).rejects.toBeInstanceOf(VpcNotFoundError);
    await expect(readerFor(clients).readRegion({ vpcIds: ['vpc-0123456789abcdef0'] })).rejects.toThrow(
      `VPC vpc-0123456789abcdef0 does not exist in ${REGION}`,
    );
  });
});

describe('RegionStateReader call count', () => {
  /** Seeds `n` ECS VPCs (one container instance and one awsvpc service each, one cluster) and counts a read. */
  async function countRead(n: number): Promise<Record<string, number>> {
    const clients = createAwsClients({ region: REGION, endpointUrl: await resetEmulator(), env: {} });
    await clients.ecs.send(new CreateClusterCommand({ clusterName: 'shared' }));
    const { web } = await registerTaskDefinitions(clients.ecs);
    for (let i = 1; i <= n; i++) {
      const seed = await seedNetwork(clients.ec2, i);
      await registerContainerInstance(
        clients.ecs,
        'shared',
        await runInstance(clients.ec2, seed.privateSubnetIds[0]!),
      );
      await clients.ecs.send(
        new CreateServiceCommand({
          cluster: 'shared',
          serviceName: `web-${i}`,
          taskDefinition: web,
          desiredCount: 1,
          launchType: 'FARGATE',
          networkConfiguration: {
            awsvpcConfiguration: {
              subnets: [...seed.privateSubnetIds],
              securityGroups: [seed.endpointGroupId],
            },
          },
        }),
      );
    }
    const counter = countCalls(clients);
    const region = await readerFor(clients).readRegion();
    expect(region.vpcs.filter((v) => v.workloads.fargateServices === 1)).toHaveLength(n);
    return counter.counts();
  }

  it('makes the same calls per API for 1 and 6 VPCs, except 2 DescribeVpcAttribute per ECS VPC', async () => {
    const one = await countRead(1);
    const six = await countRead(6);
    const { 'EC2:DescribeVpcAttribute': oneDns, ...oneRest } = one;
    const { 'EC2:DescribeVpcAttribute': sixDns, ...sixRest } = six;
    expect(oneDns).toBe(2);
    expect(sixDns).toBe(12);
    expect(sixRest).toEqual(oneRest);
    expect(oneRest['EC2:DescribeVpcs']).toBe(1);
    expect(oneRest['EC2:DescribeSubnets']).toBe(1);
    expect(oneRest['EC2:DescribeInstances']).toBe(1);
  });
});

/**
 * The reader's joins with injected fakes: platform detection, SSM status, services mapped to VPCs,
 * DNS attributes only where ECS runs, unmapped instances, narrowing.
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { toEc2RawRegion } from '../../shared/aws/ec2-mappers.js';
import {
  assembleEc2Snapshot,
  type Ec2InstanceRecord,
  type Ec2Snapshot,
} from '../../shared/core/ec2-snapshot.js';
import type {
  EcsContainerInstanceRecord,
  EcsServiceRecord,
  EcsSnapshot,
  TaskDefinitionUsage,
} from '../../shared/aws/ecs-adapter.js';
import { RegionStateReader, VpcNotFoundError, platformOf } from '../../shared/aws/state-reader.js';

const REGION = 'eu-west-1';
const clientConfig = { region: REGION, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } };
const clients = {
  ec2: new EC2Client(clientConfig),
  ecs: new ECSClient(clientConfig),
  ssm: new SSMClient(clientConfig),
};

/** Three VPCs: A (subnets a1, a2), B (b1), C (c1, no ECS). Instances i-a1, i-a2, i-b1, i-c1. */
function ec2Snapshot(): Ec2Snapshot {
  const subnets = [
    ['vpc-a', 'subnet-a1', 'eu-west-1a'],
    ['vpc-a', 'subnet-a2', 'eu-west-1b'],
    ['vpc-b', 'subnet-b1', 'eu-west-1a'],
    ['vpc-c', 'subnet-c1', 'eu-west-1c'],
  ];
  return assembleEc2Snapshot(
    REGION,
    toEc2RawRegion(
      {
        vpcs: ['vpc-a', 'vpc-b', 'vpc-c'].map((VpcId) => ({
          VpcId,
          CidrBlock: '10.0.0.0/16',
          IsDefault: VpcId === 'vpc-c',
        })),
        dhcpOptions: [],
        subnets: subnets.map(([VpcId, SubnetId, AvailabilityZone], i) => ({
          VpcId,
          SubnetId,
          AvailabilityZone,
          CidrBlock: `10.0.${i}.0/24`,
        })),
        routeTables: [],
        networkAcls: [],
        securityGroups: [],
        endpoints: [],
        endpointServices: [
          {
            service: 'ecs',
            serviceName: `com.amazonaws.${REGION}.ecs`,
            type: 'Interface',
            availabilityZones: [],
          },
        ],
        instances: subnets.map(([VpcId, SubnetId, az]) => ({
          InstanceId: `i-${SubnetId!.slice('subnet-'.length)}`,
          VpcId,
          SubnetId,
          Placement: { AvailabilityZone: az },
          Architecture: 'x86_64',
          State: { Name: 'running' },
        })),
      },
      REGION,
    ),
  );
}

const instance = (
  id: string,
  cluster: string,
  attributes: Record<string, string> = { 'ecs.os-type': 'linux' },
  status = 'ACTIVE',
): EcsContainerInstanceRecord => ({
  containerInstanceArn: `arn:aws:ecs:${REGION}:1:container-instance/${cluster}/${id}`,
  clusterArn: `arn:aws:ecs:${REGION}:1:cluster/${cluster}`,
  ec2InstanceId: id,
  agentVersion: '1.80.0',
  agentConnected: true,
  status,
  attributes,
});

const service = (
  name: string,
  cluster: string,
  fargate: boolean,
  subnets: string[],
  td: string,
): EcsServiceRecord => ({
  serviceArn: `arn:aws:ecs:${REGION}:1:service/${cluster}/${name}`,
  clusterArn: `arn:aws:ecs:${REGION}:1:cluster/${cluster}`,
  usesFargate: fargate,
  awsvpcSubnetIds: subnets,
  assignPublicIp: false,
  taskDefinitionArn: td,
});

const usage = (over: Partial<TaskDefinitionUsage> = {}): TaskDefinitionUsage => ({
  privateEcrImages: false,
  awslogs: false,
  secretsManager: false,
  ssmParameters: false,
  ...over,
});

function ecsSnapshot(): EcsSnapshot {
  return {
    containerInstances: [
      instance('i-a1', 'alpha'),
      instance('i-a2', 'alpha', { 'ecs.os-type': 'linux', 'ecs.cpu-architecture': 'arm64' }),
      instance('i-b1', 'alpha', {}, 'INACTIVE'),
      instance('mi-external', 'alpha'),
    ],
    services: [
      // bridge networking on cluster alpha: runs where alpha's (active) instances are, i.e. VPC A
      service('bridge', 'alpha', false, [], 'td:logs'),
      // Fargate in VPC B's subnet, although the cluster's instances are in VPC A
      service('fargate-b', 'alpha', true, ['subnet-b1'], 'td:ecr'),
      // awsvpc subnets that no longer exist: mapped nowhere (not guessed from the cluster)
      service('ghost', 'alpha', true, ['subnet-gone'], 'td:secrets'),
      // cluster without instances, no subnets: nowhere
      service('orphan', 'empty', false, [], 'td:secrets'),
    ],
    taskDefinitions: new Map([
      ['td:logs', usage({ awslogs: true, ssmParameters: true })],
      ['td:ecr', usage({ privateEcrImages: true })],
      ['td:secrets', usage({ secretsManager: true })],
    ]),
  };
}

function reader(over: { managed?: () => Promise<ReadonlySet<string>>; dnsCalls?: string[][] } = {}) {
  const dnsCalls = over.dnsCalls ?? [];
  return new RegionStateReader({
    ...clients,
    region: REGION,
    readEc2: async () => ec2Snapshot(),
    readEcs: async () => ecsSnapshot(),
    readManagedInstances: over.managed ?? (async () => new Set(['i-a1'])),
    readDnsAttributes: async (_ec2, vpcIds) => {
      dnsCalls.push([...vpcIds]);
      return new Map(
        vpcIds.map((id) => [id, { enableDnsSupport: true, enableDnsHostnames: id !== 'vpc-b' }]),
      );
    },
  });
}

describe('RegionStateReader assembly', () => {
  it('maps instances and services to VPCs and sums the workloads', async () => {
    const dnsCalls: string[][] = [];
    const region = await reader({ dnsCalls }).readRegion();
    const byId = new Map(region.vpcs.map((v) => [v.vpcId, v]));
    const a = byId.get('vpc-a')!;
    expect(
      a.containerInstances.map((ci) => [ci.ec2InstanceId, ci.platform, ci.ssmManaged, ci.subnetId]),
    ).toEqual([
      ['i-a1', 'linux', true, 'subnet-a1'],
      ['i-a2', 'linux-arm64', false, 'subnet-a2'],
    ]);
    expect(a.workloads).toEqual({
      ec2ContainerInstances: 2,
      fargateServices: 0,
      ec2Services: 1,
      privateEcrImages: false,
      awslogs: true,
      secretsManagerSecrets: false,
      ssmParameters: true,
      subnetIds: ['subnet-a1', 'subnet-a2'],
    });
    const b = byId.get('vpc-b')!;
    expect(b.containerInstances).toEqual([]); // i-b1 is INACTIVE
    expect(b.workloads).toMatchObject({
      ec2ContainerInstances: 0,
      fargateServices: 1,
      ec2Services: 0,
      privateEcrImages: true,
      secretsManagerSecrets: false,
      subnetIds: ['subnet-b1'],
    });
    expect(byId.get('vpc-c')!.workloads.subnetIds).toEqual([]);

    expect(dnsCalls).toEqual([['vpc-a', 'vpc-b']]);
    expect(a).toMatchObject({ enableDnsSupport: true, enableDnsHostnames: true });
    expect(b).toMatchObject({ enableDnsSupport: true, enableDnsHostnames: false });
    expect(byId.get('vpc-c')).not.toHaveProperty('enableDnsSupport');

    expect(region.endpointServices).toHaveLength(1);
    expect(region.warnings).toEqual([
      '1 container instance(s) not matched to an EC2 instance in a VPC of this Region (mi-external): left out',
    ]);
  });

  it('leaves ssmManaged undefined and warns when the SSM inventory throws', async () => {
    const region = await reader({
      managed: async () => {
        throw new Error(
          'SSM managed instances could not be read (DescribeInstanceInformation): AccessDeniedException',
          {
            cause: Object.assign(
              new Error('User is not authorized to perform ssm:DescribeInstanceInformation'),
              {
                name: 'AccessDeniedException',
              },
            ),
          },
        );
      },
    }).readRegion();
    const all = region.vpcs.flatMap((v) => v.containerInstances);
    expect(all.length).toBeGreaterThan(0);
    expect(all.filter((ci) => 'ssmManaged' in ci)).toEqual([]);
    expect(region.warnings).toContain(
      "SSM inventory unavailable (AccessDeniedException: User is not authorized to perform ssm:DescribeInstanceInformation): instances' SSM status unknown",
    );
  });

  it('narrows the output, reads DNS only for requested ECS VPCs, and rejects unknown ids', async () => {
    const dnsCalls: string[][] = [];
    const narrowed = await reader({ dnsCalls }).readRegion({ vpcIds: ['vpc-c', 'vpc-b'] });
    expect(narrowed.vpcs.map((v) => v.vpcId)).toEqual(['vpc-b', 'vpc-c']);
    expect(dnsCalls).toEqual([['vpc-b']]);
    const none: string[][] = [];
    await reader({ dnsCalls: none }).readRegion({ vpcIds: ['vpc-c'] });
    expect(none).toEqual([]);
    await expect(reader().readRegion({ vpcIds: ['vpc-a', 'vpc-nope', 'vpc-gone'] })).rejects.toThrow(
      new VpcNotFoundError(['vpc-nope', 'vpc-gone'], REGION),
    );
    await expect(reader().readRegion({ vpcIds: ['vpc-nope'] })).rejects.toThrow(
      `VPC vpc-nope does not exist in ${REGION}`,
    );
  });
});

describe('platformOf', () => {
  const ec2 = (over: Partial<Ec2InstanceRecord> = {}): Ec2InstanceRecord => ({
    instanceId: 'i-1',
    state: 'running',
    architecture: 'x86_64',
    platformDetails: 'Linux/UNIX',
    hasPublicIpv4: false,
    ...over,
  });
  it.each<[string, Record<string, string>, Ec2InstanceRecord | undefined, string]>([
    ['ECS says windows', { 'ecs.os-type': 'windows' }, ec2(), 'windows'],
    [
      'bottlerocket variant',
      { 'ecs.os-type': 'linux', 'bottlerocket.variant': 'aws-ecs-2' },
      ec2(),
      'bottlerocket',
    ],
    [
      'bottlerocket on arm64',
      { 'bottlerocket.variant': 'aws-ecs-2', 'ecs.cpu-architecture': 'arm64' },
      ec2(),
      'bottlerocket',
    ],
    ['ECS arm64', { 'ecs.os-type': 'linux', 'ecs.cpu-architecture': 'arm64' }, ec2(), 'linux-arm64'],
    ['ECS linux x86', { 'ecs.os-type': 'linux', 'ecs.cpu-architecture': 'x86_64' }, ec2(), 'linux'],
    ['EC2 fallback: arm64', {}, ec2({ architecture: 'arm64' }), 'linux-arm64'],
    [
      'EC2 fallback: windows platform',
      {},
      ec2({ platform: 'windows', platformDetails: 'Windows' }),
      'windows',
    ],
    [
      'EC2 fallback: Windows with SQL',
      {},
      ec2({ platformDetails: 'Windows with SQL Server Standard' }),
      'windows',
    ],
    ['EC2 fallback: linux', {}, ec2(), 'linux'],
    [
      'ECS x86 wins over EC2 arm64',
      { 'ecs.cpu-architecture': 'x86_64' },
      ec2({ architecture: 'arm64' }),
      'linux',
    ],
    ['no EC2 instance, ECS linux', { 'ecs.os-type': 'linux' }, undefined, 'linux'],
    ['nothing known', {}, undefined, 'unknown'],
  ])('%s', (_name, attributes, instance, expected) => {
    expect(platformOf(attributes, instance)).toBe(expected);
  });
});

import { CreateSecurityGroupCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateServiceCommand,
  DescribeContainerInstancesCommand,
  DescribeServicesCommand,
  DescribeTaskDefinitionCommand,
  ECSClient,
  ListClustersCommand,
  ListContainerInstancesCommand,
  ListServicesCommand,
  UpdateServiceCommand,
  type TaskDefinition,
} from '@aws-sdk/client-ecs';
import { mockClient } from 'aws-sdk-client-mock';
import {
  EcsAgentControlAdapter,
  readEcsSnapshot,
  TaskDefinitionCache,
  taskDefinitionUsage,
  type TaskDefinitionUsage,
} from '../../shared/aws/ecs-adapter.js';
import {
  createCluster,
  createPrivateSubnets,
  createService,
  createVpc,
  ecrImage,
  launchContainerInstance,
  SEED_AGENT_VERSION,
  registerTaskDefinition,
} from '../../scripts/seed/builders.js';
import { resetEmulator } from '../support/emulator.js';

const REGION = 'us-east-1';
const CLUSTER = 'arn:aws:ecs:us-east-1:123456789012:cluster/c1';

function clientConfig(endpoint: string) {
  return {
    region: REGION,
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  };
}

/** A client that is never meant to reach a server (aws-sdk-client-mock answers instead). */
function offlineEcs(): ECSClient {
  return new ECSClient(clientConfig('http://127.0.0.1:9'));
}

/** Records the input of every command the client sends, by command name. */
function recordCommands(client: ECSClient): Map<string, Record<string, unknown>[]> {
  const seen = new Map<string, Record<string, unknown>[]>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const name = context.commandName ?? 'unknown';
      seen.set(name, [...(seen.get(name) ?? []), args.input as Record<string, unknown>]);
      return next(args);
    },
    { step: 'initialize', name: 'recordCommands' },
  );
  return seen;
}

const NONE: TaskDefinitionUsage = {
  privateEcrImages: false,
  awslogs: false,
  secretsManager: false,
  ssmParameters: false,
};

describe('taskDefinitionUsage', () => {
  const ecr = '123456789012.dkr.ecr.us-east-1.amazonaws.com/app:1';
  const cases: [string, TaskDefinition, TaskDefinitionUsage][] = [
    ['no containers', {}, NONE],
    ['Docker Hub image', { containerDefinitions: [{ image: 'nginx:1.27' }] }, NONE],
    ['public ECR gallery', { containerDefinitions: [{ image: 'public.ecr.aws/nginx/nginx:1' }] }, NONE],
    [
      'registry that merely looks like ECR (11 digits)',
      { containerDefinitions: [{ image: '12345678901.dkr.ecr.us-east-1.amazonaws.com/app' }] },
      NONE,
    ],
    ['private ECR image', { containerDefinitions: [{ image: ecr }] }, { ...NONE, privateEcrImages: true }],
    [
      'private ECR image by digest in China',
      {
        containerDefinitions: [
          { image: '123456789012.dkr.ecr.cn-north-1.amazonaws.com.cn/app@sha256:abcdef0123456789' },
        ],
      },
      { ...NONE, privateEcrImages: true },
    ],
    [
      'awslogs in the second container only',
      {
        containerDefinitions: [
          { image: 'busybox', logConfiguration: { logDriver: 'json-file' } },
          { image: 'busybox', logConfiguration: { logDriver: 'awslogs' } },
        ],
      },
      { ...NONE, awslogs: true },
    ],
    [
      'Secrets Manager secret by ARN',
      {
        containerDefinitions: [
          {
            secrets: [
              { name: 'A', valueFrom: 'arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf' },
            ],
          },
        ],
      },
      { ...NONE, secretsManager: true },
    ],
    [
      'SSM parameter by ARN',
      {
        containerDefinitions: [
          { secrets: [{ name: 'A', valueFrom: 'arn:aws:ssm:us-east-1:123456789012:parameter/app/token' }] },
        ],
      },
      { ...NONE, ssmParameters: true },
    ],
    [
      'SSM parameter by bare path',
      { containerDefinitions: [{ secrets: [{ name: 'A', valueFrom: '/app/token' }] }] },
      { ...NONE, ssmParameters: true },
    ],
    [
      'SSM parameter by bare name in log options',
      {
        containerDefinitions: [
          {
            logConfiguration: {
              logDriver: 'splunk',
              secretOptions: [{ name: 'splunk-token', valueFrom: 'splunk-token' }],
            },
          },
        ],
      },
      { ...NONE, ssmParameters: true },
    ],
    [
      'private registry credentials by secret name',
      { containerDefinitions: [{ repositoryCredentials: { credentialsParameter: 'dockerhub-creds' } }] },
      { ...NONE, secretsManager: true },
    ],
    [
      'everything in GovCloud',
      {
        containerDefinitions: [
          {
            image: '123456789012.dkr.ecr.us-gov-west-1.amazonaws.com/app',
            logConfiguration: { logDriver: 'awslogs' },
            secrets: [
              { name: 'A', valueFrom: 'arn:aws-us-gov:secretsmanager:us-gov-west-1:123456789012:secret:x' },
              { name: 'B', valueFrom: 'arn:aws-us-gov:ssm:us-gov-west-1:123456789012:parameter/y' },
            ],
          },
        ],
      },
      { privateEcrImages: true, awslogs: true, secretsManager: true, ssmParameters: true },
    ],
    [
      'a valueFrom ARN of another service counts for neither',
      {
        containerDefinitions: [
          {
            secrets: [
              { name: 'A', valueFrom: 'arn:aws:s3:::bucket/key' },
              { name: 'B', valueFrom: '' },
            ],
          },
        ],
      },
      NONE,
    ],
  ];
  it.each(cases)('%s', (_name, taskDefinition, expected) => {
    expect(taskDefinitionUsage(taskDefinition)).toEqual(expected);
  });
});

describe('TaskDefinitionCache', () => {
  const arn = (family: string, revision: number) =>
    `arn:aws:ecs:us-east-1:123456789012:task-definition/${family}:${revision}`;

  it('keeps revisions by ARN, and nothing named without a revision', () => {
    const cache = new TaskDefinitionCache();
    cache.set(arn('web', 3), { ...NONE, awslogs: true });
    cache.set('arn:aws:ecs:us-east-1:123456789012:task-definition/web', NONE);
    cache.set('web:3', NONE);
    expect(cache.get(arn('web', 3))).toEqual({ ...NONE, awslogs: true });
    expect(cache.get(arn('web', 4))).toBeUndefined();
    expect(cache.size).toBe(1);
    cache.set('arn:aws-cn:ecs:cn-north-1:123456789012:task-definition/web:1', NONE);
    expect(cache.size).toBe(2);
  });

  it('forgets the oldest revision beyond its capacity', () => {
    const cache = new TaskDefinitionCache(2);
    cache.set(arn('a', 1), NONE);
    cache.set(arn('b', 1), NONE);
    cache.set(arn('a', 1), { ...NONE, ssmParameters: true });
    cache.set(arn('c', 1), NONE);
    expect(cache.size).toBe(2);
    expect(cache.get(arn('b', 1))).toBeUndefined();
    expect(cache.get(arn('a', 1))).toEqual({ ...NONE, ssmParameters: true });
    expect(cache.get(arn('c', 1))).toEqual(NONE);
  });
});

describe('readEcsSnapshot against the emulator', () => {
  let ecs: ECSClient;
  let ec2: EC2Client;

  beforeEach(async () => {
    const endpoint = await resetEmulator();
    ecs = new ECSClient(clientConfig(endpoint));
    ec2 = new EC2Client(clientConfig(endpoint));
  });

  it('reads instances, services and each shared task definition once', async () => {
    const vpcId = await createVpc(ec2, { cidr: '10.1.0.0/16', name: 'ecs-test' });
    const subnets = await createPrivateSubnets(ec2, {
      vpcId,
      cidrs: ['10.1.1.0/24', '10.1.2.0/24'],
      availabilityZones: ['us-east-1a', 'us-east-1b'],
      namePrefix: 'ecs-test',
    });
    const [subnetA, subnetB] = subnets;
    if (!subnetA || !subnetB) throw new Error('subnets missing');
    const clusterArn = await createCluster(ecs, 'web');
    const otherClusterArn = await createCluster(ecs, 'jobs');
    const one = await launchContainerInstance(
      { region: REGION, ec2, ecs },
      { clusterArn, subnet: subnetA, name: 'a' },
    );
    const two = await launchContainerInstance(
      { region: REGION, ec2, ecs },
      { clusterArn, subnet: subnetB, name: 'b' },
    );

    const shared = await registerTaskDefinition(
      { region: REGION, ecs },
      { family: 'web', image: ecrImage(REGION, 'web'), awslogsGroup: '/ecs/web' },
    );
    const fargateTd = await registerTaskDefinition(
      { region: REGION, ecs },
      { family: 'job', image: 'nginx:latest', fargate: true, secretValueFrom: ['/jobs/token'] },
    );
    await createService(ecs, { clusterArn, name: 'web-a', taskDefinitionArn: shared });
    await createService(ecs, { clusterArn, name: 'web-b', taskDefinitionArn: shared });
    await createService(ecs, {
      clusterArn: otherClusterArn,
      name: 'job',
      taskDefinitionArn: fargateTd,
      fargateSubnetIds: [subnetA.subnetId, subnetB.subnetId],
    });

    const seen = recordCommands(ecs);
    const snapshot = await readEcsSnapshot(ecs);

    expect(
      seen
        .get('DescribeTaskDefinitionCommand')
        ?.map((input) => input.taskDefinition)
        ?.sort(),
    ).toEqual([shared, fargateTd].sort());
    expect(snapshot.containerInstances.map((ci) => ci.containerInstanceArn).sort()).toEqual(
      [one.containerInstanceArn, two.containerInstanceArn].sort(),
    );
    const first = snapshot.containerInstances.find((ci) => ci.ec2InstanceId === one.instanceId);
    // Private subnets without endpoints: the agent has no path to ECS. Its version is what it registered.
    expect(first).toMatchObject({
      clusterArn,
      agentConnected: false,
      agentVersion: SEED_AGENT_VERSION,
      status: 'ACTIVE',
      attributes: expect.objectContaining({ 'ecs.availability-zone': 'us-east-1a' }),
    });

    expect(snapshot.services).toHaveLength(3);
    const web = snapshot.services.filter((s) => s.taskDefinitionArn === shared);
    expect(web.map((s) => s.clusterArn)).toEqual([clusterArn, clusterArn]);
    expect(web.map((s) => ({ usesFargate: s.usesFargate, awsvpcSubnetIds: s.awsvpcSubnetIds }))).toEqual([
      { usesFargate: false, awsvpcSubnetIds: [] },
      { usesFargate: false, awsvpcSubnetIds: [] },
    ]);
    const job = snapshot.services.find((s) => s.taskDefinitionArn === fargateTd);
    expect(job).toMatchObject({ clusterArn: otherClusterArn, usesFargate: true });
    expect([...(job?.awsvpcSubnetIds ?? [])].sort()).toEqual([subnetA.subnetId, subnetB.subnetId].sort());

    expect(snapshot.taskDefinitions.get(shared)).toEqual({ ...NONE, privateEcrImages: true, awslogs: true });
    expect(snapshot.taskDefinitions.get(fargateTd)).toEqual({ ...NONE, ssmParameters: true });
  });

  it('reads whether an awsvpc service assigns public IPs to its tasks (assignPublicIp)', async () => {
    const vpcId = await createVpc(ec2, { cidr: '10.3.0.0/16', name: 'public-ip' });
    const [subnet] = await createPrivateSubnets(ec2, {
      vpcId,
      cidrs: ['10.3.1.0/24'],
      availabilityZones: ['us-east-1a'],
      namePrefix: 'public-ip',
    });
    if (!subnet) throw new Error('subnet missing');
    const { GroupId: groupId } = await ec2.send(
      new CreateSecurityGroupCommand({ GroupName: 'tasks', Description: 'tasks', VpcId: vpcId }),
    );
    const clusterArn = await createCluster(ecs, 'public-ip');
    const td = await registerTaskDefinition(
      { region: REGION, ecs },
      { family: 'pub', image: 'nginx:latest', fargate: true },
    );
    for (const [name, assignPublicIp] of [
      ['with-ip', 'ENABLED'],
      ['without-ip', 'DISABLED'],
    ] as const) {
      await ecs.send(
        new CreateServiceCommand({
          cluster: clusterArn,
          serviceName: name,
          taskDefinition: td,
          desiredCount: 1,
          launchType: 'FARGATE',
          networkConfiguration: {
            // moto requires security groups here
            awsvpcConfiguration: {
              subnets: [subnet.subnetId],
              securityGroups: [groupId ?? ''],
              assignPublicIp,
            },
          },
        }),
      );
    }
    const snapshot = await readEcsSnapshot(ecs);
    const byName = Object.fromEntries(
      snapshot.services.map((s) => [s.serviceArn.split('/').pop(), s.assignPublicIp]),
    );
    expect(byName).toEqual({ 'with-ip': true, 'without-ip': false });
  });

  it('describes services in batches of at most 10', async () => {
    const clusterArn = await createCluster(ecs, 'many');
    const taskDefinitionArn = await registerTaskDefinition(
      { region: REGION, ecs },
      { family: 'many', image: 'busybox' },
    );
    for (let i = 0; i < 23; i++) {
      await createService(ecs, { clusterArn, name: `svc-${i}`, taskDefinitionArn });
    }
    const seen = recordCommands(ecs);
    const snapshot = await readEcsSnapshot(ecs);

    const batches = (seen.get('DescribeServicesCommand') ?? []).map((input) => input.services as string[]);
    expect(batches.map((batch) => batch.length)).toEqual([10, 10, 3]);
    expect(new Set(batches.flat()).size).toBe(23);
    expect(snapshot.services).toHaveLength(23);
    expect(seen.get('DescribeTaskDefinitionCommand')).toHaveLength(1);
  });

  it('with a cache, reads a task definition revision once across reads, and a new revision when a service moves to it', async () => {
    const clusterArn = await createCluster(ecs, 'cached');
    const first = await registerTaskDefinition(
      { region: REGION, ecs },
      { family: 'app', image: ecrImage(REGION, 'app') },
    );
    await createService(ecs, { clusterArn, name: 'app', taskDefinitionArn: first });
    const cache = new TaskDefinitionCache();
    const seen = recordCommands(ecs);
    const read = async () => {
      seen.clear();
      const snapshot = await readEcsSnapshot(ecs, undefined, cache);
      return {
        described: (seen.get('DescribeTaskDefinitionCommand') ?? []).map((input) => input.taskDefinition),
        usage: snapshot.taskDefinitions.get(snapshot.services[0]?.taskDefinitionArn ?? ''),
      };
    };

    expect(await read()).toEqual({ described: [first], usage: { ...NONE, privateEcrImages: true } });
    expect(await read()).toEqual({ described: [], usage: { ...NONE, privateEcrImages: true } });

    const second = await registerTaskDefinition(
      { region: REGION, ecs },
      { family: 'app', image: 'public.ecr.aws/docker/library/busybox:latest', awslogsGroup: '/ecs/app' },
    );
    expect(second).not.toBe(first);
    await ecs.send(new UpdateServiceCommand({ cluster: clusterArn, service: 'app', taskDefinition: second }));
    expect(await read()).toEqual({ described: [second], usage: { ...NONE, awslogs: true } });
    expect(cache.size).toBe(2);
  });

  it('returns an empty snapshot for an account without clusters', async () => {
    const snapshot = await readEcsSnapshot(ecs);
    expect(snapshot.containerInstances).toEqual([]);
    expect(snapshot.services).toEqual([]);
    expect(snapshot.taskDefinitions.size).toBe(0);
  });
});

describe('readEcsSnapshot with paged and large answers', () => {
  it('pages container instances and describes them in batches of 100; detects Fargate capacity providers', async () => {
    const ecs = offlineEcs();
    const mock = mockClient(ecs);
    const arns = Array.from(
      { length: 250 },
      (_, i) => `${CLUSTER.replace('cluster', 'container-instance')}/${i}`,
    );
    mock.on(ListClustersCommand).resolves({ clusterArns: [CLUSTER] });
    mock
      .on(ListContainerInstancesCommand, { cluster: CLUSTER })
      .resolves({ containerInstanceArns: arns.slice(0, 100), nextToken: 't1' })
      .on(ListContainerInstancesCommand, { cluster: CLUSTER, nextToken: 't1' })
      .resolves({ containerInstanceArns: arns.slice(100) });
    mock.on(DescribeContainerInstancesCommand).callsFake((input: { containerInstances: string[] }) => ({
      containerInstances: input.containerInstances.map((arn, i) => ({
        containerInstanceArn: arn,
        ec2InstanceId: `i-${String(i).padStart(17, '0')}`,
        agentConnected: i % 2 === 0,
        status: 'ACTIVE',
        versionInfo: { agentVersion: '1.86.0' },
      })),
    }));
    mock.on(ListServicesCommand).resolves({ serviceArns: ['svc-spot', 'svc-ec2'] });
    mock.on(DescribeServicesCommand).resolves({
      services: [
        {
          serviceArn: 'svc-spot',
          taskDefinition: 'td:1',
          capacityProviderStrategy: [{ capacityProvider: 'FARGATE_SPOT', weight: 1 }],
          networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-1'] } },
        },
        {
          serviceArn: 'svc-ec2',
          taskDefinition: 'td:1',
          capacityProviderStrategy: [{ capacityProvider: 'my-asg-provider', weight: 1 }],
        },
      ],
    });
    mock.on(DescribeTaskDefinitionCommand).resolves({ taskDefinition: { containerDefinitions: [] } });

    const snapshot = await readEcsSnapshot(ecs);

    const describeBatches = mock
      .commandCalls(DescribeContainerInstancesCommand)
      .map((call) => call.args[0].input.containerInstances?.length);
    expect(describeBatches).toEqual([100, 100, 50]);
    expect(snapshot.containerInstances).toHaveLength(250);
    expect(snapshot.containerInstances.filter((ci) => !ci.agentConnected).length).toBeGreaterThan(0);
    expect(snapshot.services.map((s) => [s.serviceArn, s.usesFargate, s.awsvpcSubnetIds])).toEqual([
      ['svc-spot', true, ['subnet-1']],
      ['svc-ec2', false, []],
    ]);
    expect(mock.commandCalls(DescribeTaskDefinitionCommand)).toHaveLength(1);
  });

  it('reports a task definition that cannot be read', async () => {
    const ecs = offlineEcs();
    const mock = mockClient(ecs);
    mock.on(ListClustersCommand).resolves({ clusterArns: [CLUSTER] });
    mock.on(ListContainerInstancesCommand).resolves({ containerInstanceArns: [] });
    mock.on(ListServicesCommand).resolves({ serviceArns: ['svc'] });
    mock.on(DescribeServicesCommand).resolves({ services: [{ serviceArn: 'svc', taskDefinition: 'td:9' }] });
    mock.on(DescribeTaskDefinitionCommand).resolves({});
    await expect(readEcsSnapshot(ecs)).rejects.toThrow('td:9');
    expect(mock.commandCalls(DescribeContainerInstancesCommand)).toHaveLength(0);
  });
});

describe('EcsAgentControlAdapter', () => {
  it('describes container instances in batches of 100 and maps agent state', async () => {
    const ecs = offlineEcs();
    const mock = mockClient(ecs);
    mock.on(DescribeContainerInstancesCommand).callsFake((input: { containerInstances: string[] }) => ({
      containerInstances: input.containerInstances.map((arn) => ({
        containerInstanceArn: arn,
        agentConnected: arn.endsWith('/0'),
        ...(arn.endsWith('/1') ? {} : { versionInfo: { agentVersion: '1.25.0' } }),
      })),
      failures: [],
    }));
    const arns = Array.from({ length: 201 }, (_, i) => `arn:aws:ecs:us-east-1:1:container-instance/c1/${i}`);
    const result = await new EcsAgentControlAdapter(ecs).describeContainerInstances(CLUSTER, arns);

    const calls = mock.commandCalls(DescribeContainerInstancesCommand).map((call) => call.args[0].input);
    expect(calls.map((input) => input.containerInstances?.length)).toEqual([100, 100, 1]);
    expect(calls.map((input) => input.cluster)).toEqual([CLUSTER, CLUSTER, CLUSTER]);
    expect(result).toHaveLength(201);
    expect(result[0]).toEqual({
      containerInstanceArn: arns[0],
      agentConnected: true,
      agentVersion: '1.25.0',
    });
    expect(result[1]).toEqual({ containerInstanceArn: arns[1], agentConnected: false });
  });

  it('sends nothing for an empty list', async () => {
    const ecs = offlineEcs();
    const mock = mockClient(ecs);
    expect(await new EcsAgentControlAdapter(ecs).describeContainerInstances(CLUSTER, [])).toEqual([]);
    expect(mock.calls()).toHaveLength(0);
  });
});

import {
  DescribeInstancesCommand,
  DescribeRouteTablesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  EC2Client,
  type Tag,
} from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SSMClient } from '@aws-sdk/client-ssm';
import { readEcsSnapshot, type EcsSnapshot } from '../../shared/aws/ecs-adapter.js';
import { seedBenchAccount } from '../../scripts/seed/bench-account.js';
import type { SeedClients } from '../../scripts/seed/builders.js';
import {
  DEMO_OLD_AGENT_VERSION,
  MODE_TAG_KEY,
  seedDemoAccount,
  type DemoAccount,
} from '../../scripts/seed/demo-account.js';
import { resetEmulator } from '../support/emulator.js';

function seedClients(endpoint: string): SeedClients {
  const config = {
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  };
  return {
    region: 'us-east-1',
    ec2: new EC2Client(config),
    ecs: new ECSClient(config),
    ssm: new SSMClient(config),
    secretsManager: new SecretsManagerClient(config),
  };
}

function tagMap(tags: readonly Tag[] | undefined): Record<string, string> {
  return Object.fromEntries((tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
}

describe('demo account seeder', () => {
  let clients: SeedClients;
  let demo: DemoAccount;
  let snapshot: EcsSnapshot;

  beforeAll(async () => {
    clients = seedClients(await resetEmulator());
    demo = await seedDemoAccount(clients);
    snapshot = await readEcsSnapshot(clients.ecs);
  });

  it('makes four tagged VPCs and leaves the default VPC alone', async () => {
    const { Vpcs = [] } = await clients.ec2.send(new DescribeVpcsCommand({}));
    expect(Vpcs.filter((vpc) => vpc.IsDefault)).toHaveLength(1);
    const byName = new Map(Vpcs.map((vpc) => [tagMap(vpc.Tags).Name, vpc]));
    expect(byName.get('payments')).toMatchObject({ VpcId: demo.vpcIds.payments, CidrBlock: '10.10.0.0/16' });
    expect(byName.get('analytics')).toMatchObject({
      VpcId: demo.vpcIds.analytics,
      CidrBlock: '10.20.0.0/16',
    });
    expect(byName.get('batch')).toMatchObject({ VpcId: demo.vpcIds.batch, CidrBlock: '10.30.0.0/16' });
    expect(byName.get('sandbox')).toMatchObject({ VpcId: demo.vpcIds.sandbox, CidrBlock: '10.40.0.0/16' });
    expect(tagMap(byName.get('payments')?.Tags)[MODE_TAG_KEY]).toBe('enforce');
    expect(tagMap(byName.get('analytics')?.Tags)[MODE_TAG_KEY]).toBe('audit');
    expect(tagMap(byName.get('batch')?.Tags)[MODE_TAG_KEY]).toBeUndefined();
    expect(tagMap(byName.get('sandbox')?.Tags)[MODE_TAG_KEY]).toBeUndefined();
  });

  it('makes the subnets per VPC, private ones without an internet route', async () => {
    const counts: Record<string, number> = {};
    for (const [name, vpcId] of Object.entries(demo.vpcIds)) {
      const { Subnets = [] } = await clients.ec2.send(
        new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }),
      );
      counts[name] = Subnets.length;
    }
    expect(counts).toEqual({ payments: 4, analytics: 3, batch: 2, sandbox: 2 });

    const payments = demo.vpcs.payments;
    expect(new Set(payments.privateSubnets.map((s) => s.availabilityZone)).size).toBe(3);
    const { RouteTables = [] } = await clients.ec2.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [demo.vpcIds.payments] }] }),
    );
    const defaultRouteOf = (routeTableId: string | undefined) =>
      RouteTables.find((table) => table.RouteTableId === routeTableId)?.Routes?.find(
        (route) => route.DestinationCidrBlock === '0.0.0.0/0',
      );
    for (const subnet of payments.privateSubnets) {
      expect(subnet.routeTableId).toBeDefined();
      expect(defaultRouteOf(subnet.routeTableId)).toBeUndefined();
    }
    expect(defaultRouteOf(payments.publicSubnet?.routeTableId)?.GatewayId).toBe(
      payments.publicSubnet?.internetGatewayId,
    );
  });

  it('turns DNS hostnames off in payments only', async () => {
    const hostnames = async (vpcId: string) =>
      (
        await clients.ec2.send(
          new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsHostnames' }),
        )
      ).EnableDnsHostnames?.Value;
    const support = async (vpcId: string) =>
      (
        await clients.ec2.send(
          new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsSupport' }),
        )
      ).EnableDnsSupport?.Value;
    expect(await hostnames(demo.vpcIds.payments)).toBe(false);
    expect(await support(demo.vpcIds.payments)).toBe(true);
    expect(await hostnames(demo.vpcIds.analytics)).toBe(true);
    expect(await hostnames(demo.vpcIds.batch)).toBe(true);
  });

  it('leaves the payments endpoints with the intended drift', async () => {
    const { VpcEndpoints = [] } = await clients.ec2.send(
      new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [demo.vpcIds.payments] }] }),
    );
    const byId = new Map(VpcEndpoints.map((endpoint) => [endpoint.VpcEndpointId, endpoint]));
    const service = (id: string) => byId.get(id)?.ServiceName;
    const allSubnets = demo.vpcs.payments.privateSubnets.map((s) => s.subnetId).sort();

    const agent = byId.get(demo.endpoints.ecsAgent);
    expect(agent).toMatchObject({
      ServiceName: 'com.amazonaws.us-east-1.ecs-agent',
      PrivateDnsEnabled: true,
      State: 'available',
    });
    expect([...(agent?.SubnetIds ?? [])].sort()).toEqual(allSubnets);

    expect(byId.get(demo.endpoints.ecsTelemetryDeleted)).toMatchObject({
      ServiceName: 'com.amazonaws.us-east-1.ecs-telemetry',
      State: 'deleted',
    });
    expect(byId.get(demo.endpoints.ecs)?.SubnetIds).toHaveLength(2);
    expect(service(demo.endpoints.ecrApi)).toBe('com.amazonaws.us-east-1.ecr.api');
    expect(service(demo.endpoints.ecrDkr)).toBe('com.amazonaws.us-east-1.ecr.dkr');
    expect(byId.get(demo.endpoints.ecrDkr)?.Groups?.map((g) => g.GroupId)).toEqual([
      demo.endpoints.blockingGroupId,
    ]);
    const services = VpcEndpoints.map((endpoint) => endpoint.ServiceName ?? '');
    for (const absent of ['s3', 'logs', 'secretsmanager']) {
      expect(services).not.toContain(`com.amazonaws.us-east-1.${absent}`);
    }
    expect(VpcEndpoints).toHaveLength(5);

    const { SecurityGroups = [] } = await clients.ec2.send(
      new DescribeSecurityGroupsCommand({
        GroupIds: [demo.endpoints.httpsGroupId, demo.endpoints.blockingGroupId],
      }),
    );
    const https443 = (groupId: string) =>
      SecurityGroups.find((g) => g.GroupId === groupId)?.IpPermissions?.filter(
        (p) => p.IpProtocol === 'tcp' && p.FromPort === 443 && p.ToPort === 443,
      ) ?? [];
    expect(https443(demo.endpoints.httpsGroupId)[0]?.IpRanges?.map((r) => r.CidrIp)).toEqual([
      '10.10.0.0/16',
    ]);
    expect(https443(demo.endpoints.blockingGroupId)).toEqual([]);
  });

  it('places 5 + 2 container instances: payments in every private subnet, a Windows one, an old agent in public', async () => {
    expect(snapshot.containerInstances).toHaveLength(7);
    const inCluster = (arn: string) => snapshot.containerInstances.filter((ci) => ci.clusterArn === arn);
    expect(inCluster(demo.clusterArns.payments)).toHaveLength(5);
    expect(inCluster(demo.clusterArns.analytics)).toHaveLength(2);
    expect(inCluster(demo.clusterArns.batch)).toHaveLength(0);
    expect(demo.containerInstanceArns.sort()).toEqual(
      snapshot.containerInstances.map((ci) => ci.containerInstanceArn).sort(),
    );

    const { Reservations = [] } = await clients.ec2.send(
      new DescribeInstancesCommand({ InstanceIds: demo.instanceIds }),
    );
    const instances = Reservations.flatMap((r) => r.Instances ?? []);
    const paymentsSubnets = new Set(demo.vpcs.payments.privateSubnets.map((s) => s.subnetId));
    const paymentsInstances = instances.filter((i) => i.VpcId === demo.vpcIds.payments);
    expect(paymentsInstances).toHaveLength(5);
    const privateOnes = paymentsInstances.filter((i) => paymentsSubnets.has(i.SubnetId ?? ''));
    expect(privateOnes).toHaveLength(4);
    expect(new Set(privateOnes.map((i) => i.Placement?.AvailabilityZone)).size).toBe(3);
    expect(privateOnes.filter((i) => i.Platform?.toLowerCase() === 'windows')).toHaveLength(1);
    const [legacy] = paymentsInstances.filter((i) => !paymentsSubnets.has(i.SubnetId ?? ''));
    expect(legacy?.SubnetId).toBe(demo.vpcs.payments.publicSubnet?.subnetId);
    expect(legacy?.PublicIpAddress).toBeDefined();
    const legacyAgent = snapshot.containerInstances.find((ci) => ci.ec2InstanceId === legacy?.InstanceId);
    expect(legacyAgent).toMatchObject({ agentVersion: DEMO_OLD_AGENT_VERSION, agentConnected: true });
    // Every payments instance has an instance profile (SSM-managed); analytics ones do not.
    expect(paymentsInstances.filter((i) => i.IamInstanceProfile === undefined)).toEqual([]);
    const analytics = instances.filter((i) => i.VpcId === demo.vpcIds.analytics);
    expect(analytics).toHaveLength(2);
    expect(analytics.filter((i) => i.IamInstanceProfile !== undefined)).toEqual([]);
  });

  it('gives each service the task definition usage the scenario needs', () => {
    const usageOf = (clusterArn: string) => {
      const service = snapshot.services.find((s) => s.clusterArn === clusterArn);
      return { service, usage: service && snapshot.taskDefinitions.get(service.taskDefinitionArn) };
    };
    const payments = usageOf(demo.clusterArns.payments);
    expect(payments.service?.usesFargate).toBe(false);
    expect(payments.usage).toEqual({
      privateEcrImages: true,
      awslogs: true,
      secretsManager: true,
      ssmParameters: false,
    });
    expect(usageOf(demo.clusterArns.analytics).usage).toEqual({
      privateEcrImages: true,
      awslogs: true,
      secretsManager: false,
      ssmParameters: true,
    });
    const batch = usageOf(demo.clusterArns.batch);
    expect(batch.service?.usesFargate).toBe(true);
    expect([...(batch.service?.awsvpcSubnetIds ?? [])].sort()).toEqual(
      demo.vpcs.batch.privateSubnets.map((s) => s.subnetId).sort(),
    );
    expect(batch.usage).toEqual({
      privateEcrImages: true,
      awslogs: false,
      secretsManager: false,
      ssmParameters: false,
    });
    expect(snapshot.services).toHaveLength(3);
  });
});

describe('bench account seeder', () => {
  it('seeds N drifted VPCs with container instances spread over three AZs', async () => {
    const clients = seedClients(await resetEmulator());
    const bench = await seedBenchAccount(clients, { vpcCount: 5, instancesPerVpc: 3, mode: 'audit' });
    expect(bench.vpcIds).toHaveLength(5);
    expect(new Set(bench.vpcIds).size).toBe(5);
    expect(bench.clusterArns).toHaveLength(1);
    expect(bench.seedMs).toBeGreaterThan(0);

    const { Vpcs = [] } = await clients.ec2.send(new DescribeVpcsCommand({ VpcIds: bench.vpcIds }));
    expect(Vpcs.map((vpc) => tagMap(vpc.Tags)[MODE_TAG_KEY])).toEqual([
      'audit',
      'audit',
      'audit',
      'audit',
      'audit',
    ]);

    const { Subnets = [] } = await clients.ec2.send(
      new DescribeSubnetsCommand({ Filters: [{ Name: 'vpc-id', Values: bench.vpcIds }] }),
    );
    expect(Subnets).toHaveLength(15);
    for (const vpcId of bench.vpcIds) {
      const azs = Subnets.filter((s) => s.VpcId === vpcId).map((s) => s.AvailabilityZone);
      expect(new Set(azs).size).toBe(3);
    }
    const { VpcEndpoints = [] } = await clients.ec2.send(
      new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: bench.vpcIds }] }),
    );
    expect(VpcEndpoints).toEqual([]);

    const snapshot = await readEcsSnapshot(clients.ecs);
    expect(snapshot.containerInstances).toHaveLength(15);
    const { Reservations = [] } = await clients.ec2.send(
      new DescribeInstancesCommand({
        InstanceIds: snapshot.containerInstances.map((ci) => ci.ec2InstanceId),
      }),
    );
    const perVpc = new Map<string, Set<string>>();
    for (const instance of Reservations.flatMap((r) => r.Instances ?? [])) {
      const azs = perVpc.get(instance.VpcId ?? '') ?? new Set<string>();
      azs.add(instance.Placement?.AvailabilityZone ?? '');
      perVpc.set(instance.VpcId ?? '', azs);
    }
    expect([...perVpc.keys()].sort()).toEqual([...bench.vpcIds].sort());
    expect([...perVpc].map(([vpcId, azs]) => ({ vpcId, azs: azs.size })).filter((v) => v.azs !== 3)).toEqual(
      [],
    );

    expect(snapshot.services).toHaveLength(5);
    const usage = snapshot.taskDefinitions.get(snapshot.services[0]?.taskDefinitionArn ?? '');
    expect(usage).toMatchObject({ privateEcrImages: true, awslogs: true });
  });

  it('rejects sizes it cannot lay out', async () => {
    const clients = seedClients(await resetEmulator());
    await expect(seedBenchAccount(clients, { vpcCount: 0 })).rejects.toThrow(/vpcCount/);
    await expect(seedBenchAccount(clients, { vpcCount: 1, subnetsPerVpc: 17 })).rejects.toThrow(
      /subnetsPerVpc/,
    );
    const { Vpcs = [] } = await clients.ec2.send(new DescribeVpcsCommand({}));
    expect(Vpcs.filter((vpc) => !vpc.IsDefault)).toEqual([]);
  });
});

import {
  CreateSecurityGroupCommand,
  CreateVpcCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  EC2Client,
  RunInstancesCommand,
  TerminateInstancesCommand,
} from '@aws-sdk/client-ec2';
import { SERVICE_NAMES } from '../../shared/core/domain.js';
import { countCalls } from '../../shared/aws/call-counter.js';
import { createAwsClients, type AwsClients } from '../../shared/aws/clients.js';
import type { Ec2Snapshot } from '../../shared/core/ec2-snapshot.js';
import { readEc2Snapshot, readVpcDnsAttributes } from '../../shared/aws/ec2-reader.js';
import { DefaultSecurityGroupRefusedError, Ec2WriterAdapter } from '../../shared/aws/ec2-writer.js';
import { resetEmulator } from '../support/emulator.js';
import { AZS, REGION, TEST_AMI, runInstance, seedNetwork, type SeededNetwork } from './ec2-seed.js';

const clientsFor = (endpointUrl: string) => createAwsClients({ region: REGION, endpointUrl });

describe('readEc2Snapshot: public IPv4 addresses of instances (an internet-gateway route is a path only with one)', () => {
  it('maps PublicIpAddress, given by AssociatePublicIpAddress at launch, to hasPublicIpv4', async () => {
    const ec2 = clientsFor(await resetEmulator()).ec2;
    const seed = await seedNetwork(ec2);
    const launch = async (associate: boolean) => {
      const { Instances } = await ec2.send(
        new RunInstancesCommand({
          ImageId: TEST_AMI,
          InstanceType: 't3.micro',
          MinCount: 1,
          MaxCount: 1,
          NetworkInterfaces: [
            { DeviceIndex: 0, SubnetId: seed.publicSubnetId, AssociatePublicIpAddress: associate },
          ],
        }),
      );
      return Instances?.[0]?.InstanceId ?? '';
    };
    const withIp = await launch(true);
    const withoutIp = await launch(false);
    const snapshot = await readEc2Snapshot(ec2, REGION);
    expect(snapshot.instances.get(withIp)).toMatchObject({
      subnetId: seed.publicSubnetId,
      hasPublicIpv4: true,
    });
    expect(snapshot.instances.get(withoutIp)).toMatchObject({
      subnetId: seed.publicSubnetId,
      hasPublicIpv4: false,
    });
  });
});

describe('readEc2Snapshot against the emulator', () => {
  let ec2: EC2Client;
  let seed: SeededNetwork;
  let snapshot: Ec2Snapshot;
  let instanceId: string;
  let terminatedId: string;

  beforeAll(async () => {
    ec2 = clientsFor(await resetEmulator()).ec2;
    seed = await seedNetwork(ec2);
    instanceId = await runInstance(ec2, seed.privateSubnetIds[1]!);
    terminatedId = await runInstance(ec2, seed.privateSubnetIds[2]!);
    await ec2.send(new TerminateInstancesCommand({ InstanceIds: [terminatedId] }));
    snapshot = await readEc2Snapshot(ec2, REGION);
  });

  const seededVpc = () => {
    const vpc = snapshot.vpcs.find((v) => v.vpcId === seed.vpcId);
    if (!vpc) throw new Error('seeded VPC not in the snapshot');
    return vpc;
  };

  it('lists the seeded VPC and the default VPC, flagged as such', () => {
    expect(seededVpc()).toMatchObject({
      isDefault: false,
      cidrBlocks: [seed.cidr],
      tags: { Name: 'seed-0' },
    });
    const defaults = snapshot.vpcs.filter((v) => v.isDefault);
    expect(defaults).toHaveLength(1);
    expect(defaults[0]!.vpcId).not.toBe(seed.vpcId);
    expect(defaults[0]!.domainNameServers).toEqual([]);
  });

  it('tells private from public subnets and finds the NAT routes', () => {
    const subnets = new Map(seededVpc().subnets.map((s) => [s.subnetId, s]));
    seed.privateSubnetIds.forEach((id, i) => {
      expect(subnets.get(id)).toMatchObject({
        availabilityZone: AZS[i],
        routeTableId: seed.privateRouteTableId,
        isPrivate: true,
        hasNatRoute: false,
      });
    });
    expect(subnets.get(seed.publicSubnetId)).toMatchObject({
      routeTableId: seed.publicRouteTableId,
      isPrivate: false,
      hasNatRoute: false,
    });
    expect(subnets.get(seed.natSubnetId)).toMatchObject({
      routeTableId: seed.natRouteTableId,
      isPrivate: true,
      hasNatRoute: true,
    });
  });

  it('maps route tables: main table, associations, IGW/NAT routes and gateway endpoints', () => {
    const tables = new Map(seededVpc().routeTables.map((t) => [t.routeTableId, t]));
    expect(tables.get(seed.privateRouteTableId)).toEqual({
      routeTableId: seed.privateRouteTableId,
      isMain: false,
      subnetIds: [...seed.privateSubnetIds].sort(),
      hasInternetGatewayRoute: false,
      hasNatRoute: false,
      gatewayEndpointIds: [seed.s3GatewayEndpointId],
      // The seed has no peering or transit gateway.
      transitRoutes: [],
    });
    expect(tables.get(seed.publicRouteTableId)).toMatchObject({
      hasInternetGatewayRoute: true,
      hasNatRoute: false,
    });
    expect(tables.get(seed.natRouteTableId)).toMatchObject({
      hasInternetGatewayRoute: false,
      hasNatRoute: true,
    });
    const main = [...tables.values()].filter((t) => t.isMain);
    expect(main).toHaveLength(1);
    expect(main[0]!.gatewayEndpointIds).toEqual([]);
  });

  it('keeps interface and gateway endpoints with their state, the deleted one as deleted (the ClientToken derives from it)', () => {
    const endpoints = seededVpc().endpoints;
    expect(endpoints.map((e) => e.endpointId).sort()).toEqual(
      [
        seed.interfaceEndpointIds['ecr.api'],
        seed.interfaceEndpointIds['ecr.dkr'],
        seed.s3GatewayEndpointId,
        seed.deletedEndpointId,
      ].sort(),
    );
    expect(endpoints.find((e) => e.endpointId === seed.deletedEndpointId)).toMatchObject({
      service: 'logs',
      state: 'deleted',
    });
    const api = endpoints.find((e) => e.endpointId === seed.interfaceEndpointIds['ecr.api']);
    expect(api).toMatchObject({
      serviceName: `com.amazonaws.${REGION}.ecr.api`,
      service: 'ecr.api',
      type: 'Interface',
      state: 'available',
      subnetIds: [...seed.privateSubnetIds].sort(),
      securityGroupIds: [seed.endpointGroupId],
      privateDnsEnabled: true,
    });
    const s3 = endpoints.find((e) => e.endpointId === seed.s3GatewayEndpointId);
    expect(s3).toMatchObject({
      service: 's3',
      type: 'Gateway',
      state: 'available',
      routeTableIds: [seed.privateRouteTableId],
    });
  });

  it('maps security groups, their ingress rules and the default group', () => {
    const groups = seededVpc().securityGroups;
    const endpointGroup = groups.find((g) => g.groupId === seed.endpointGroupId);
    expect(endpointGroup).toMatchObject({ groupName: 'endpoints', isDefault: false });
    expect(endpointGroup!.ingress).toEqual([
      {
        protocol: 'tcp',
        fromPort: 443,
        toPort: 443,
        cidrBlocks: [seed.cidr],
        sourceGroupIds: [],
        prefixListIds: [],
      },
    ]);
    expect(groups.filter((g) => g.isDefault).map((g) => g.groupName)).toEqual(['default']);
  });

  it('maps network ACLs, their subnets and entries, and each subnet’s ACL', () => {
    const vpc = seededVpc();
    const custom = vpc.networkAcls.find((a) => a.naclId === seed.naclId);
    expect(custom).toMatchObject({ isDefault: false, subnetIds: [seed.privateSubnetIds[0]] });
    expect(custom!.entries).toContainEqual({
      ruleNumber: 100,
      egress: false,
      protocol: '6',
      action: 'allow',
      cidrBlock: seed.cidr,
      portFrom: 443,
      portTo: 443,
    });
    expect(vpc.networkAcls.filter((a) => a.isDefault)).toHaveLength(1);
    expect(vpc.subnets.find((s) => s.subnetId === seed.privateSubnetIds[0])!.networkAclId).toBe(seed.naclId);
    const defaultAcl = vpc.networkAcls.find((a) => a.isDefault)!;
    expect(vpc.subnets.find((s) => s.subnetId === seed.privateSubnetIds[1])!.networkAclId).toBe(
      defaultAcl.naclId,
    );
  });

  it('reads the DHCP options’ custom DNS servers', () => {
    expect(seededVpc()).toMatchObject({
      dhcpOptionsId: seed.dhcpOptionsId,
      domainNameServers: seed.dnsServers,
    });
  });

  it('lists the known endpoint services offered, s3 as Gateway and Interface', () => {
    const offers = snapshot.endpointServices;
    expect(new Set(offers.map((o) => o.service))).toEqual(new Set(SERVICE_NAMES));
    expect(
      offers
        .filter((o) => o.service === 's3')
        .map((o) => o.type)
        .sort(),
    ).toEqual(['Gateway', 'Interface']);
    const ecsAgent = offers.find((o) => o.service === 'ecs-agent');
    expect(ecsAgent).toMatchObject({ serviceName: `com.amazonaws.${REGION}.ecs-agent`, type: 'Interface' });
    expect(ecsAgent!.availabilityZones.length).toBeGreaterThan(0);
  });

  it('lists instances with subnet, VPC, AZ and architecture, and skips terminated ones', () => {
    expect(snapshot.instances.get(instanceId)).toMatchObject({
      instanceId,
      vpcId: seed.vpcId,
      subnetId: seed.privateSubnetIds[1],
      availabilityZone: AZS[1],
      architecture: 'x86_64',
      state: 'running',
    });
    expect([...snapshot.instances.keys()]).not.toContain(terminatedId);
    expect(snapshot.subnetVpcs.get(seed.natSubnetId)).toBe(seed.vpcId);
  });
});

describe('readVpcDnsAttributes and enableVpcDnsAttribute', () => {
  it('reads both attributes per VPC and sees them enabled after ModifyVpcAttribute', async () => {
    const { ec2 } = clientsFor(await resetEmulator());
    const vpcId = (await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }))).Vpc!.VpcId!;
    const defaultVpcId = (await ec2.send(new DescribeVpcsCommand({}))).Vpcs!.find((v) => v.IsDefault)!.VpcId!;
    const writer = new Ec2WriterAdapter(ec2);

    await writer.enableVpcDnsAttribute(vpcId, 'enableDnsHostnames');
    let attributes = await readVpcDnsAttributes(ec2, [vpcId, defaultVpcId, vpcId], 1);
    expect([...attributes.keys()].sort()).toEqual([vpcId, defaultVpcId].sort());
    expect(attributes.get(defaultVpcId)).toEqual({ enableDnsSupport: true, enableDnsHostnames: true });
    expect(attributes.get(vpcId)?.enableDnsHostnames).toBe(true);

    await writer.enableVpcDnsAttribute(vpcId, 'enableDnsSupport');
    attributes = await readVpcDnsAttributes(ec2, [vpcId]);
    expect(attributes.get(vpcId)).toEqual({ enableDnsSupport: true, enableDnsHostnames: true });
    expect(await readVpcDnsAttributes(ec2, [])).toEqual(new Map());
  });
});

describe('Ec2WriterAdapter against the emulator', () => {
  let clients: AwsClients;
  let ec2: EC2Client;
  let writer: Ec2WriterAdapter;
  let seed: SeededNetwork;

  beforeAll(async () => {
    clients = clientsFor(await resetEmulator());
    ec2 = clients.ec2;
    writer = new Ec2WriterAdapter(ec2);
    seed = await seedNetwork(ec2, 30);
  });

  it('creates the dedicated group with tags, finds it, and treats a duplicate create as the same group', async () => {
    expect(await writer.findDedicatedSecurityGroup(seed.vpcId, 'remediator-endpoints')).toBeUndefined();
    const groupId = await writer.createSecurityGroup(seed.vpcId, 'remediator-endpoints', 'ECS endpoints', {
      'ecs-endpoint-remediator:managed': 'true',
    });
    expect(groupId).toMatch(/^sg-/);
    expect(await writer.findDedicatedSecurityGroup(seed.vpcId, 'remediator-endpoints')).toBe(groupId);
    expect(await writer.createSecurityGroup(seed.vpcId, 'remediator-endpoints', 'ECS endpoints', {})).toBe(
      groupId,
    );
    const described = await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
    expect(described.SecurityGroups?.[0]?.Tags).toEqual([
      { Key: 'ecs-endpoint-remediator:managed', Value: 'true' },
    ]);
    // Same name in another VPC is another group.
    const other = (await ec2.send(new DescribeVpcsCommand({}))).Vpcs!.find((v) => v.IsDefault)!.VpcId!;
    expect(await writer.findDedicatedSecurityGroup(other, 'remediator-endpoints')).toBeUndefined();
  });

  it('authorizes tcp/443 per CIDR with a description; repeats and overlaps are no-ops', async () => {
    const groupId = await writer.createSecurityGroup(seed.vpcId, 'https-test', 'test', {});
    await writer.authorizeHttpsIngress(groupId, ['10.30.1.0/24', '10.30.2.0/24'], 'ECS workloads');
    await writer.authorizeHttpsIngress(groupId, ['10.30.2.0/24', '10.30.1.0/24'], 'ECS workloads');
    await writer.authorizeHttpsIngress(groupId, ['10.30.2.0/24', '10.30.3.0/24'], 'ECS workloads');
    await writer.authorizeHttpsIngress(groupId, [], 'ECS workloads');
    const group = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] })))
      .SecurityGroups![0]!;
    const https = group.IpPermissions!.filter(
      (p) => p.IpProtocol === 'tcp' && p.FromPort === 443 && p.ToPort === 443,
    );
    const ranges = https.flatMap((p) => p.IpRanges ?? []);
    expect(ranges.map((r) => r.CidrIp).sort()).toEqual(['10.30.1.0/24', '10.30.2.0/24', '10.30.3.0/24']);
    expect(new Set(ranges.map((r) => r.Description))).toEqual(new Set(['ECS workloads']));
  });

  it('refuses to find, create or change the default security group', async () => {
    const defaultGroup = (
      await ec2.send(
        new DescribeSecurityGroupsCommand({
          Filters: [
            { Name: 'vpc-id', Values: [seed.vpcId] },
            { Name: 'group-name', Values: ['default'] },
          ],
        }),
      )
    ).SecurityGroups![0]!;
    await expect(
      writer.authorizeHttpsIngress(defaultGroup.GroupId!, ['10.30.1.0/24'], 'x'),
    ).rejects.toBeInstanceOf(DefaultSecurityGroupRefusedError);
    await expect(writer.createSecurityGroup(seed.vpcId, 'default', 'x', {})).rejects.toThrow(
      /default security group/,
    );
    await expect(writer.findDedicatedSecurityGroup(seed.vpcId, 'default')).rejects.toThrow(
      /default security group/,
    );
    const after = (await ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [defaultGroup.GroupId!] })))
      .SecurityGroups![0]!;
    expect(after.IpPermissions).toEqual(defaultGroup.IpPermissions);
  });

  it('creates an interface endpoint with its tags, private DNS, subnets and group', async () => {
    // Private DNS needs both VPC DNS attributes (the seeded VPC has DNS hostnames off).
    await writer.enableVpcDnsAttribute(seed.vpcId, 'enableDnsHostnames');
    const endpointId = await writer.createVpcEndpoint({
      vpcId: seed.vpcId,
      serviceName: `com.amazonaws.${REGION}.ecs-agent`,
      endpointType: 'Interface',
      subnetIds: seed.privateSubnetIds,
      securityGroupIds: [seed.endpointGroupId],
      routeTableIds: [seed.privateRouteTableId],
      privateDnsEnabled: true,
      clientToken: 'token-ecs-agent-1',
      tags: { 'ecs-endpoint-remediator:managed': 'true', Name: 'ecs-agent' },
    });
    const described = (
      await ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [seed.vpcId] }] }))
    ).VpcEndpoints!.find((e) => e.VpcEndpointId === endpointId)!;
    expect(described.VpcEndpointType).toBe('Interface');
    expect(described.PrivateDnsEnabled).toBe(true);
    expect(described.RouteTableIds ?? []).toEqual([]);
    expect([...described.SubnetIds!].sort()).toEqual([...seed.privateSubnetIds].sort());
    expect(described.Groups!.map((g) => g.GroupId)).toEqual([seed.endpointGroupId]);
    expect(Object.fromEntries(described.Tags!.map((t) => [t.Key, t.Value]))).toEqual({
      'ecs-endpoint-remediator:managed': 'true',
      Name: 'ecs-agent',
    });

    const observed = await writer.describeVpcEndpoints(seed.vpcId);
    expect(observed.find((e) => e.endpointId === endpointId)).toMatchObject({
      service: 'ecs-agent',
      type: 'Interface',
      state: 'available',
      tags: { Name: 'ecs-agent' },
    });
  });

  it('creates a gateway endpoint on route tables only, then adds a route table', async () => {
    const endpointId = await writer.createVpcEndpoint({
      vpcId: seed.vpcId,
      serviceName: `com.amazonaws.${REGION}.dynamodb`,
      endpointType: 'Gateway',
      subnetIds: seed.privateSubnetIds,
      securityGroupIds: [seed.endpointGroupId],
      routeTableIds: [seed.privateRouteTableId],
      privateDnsEnabled: true,
      clientToken: 'token-gw-1',
      tags: {},
    });
    await writer.modifyVpcEndpoint({ endpointId, addRouteTableIds: [seed.natRouteTableId] });
    const observed = (await writer.describeVpcEndpoints(seed.vpcId)).find(
      (e) => e.endpointId === endpointId,
    )!;
    expect(observed).toMatchObject({ type: 'Gateway', subnetIds: [], securityGroupIds: [] });
    expect(observed.service).toBeUndefined(); // dynamodb is not one of the services the remediator knows
    expect(observed.routeTableIds).toEqual([seed.privateRouteTableId, seed.natRouteTableId].sort());
  });

  it('modifies an interface endpoint: adds subnets and groups; an empty change makes no call', async () => {
    await writer.enableVpcDnsAttribute(seed.vpcId, 'enableDnsHostnames');
    const endpointId = await writer.createVpcEndpoint({
      vpcId: seed.vpcId,
      serviceName: `com.amazonaws.${REGION}.logs`,
      endpointType: 'Interface',
      subnetIds: [seed.privateSubnetIds[0]!],
      securityGroupIds: [],
      routeTableIds: [],
      privateDnsEnabled: false,
      clientToken: 'token-logs-1',
      tags: {},
    });
    const extraGroup = (
      await ec2.send(
        new CreateSecurityGroupCommand({ VpcId: seed.vpcId, GroupName: 'extra', Description: 'x' }),
      )
    ).GroupId!;
    await writer.modifyVpcEndpoint({
      endpointId,
      addSubnetIds: seed.privateSubnetIds.slice(1),
      addSecurityGroupIds: [extraGroup],
      enablePrivateDns: true,
    });
    const counter = countCalls(clients);
    await writer.modifyVpcEndpoint({ endpointId, addSubnetIds: [], enablePrivateDns: false });
    expect(counter.total()).toBe(0);
    const observed = (await writer.describeVpcEndpoints(seed.vpcId)).find(
      (e) => e.endpointId === endpointId,
    )!;
    expect(observed.subnetIds).toEqual([...seed.privateSubnetIds].sort());
    expect(observed.securityGroupIds).toEqual([extraGroup]);
    expect(observed.privateDnsEnabled).toBe(true);
  });

  it('describes one VPC’s endpoints without the deleted ones', async () => {
    const observed = await writer.describeVpcEndpoints(seed.vpcId);
    const ids = observed.map((e) => e.endpointId);
    expect(ids).toEqual(
      expect.arrayContaining([seed.interfaceEndpointIds['ecr.api'], seed.s3GatewayEndpointId]),
    );
    expect(ids).not.toContain(seed.deletedEndpointId);
    const other = (await ec2.send(new DescribeVpcsCommand({}))).Vpcs!.find((v) => v.IsDefault)!.VpcId!;
    expect(await writer.describeVpcEndpoints(other)).toEqual([]);
  });
});

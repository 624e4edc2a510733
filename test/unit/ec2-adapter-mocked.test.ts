/**
 * What the emulator cannot show: real AWS's capitalised endpoint states, typed duplicate errors,
 * the exact request the writer sends (ClientToken), route edge cases, and error classification.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateVpcEndpointCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcEndpointServicesCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  EC2Client,
  EC2ServiceException,
  ModifyVpcEndpointCommand,
  type RouteTable,
  type VpcEndpoint,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { assembleEc2Snapshot } from '../../shared/core/ec2-snapshot.js';
import { endpointServiceName, shortServiceName } from '../../shared/core/service-names.js';
import { normaliseEndpointState, toEc2RawRegion, type Ec2SdkPages } from '../../shared/aws/ec2-mappers.js';
import { readEc2Snapshot, readEndpointServiceOffers } from '../../shared/aws/ec2-reader.js';
import { Ec2WriterAdapter } from '../../shared/aws/ec2-writer.js';
import { errorMessage, isErrorNamed, redact } from '../../shared/aws/aws-errors.js';

const REGION = 'eu-west-1';
const ec2Mock = mockClient(EC2Client);
const client = () =>
  new EC2Client({ region: REGION, credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });

function ec2Error(name: string, message = name): EC2ServiceException {
  return new EC2ServiceException({ name, message, $fault: 'client', $metadata: { httpStatusCode: 400 } });
}

function emulatorHtml500(): Error {
  const error = new Error(
    '@aws-sdk XML parse error: mismatched tags <html> and </title>.\n  Deserialization error: to see the raw response, inspect the hidden field {error}.$response on this object.',
  );
  Object.assign(error, { $metadata: { httpStatusCode: 500 } });
  return error;
}

const endpoint = (id: string, state: string | undefined, extra: Partial<VpcEndpoint> = {}): VpcEndpoint => ({
  VpcEndpointId: id,
  VpcId: 'vpc-1',
  VpcEndpointType: 'Interface',
  ServiceName: `com.amazonaws.${REGION}.ecs`,
  State: state as VpcEndpoint['State'],
  SubnetIds: ['subnet-b', 'subnet-a'],
  Groups: [{ GroupId: 'sg-1', GroupName: 'endpoints' }],
  PrivateDnsEnabled: true,
  ...extra,
});

beforeEach(() => {
  ec2Mock.reset();
  ec2Mock.onAnyCommand().resolves({});
});

describe('endpoint states as real AWS spells them', () => {
  it('normalises capitalised states and keeps deleted endpoints (as deleted) when reading the region', async () => {
    ec2Mock
      .on(DescribeVpcsCommand)
      .resolves({ Vpcs: [{ VpcId: 'vpc-1', CidrBlock: '10.0.0.0/16', IsDefault: false }] });
    ec2Mock.on(DescribeVpcEndpointsCommand).resolves({
      VpcEndpoints: [
        endpoint('vpce-pending', 'Pending'),
        endpoint('vpce-failed', 'Failed'),
        endpoint('vpce-acceptance', 'PendingAcceptance'),
        endpoint('vpce-available', 'Available'),
        endpoint('vpce-deleted', 'Deleted'),
        endpoint('vpce-gwlb', 'Available', { VpcEndpointType: 'GatewayLoadBalancer' }),
      ],
    });
    const snapshot = await readEc2Snapshot(client(), REGION);
    const states = Object.fromEntries(snapshot.vpcs[0]!.endpoints.map((e) => [e.endpointId, e.state]));
    expect(states).toEqual({
      'vpce-pending': 'pending',
      'vpce-failed': 'failed',
      'vpce-acceptance': 'pendingAcceptance',
      'vpce-available': 'available',
      'vpce-deleted': 'deleted',
    });
    expect(snapshot.vpcs[0]!.endpoints[0]).toMatchObject({
      service: 'ecs',
      subnetIds: ['subnet-a', 'subnet-b'],
    });
  });

  it('describeVpcEndpoints filters by vpc-id only and normalises states', async () => {
    ec2Mock.on(DescribeVpcEndpointsCommand).resolves({
      VpcEndpoints: [
        endpoint('vpce-p', 'Pending'),
        endpoint('vpce-f', 'Failed'),
        endpoint('vpce-d', 'Deleted'),
      ],
    });
    const observed = await new Ec2WriterAdapter(client()).describeVpcEndpoints('vpc-1');
    expect(observed.map((e) => [e.endpointId, e.state])).toEqual([
      ['vpce-p', 'pending'],
      ['vpce-f', 'failed'],
    ]);
    const calls = ec2Mock.commandCalls(DescribeVpcEndpointsCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input.Filters).toEqual([{ Name: 'vpc-id', Values: ['vpc-1'] }]);
    expect(calls[0]!.args[0].input.VpcEndpointIds).toBeUndefined();
  });

  it.each([
    ['Available', 'available'],
    ['available', 'available'],
    ['PendingAcceptance', 'pendingAcceptance'],
    ['Deleting', 'deleting'],
    ['Rejected', 'rejected'],
    ['Expired', 'expired'],
    ['Partial', 'partial'],
    ['SomethingNew', 'unknown'],
    [undefined, 'unknown'],
  ])('normaliseEndpointState(%s) is %s', (state, expected) => {
    expect(normaliseEndpointState(state)).toBe(expected);
  });
});

describe('authorizeHttpsIngress with InvalidPermission.Duplicate', () => {
  const group = (ranges: string[] = []) => ({
    SecurityGroups: [
      {
        GroupId: 'sg-1',
        GroupName: 'endpoints',
        VpcId: 'vpc-1',
        IpPermissions: ranges.length
          ? [
              {
                IpProtocol: 'tcp',
                FromPort: 443,
                ToPort: 443,
                IpRanges: ranges.map((CidrIp) => ({ CidrIp })),
              },
            ]
          : [],
      },
    ],
  });

  it('a duplicate for a single CIDR is a no-op', async () => {
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves(group());
    ec2Mock.on(AuthorizeSecurityGroupIngressCommand).rejects(ec2Error('InvalidPermission.Duplicate'));
    await expect(
      new Ec2WriterAdapter(client()).authorizeHttpsIngress('sg-1', ['10.0.1.0/24'], 'ECS'),
    ).resolves.toBeUndefined();
    expect(ec2Mock.commandCalls(AuthorizeSecurityGroupIngressCommand)).toHaveLength(1);
  });

  it('a duplicate in a batch falls back to one call per CIDR, each tolerating duplicates', async () => {
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves(group());
    ec2Mock
      .on(AuthorizeSecurityGroupIngressCommand)
      .rejectsOnce(ec2Error('InvalidPermission.Duplicate'))
      .rejectsOnce(ec2Error('InvalidPermission.Duplicate'))
      .resolves({ Return: true });
    await new Ec2WriterAdapter(client()).authorizeHttpsIngress('sg-1', ['10.0.2.0/24', '10.0.1.0/24'], 'ECS');
    const inputs = ec2Mock.commandCalls(AuthorizeSecurityGroupIngressCommand).map((c) => c.args[0].input);
    expect(inputs.map((i) => i.IpPermissions![0]!.IpRanges!.map((r) => r.CidrIp))).toEqual([
      ['10.0.1.0/24', '10.0.2.0/24'],
      ['10.0.1.0/24'],
      ['10.0.2.0/24'],
    ]);
    expect(inputs[0]!.IpPermissions![0]).toEqual({
      IpProtocol: 'tcp',
      FromPort: 443,
      ToPort: 443,
      IpRanges: [
        { CidrIp: '10.0.1.0/24', Description: 'ECS' },
        { CidrIp: '10.0.2.0/24', Description: 'ECS' },
      ],
    });
  });

  it('pre-filters CIDRs already allowed (exact 443, a wider tcp range, or all traffic)', async () => {
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [
        {
          GroupId: 'sg-1',
          GroupName: 'endpoints',
          IpPermissions: [
            { IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: '10.0.1.0/24' }] },
            { IpProtocol: 'tcp', FromPort: 0, ToPort: 65535, IpRanges: [{ CidrIp: '10.0.2.0/24' }] },
            { IpProtocol: '-1', IpRanges: [{ CidrIp: '10.0.3.0/24' }] },
            { IpProtocol: 'tcp', FromPort: 80, ToPort: 80, IpRanges: [{ CidrIp: '10.0.4.0/24' }] },
          ],
        },
      ],
    });
    const writer = new Ec2WriterAdapter(client());
    await writer.authorizeHttpsIngress('sg-1', ['10.0.1.0/24', '10.0.2.0/24', '10.0.3.0/24'], 'ECS');
    expect(ec2Mock.commandCalls(AuthorizeSecurityGroupIngressCommand)).toHaveLength(0);
    await writer.authorizeHttpsIngress('sg-1', ['10.0.4.0/24', '2001:db8::/56'], 'ECS');
    const input = ec2Mock.commandCalls(AuthorizeSecurityGroupIngressCommand)[0]!.args[0].input;
    expect(input.IpPermissions![0]).toMatchObject({
      IpRanges: [{ CidrIp: '10.0.4.0/24', Description: 'ECS' }],
      Ipv6Ranges: [{ CidrIpv6: '2001:db8::/56', Description: 'ECS' }],
    });
  });

  it('other errors propagate', async () => {
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves(group());
    ec2Mock.on(AuthorizeSecurityGroupIngressCommand).rejects(ec2Error('RulesPerSecurityGroupLimitExceeded'));
    await expect(
      new Ec2WriterAdapter(client()).authorizeHttpsIngress('sg-1', ['10.0.1.0/24'], 'x'),
    ).rejects.toThrow('RulesPerSecurityGroupLimitExceeded');
  });

  it('refuses the default group', async () => {
    ec2Mock
      .on(DescribeSecurityGroupsCommand)
      .resolves({ SecurityGroups: [{ GroupId: 'sg-d', GroupName: 'default' }] });
    await expect(
      new Ec2WriterAdapter(client()).authorizeHttpsIngress('sg-d', ['10.0.1.0/24'], 'x'),
    ).rejects.toThrow(/default security group/);
    expect(ec2Mock.commandCalls(AuthorizeSecurityGroupIngressCommand)).toHaveLength(0);
  });
});

describe('the writer’s requests', () => {
  it('createVpcEndpoint (Interface) sends ClientToken, tags, subnets, groups and private DNS, no route tables', async () => {
    ec2Mock.on(CreateVpcEndpointCommand).resolves({ VpcEndpoint: { VpcEndpointId: 'vpce-new' } });
    const id = await new Ec2WriterAdapter(client()).createVpcEndpoint({
      vpcId: 'vpc-1',
      serviceName: `com.amazonaws.${REGION}.ecs-agent`,
      endpointType: 'Interface',
      subnetIds: ['subnet-a'],
      securityGroupIds: ['sg-1'],
      routeTableIds: ['rtb-1'],
      privateDnsEnabled: true,
      clientToken: 'vpc-1:ecs-agent:abc123',
      tags: { 'ecs-endpoint-remediator:managed': 'true' },
    });
    expect(id).toBe('vpce-new');
    expect(ec2Mock.commandCalls(CreateVpcEndpointCommand)[0]!.args[0].input).toEqual({
      VpcId: 'vpc-1',
      ServiceName: `com.amazonaws.${REGION}.ecs-agent`,
      VpcEndpointType: 'Interface',
      ClientToken: 'vpc-1:ecs-agent:abc123',
      PrivateDnsEnabled: true,
      SubnetIds: ['subnet-a'],
      SecurityGroupIds: ['sg-1'],
      TagSpecifications: [
        { ResourceType: 'vpc-endpoint', Tags: [{ Key: 'ecs-endpoint-remediator:managed', Value: 'true' }] },
      ],
    });
  });

  it('createVpcEndpoint (Gateway) sends route tables only, no private DNS', async () => {
    ec2Mock.on(CreateVpcEndpointCommand).resolves({ VpcEndpoint: { VpcEndpointId: 'vpce-gw' } });
    await new Ec2WriterAdapter(client()).createVpcEndpoint({
      vpcId: 'vpc-1',
      serviceName: `com.amazonaws.${REGION}.s3`,
      endpointType: 'Gateway',
      subnetIds: ['subnet-a'],
      securityGroupIds: ['sg-1'],
      routeTableIds: ['rtb-1', 'rtb-2'],
      privateDnsEnabled: true,
      clientToken: 'tok',
      tags: {},
    });
    expect(ec2Mock.commandCalls(CreateVpcEndpointCommand)[0]!.args[0].input).toEqual({
      VpcId: 'vpc-1',
      ServiceName: `com.amazonaws.${REGION}.s3`,
      VpcEndpointType: 'Gateway',
      ClientToken: 'tok',
      RouteTableIds: ['rtb-1', 'rtb-2'],
    });
  });

  it('createVpcEndpoint without an id in the answer is an error', async () => {
    ec2Mock.on(CreateVpcEndpointCommand).resolves({});
    await expect(
      new Ec2WriterAdapter(client()).createVpcEndpoint({
        vpcId: 'vpc-1',
        serviceName: 'x',
        endpointType: 'Interface',
        subnetIds: [],
        securityGroupIds: [],
        routeTableIds: [],
        privateDnsEnabled: false,
        clientToken: 't',
        tags: {},
      }),
    ).rejects.toThrow(/no endpoint id/);
  });

  it('modifyVpcEndpoint sends only what is added', async () => {
    const writer = new Ec2WriterAdapter(client());
    await writer.modifyVpcEndpoint({
      endpointId: 'vpce-1',
      addSubnetIds: ['subnet-c'],
      enablePrivateDns: true,
    });
    await writer.modifyVpcEndpoint({ endpointId: 'vpce-1', addSubnetIds: [], addSecurityGroupIds: [] });
    const calls = ec2Mock.commandCalls(ModifyVpcEndpointCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]!.args[0].input).toEqual({
      VpcEndpointId: 'vpce-1',
      AddSubnetIds: ['subnet-c'],
      AddSecurityGroupIds: undefined,
      AddRouteTableIds: undefined,
      PrivateDnsEnabled: true,
    });
  });

  it('createSecurityGroup: InvalidGroup.Duplicate returns the existing group; other errors propagate', async () => {
    ec2Mock.on(CreateSecurityGroupCommand).rejects(ec2Error('InvalidGroup.Duplicate'));
    ec2Mock
      .on(DescribeSecurityGroupsCommand)
      .resolves({ SecurityGroups: [{ GroupId: 'sg-existing', GroupName: 'eps', VpcId: 'vpc-1' }] });
    const writer = new Ec2WriterAdapter(client());
    expect(await writer.createSecurityGroup('vpc-1', 'eps', 'd', { a: 'b' })).toBe('sg-existing');
    expect(ec2Mock.commandCalls(CreateSecurityGroupCommand)[0]!.args[0].input.TagSpecifications).toEqual([
      { ResourceType: 'security-group', Tags: [{ Key: 'a', Value: 'b' }] },
    ]);
    expect(ec2Mock.commandCalls(DescribeSecurityGroupsCommand)[0]!.args[0].input.Filters).toEqual([
      { Name: 'vpc-id', Values: ['vpc-1'] },
      { Name: 'group-name', Values: ['eps'] },
    ]);
    ec2Mock.on(CreateSecurityGroupCommand).rejects(ec2Error('UnauthorizedOperation'));
    await expect(writer.createSecurityGroup('vpc-1', 'eps', 'd', {})).rejects.toThrow(
      'UnauthorizedOperation',
    );
  });
});

describe('endpoint service offers', () => {
  it('filters by the known service names and keeps s3’s Gateway and Interface offers', async () => {
    ec2Mock.on(DescribeVpcEndpointServicesCommand).resolves({
      ServiceDetails: [
        {
          ServiceName: `com.amazonaws.${REGION}.s3`,
          ServiceType: [{ ServiceType: 'Gateway' }],
          AvailabilityZones: ['eu-west-1a', 'eu-west-1b'],
        },
        {
          ServiceName: `com.amazonaws.${REGION}.s3`,
          ServiceType: [{ ServiceType: 'Interface' }],
          AvailabilityZones: ['eu-west-1c', 'eu-west-1a'],
        },
        {
          ServiceName: `com.amazonaws.${REGION}.ecs`,
          ServiceType: [{ ServiceType: 'Interface' }],
          AvailabilityZones: ['eu-west-1a'],
        },
        {
          ServiceName: `com.amazonaws.us-east-1.ecs`,
          ServiceType: [{ ServiceType: 'Interface' }],
          AvailabilityZones: ['x'],
        },
        {
          ServiceName: `com.amazonaws.${REGION}.dynamodb`,
          ServiceType: [{ ServiceType: 'Gateway' }],
          AvailabilityZones: ['x'],
        },
      ],
    });
    const offers = await readEndpointServiceOffers(client(), REGION);
    expect(offers).toEqual([
      {
        service: 'ecs',
        serviceName: `com.amazonaws.${REGION}.ecs`,
        type: 'Interface',
        availabilityZones: ['eu-west-1a'],
      },
      {
        service: 's3',
        serviceName: `com.amazonaws.${REGION}.s3`,
        type: 'Gateway',
        availabilityZones: ['eu-west-1a', 'eu-west-1b'],
      },
      {
        service: 's3',
        serviceName: `com.amazonaws.${REGION}.s3`,
        type: 'Interface',
        availabilityZones: ['eu-west-1a', 'eu-west-1c'],
      },
    ]);
    const input = ec2Mock.commandCalls(DescribeVpcEndpointServicesCommand)[0]!.args[0].input;
    expect(input.Filters?.[0]?.Name).toBe('service-name');
    expect(input.Filters?.[0]?.Values).toHaveLength(11);
    expect(input.Filters?.[0]?.Values).toContain(`com.amazonaws.${REGION}.ecs-agent`);
  });

  it('asks for the known services by name and follows NextToken; an error is an error', async () => {
    ec2Mock
      .on(DescribeVpcEndpointServicesCommand)
      .resolvesOnce({
        ServiceDetails: [
          { ServiceName: `com.amazonaws.${REGION}.logs`, ServiceType: [{ ServiceType: 'Interface' }] },
        ],
        NextToken: 'page2',
      })
      .resolvesOnce({
        ServiceDetails: [
          { ServiceName: `com.amazonaws.${REGION}.ssm`, ServiceType: [{ ServiceType: 'Interface' }] },
        ],
      });
    const offers = await readEndpointServiceOffers(client(), REGION);
    expect(offers.map((o) => o.service)).toEqual(['logs', 'ssm']);
    const inputs = ec2Mock.commandCalls(DescribeVpcEndpointServicesCommand).map((c) => c.args[0].input);
    expect(inputs).toHaveLength(2);
    expect(inputs[0]!.Filters?.[0]?.Name).toBe('service-name');
    expect(inputs[1]!.NextToken).toBe('page2');

    ec2Mock.reset();
    ec2Mock.on(DescribeVpcEndpointServicesCommand).rejects(emulatorHtml500());
    await expect(readEndpointServiceOffers(client(), REGION)).rejects.toThrow();
    expect(ec2Mock.commandCalls(DescribeVpcEndpointServicesCommand)).toHaveLength(1);

    ec2Mock.reset();
    ec2Mock.on(DescribeVpcEndpointServicesCommand).rejects(ec2Error('UnauthorizedOperation'));
    await expect(readEndpointServiceOffers(client(), REGION)).rejects.toThrow('UnauthorizedOperation');
  });

  it('names services per partition', () => {
    expect(endpointServiceName('cn-north-1', 'ecr.dkr')).toBe('cn.com.amazonaws.cn-north-1.ecr.dkr');
    expect(shortServiceName('cn.com.amazonaws.cn-north-1.ecr.dkr', 'cn-north-1')).toBe('ecr.dkr');
    expect(shortServiceName('com.amazonaws.eu-west-1.ecs', 'us-east-1')).toBeUndefined();
    expect(shortServiceName('com.amazonaws.eu-west-1.ec2', 'eu-west-1')).toBeUndefined();
  });
});

describe('route facts (pure assembly)', () => {
  const raw = (tables: RouteTable[], endpoints: VpcEndpoint[] = []): Ec2SdkPages => ({
    vpcs: [{ VpcId: 'vpc-1', CidrBlock: '10.0.0.0/16', DhcpOptionsId: 'default' }],
    dhcpOptions: [],
    subnets: ['a', 'b', 'c', 'd', 'e', 'f'].map((s, i) => ({
      SubnetId: `subnet-${s}`,
      VpcId: 'vpc-1',
      AvailabilityZone: 'eu-west-1a',
      CidrBlock: `10.0.${i}.0/24`,
    })),
    routeTables: tables,
    networkAcls: [],
    securityGroups: [],
    endpoints,
    endpointServices: [],
    instances: [],
  });
  const table = (id: string, subnet: string | 'main', routes: RouteTable['Routes']): RouteTable => ({
    RouteTableId: id,
    VpcId: 'vpc-1',
    Associations: [
      subnet === 'main'
        ? { Main: true }
        : { Main: false, SubnetId: subnet, AssociationState: { State: 'associated' } },
    ],
    Routes: routes,
  });

  it('classifies IGW (v4 and v6), NAT instance/ENI, blackholes, GWLB and gateway endpoint routes', () => {
    const snapshot = assembleEc2Snapshot(
      REGION,
      toEc2RawRegion(
        raw(
          [
            table('rtb-main', 'main', [{ DestinationCidrBlock: '10.0.0.0/16', GatewayId: 'local' }]),
            table('rtb-v6', 'subnet-a', [{ DestinationIpv6CidrBlock: '::/0', GatewayId: 'igw-1' }]),
            table('rtb-natinst', 'subnet-b', [
              { DestinationCidrBlock: '0.0.0.0/0', InstanceId: 'i-1', NetworkInterfaceId: 'eni-1' },
            ]),
            table('rtb-blackhole', 'subnet-c', [
              { DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-gone', State: 'blackhole' },
            ]),
            table('rtb-gwlb', 'subnet-d', [
              { DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'vpce-gwlb' },
              { DestinationPrefixListId: 'pl-1', GatewayId: 'vpce-s3' },
            ]),
            // An association being torn down does not count.
            {
              RouteTableId: 'rtb-leaving',
              VpcId: 'vpc-1',
              Associations: [{ SubnetId: 'subnet-e', AssociationState: { State: 'disassociating' } }],
              Routes: [{ DestinationCidrBlock: '0.0.0.0/0', GatewayId: 'igw-1' }],
            },
          ],
          [
            {
              VpcEndpointId: 'vpce-gwlb',
              VpcId: 'vpc-1',
              VpcEndpointType: 'GatewayLoadBalancer',
              State: 'Available',
            },
            {
              VpcEndpointId: 'vpce-dynamo',
              VpcId: 'vpc-1',
              VpcEndpointType: 'Gateway',
              State: 'Available',
              ServiceName: `com.amazonaws.${REGION}.dynamodb`,
              RouteTableIds: ['rtb-main'],
            },
          ],
        ),
        REGION,
      ),
    );
    const vpc = snapshot.vpcs[0]!;
    const subnets = Object.fromEntries(vpc.subnets.map((s) => [s.subnetId, s]));
    expect(subnets['subnet-a']).toMatchObject({
      routeTableId: 'rtb-v6',
      isPrivate: false,
      hasNatRoute: false,
    });
    expect(subnets['subnet-b']).toMatchObject({
      routeTableId: 'rtb-natinst',
      isPrivate: true,
      hasNatRoute: true,
    });
    expect(subnets['subnet-c']).toMatchObject({ isPrivate: true, hasNatRoute: false });
    expect(subnets['subnet-d']).toMatchObject({ isPrivate: true, hasNatRoute: false });
    expect(subnets['subnet-e']).toMatchObject({
      routeTableId: 'rtb-main',
      isPrivate: true,
      hasNatRoute: false,
    });
    expect(subnets['subnet-f']).toMatchObject({ routeTableId: 'rtb-main' });
    const tables = Object.fromEntries(vpc.routeTables.map((t) => [t.routeTableId, t]));
    expect(tables['rtb-gwlb']!.gatewayEndpointIds).toEqual(['vpce-s3']);
    expect(tables['rtb-main']!.gatewayEndpointIds).toEqual(['vpce-dynamo']);
    expect(tables['rtb-main']!.isMain).toBe(true);
    expect(tables['rtb-natinst']!.hasNatRoute).toBe(true);
    expect(tables['rtb-v6']!.hasInternetGatewayRoute).toBe(true);
    expect(vpc.endpoints.map((e) => e.endpointId)).toEqual(['vpce-dynamo']);
    expect(vpc.domainNameServers).toEqual([]);
  });
});

describe('aws-errors', () => {
  it('classifies by name or code', () => {
    expect(
      isErrorNamed(
        ec2Error('InvalidGroup.Duplicate'),
        'InvalidPermission.Duplicate',
        'InvalidGroup.Duplicate',
      ),
    ).toBe(true);
    expect(isErrorNamed({ Code: 'Throttling' }, 'Throttling')).toBe(true);
    expect(isErrorNamed({ __type: 'com.amazonaws.ssm#InvalidInstanceId' }, 'InvalidInstanceId')).toBe(true);
    expect(isErrorNamed(new Error('x'), 'InvalidGroup.Duplicate')).toBe(false);
    expect(isErrorNamed(undefined, 'x')).toBe(false);
  });

  it('makes safe one-line messages', () => {
    expect(errorMessage(ec2Error('InvalidGroup.Duplicate', "The security group 'x' already exists"))).toBe(
      "InvalidGroup.Duplicate: The security group 'x' already exists",
    );
    const html = new SyntaxError('Unexpected token \'<\', "<!doctype "... is not valid JSON');
    Object.assign(html, { $metadata: { httpStatusCode: 500 } });
    expect(errorMessage(html)).toBe('SyntaxError: the service answered with an HTML page (HTTP 500)');
    const leaky = new Error(
      'failed https://bucket.s3.amazonaws.com/key?X-Amz-Credential=AKIAABCDEFGHIJKLMNOP%2F&X-Amz-Signature=deadbeef with AKIAABCDEFGHIJKLMNOP and aws_secret_access_key=wJalrXUtnFEMI/K7MDENG http://user:pass@host/x',
    );
    const safe = errorMessage(leaky);
    expect(safe).not.toMatch(/AKIAABCDEFGHIJKLMNOP|deadbeef|wJalrXUtnFEMI|user:pass/);
    expect(safe).toContain('https://bucket.s3.amazonaws.com/key?[redacted]');
    expect(errorMessage('plain')).toBe('plain');
    expect(errorMessage(new Error('no AWS region: pass --region or set AWS_REGION'))).toBe(
      'no AWS region: pass --region or set AWS_REGION',
    );
    expect(errorMessage(new Error('x'.repeat(2000))).length).toBeLessThanOrEqual(500);
    expect(redact('Credential=ASIAABCDEFGHIJKLMNOP/20260101/us-east-1, Signature=abc')).not.toMatch(
      /ASIA|abc/,
    );
  });
});

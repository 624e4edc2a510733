/**
 * Seeds a realistic private network into the emulator with plain SDK calls (shared by the EC2 adapter
 * and state reader tests). Not a test file: jest only runs `*.test.ts`.
 */
import {
  AllocateAddressCommand,
  AssociateDhcpOptionsCommand,
  AssociateRouteTableCommand,
  AttachInternetGatewayCommand,
  AuthorizeSecurityGroupIngressCommand,
  CreateDhcpOptionsCommand,
  CreateInternetGatewayCommand,
  CreateNatGatewayCommand,
  CreateNetworkAclCommand,
  CreateNetworkAclEntryCommand,
  CreateRouteCommand,
  CreateRouteTableCommand,
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcEndpointCommand,
  DeleteVpcEndpointsCommand,
  DescribeNetworkAclsCommand,
  ReplaceNetworkAclAssociationCommand,
  RunInstancesCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { enableDnsAttributesFor } from '../../scripts/seed/builders.js';

export const REGION = 'us-east-1';
export const AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'] as const;
/** AMIs moto knows: Amazon Linux 2 x86_64 (the default), AL2022 arm64, Windows Server. */
export const TEST_AMI = 'ami-04681a1dbd79675a5';
export const ARM64_AMI = 'ami-0e9271c829888680e';
export const WINDOWS_AMI = 'ami-12c6146b';

export interface SeededNetwork {
  readonly vpcId: string;
  readonly cidr: string;
  /** Private subnets, one per AZ in AZS order, on the private route table. */
  readonly privateSubnetIds: readonly string[];
  readonly publicSubnetId: string;
  /** A private subnet whose default route goes to a NAT gateway. */
  readonly natSubnetId: string;
  readonly privateRouteTableId: string;
  readonly publicRouteTableId: string;
  readonly natRouteTableId: string;
  readonly internetGatewayId: string;
  readonly natGatewayId: string;
  readonly endpointGroupId: string;
  readonly naclId: string;
  readonly dhcpOptionsId: string;
  readonly dnsServers: readonly string[];
  readonly interfaceEndpointIds: Readonly<Record<'ecr.api' | 'ecr.dkr', string>>;
  readonly deletedEndpointId: string;
  readonly s3GatewayEndpointId: string;
}

function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`seed: ${what} missing from the response`);
  return value;
}

/** A VPC at 10.<octet>.0.0/16 with the full private-network layout. */
export async function seedNetwork(ec2: EC2Client, octet = 0, name = `seed-${octet}`): Promise<SeededNetwork> {
  const cidr = `10.${octet}.0.0/16`;
  const vpc = await ec2.send(
    new CreateVpcCommand({
      CidrBlock: cidr,
      TagSpecifications: [{ ResourceType: 'vpc', Tags: [{ Key: 'Name', Value: name }] }],
    }),
  );
  const vpcId = need(vpc.Vpc?.VpcId, 'VpcId');

  const subnet = async (third: number, az: string) =>
    need(
      (
        await ec2.send(
          new CreateSubnetCommand({
            VpcId: vpcId,
            CidrBlock: `10.${octet}.${third}.0/24`,
            AvailabilityZone: az,
          }),
        )
      ).Subnet?.SubnetId,
      'SubnetId',
    );
  const routeTable = async () =>
    need(
      (await ec2.send(new CreateRouteTableCommand({ VpcId: vpcId }))).RouteTable?.RouteTableId,
      'RouteTableId',
    );
  const associate = (RouteTableId: string, SubnetId: string) =>
    ec2.send(new AssociateRouteTableCommand({ RouteTableId, SubnetId }));

  const privateSubnetIds = [await subnet(1, AZS[0]), await subnet(2, AZS[1]), await subnet(3, AZS[2])];
  const publicSubnetId = await subnet(0, AZS[0]);
  const natSubnetId = await subnet(4, AZS[1]);

  const internetGatewayId = need(
    (await ec2.send(new CreateInternetGatewayCommand({}))).InternetGateway?.InternetGatewayId,
    'InternetGatewayId',
  );
  await ec2.send(new AttachInternetGatewayCommand({ InternetGatewayId: internetGatewayId, VpcId: vpcId }));

  const privateRouteTableId = await routeTable();
  for (const id of privateSubnetIds) await associate(privateRouteTableId, id);
  const publicRouteTableId = await routeTable();
  await ec2.send(
    new CreateRouteCommand({
      RouteTableId: publicRouteTableId,
      DestinationCidrBlock: '0.0.0.0/0',
      GatewayId: internetGatewayId,
    }),
  );
  await associate(publicRouteTableId, publicSubnetId);

  const allocation = need(
    (await ec2.send(new AllocateAddressCommand({ Domain: 'vpc' }))).AllocationId,
    'AllocationId',
  );
  const natGatewayId = need(
    (await ec2.send(new CreateNatGatewayCommand({ SubnetId: publicSubnetId, AllocationId: allocation })))
      .NatGateway?.NatGatewayId,
    'NatGatewayId',
  );
  const natRouteTableId = await routeTable();
  await ec2.send(
    new CreateRouteCommand({
      RouteTableId: natRouteTableId,
      DestinationCidrBlock: '0.0.0.0/0',
      NatGatewayId: natGatewayId,
    }),
  );
  await associate(natRouteTableId, natSubnetId);

  const endpointGroupId = need(
    (
      await ec2.send(
        new CreateSecurityGroupCommand({
          VpcId: vpcId,
          GroupName: 'endpoints',
          Description: 'interface endpoints',
        }),
      )
    ).GroupId,
    'GroupId',
  );
  await ec2.send(
    new AuthorizeSecurityGroupIngressCommand({
      GroupId: endpointGroupId,
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 443, ToPort: 443, IpRanges: [{ CidrIp: cidr }] }],
    }),
  );

  // A NACL on the first private subnet with one explicit rule.
  const naclId = need(
    (await ec2.send(new CreateNetworkAclCommand({ VpcId: vpcId }))).NetworkAcl?.NetworkAclId,
    'NetworkAclId',
  );
  await ec2.send(
    new CreateNetworkAclEntryCommand({
      NetworkAclId: naclId,
      RuleNumber: 100,
      Protocol: '6',
      RuleAction: 'allow',
      Egress: false,
      CidrBlock: cidr,
      PortRange: { From: 443, To: 443 },
    }),
  );
  const acls = await ec2.send(
    new DescribeNetworkAclsCommand({
      Filters: [{ Name: 'association.subnet-id', Values: [privateSubnetIds[0]!] }],
    }),
  );
  const associationId = need(
    acls.NetworkAcls?.flatMap((a) => a.Associations ?? []).find((a) => a.SubnetId === privateSubnetIds[0])
      ?.NetworkAclAssociationId,
    'NetworkAclAssociationId',
  );
  await ec2.send(
    new ReplaceNetworkAclAssociationCommand({ AssociationId: associationId, NetworkAclId: naclId }),
  );

  const dnsServers = [`10.${octet}.0.53`, `10.${octet}.1.53`];
  const dhcpOptionsId = need(
    (
      await ec2.send(
        new CreateDhcpOptionsCommand({
          DhcpConfigurations: [
            { Key: 'domain-name-servers', Values: dnsServers },
            { Key: 'domain-name', Values: ['corp.example'] },
          ],
        }),
      )
    ).DhcpOptions?.DhcpOptionsId,
    'DhcpOptionsId',
  );
  await ec2.send(new AssociateDhcpOptionsCommand({ DhcpOptionsId: dhcpOptionsId, VpcId: vpcId }));

  const interfaceEndpoint = async (service: string) =>
    need(
      (
        await ec2.send(
          new CreateVpcEndpointCommand({
            VpcId: vpcId,
            ServiceName: `com.amazonaws.${REGION}.${service}`,
            VpcEndpointType: 'Interface',
            SubnetIds: privateSubnetIds,
            SecurityGroupIds: [endpointGroupId],
            PrivateDnsEnabled: true,
          }),
        )
      ).VpcEndpoint?.VpcEndpointId,
      'VpcEndpointId',
    );
  // Private DNS needs both VPC DNS attributes (EC2 refuses it otherwise); the seeded VPC keeps DNS
  // hostnames off, as if it had been turned off after the endpoints were created.
  const restoreDns = await enableDnsAttributesFor(ec2, vpcId);
  const interfaceEndpointIds = {
    'ecr.api': await interfaceEndpoint('ecr.api'),
    'ecr.dkr': await interfaceEndpoint('ecr.dkr'),
  };
  const deletedEndpointId = await interfaceEndpoint('logs');
  for (const undo of restoreDns) await ec2.send(undo);
  await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [deletedEndpointId] }));
  const s3GatewayEndpointId = need(
    (
      await ec2.send(
        new CreateVpcEndpointCommand({
          VpcId: vpcId,
          ServiceName: `com.amazonaws.${REGION}.s3`,
          VpcEndpointType: 'Gateway',
          RouteTableIds: [privateRouteTableId],
        }),
      )
    ).VpcEndpoint?.VpcEndpointId,
    'VpcEndpointId',
  );

  return {
    vpcId,
    cidr,
    privateSubnetIds,
    publicSubnetId,
    natSubnetId,
    privateRouteTableId,
    publicRouteTableId,
    natRouteTableId,
    internetGatewayId,
    natGatewayId,
    endpointGroupId,
    naclId,
    dhcpOptionsId,
    dnsServers,
    interfaceEndpointIds,
    deletedEndpointId,
    s3GatewayEndpointId,
  };
}

/** Launches one instance into a subnet and returns its id. */
export async function runInstance(ec2: EC2Client, subnetId: string, imageId = TEST_AMI): Promise<string> {
  const result = await ec2.send(
    new RunInstancesCommand({
      ImageId: imageId,
      InstanceType: 't3.micro',
      MinCount: 1,
      MaxCount: 1,
      SubnetId: subnetId,
    }),
  );
  return need(result.Instances?.[0]?.InstanceId, 'InstanceId');
}

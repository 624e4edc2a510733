import {
  CreateVpcEndpointCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcEndpointsCommand,
  type DescribeVpcEndpointsCommandOutput,
  EC2Client,
  ModifyVpcEndpointCommand,
  type VpcEndpoint,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import type { ObservedVpc } from '../../shared/core/domain.js';

/**
 * A fake EC2 for truly concurrent applies (aws-sdk-client-mock: the emulator always honours
 * ClientToken, like AWS, so it cannot show what an EC2 that ignored it would do); `honourToken`
 * decides whether ClientToken is honoured. Every call yields once, so concurrent callers interleave
 * in the worst order.
 */
export function concurrentEc2Fake(vpc: ObservedVpc, honourToken: boolean, endpointSecurityGroupName: string) {
  const client = new EC2Client({ region: 'us-east-1', maxAttempts: 1 });
  const mock = mockClient(client);
  const created: VpcEndpoint[] = [];
  const byToken = new Map<string, VpcEndpoint>();
  const existing: VpcEndpoint[] = vpc.endpoints.map((e) => ({
    VpcEndpointId: e.endpointId,
    VpcId: vpc.vpcId,
    ServiceName: e.serviceName,
    VpcEndpointType: e.type,
    State: 'available' as VpcEndpoint['State'],
    SubnetIds: [...e.subnetIds],
    Groups: e.securityGroupIds.map((GroupId) => ({ GroupId })),
    PrivateDnsEnabled: e.privateDnsEnabled,
    RouteTableIds: [...e.routeTableIds],
  }));
  mock.on(CreateVpcEndpointCommand).callsFake(async (input: CreateVpcEndpointCommand['input']) => {
    // Let every concurrent caller get here before any answer: the worst interleaving.
    await new Promise((resolve) => setImmediate(resolve));
    const token = input.ClientToken ?? '';
    const again = honourToken ? byToken.get(token) : undefined;
    if (again) return { VpcEndpoint: again };
    const endpoint: VpcEndpoint = {
      VpcEndpointId: `vpce-new${String(created.length).padStart(8, '0')}`,
      VpcId: input.VpcId,
      ServiceName: input.ServiceName,
      VpcEndpointType: input.VpcEndpointType,
      State: 'available' as VpcEndpoint['State'],
      SubnetIds: input.SubnetIds ?? [],
      Groups: (input.SecurityGroupIds ?? []).map((GroupId) => ({ GroupId })),
      PrivateDnsEnabled: input.PrivateDnsEnabled ?? false,
      RouteTableIds: input.RouteTableIds ?? [],
    };
    created.push(endpoint);
    byToken.set(token, endpoint);
    return { VpcEndpoint: endpoint };
  });
  mock
    .on(DescribeVpcEndpointsCommand)
    .callsFake(async (): Promise<Partial<DescribeVpcEndpointsCommandOutput>> => {
      await new Promise((resolve) => setImmediate(resolve));
      return { VpcEndpoints: [...existing, ...created] };
    });
  mock.on(ModifyVpcEndpointCommand).resolves({ Return: true });
  mock.on(DescribeSecurityGroupsCommand).resolves({
    SecurityGroups: [{ GroupId: 'sg-1eer', GroupName: endpointSecurityGroupName, VpcId: vpc.vpcId }],
  });
  return { client, created };
}

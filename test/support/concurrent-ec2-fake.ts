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
import type { RemediatorConfig } from '../../shared/core/config.js';
import { deriveDesired } from '../../shared/core/desired.js';
import type { ObservedRegion, ObservedVpc, Plan } from '../../shared/core/domain.js';
import { plan } from '../../shared/core/plan.js';
import { healthyVpc, region } from './fixtures.js';

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

/**
 * The VPC concurrent applies race on: healthy but for the three ECS endpoints and logs, its agents
 * not SSM-managed (so the plan holds no restart); with its region and plan.
 */
export function concurrentApplyCase(config: RemediatorConfig): {
  vpc: ObservedVpc;
  observed: ObservedRegion;
  plan: Plan;
} {
  const base = healthyVpc();
  const vpc: ObservedVpc = {
    ...base,
    endpoints: base.endpoints.filter(
      (e) => !['ecs-agent', 'ecs-telemetry', 'ecs', 'logs'].includes(e.service ?? ''),
    ),
    containerInstances: base.containerInstances.map((ci) => ({ ...ci, ssmManaged: false })),
  };
  const observed = region([vpc]);
  const planned = plan(deriveDesired(observed, config).vpcs, observed, {
    securityGroupName: config.endpointSecurityGroupName,
    managedTagKey: config.managedTagKey,
    updateOldAgents: false,
  });
  return { vpc, observed, plan: planned };
}

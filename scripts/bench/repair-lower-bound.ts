/**
 * The least time any executor could repair a plan in, given the emulated AWS it runs against: the
 * larger of
 * - the longest ordered chain of one VPC: a new or modified interface endpoint is `pending` for the
 *   provisioning time before it is `available` (VpcEndpoint State,
 *   https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VpcEndpoint.html); the ECS trio
 *   goes one at a time, each available before the next
 *   (https://docs.aws.amazon.com/AmazonECS/latest/developerguide/vpc-endpoints.html); an agent
 *   restart runs after the endpoints it depends on are available and takes the SSM command's time;
 * - the endpoint writes of each API divided by its bucket's refill rate: each API has its own token
 *   bucket, one token per request (https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html).
 */
import { assertNever, type Action, type Plan } from '../../shared/core/domain.js';
import { ECS_AGENT_SERVICES } from '../../shared/core/services.js';

export type EndpointWriteApi = 'CreateVpcEndpoint' | 'ModifyVpcEndpoint';

export interface EmulatedAws {
  /** Seconds a new or modified interface endpoint stays pending. */
  readonly endpointPendingSeconds: number;
  /** Tokens per second of each endpoint write API's bucket (the speed factor included). */
  readonly refillPerSecond: Readonly<Record<EndpointWriteApi, number>>;
  /** Seconds from SendCommand to a finished agent restart on an online instance. */
  readonly restartSeconds: number;
}

export interface LowerBound {
  readonly seconds: number;
  readonly chainSeconds: number;
  readonly throughputSeconds: number;
  readonly endpointWrites: Readonly<Record<EndpointWriteApi, number>>;
}

interface VpcShape {
  /** ECS trio endpoints created or modified (each waits for the previous one). */
  ecsInterfaceChanges: number;
  /** Any interface endpoint created or modified. */
  interfaceChanges: number;
  restart: boolean;
  writes: Record<EndpointWriteApi, number>;
}

function addAction(shape: VpcShape, action: Action): void {
  switch (action.kind) {
    case 'CreateVpcEndpoint':
      shape.writes.CreateVpcEndpoint++;
      if (action.endpointType === 'Interface') {
        shape.interfaceChanges++;
        if (ECS_AGENT_SERVICES.includes(action.service)) shape.ecsInterfaceChanges++;
      }
      return;
    case 'ModifyVpcEndpoint':
      // Only interface endpoints have subnets, groups and private DNS to modify.
      shape.writes.ModifyVpcEndpoint++;
      shape.interfaceChanges++;
      if (ECS_AGENT_SERVICES.includes(action.service)) shape.ecsInterfaceChanges++;
      return;
    case 'AddGatewayRoutes':
      shape.writes.ModifyVpcEndpoint++;
      return;
    case 'RestartEcsAgent':
      shape.restart = true;
      return;
    case 'EnableVpcDnsAttribute':
    case 'CreateSecurityGroup':
    case 'AuthorizeHttpsIngress':
    case 'UpdateContainerAgent':
    case 'AssociateVpcWithHostedZone': // Route 53, not an EC2 bucket
      return;
    default:
      return assertNever(action, 'action');
  }
}

export function repairLowerBound(plan: Plan, aws: EmulatedAws): LowerBound {
  const writes: Record<EndpointWriteApi, number> = { CreateVpcEndpoint: 0, ModifyVpcEndpoint: 0 };
  let chainSeconds = 0;
  for (const vpc of plan.vpcs) {
    if (vpc.mode !== 'enforce') continue;
    const shape: VpcShape = {
      ecsInterfaceChanges: 0,
      interfaceChanges: 0,
      restart: false,
      writes: { CreateVpcEndpoint: 0, ModifyVpcEndpoint: 0 },
    };
    for (const action of vpc.actions) if (action.apply) addAction(shape, action);
    writes.CreateVpcEndpoint += shape.writes.CreateVpcEndpoint;
    writes.ModifyVpcEndpoint += shape.writes.ModifyVpcEndpoint;
    const waits = Math.max(shape.ecsInterfaceChanges, shape.interfaceChanges > 0 ? 1 : 0);
    chainSeconds = Math.max(
      chainSeconds,
      waits * aws.endpointPendingSeconds + (shape.restart ? aws.restartSeconds : 0),
    );
  }
  const throughputSeconds = Math.max(
    ...(Object.keys(writes) as EndpointWriteApi[]).map((api) =>
      writes[api] === 0 ? 0 : writes[api] / aws.refillPerSecond[api],
    ),
  );
  return {
    seconds: Math.max(chainSeconds, throughputSeconds),
    chainSeconds,
    throughputSeconds,
    endpointWrites: writes,
  };
}

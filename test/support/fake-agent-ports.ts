/**
 * Hand-written fakes of the ports an agent restart goes through, for a healthy fleet: every SSM
 * command succeeds on every instance it names, every agent is connected at `agentVersion`, and EC2
 * writes are only counted. Each fake records what it was asked, in the API's own units.
 */
import type {
  Ec2Writer,
  EcsAgentControl,
  SendCommandRequest,
  SsmCommander,
} from '../../shared/core/ports.js';

/** ListCommandInvocations answers at most 50 invocations a page. */
const INVOCATIONS_PER_PAGE = 50;
/** ECS DescribeContainerInstances takes at most 100 ARNs a call (the adapter batches by this). */
export const DESCRIBE_CONTAINER_INSTANCES_MAX = 100;

export interface FakeSsm extends SsmCommander {
  readonly sent: SendCommandRequest[];
  /** ListCommandInvocations calls the real adapter would make (one per page of 50). */
  listInvocationsApiCalls: number;
}

export function healthySsm(agentVersion = '1.90.0'): FakeSsm {
  const sentTo = new Map<string, readonly string[]>();
  const fake: FakeSsm = {
    sent: [],
    listInvocationsApiCalls: 0,
    sendCommand: async (request) => {
      fake.sent.push(request);
      const commandId = `command-${fake.sent.length}`;
      sentTo.set(commandId, request.instanceIds);
      return commandId;
    },
    listInvocations: async (commandId) => {
      const instanceIds = sentTo.get(commandId) ?? [];
      fake.listInvocationsApiCalls += Math.max(1, Math.ceil(instanceIds.length / INVOCATIONS_PER_PAGE));
      return instanceIds.map((instanceId) => ({
        instanceId,
        status: 'Success' as const,
        steps: [
          {
            name: 'restartEcsAgentLinux',
            status: 'Success' as const,
            output: `agent version: ${agentVersion}`,
          },
        ],
      }));
    },
  };
  return fake;
}

export interface FakeEcs extends EcsAgentControl {
  /** describeContainerInstances calls (port calls). */
  describeCalls: number;
  /** DescribeContainerInstances API calls the real adapter would make (100 ARNs a call). */
  describeApiCalls: number;
}

export function connectedEcs(agentVersion = '1.90.0'): FakeEcs {
  const fake: FakeEcs = {
    describeCalls: 0,
    describeApiCalls: 0,
    describeContainerInstances: async (_clusterArn, arns) => {
      fake.describeCalls++;
      fake.describeApiCalls += Math.ceil(arns.length / DESCRIBE_CONTAINER_INSTANCES_MAX);
      return arns.map((containerInstanceArn) => ({
        containerInstanceArn,
        agentConnected: true,
        agentVersion,
      }));
    },
    updateContainerAgent: async () => {
      throw new Error('connectedEcs: UpdateContainerAgent is not expected here');
    },
  };
  return fake;
}

export interface CountingEc2 extends Ec2Writer {
  calls: number;
}

/** An EC2 writer that only counts: no VPC has endpoints or groups. */
export function countingEc2(): CountingEc2 {
  const fake: CountingEc2 = {
    calls: 0,
    enableVpcDnsAttribute: async () => {
      fake.calls++;
    },
    findDedicatedSecurityGroup: async () => (fake.calls++, undefined),
    createSecurityGroup: async () => (fake.calls++, 'sg-fake'),
    authorizeHttpsIngress: async () => {
      fake.calls++;
    },
    createVpcEndpoint: async () => (fake.calls++, 'vpce-fake'),
    modifyVpcEndpoint: async () => {
      fake.calls++;
    },
    describeVpcEndpoints: async () => (fake.calls++, []),
  };
  return fake;
}

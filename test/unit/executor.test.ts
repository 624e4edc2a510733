/**
 * The executor through the real adapters, with the SDK clients scripted (aws-sdk-client-mock) where a
 * test needs an exact response at an exact call, which the emulator does not give on cue: throttling
 * of one given call, pending/failed/rejected endpoints, failed SSM commands, agents that never
 * reconnect, a response lost after the endpoint was created. Fault injection of the same calls on
 * the emulator is in test/reliability/fault-injection*.test.ts.
 */
import {
  CreateVpcEndpointCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
  ModifyVpcEndpointCommand,
  type VpcEndpoint,
} from '@aws-sdk/client-ec2';
import { DescribeContainerInstancesCommand, ECSClient } from '@aws-sdk/client-ecs';
import {
  GetCommandInvocationCommand,
  ListCommandInvocationsCommand,
  SendCommandCommand,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import {
  advanceRepair,
  applyPlan,
  repairReport,
  restartReasonParameter,
  startRepair,
} from '../../shared/apply/executor.js';
import { Ec2WriterAdapter } from '../../shared/aws/ec2-writer.js';
import { EcsAgentControlAdapter } from '../../shared/aws/ecs-adapter.js';
import { SsmCommanderAdapter } from '../../shared/aws/ssm-adapter.js';
import { defaultConfig } from '../../shared/core/config.js';
import { deriveDesired } from '../../shared/core/desired.js';
import type { ObservedVpc, Plan } from '../../shared/core/domain.js';
import { plan } from '../../shared/core/plan.js';
import { fakeClock } from '../support/fake-clock.js';
import { healthyVpc, region } from '../support/fixtures.js';

const config = { ...defaultConfig, endpointWaitTimeoutSeconds: 60, agentWaitTimeoutSeconds: 60 };

function planFor(vpc: ObservedVpc): Plan {
  const observed = region([vpc]);
  return plan(deriveDesired(observed, config).vpcs, observed, {
    securityGroupName: config.endpointSecurityGroupName,
    managedTagKey: config.managedTagKey,
  });
}

const base = healthyVpc();
const withoutServices = (...services: string[]) => ({
  ...base,
  endpoints: base.endpoints.filter((e) => !services.includes(e.service ?? '')),
});

/** What AWS returns for the VPC's endpoints: the fixture's, plus those created during the test. */
function sdkEndpoint(
  id: string,
  serviceName: string,
  state: string,
  extra: Partial<VpcEndpoint> = {},
): VpcEndpoint {
  return {
    VpcEndpointId: id,
    VpcId: 'vpc-1',
    ServiceName: serviceName,
    VpcEndpointType: 'Interface',
    State: state as VpcEndpoint['State'],
    SubnetIds: ['subnet-1p0', 'subnet-1p1', 'subnet-1p2'],
    Groups: [{ GroupId: 'sg-1eer', GroupName: 'eer' }],
    PrivateDnsEnabled: true,
    RouteTableIds: [],
    ...extra,
  };
}

function existingSdkEndpoints(vpc: ObservedVpc): VpcEndpoint[] {
  return vpc.endpoints.map((e) =>
    sdkEndpoint(e.endpointId, e.serviceName, 'available', {
      VpcEndpointType: e.type,
      SubnetIds: [...e.subnetIds],
      RouteTableIds: [...e.routeTableIds],
      PrivateDnsEnabled: e.privateDnsEnabled,
    }),
  );
}

interface Harness {
  ec2: ReturnType<typeof mockClient>;
  ssm: ReturnType<typeof mockClient>;
  ecs: ReturnType<typeof mockClient>;
  ports: Parameters<typeof applyPlan>[1]['ports'];
  created: Map<string, VpcEndpoint>;
  /** Instance ids per command id sent. */
  sent: Map<string, string[]>;
}

/**
 * EC2 mock that remembers created endpoints (honouring ClientToken like AWS does) and reports them in
 * the states `states(serviceName, pollCount)` gives.
 */
/**
 * ListCommandInvocations with Details as SSM answers it for the two-step restart document on Linux
 * instances: the Linux step ran (with `status`), the Windows step was skipped by its precondition.
 */
function invocations(instanceIds: readonly string[], status: (instanceId: string) => string) {
  return {
    CommandInvocations: instanceIds.map((InstanceId) => ({
      InstanceId,
      Status: status(InstanceId) as 'Success',
      CommandPlugins: [
        {
          Name: 'restartEcsAgentLinux',
          Status: status(InstanceId) as 'Success',
          Output: 'agent version: 1.90.0',
        },
        {
          Name: 'restartEcsAgentWindows',
          Status: 'Success' as const,
          Output: 'Step execution skipped due to unsatisfied preconditions: platformType Windows',
        },
      ],
    })),
  };
}

function harness(
  vpc: ObservedVpc,
  states: (serviceName: string, poll: number) => string = () => 'available',
): Harness {
  const ec2Client = new EC2Client({ region: 'us-east-1', maxAttempts: 1 });
  const ssmClient = new SSMClient({ region: 'us-east-1', maxAttempts: 1 });
  const ecsClient = new ECSClient({ region: 'us-east-1', maxAttempts: 1 });
  const ec2 = mockClient(ec2Client);
  const ssm = mockClient(ssmClient);
  const ecs = mockClient(ecsClient);
  const created = new Map<string, VpcEndpoint>();
  const byToken = new Map<string, string>();
  const polls = new Map<string, number>();
  ec2.on(CreateVpcEndpointCommand).callsFake((input) => {
    const existing = byToken.get(input.ClientToken);
    if (existing) return { VpcEndpoint: created.get(existing) };
    const id = `vpce-new${created.size}`;
    byToken.set(input.ClientToken, id);
    created.set(id, sdkEndpoint(id, input.ServiceName, 'pending', { SubnetIds: input.SubnetIds ?? [] }));
    return { VpcEndpoint: created.get(id) };
  });
  ec2.on(DescribeVpcEndpointsCommand).callsFake(() => ({
    VpcEndpoints: [
      ...existingSdkEndpoints(vpc),
      ...[...created.values()].map((e) => {
        const poll = (polls.get(e.VpcEndpointId ?? '') ?? 0) + 1;
        polls.set(e.VpcEndpointId ?? '', poll);
        return { ...e, State: states(e.ServiceName ?? '', poll) as VpcEndpoint['State'] };
      }),
    ],
  }));
  ec2.on(ModifyVpcEndpointCommand).resolves({ Return: true });
  ec2.on(DescribeSecurityGroupsCommand).resolves({
    SecurityGroups: [{ GroupId: 'sg-1eer', GroupName: config.endpointSecurityGroupName, VpcId: 'vpc-1' }],
  });
  const sent = new Map<string, string[]>();
  ssm.on(SendCommandCommand).callsFake((input) => {
    const CommandId = `cmd-${sent.size + 1}`;
    sent.set(CommandId, input.InstanceIds);
    return { Command: { CommandId } };
  });
  ssm
    .on(ListCommandInvocationsCommand)
    .callsFake((input) => invocations(sent.get(input.CommandId) ?? [], () => 'Success'));
  ecs.on(DescribeContainerInstancesCommand).callsFake((input) => ({
    containerInstances: input.containerInstances.map((arn: string) => ({
      containerInstanceArn: arn,
      agentConnected: true,
    })),
  }));
  return {
    ec2,
    ssm,
    ecs,
    created,
    sent,
    ports: {
      ec2: new Ec2WriterAdapter(ec2Client),
      ssm: new SsmCommanderAdapter(ssmClient),
      ecs: new EcsAgentControlAdapter(ecsClient),
    },
  };
}

/** Planned VPCs 1..n of the fixtures, each missing its logs endpoint (one create each). */
function logsMissingPlan(n: number): Plan {
  const observed = region(
    Array.from({ length: n }, (_, i) => {
      const vpc = healthyVpc(i + 1);
      return { ...vpc, endpoints: vpc.endpoints.filter((e) => e.service !== 'logs') };
    }),
  );
  return plan(deriveDesired(observed, config).vpcs, observed, {
    securityGroupName: config.endpointSecurityGroupName,
    managedTagKey: config.managedTagKey,
  });
}

const fail = (): never => {
  throw new Error('not used by this test');
};

/** In-memory ports for endpoint creates only: no endpoint exists yet, every other call fails. */
function endpointWritePorts(on: { describe?: () => void; create: (vpcId: string) => Promise<void> }) {
  return {
    ec2: {
      enableVpcDnsAttribute: fail,
      createSecurityGroup: fail,
      authorizeHttpsIngress: fail,
      modifyVpcEndpoint: fail,
      findDedicatedSecurityGroup: async (vpcId: string) => `sg-${vpcId}`,
      describeVpcEndpoints: async () => {
        on.describe?.();
        return [];
      },
      createVpcEndpoint: async (request: { vpcId: string }) => {
        await on.create(request.vpcId);
        return `vpce-${request.vpcId}`;
      },
    },
    ssm: { sendCommand: fail, listInvocations: fail },
    ecs: { describeContainerInstances: fail, updateContainerAgent: fail },
  };
}

describe('applyPlan', () => {
  it('creates the ECS trio one at a time, each available before the next, then restarts and verifies agents', async () => {
    const vpc = withoutServices('ecs-agent', 'ecs-telemetry', 'ecs');
    const h = harness(vpc, (_name, poll) => (poll < 3 ? 'pending' : 'available'));
    const clock = fakeClock();
    const progress: string[] = [];
    const report = await applyPlan(planFor(vpc), {
      ports: h.ports,
      config,
      clock,
      progress: (l) => progress.push(l),
    });
    expect(report.converged).toBe(true);
    const creates = h.ec2.commandCalls(CreateVpcEndpointCommand).map((c) => c.args[0].input.ServiceName);
    expect(creates).toEqual([
      'com.amazonaws.us-east-1.ecs-agent',
      'com.amazonaws.us-east-1.ecs-telemetry',
      'com.amazonaws.us-east-1.ecs',
    ]);
    // Each creation happens only after the previous endpoint was seen available.
    const order = h.ec2.calls().map((c) => (c.args[0] as { constructor: { name: string } }).constructor.name);
    const firstCreate = order.indexOf('CreateVpcEndpointCommand');
    const secondCreate = order.indexOf('CreateVpcEndpointCommand', firstCreate + 1);
    expect(
      order.slice(firstCreate, secondCreate).filter((n) => n === 'DescribeVpcEndpointsCommand').length,
    ).toBeGreaterThan(1);
    expect(progress).toContainEqual(expect.stringContaining('waiting for ecs-agent'));
    expect(clock.slept.length).toBeGreaterThan(0);
    const send = h.ssm.commandCalls(SendCommandCommand)[0]?.args[0].input;
    expect(send?.DocumentName).toBe(config.restartDocumentName);
    expect(send?.InstanceIds).toEqual(['i-100', 'i-101', 'i-102']);
    const restart = report.outcomes.find((o) => o.kind === 'RestartEcsAgent');
    expect(restart).toMatchObject({ status: 'applied', detail: '3/3 restarted, 3 reconnected' });
    const tags = h.ec2.commandCalls(CreateVpcEndpointCommand)[0]?.args[0].input.TagSpecifications?.[0]?.Tags;
    expect(tags).toContainEqual({ Key: 'ecs-endpoint-remediator:managed', Value: 'true' });
  });

  it('a restart behind an endpoint left pending by an earlier run waits for it first', async () => {
    const vpc = {
      ...base,
      endpoints: base.endpoints.map((e) => (e.service === 'ecs' ? { ...e, state: 'pending' as const } : e)),
    };
    const h = harness(vpc);
    let polls = 0;
    h.ec2.on(DescribeVpcEndpointsCommand).callsFake(() => {
      polls++;
      return {
        VpcEndpoints: existingSdkEndpoints(vpc).map((e) =>
          e.ServiceName?.endsWith('.ecs') ? { ...e, State: polls < 3 ? 'pending' : 'available' } : e,
        ),
      };
    });
    const report = await applyPlan(planFor(vpc), { ports: h.ports, config, clock: fakeClock() });
    expect(report.outcomes.find((o) => o.kind === 'RestartEcsAgent')).toMatchObject({ status: 'applied' });
    expect(polls).toBeGreaterThanOrEqual(3);
    const restartCall = h.ssm.commandCalls(SendCommandCommand)[0];
    expect(restartCall).toBeDefined();
  });

  it('a restart behind an endpoint that stays pending is not run', async () => {
    const vpc = {
      ...base,
      endpoints: base.endpoints.map((e) => (e.service === 'ecs' ? { ...e, state: 'pending' as const } : e)),
    };
    const h = harness(vpc);
    h.ec2.on(DescribeVpcEndpointsCommand).callsFake(() => ({
      VpcEndpoints: existingSdkEndpoints(vpc).map((e) =>
        e.ServiceName?.endsWith('.ecs') ? { ...e, State: 'pending' } : e,
      ),
    }));
    const report = await applyPlan(planFor(vpc), { ports: h.ports, config, clock: fakeClock() });
    expect(report.outcomes.find((o) => o.kind === 'RestartEcsAgent')).toMatchObject({ status: 'failed' });
    expect(h.ssm.commandCalls(SendCommandCommand)).toHaveLength(0);
  });

  it('an endpoint stuck pending reaches the timeout and blocks what depends on it', async () => {
    const vpc = withoutServices('ecs');
    const h = harness(vpc, () => 'pending');
    const report = await applyPlan(planFor(vpc), { ports: h.ports, config, clock: fakeClock() });
    expect(report.converged).toBe(false);
    expect(report.outcomes.find((o) => o.kind === 'CreateVpcEndpoint')).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(/still pending after \d+ s/),
    });
    expect(report.outcomes.find((o) => o.kind === 'RestartEcsAgent')).toMatchObject({
      status: 'skipped',
      why: expect.stringContaining('broken endpoint'),
    });
    expect(h.ssm.commandCalls(SendCommandCommand)).toHaveLength(0);
  });

  it.each(['failed', 'rejected'])(
    'a %s endpoint is reported and no agent restarts behind it',
    async (state) => {
      const vpc = withoutServices('ecs-agent', 'ecs-telemetry', 'ecs');
      const h = harness(vpc, () => state);
      const report = await applyPlan(planFor(vpc), { ports: h.ports, config, clock: fakeClock() });
      const trio = report.outcomes.filter((o) => o.kind === 'CreateVpcEndpoint');
      expect(trio[0]).toMatchObject({ status: 'failed', error: expect.stringContaining(`is ${state}`) });
      // ecs-telemetry and ecs are never created behind a broken ecs-agent.
      expect(trio.slice(1).map((o) => o.status)).toEqual(['skipped', 'skipped']);
      expect(h.ec2.commandCalls(CreateVpcEndpointCommand)).toHaveLength(1);
      expect(h.ssm.commandCalls(SendCommandCommand)).toHaveLength(0);
    },
  );

  it.each(['Failed', 'TimedOut'])(
    'SSM invocations that end %s make the restart fail with the instance named',
    async (status) => {
      const vpc = withoutServices('ecs');
      const h = harness(vpc);
      h.ssm
        .on(ListCommandInvocationsCommand)
        .callsFake((input) =>
          invocations(h.sent.get(input.CommandId) ?? [], (id) => (id === 'i-101' ? status : 'Success')),
        );
      const report = await applyPlan(planFor(vpc), { ports: h.ports, config, clock: fakeClock() });
      expect(report.outcomes.find((o) => o.kind === 'RestartEcsAgent')).toMatchObject({
        status: 'failed',
        error: expect.stringContaining(`i-101: command ${status}`),
      });
      expect(report.converged).toBe(false);
    },
  );

  // The restart document has two steps (one per platformType), so AWS answers GetCommandInvocation
  // without PluginName with InvalidPluginName (SSM API reference, "GetCommandInvocation"); moto accepts
  // it, so this is tested against AWS's documented behaviour.
  it('restart on AWS: reads ListCommandInvocations once per command and poll, never GetCommandInvocation without a step (InvalidPluginName)', async () => {
    const vpc = withoutServices('ecs');
    const h = harness(vpc);
    h.ssm.on(GetCommandInvocationCommand).callsFake((input) => {
      if (input.PluginName === undefined) {
        throw Object.assign(new Error('Invalid plugin name'), { name: 'InvalidPluginName' });
      }
      return { InstanceId: input.InstanceId, Status: 'Success' };
    });
    const report = await applyPlan(planFor(vpc), { ports: h.ports, config, clock: fakeClock() });
    expect(report.outcomes.find((o) => o.kind === 'RestartEcsAgent')).toMatchObject({
      status: 'applied',
      detail: '3/3 restarted, 3 reconnected',
    });
    expect(h.ssm.commandCalls(GetCommandInvocationCommand)).toHaveLength(0);
    const lists = h.ssm.commandCalls(ListCommandInvocationsCommand).map((c) => c.args[0].input);
    expect(lists).toHaveLength(1);
    expect(lists[0]).toMatchObject({ CommandId: 'cmd-1', Details: true, MaxResults: 50 });
  });

  it('a restart whose every step was skipped by its precondition did not run: it fails, saying so', async () => {
    const vpc = withoutServices('ecs');
    const h = harness(vpc);
    const skipped = (platform: string) => ({
      Status: 'Success' as const,
      Output: `Step execution skipped due to unsatisfied preconditions: platformType ${platform}`,
    });
    h.ssm.on(ListCommandInvocationsCommand).callsFake((input) => ({
      CommandInvocations: (h.sent.get(input.CommandId) ?? []).map((InstanceId) => ({
        InstanceId,
        Status: 'Success',
        CommandPlugins:
          InstanceId === 'i-101'
            ? [
                { Name: 'restartEcsAgentLinux', ...skipped('Linux') },
                { Name: 'restartEcsAgentWindows', ...skipped('Windows') },
              ]
            : invocations([InstanceId], () => 'Success').CommandInvocations[0]?.CommandPlugins,
      })),
    }));
    const report = await applyPlan(planFor(vpc), { ports: h.ports, config, clock: fakeClock() });
    expect(report.outcomes.find((o) => o.kind === 'RestartEcsAgent')).toMatchObject({
      status: 'failed',
      error: expect.stringMatching(
        /2\/3 restarted, 2 reconnected; i-101: command Failed \(the restart did not run: every step of the document was skipped by its precondition/,
      ),
    });
  });

  it('an agent that never reconnects fails the restart after the bounded wait', async () => {
    const vpc = withoutServices('ecs');
    const h = harness(vpc);
    h.ecs.on(DescribeContainerInstancesCommand).callsFake((input) => ({
      containerInstances: input.containerInstances.map((arn: string) => ({
        containerInstanceArn: arn,
        agentConnected: !arn.endsWith('ci12'),
      })),
    }));
    const clock = fakeClock();
    const report = await applyPlan(planFor(vpc), { ports: h.ports, config, clock });
    expect(report.outcomes.find((o) => o.kind === 'RestartEcsAgent')).toMatchObject({
      status: 'failed',
      error: expect.stringContaining('i-102: agent not reconnected'),
    });
    expect(clock.now() - Date.parse('2026-11-28T21:00:00Z')).toBeGreaterThanOrEqual(60000);
  });

  it('an apply interrupted after creating an endpoint converges when run again, without a duplicate', async () => {
    const vpc = withoutServices('ecs-agent', 'ecs-telemetry', 'ecs');
    const h = harness(vpc);
    const p = planFor(vpc);
    const first = await applyPlan(p, {
      ports: h.ports,
      config: { ...config, maxChanges: 1 },
      clock: fakeClock(),
    });
    expect(first.stoppedAtMaxChanges).toBe(true);
    expect(first.writeCalls).toBe(1);
    expect(h.created.size).toBe(1);
    // The same plan again (e.g. a retried Lambda): the created endpoint is re-read, not re-created.
    const second = await applyPlan(p, { ports: h.ports, config, clock: fakeClock() });
    expect(second.converged).toBe(true);
    expect(second.outcomes.find((o) => o.actionId === 'vpc-1:CreateVpcEndpoint:ecs-agent')).toMatchObject({
      status: 'skipped',
      why: expect.stringContaining('already exists'),
    });
    expect(h.created.size).toBe(3);
    const services = [...h.created.values()].map((e) => e.ServiceName);
    expect(new Set(services).size).toBe(services.length);
  });

  it('a lost CreateVpcEndpoint response retried with the same token returns the same endpoint', async () => {
    const vpc = withoutServices('logs');
    const h = harness(vpc);
    const p = planFor(vpc);
    const action = p.vpcs[0]?.actions.find((a) => a.kind === 'CreateVpcEndpoint');
    if (!action || action.kind !== 'CreateVpcEndpoint') throw new Error('no create action');
    const request = {
      vpcId: 'vpc-1',
      serviceName: action.serviceName,
      endpointType: action.endpointType,
      subnetIds: action.subnetIds,
      securityGroupIds: ['sg-1eer'],
      routeTableIds: [],
      privateDnsEnabled: true,
      clientToken: action.clientToken,
      tags: {},
    };
    const first = await h.ports.ec2.createVpcEndpoint(request);
    const retried = await h.ports.ec2.createVpcEndpoint(request);
    expect(retried).toBe(first);
    expect(h.created.size).toBe(1);
  });

  it('never applies audit VPC actions and respects the change cap', async () => {
    const audit = { ...withoutServices('ecs'), tags: { 'ecs-endpoint-remediator:mode': 'audit' } };
    const h = harness(audit);
    const report = await applyPlan(planFor(audit), { ports: h.ports, config, clock: fakeClock() });
    expect(report.writeCalls).toBe(0);
    expect(report.outcomes.filter((o) => o.status !== 'skipped')).toEqual([]);
    expect(h.ec2.commandCalls(CreateVpcEndpointCommand)).toHaveLength(0);

    const enforce = withoutServices('logs', 'secretsmanager', 'ecr.api');
    const capped = harness(enforce);
    const result = await applyPlan(planFor(enforce), {
      ports: capped.ports,
      config: { ...config, maxChanges: 2 },
      clock: fakeClock(),
    });
    expect(result.writeCalls).toBe(2);
    expect(result.stoppedAtMaxChanges).toBe(true);
    expect(result.converged).toBe(false);
    expect(
      result.outcomes.filter((o) => o.status === 'skipped').map((o) => (o.status === 'skipped' ? o.why : '')),
    ).toEqual([expect.stringContaining('change cap')]);
  });

  it('turns free-text reasons into a value the SSM document accepts', () => {
    const pattern = /^[A-Za-z0-9][A-Za-z0-9 ._,:/+-]{0,127}$/;
    for (const reason of [
      'ecs-agent, ecs endpoint(s) change: 3 agent(s) must reconnect',
      '$(reboot); rm -rf /',
      '',
      'x'.repeat(300),
    ]) {
      expect(restartReasonParameter(reason)).toMatch(pattern);
    }
  });
});

describe('advanceRepair: the same steps, one at a time, never sleeping', () => {
  const trioMissing = () => withoutServices('ecs-agent', 'ecs-telemetry', 'ecs');
  /** Pending for two looks, then available. */
  const slow = (_service: string, poll: number) => (poll <= 2 ? 'pending' : 'available');
  const json = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

  /** A clock a step may read but never sleep on; the test moves time as a Wait state would. */
  function stepClock() {
    let now = Date.parse('2026-11-28T21:00:00Z');
    return {
      now: () => now,
      sleep: async (ms: number) => {
        throw new Error(`a step slept ${ms} ms`);
      },
      pass: (ms: number) => void (now += ms),
    };
  }

  it('writes until it must wait, returns the wait instead of sleeping, and resumes from JSON', async () => {
    const vpc = trioMissing();
    const h = harness(vpc, slow);
    const clock = stepClock();
    const options = { ports: h.ports, config, clock };
    let step = await advanceRepair(startRepair(planFor(vpc)), options);
    const trail: string[] = [];
    while (!step.done) {
      const created = [...h.created.values()].map((e) => e.ServiceName?.split('.').at(-1)).join('+');
      trail.push(`${created} wait ${step.waitMs}`);
      // What Step Functions does between two Lambda invocations: the state as JSON, a Wait state.
      clock.pass(step.waitMs);
      step = await advanceRepair(json(step.state), options);
    }
    console.log(`${trail.length + 1} steps: ${trail.join(' | ')}`);
    expect(trail[0]).toBe('ecs-agent wait 1000');
    expect(trail).toContain('ecs-agent+ecs-telemetry wait 1000');
    const order = [...h.created.values()].map((e) => e.ServiceName?.split('.').at(-1));
    expect(order).toEqual(['ecs-agent', 'ecs-telemetry', 'ecs']);
    const report = repairReport(step.state);
    expect(report.converged).toBe(true);
    const inProcess = await applyPlan(planFor(vpc), {
      ports: harness(vpc, slow).ports,
      config,
      clock: fakeClock(),
    });
    expect(report.outcomes.map((o) => [o.actionId, o.status])).toEqual(
      inProcess.outcomes.map((o) => [o.actionId, o.status]),
    );
  });

  it('a step that runs twice from the same state (a retried or resumed workflow) creates nothing twice', async () => {
    const vpc = trioMissing();
    const h = harness(vpc, () => 'pending');
    const options = { ports: h.ports, config, clock: stepClock() };
    const start = startRepair(planFor(vpc));
    const lost = await advanceRepair(start, options);
    expect(h.created.size).toBe(1);
    // The first step's result never reached the workflow: the step runs again from the state before it.
    const again = await advanceRepair(start, options);
    expect(h.created.size).toBe(1);
    expect(again.state.vpcs[0]?.outcomes[0]).toMatchObject({
      actionId: 'vpc-1:CreateVpcEndpoint:ecs-agent',
      status: 'skipped',
      why: expect.stringContaining('already exists'),
    });
    expect(lost.state.vpcs[0]?.outcomes[0]).toMatchObject({ status: 'applied' });
    // The input state is not changed by a step.
    expect(start.vpcs[0]?.outcomes).toEqual([]);
  });

  it('in a workflow, an endpoint write whose token is far away ends the step; the levels travel in the state', async () => {
    const vpc = trioMissing();
    const h = harness(vpc, () => 'pending');
    const restored: unknown[] = [];
    let ready = 0;
    const pacing = {
      readyInMs: () => ready,
      levels: () => ({ CreateVpcEndpoint: { tokens: -1, atMs: 5 } }),
      restore: (levels: unknown) => void restored.push(levels),
    };
    const clock = stepClock();
    const options = { ports: { ...h.ports, pacing }, config, clock, yieldToPacingOverMs: 2000 };
    ready = 6700;
    const first = await advanceRepair(startRepair(planFor(vpc)), options);
    expect(h.created.size).toBe(0);
    expect(first).toMatchObject({ done: false, waitMs: 6700 });
    expect(first.state.pacing).toEqual({ CreateVpcEndpoint: { tokens: -1, atMs: 5 } });
    ready = 1500;
    clock.pass(first.waitMs);
    const second = await advanceRepair(first.state, options);
    expect(restored).toEqual([{ CreateVpcEndpoint: { tokens: -1, atMs: 5 } }]);
    expect(h.created.size).toBe(1);
    expect(second.state.writes).toBe(1);
  });
});

describe('advanceRepair: endpoint writes of parallel VPCs in a workflow step', () => {
  it('go one at a time, each after a last look at its token: the one token left goes to one VPC, the other waits outside the step', async () => {
    const p = logsMissingPlan(2);
    const creates = p.vpcs.flatMap((v) => v.actions.filter((a) => a.kind === 'CreateVpcEndpoint'));
    expect(creates.map((a) => a.id)).toEqual([
      'vpc-1:CreateVpcEndpoint:logs',
      'vpc-2:CreateVpcEndpoint:logs',
    ]);
    let tokens = 1;
    const written: string[] = [];
    const ports = {
      ...endpointWritePorts({
        // The token is taken when the request is sent, after a round trip's worth of awaiting.
        create: async (vpcId) => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          tokens--;
          written.push(vpcId);
        },
      }),
      pacing: { readyInMs: () => (tokens > 0 ? 0 : 6667), levels: () => ({}), restore: () => {} },
    };
    const step = await advanceRepair(startRepair(p), {
      ports,
      config: { ...config, maxParallelVpcs: 2 },
      clock: { now: () => 0, sleep: fail },
      yieldToPacingOverMs: 0,
    });
    console.log(`written: ${written.join(', ')}; wait ${step.waitMs} ms`);
    expect(written).toHaveLength(1);
    expect(step).toMatchObject({ done: false, waitMs: 6667 });
  });
});

describe('endpoint wait budget', () => {
  it('counts from each endpoint’s own write: a trio paced over more than the budget still converges', async () => {
    const vpc = withoutServices('ecs-agent', 'ecs-telemetry', 'ecs');
    // Each new endpoint is pending at its first look and available at the next.
    const h = harness(vpc, (_service, poll) => (poll <= 1 ? 'pending' : 'available'));
    let now = Date.parse('2026-11-28T21:00:00Z');
    let lastWrite = Number.NEGATIVE_INFINITY;
    // A slow bucket: one endpoint write per 40 s (the budget here is 60 s).
    const pacing = {
      readyInMs: () => Math.max(0, lastWrite + 40_000 - now),
      levels: () => ({}),
      restore: () => {},
    };
    // The real adapter, its creates noted as the bucket's last write.
    const ec2 = Object.create(h.ports.ec2) as typeof h.ports.ec2;
    ec2.createVpcEndpoint = async (...args) => {
      lastWrite = now;
      return h.ports.ec2.createVpcEndpoint(...args);
    };
    const ports = { ...h.ports, pacing, ec2 };
    const clock = {
      now: () => now,
      sleep: async () => {
        throw new Error('a step slept');
      },
    };
    const options = { ports, config, clock, yieldToPacingOverMs: 0 };
    let step = await advanceRepair(startRepair(planFor(vpc)), options);
    const started = now;
    while (!step.done) {
      now += step.waitMs;
      step = await advanceRepair(step.state, options);
    }
    const report = repairReport(step.state);
    console.log(
      `trio written over ${(now - started) / 1000} s with a 60 s budget: ${report.outcomes.map((o) => `${o.actionId.split(':').at(-1)} ${o.status}`).join(', ')}`,
    );
    expect(now - started).toBeGreaterThan(60_000);
    expect(report.converged).toBe(true);
    expect([...h.created.values()].map((e) => e.ServiceName?.split('.').at(-1))).toEqual([
      'ecs-agent',
      'ecs-telemetry',
      'ecs',
    ]);
  });
});

describe('while the ECS trio provisions', () => {
  it('the VPC’s other endpoint writes run meanwhile; the trio keeps its order and the outcomes the plan’s', async () => {
    const vpc = withoutServices('ecs-agent', 'ecs-telemetry', 'ecs', 'logs', 'ecr.api');
    const h = harness(vpc, (_service, poll) => (poll <= 1 ? 'pending' : 'available'));
    let now = Date.parse('2026-11-28T21:00:00Z');
    const clock = {
      now: () => now,
      sleep: async () => {
        throw new Error('a step slept');
      },
    };
    const p = planFor(vpc);
    const created = () => [...h.created.values()].map((e) => e.ServiceName?.split('.').slice(3).join('.'));
    let step = await advanceRepair(startRepair(p), { ports: h.ports, config, clock });
    const afterFirst = created();
    while (!step.done) {
      now += step.waitMs;
      step = await advanceRepair(step.state, { ports: h.ports, config, clock });
    }
    console.log(`first step created ${afterFirst.join(', ')}; in all ${created().join(', ')}`);
    // ecs-telemetry waits for ecs-agent; logs and ecr.api do not wait for either.
    expect(afterFirst).toEqual(['ecs-agent', 'ecr.api', 'logs']);
    expect(created().filter((s) => s?.startsWith('ecs'))).toEqual(['ecs-agent', 'ecs-telemetry', 'ecs']);
    const planned = p.vpcs[0]?.actions.map((a) => a.id);
    expect(repairReport(step.state).outcomes.map((o) => o.actionId)).toEqual(planned);
    expect(repairReport(step.state).converged).toBe(true);
  });
});

describe('a workflow step’s budget', () => {
  it('ends the step once its budget is spent, with the work left for the next step', async () => {
    const p = logsMissingPlan(3);
    let now = 0;
    const written: string[] = [];
    const ports = endpointWritePorts({
      // Every look at AWS takes 20 s of this step.
      describe: () => void (now += 20_000),
      create: async (vpcId) => void written.push(vpcId),
    });
    const options = {
      ports,
      config: { ...config, maxParallelVpcs: 1 },
      clock: { now: () => now, sleep: fail },
      stepBudgetMs: 30_000,
    };
    const first = await advanceRepair(startRepair(p), options);
    console.log(
      `first step: ${written.join(', ')} in ${now / 1000} s; done ${first.done}, wait ${first.waitMs} ms`,
    );
    // One VPC's round (its look, 20 s, and its write) fits; the next would start past the budget.
    expect(written).toEqual(['vpc-1']);
    expect(first).toMatchObject({ done: false, waitMs: 0 });
    let step = first;
    while (!step.done) step = await advanceRepair(step.state, options);
    expect(written).toEqual(['vpc-1', 'vpc-2', 'vpc-3']);
  });
});

/**
 * The runbook's tasks (shared/app/runbook.ts). The network part runs on the emulator with the real
 * adapters; what the emulator cannot show (pending and failed endpoints, slow or failing SSM
 * invocations, agents that never reconnect) uses in-memory ports handed in, with a fake clock.
 */
import { DeleteVpcEndpointsCommand, DescribeVpcEndpointsCommand } from '@aws-sdk/client-ec2';
import { createRemediatorPorts } from '../../shared/app/ports.js';
import {
  fitReport,
  notifyTask,
  parseRunbookInput,
  planTask,
  repairTask,
  type NetworkReport,
  type RepairStepResult,
  type RunbookDeps,
} from '../../shared/app/runbook.js';
import { startRepair } from '../../shared/apply/executor.js';
import { createAwsClients } from '../../shared/aws/clients.js';
import { defaultConfig } from '../../shared/core/config.js';
import type { ObservedEndpoint, Plan } from '../../shared/core/domain.js';
import type {
  CommandInvocationDetail,
  RemediatorPorts,
  SendCommandRequest,
} from '../../shared/core/ports.js';
import type { SlackMessage } from '../../shared/notify/slack-message.js';
import { seedDemoAccount } from '../../scripts/seed/demo-account.js';
import { DynamoDbVpcLeaseStore } from '../../shared/aws/coordination-table.js';
import { createCoordinationTable } from '../support/coordination-table.js';
import { resetEmulator } from '../support/emulator.js';
import { fakeClock } from '../support/fake-clock.js';

const INPUT = { region: 'us-east-1', mode: 'apply' as const, requireApproval: false };
const SKIPPED = 'Step execution skipped due to unsatisfied preconditions: platformType Windows';

function unused(): never {
  throw new Error('not used by this test');
}

/** Ports whose every call fails unless the test supplies it. */
function ports(overrides: {
  ec2?: Partial<RemediatorPorts['ec2']>;
  ssm?: Partial<RemediatorPorts['ssm']>;
  ecs?: Partial<RemediatorPorts['ecs']>;
}): RemediatorPorts {
  return {
    reader: { readRegion: unused, locate: unused },
    ec2: {
      enableVpcDnsAttribute: unused,
      findDedicatedSecurityGroup: unused,
      createSecurityGroup: unused,
      authorizeHttpsIngress: unused,
      createVpcEndpoint: unused,
      modifyVpcEndpoint: unused,
      describeVpcEndpoints: unused,
      ...overrides.ec2,
    },
    ssm: { sendCommand: unused, listInvocations: unused, ...overrides.ssm },
    ecs: { describeContainerInstances: unused, updateContainerAgent: unused, ...overrides.ecs },
  };
}

function deps(p: RemediatorPorts, extra: Partial<RunbookDeps> = {}): RunbookDeps {
  return {
    portsFor: () => p,
    config: { ...defaultConfig, agentWaitTimeoutSeconds: 60, updateOldAgents: false },
    defaultRegion: 'us-east-1',
    clock: fakeClock(),
    ...extra,
  };
}

const endpointIn = (endpointId: string, state: ObservedEndpoint['state']): ObservedEndpoint => ({
  endpointId,
  serviceName: 'com.amazonaws.us-east-1.ecs-agent',
  service: 'ecs-agent',
  type: 'Interface',
  state,
  subnetIds: [],
  securityGroupIds: [],
  routeTableIds: [],
  privateDnsEnabled: true,
  tags: {},
});

const instance = (n: number) => ({
  clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/payments',
  containerInstanceArn: `arn:aws:ecs:us-east-1:123456789012:container-instance/payments/ci-${n}`,
  ec2InstanceId: `i-0000000000000000${n}`,
  platform: 'linux' as const,
});

describe('execution input', () => {
  it('defaults to plan only, no approval, the function’s Region; null means {}', () => {
    expect(parseRunbookInput({}, 'eu-west-1')).toEqual({
      region: 'eu-west-1',
      mode: 'plan',
      requireApproval: false,
    });
    expect(parseRunbookInput(null, 'eu-west-1')).toEqual({
      region: 'eu-west-1',
      mode: 'plan',
      requireApproval: false,
    });
    expect(
      parseRunbookInput(
        {
          region: 'us-gov-west-1',
          vpcIds: ['vpc-0123456789abcdef0', 'vpc-0123456789abcdef0'],
          mode: 'apply',
          requireApproval: true,
        },
        'us-gov-west-1',
      ),
    ).toEqual({
      region: 'us-gov-west-1',
      vpcIds: ['vpc-0123456789abcdef0'],
      mode: 'apply',
      requireApproval: true,
    });
  });

  it.each([
    [{ mode: 'fix' }, /mode/],
    [{ requireAproval: true }, /requireAproval/],
    [{ vpcIds: ['subnet-1234'] }, /every VPC id must be a VPC id such as vpc-0123456789abcdef0/],
    // Not hex: the CLI refuses it too (shared/core/id-patterns.ts).
    [{ vpcIds: ['vpc-xyzxyzxy'] }, /every VPC id must be a VPC id/],
    [{ vpcIds: [] }, /vpcIds/],
    [{ region: 'US East' }, /region must be a Region code such as us-east-1/],
    [{ region: 'eu-west-1' }, /region eu-west-1 is not this stack's Region \(us-east-1\).*multi-Region/],
    [{ requireApproval: 'yes' }, /requireApproval/],
    ['apply', /object/],
  ])('refuses %j with InvalidRunbookInput naming the problem', (input, problem) => {
    let error: Error | undefined;
    try {
      parseRunbookInput(input, 'us-east-1');
    } catch (e) {
      error = e as Error;
    }
    expect(error?.name).toBe('InvalidRunbookInput');
    expect(error?.message).toMatch(problem);
  });
});

describe('the Plan task and the Region', () => {
  it('refuses another Region than the stack’s before it reads anything', async () => {
    const regionsAsked: string[] = [];
    const runbookDeps: RunbookDeps = {
      ...deps(ports({})),
      portsFor: (region) => {
        regionsAsked.push(region);
        return ports({});
      },
    };
    await expect(planTask(runbookDeps, { region: 'eu-west-1', mode: 'apply' })).rejects.toMatchObject({
      name: 'InvalidRunbookInput',
      message: expect.stringMatching(/region eu-west-1 is not this stack's Region \(us-east-1\)/),
    });
    expect(regionsAsked).toEqual([]);
  });

  it('takes the stack’s own Region, named or not', async () => {
    const regionsAsked: string[] = [];
    const empty = ports({});
    const runbookDeps: RunbookDeps = {
      ...deps(empty),
      portsFor: (region) => {
        regionsAsked.push(region);
        return {
          ...empty,
          reader: {
            readRegion: async () => ({ region, vpcs: [], endpointServices: [], warnings: [] }),
            locate: async () => new Map<string, string>(),
          },
        };
      },
    };
    expect((await planTask(runbookDeps, { region: 'us-east-1' })).input.region).toBe('us-east-1');
    expect((await planTask(runbookDeps, {})).input.region).toBe('us-east-1');
    expect(regionsAsked).toEqual(['us-east-1', 'us-east-1']);
  });
});

/**
 * What the state machine does with the Repair task: call it, Wait `waitSeconds` (here: the fake
 * clock moves), call it again with the carry it returned, as JSON, until it is done.
 */
async function runRepair(
  runbookDeps: RunbookDeps,
  payload: { input: unknown; plannedActionIds: readonly string[]; executionArn?: string; carry?: unknown },
): Promise<{ steps: RepairStepResult[]; last: RepairStepResult }> {
  const clock = runbookDeps.clock as ReturnType<typeof fakeClock>;
  const steps: RepairStepResult[] = [];
  let carry: unknown = payload.carry ?? null;
  for (let i = 0; i < 500; i++) {
    const step = JSON.parse(
      JSON.stringify(await repairTask(runbookDeps, { ...payload, carry })),
    ) as RepairStepResult;
    steps.push(step);
    if (step.done) return { steps, last: step };
    await clock.sleep(step.waitSeconds * 1000);
    carry = step.carry;
  }
  throw new Error('the repair did not finish in 500 steps');
}

describe('plan and repair on the emulator', () => {
  it('applies only what the plan showed: drift that appeared after planning waits for the next run', async () => {
    const endpoint = await resetEmulator();
    const clients = createAwsClients({ region: 'us-east-1', endpointUrl: endpoint });
    const account = await seedDemoAccount(clients);
    const runbookDeps: RunbookDeps = {
      portsFor: () => createRemediatorPorts(clients),
      config: { ...defaultConfig, maxChanges: 40, updateOldAgents: false },
      defaultRegion: 'us-east-1',
      clock: fakeClock(),
    };
    const summary = await planTask(runbookDeps, { mode: 'apply' });
    expect(summary.drift).toBe(true);
    expect(summary.applicable).toBe(summary.plannedActionIds.length);
    expect(summary.plannedActionIds.filter((id) => !id.startsWith(account.vpcIds.payments))).toEqual([]);
    // Every SSM-managed payments instance: three Linux and one Windows in the private subnets, and the
    // public one with the old agent (agent updates are off here, so it is restarted, not updated).
    expect(summary.restartInstances).toBe(account.vpcs.payments.containerInstances.length);

    // New drift after the plan (and after the approval it would have been shown in).
    await clients.ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [account.endpoints.ecsAgent] }));
    const { steps, last } = await runRepair(runbookDeps, {
      input: summary.input,
      plannedActionIds: summary.plannedActionIds,
    });
    const report = last.report;
    console.log(
      `${steps.length} step(s), waits ${steps.map((s) => s.waitSeconds).join(',')} s; ` +
        `largest step result ${Math.max(...steps.map((s) => JSON.stringify(s).length))} bytes`,
    );

    const outcome = (suffix: string) => report?.outcomes?.find((o) => o.actionId.endsWith(suffix));
    expect(outcome('CreateVpcEndpoint:ecs-agent')).toMatchObject({
      status: 'skipped',
      why: expect.stringMatching(/not in the plan/),
    });
    // The agents depend on ecs-agent, which this execution may not re-create: they are not restarted.
    expect(report?.outcomes?.filter((o) => o.kind === 'RestartEcsAgent')).toEqual([
      expect.objectContaining({
        status: 'skipped',
        why: expect.stringContaining(
          'not restarted behind a broken endpoint (ecs-agent: no ecs-agent endpoint exists)',
        ),
      }),
    ]);
    const { VpcEndpoints = [] } = await clients.ec2.send(
      new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [account.vpcIds.payments] }] }),
    );
    const live = VpcEndpoints.filter((e) => e.State?.toLowerCase() !== 'deleted');
    const liveServices = live.map((e) => e.ServiceName);
    expect(liveServices).not.toContainEqual(expect.stringMatching(/\.ecs-agent$/));
    expect(liveServices).toContainEqual(expect.stringMatching(/\.ecs-telemetry$/));
    // Only the enforce VPC is in the report; every planned action has an outcome.
    expect(new Set(report?.plan?.vpcs.map((v) => v.vpcId))).toEqual(new Set([account.vpcIds.payments]));
    for (const id of summary.plannedActionIds) {
      expect(report?.outcomes?.map((o) => o.actionId)).toContain(id);
    }
    // Every step's result fits the execution state (256 KB) with room for the rest of it.
    for (const step of steps) expect(JSON.stringify(step).length).toBeLessThan(160_000);
  }, 60_000);
});

describe('repair under the VPC lease (one writer per VPC)', () => {
  it('yields a VPC another writer holds: nothing written there, no agent restarted, the holder named', async () => {
    const endpoint = await resetEmulator();
    const clients = createAwsClients({ region: 'us-east-1', endpointUrl: endpoint });
    const account = await seedDemoAccount(clients);
    const table = await createCoordinationTable(endpoint);
    const store = new DynamoDbVpcLeaseStore(table);
    const runbookDeps: RunbookDeps = {
      portsFor: () => createRemediatorPorts(clients),
      config: { ...defaultConfig, maxChanges: 40, updateOldAgents: false },
      defaultRegion: 'us-east-1',
      leasing: { store, durationMs: 120_000 },
      clock: fakeClock(Date.now()),
    };
    const summary = await planTask(runbookDeps, { mode: 'apply' });
    const vpcId = account.vpcIds.payments;
    await store.acquire(vpcId, 'reconcile:2026/12/03/[$LATEST]abc', Date.now(), 120_000);
    const { steps, last } = await runRepair(runbookDeps, {
      input: summary.input,
      plannedActionIds: summary.plannedActionIds,
      executionArn: 'arn:aws:states:us-east-1:123456789012:execution:runbook:e1',
    });
    const whys = new Set(
      last.report?.outcomes?.map((o) =>
        o.status === 'skipped' ? o.why.split(';')[0]?.replace(/until \S+$/, 'until <time>') : o.status,
      ),
    );
    expect({
      steps: steps.length,
      writeCalls: last.report?.writeCalls,
      converged: last.report?.converged,
      whys: [...whys],
      restarts: last.report?.outcomes?.filter((o) => o.kind === 'RestartEcsAgent').map((o) => o.status),
    }).toEqual({
      steps: 1,
      writeCalls: 0,
      converged: false,
      whys: [
        "not applied: another writer (reconcile:2026/12/03/[$LATEST]abc) holds this VPC's lease until <time>",
      ],
      restarts: ['skipped'],
    });
  }, 60_000);

  it('takes the lease as runbook:<execution ARN> at the first step, renews it at each later one, frees it at the end', async () => {
    const endpoint = await resetEmulator();
    const clients = createAwsClients({ region: 'us-east-1', endpointUrl: endpoint });
    const account = await seedDemoAccount(clients);
    const store = new DynamoDbVpcLeaseStore(await createCoordinationTable(endpoint));
    const calls: string[] = [];
    const watching = {
      acquire: async (...args: Parameters<typeof store.acquire>) => {
        calls.push(`acquire ${args[1]}`);
        return store.acquire(...args);
      },
      renew: async (...args: Parameters<typeof store.renew>) => {
        calls.push('renew');
        return store.renew(...args);
      },
      release: async (...args: Parameters<typeof store.release>) => {
        calls.push('release');
        return store.release(...args);
      },
    };
    const runbookDeps: RunbookDeps = {
      portsFor: () => createRemediatorPorts(clients),
      config: { ...defaultConfig, maxChanges: 40, updateOldAgents: false },
      defaultRegion: 'us-east-1',
      leasing: { store: watching, durationMs: 120_000 },
      clock: fakeClock(Date.now()),
    };
    const summary = await planTask(runbookDeps, { mode: 'apply' });
    // The other writer's view while the repair is between two steps: the VPC is held.
    const { steps, last } = await runRepair(runbookDeps, {
      input: summary.input,
      plannedActionIds: summary.plannedActionIds,
      executionArn: 'arn:aws:states:us-east-1:123456789012:execution:runbook:e2',
    });
    console.log(`lease calls over ${steps.length} step(s): ${calls.join(', ')}`);
    expect(calls[0]).toBe('acquire runbook:arn:aws:states:us-east-1:123456789012:execution:runbook:e2');
    expect(calls.filter((c) => c.startsWith('acquire'))).toHaveLength(1);
    expect(calls.filter((c) => c === 'renew')).toHaveLength(steps.length - 1);
    expect(calls.at(-1)).toBe('release');
    expect(last.report?.writeCalls).toBeGreaterThan(0);
    expect((await store.acquire(account.vpcIds.payments, 'next', Date.now(), 1000)).kind).toBe('acquired');
  }, 60_000);
});

describe('repair steps with ports that show what the emulator cannot (pending endpoints, SSM, ECS)', () => {
  const restartPlan = (instances: number): Plan => ({
    region: 'us-east-1',
    vpcs: [
      {
        vpcId: 'vpc-1',
        mode: 'enforce',
        findings: [],
        actions: [
          {
            kind: 'RestartEcsAgent',
            id: 'vpc-1:RestartEcsAgent:agents',
            vpcId: 'vpc-1',
            reason: 'ecs-telemetry endpoint(s) change: agents must <reconnect>',
            apply: true,
            instances: Array.from({ length: instances }, (_, i) => instance(i + 1)),
            dependsOn: ['ecs-agent'],
          },
        ],
        estimatedMonthlyCostUsd: 0,
      },
    ],
    estimatedMonthlyCostUsd: 0,
    warnings: [],
  });
  const carryFor = (plan: Plan) => ({ state: startRepair(plan), extra: [], held: [], yielded: [], steps: 0 });

  function restartPorts(options: {
    endpointState: (look: number) => ObservedEndpoint['state'];
    commandStatus: (instanceId: string, look: number) => CommandInvocationDetail['status'];
    connected: (arn: string, look: number) => boolean;
  }) {
    const sent: SendCommandRequest[] = [];
    const looks = { endpoints: 0, commands: new Map<string, number>(), ecs: 0 };
    const p = ports({
      ec2: {
        describeVpcEndpoints: async () => [
          endpointIn('vpce-agent', options.endpointState(++looks.endpoints)),
        ],
      },
      ssm: {
        sendCommand: async (request) => {
          sent.push(request);
          return `cmd-${sent.length}`;
        },
        listInvocations: async (commandId): Promise<CommandInvocationDetail[]> => {
          const look = (looks.commands.get(commandId) ?? 0) + 1;
          looks.commands.set(commandId, look);
          const ids = sent[Number(commandId.slice(4)) - 1]?.instanceIds ?? [];
          return ids.map((instanceId) => {
            const status = options.commandStatus(instanceId, look);
            return {
              instanceId,
              status,
              steps: [
                { name: 'restartEcsAgentLinux', status },
                { name: 'restartEcsAgentWindows', status: 'Success' as const, output: SKIPPED },
              ],
            };
          });
        },
      },
      ecs: {
        describeContainerInstances: async (_cluster, arns) => {
          looks.ecs++;
          return arns.map((arn) => ({
            containerInstanceArn: arn,
            agentConnected: options.connected(arn, looks.ecs),
          }));
        },
      },
    });
    return { p, sent, looks };
  }

  it('waits for the endpoint in Wait states, then restarts in batches of 50 and sees every agent back', async () => {
    const { p, sent } = restartPorts({
      endpointState: (look) => (look <= 2 ? 'pending' : 'available'),
      commandStatus: (_id, look) => (look === 1 ? 'InProgress' : 'Success'),
      connected: (_arn, look) => look >= 2,
    });
    const clock = fakeClock();
    const { steps, last } = await runRepair(deps(p, { clock }), {
      input: INPUT,
      plannedActionIds: [],
      carry: carryFor(restartPlan(51)),
    });
    console.log(`steps: ${steps.map((s) => (s.done ? 'done' : `wait ${s.waitSeconds} s`)).join(' → ')}`);
    // Nothing slept inside a step: the fake clock moved only by the waits the steps returned.
    expect(clock.slept).toEqual(steps.filter((s) => !s.done).map((s) => s.waitSeconds * 1000));
    for (const s of steps.filter((x) => !x.done)) {
      expect(s.waitSeconds).toBeGreaterThanOrEqual(1);
      expect(s.waitSeconds).toBeLessThanOrEqual(60);
    }
    expect(sent.map((r) => r.instanceIds.length)).toEqual([50, 1]);
    expect(sent[0]).toMatchObject({
      documentName: 'EcsEndpointRemediator-RestartEcsAgent',
      parameters: { restartReason: ['ecs-telemetry endpoint s change: agents must reconnect'] },
    });
    expect(last.report).toMatchObject({
      converged: true,
      counts: { applied: 1, skipped: 0, failed: 0 },
      agents: { restarted: 51, reconnected: 51, total: 51 },
    });
    expect(last.report?.outcomes).toEqual([
      expect.objectContaining({ status: 'applied', detail: '51/51 restarted, 51 reconnected' }),
    ]);
  });

  it('a failed command and an agent that never reconnects fail the restart, bounded by the agent wait', async () => {
    const { p } = restartPorts({
      endpointState: () => 'available',
      commandStatus: (id) => (id === instance(2).ec2InstanceId ? 'Failed' : 'Success'),
      connected: (arn) => arn !== instance(1).containerInstanceArn,
    });
    const clock = fakeClock();
    const started = clock.now();
    const { last } = await runRepair(deps(p, { clock }), {
      input: INPUT,
      plannedActionIds: [],
      carry: carryFor(restartPlan(3)),
    });
    const restart = last.report?.outcomes?.[0];
    expect(restart).toMatchObject({ status: 'failed' });
    const error = restart?.status === 'failed' ? restart.error : '';
    expect(error).toMatch(/^2\/3 restarted, 1 reconnected/);
    expect(error).toContain(`${instance(2).ec2InstanceId}: command Failed`);
    expect(error).toContain(`${instance(1).ec2InstanceId}: agent not reconnected`);
    expect(last.report).toMatchObject({
      converged: false,
      agents: { restarted: 2, reconnected: 1, total: 3 },
    });
    // The agent wait (60 s here) bounds the reconnection checks; the last backoff may end past it.
    expect(clock.now() - started).toBeGreaterThanOrEqual(60_000);
    expect(clock.now() - started).toBeLessThan(60_000 + 16_000);
  });

  it('an endpoint that fails while waited for: no restart behind it, and the restart fails saying why', async () => {
    const { p, sent } = restartPorts({
      endpointState: (look) => (look === 1 ? 'pending' : 'failed'),
      commandStatus: () => 'Success',
      connected: () => true,
    });
    const { last } = await runRepair(deps(p), {
      input: INPUT,
      plannedActionIds: [],
      carry: carryFor(restartPlan(2)),
    });
    expect(sent).toEqual([]);
    expect(last.report?.outcomes?.[0]).toMatchObject({
      status: 'failed',
      error: 'endpoint vpce-agent is failed: dependent steps are not run',
    });
    expect(last.report?.converged).toBe(false);
  });

  it('refuses a carry the state machine would never send', async () => {
    await expect(
      repairTask(deps(ports({})), { input: INPUT, plannedActionIds: [], carry: { state: 'x' } }),
    ).rejects.toMatchObject({ name: 'InvalidTaskInput' });
  });
});

describe('final report and notifications', () => {
  const plan: Plan = {
    region: 'us-east-1',
    vpcs: [
      {
        vpcId: 'vpc-1',
        mode: 'enforce',
        findings: [],
        actions: [],
        estimatedMonthlyCostUsd: 0,
      },
    ],
    estimatedMonthlyCostUsd: 0,
    warnings: [],
  };
  const network: NetworkReport = {
    region: 'us-east-1',
    converged: true,
    stoppedAtMaxChanges: false,
    writeCalls: 3,
    counts: { applied: 3, skipped: 0, failed: 0 },
    plan,
    outcomes: [],
  };

  it('a report over its budget loses findings first, then the plan, never the counts', () => {
    const big: NetworkReport = {
      ...network,
      plan: {
        ...plan,
        vpcs: plan.vpcs.map((v) => ({
          ...v,
          findings: Array.from({ length: 200 }, () => ({
            code: 'MISSING_ENDPOINT' as const,
            severity: 'critical' as const,
            vpcId: 'vpc-1',
            message: 'x'.repeat(100),
          })),
        })),
      },
    };
    const lean = fitReport(big, 5_000);
    expect(lean.plan?.vpcs[0]?.findings).toEqual([]);
    expect(lean.plan?.vpcs[0]?.vpcId).toBe('vpc-1');
    const counts = fitReport(big, 200);
    expect(counts.plan).toBeUndefined();
    expect(counts.counts).toEqual(network.counts);
  });

  it('a Slack failure never fails the notification; a failure message survives an unreadable state', async () => {
    const posted: SlackMessage[] = [];
    const result = await notifyTask(
      deps(ports({}), {
        post: async (message) => {
          posted.push(message);
          return false;
        },
      }),
      {
        task: 'notify',
        kind: 'failed',
        state: {
          error: { Error: 'Lambda.Unknown', Cause: '{"errorMessage":"boom <!channel>","trace":["at x"]}' },
        },
        executionInput: 'not an object',
        executionArn: 'arn:aws:states:us-east-1:123456789012:execution:runbook:run-9',
      },
    );
    expect(result).toEqual({ outcome: 'failed', converged: false, delivered: false });
    expect(posted).toHaveLength(1);
    const text = JSON.stringify(posted[0]);
    expect(text).toContain('ECS endpoint runbook failed in us-east-1');
    expect(text).toContain('boom');
    expect(text).not.toContain('<!channel>');
    expect(text).not.toContain('at x');
  });
});

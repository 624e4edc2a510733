/**
 * The runbook's tasks (shared/app/runbook.ts). The network part runs on the emulator with the real
 * adapters; what the emulator cannot show (pending and failed endpoints, slow or failing SSM
 * invocations, agents that never reconnect) uses in-memory ports handed in, with a fake clock.
 */
import { DeleteVpcEndpointsCommand, DescribeVpcEndpointsCommand } from '@aws-sdk/client-ec2';
import { createRemediatorPorts } from '../../shared/app/ports.js';
import {
  applyNetworkTask,
  checkEndpointsTask,
  composeFinalReport,
  fitReport,
  notifyTask,
  parseRunbookInput,
  planTask,
  restartBatchTask,
  verifyAgentsTask,
  type NetworkReport,
  type RestartBatch,
  type RunbookDeps,
} from '../../shared/app/runbook.js';
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

const batch = (count: number, overrides: Partial<RestartBatch> = {}): RestartBatch => ({
  actionId: 'vpc-1:RestartEcsAgent:agents',
  vpcId: 'vpc-1',
  reason: 'ecs-telemetry endpoint(s) change: 2 agent(s) must <reconnect>',
  index: 0,
  instances: Array.from({ length: count }, (_, i) => instance(i + 1)),
  ...overrides,
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

describe('plan and network repair on the emulator', () => {
  it('applies only what the plan showed: drift that appeared after planning waits for the next run', async () => {
    const endpoint = await resetEmulator();
    const clients = createAwsClients({ region: 'us-east-1', endpointUrl: endpoint });
    const account = await seedDemoAccount(clients);
    const runbookDeps: RunbookDeps = {
      portsFor: () => createRemediatorPorts(clients),
      config: { ...defaultConfig, maxChanges: 40, updateOldAgents: false },
      defaultRegion: 'us-east-1',
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
    const result = await applyNetworkTask(runbookDeps, {
      input: summary.input,
      plannedActionIds: summary.plannedActionIds,
    });

    const ecsAgentCreate = result.report.outcomes?.find((o) =>
      o.actionId.endsWith('CreateVpcEndpoint:ecs-agent'),
    );
    expect(ecsAgentCreate).toMatchObject({
      status: 'skipped',
      why: expect.stringMatching(/not in the plan/),
    });
    const { VpcEndpoints = [] } = await clients.ec2.send(
      new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [account.vpcIds.payments] }] }),
    );
    const live = VpcEndpoints.filter((e) => e.State?.toLowerCase() !== 'deleted');
    const liveServices = live.map((e) => e.ServiceName);
    expect(liveServices).not.toContainEqual(expect.stringMatching(/\.ecs-agent$/));
    expect(liveServices).toContainEqual(expect.stringMatching(/\.ecs-telemetry$/));
    // Only the enforce VPC is in the report; every planned network action has an outcome (the agent
    // restart is the runbook's later step: it comes back as batches).
    expect(new Set(result.report.plan?.vpcs.map((v) => v.vpcId))).toEqual(new Set([account.vpcIds.payments]));
    for (const id of summary.plannedActionIds.filter((a) => !a.includes(':RestartEcsAgent:'))) {
      expect(result.report.outcomes?.map((o) => o.actionId)).toContain(id);
    }
    expect(result.touched.length).toBeGreaterThan(0);
    expect(
      result.touched.filter(
        (t) => !(t.endpointId.startsWith('vpce-') && t.vpcId === account.vpcIds.payments),
      ),
    ).toEqual([]);
    expect(result.batches.flatMap((b) => b.instances).length).toBe(
      account.vpcs.payments.containerInstances.length,
    );
    expect(JSON.stringify(result).length).toBeLessThan(160_000);
  }, 60_000);
});

describe('network repair under the VPC lease (one writer per VPC)', () => {
  it('yields a VPC another writer holds: nothing written there, no restart batches, the holder named', async () => {
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
    };
    const summary = await planTask(runbookDeps, { mode: 'apply' });
    const vpcId = account.vpcIds.payments;
    await store.acquire(vpcId, 'reconcile:2026/12/03/[$LATEST]abc', Date.now(), 120_000);
    const result = await applyNetworkTask(runbookDeps, {
      input: summary.input,
      plannedActionIds: summary.plannedActionIds,
      executionArn: 'arn:aws:states:us-east-1:123456789012:execution:runbook:e1',
    });
    const whys = new Set(
      result.report.outcomes?.map((o) =>
        o.status === 'skipped' ? o.why.split(';')[0]?.replace(/until \S+$/, 'until <time>') : o.status,
      ),
    );
    expect({
      writeCalls: result.report.writeCalls,
      whys: [...whys].sort(),
      batches: result.batches,
      touched: result.touched,
    }).toEqual({
      writeCalls: 0,
      whys: [
        "not applied: another writer (reconcile:2026/12/03/[$LATEST]abc) holds this VPC's lease until <time>",
        "not restarted: another writer (reconcile:2026/12/03/[$LATEST]abc) holds this VPC's lease",
      ].sort(),
      batches: [],
      touched: [],
    });
  }, 60_000);

  it('holds the lease as runbook:<execution ARN> while it writes, and frees it afterwards', async () => {
    const endpoint = await resetEmulator();
    const clients = createAwsClients({ region: 'us-east-1', endpointUrl: endpoint });
    const account = await seedDemoAccount(clients);
    const store = new DynamoDbVpcLeaseStore(await createCoordinationTable(endpoint));
    const holders: string[] = [];
    const watching = {
      acquire: async (...args: Parameters<typeof store.acquire>) => {
        holders.push(args[1]);
        return store.acquire(...args);
      },
      renew: store.renew.bind(store),
      release: store.release.bind(store),
    };
    const runbookDeps: RunbookDeps = {
      portsFor: () => createRemediatorPorts(clients),
      config: { ...defaultConfig, maxChanges: 40, updateOldAgents: false },
      defaultRegion: 'us-east-1',
      leasing: { store: watching, durationMs: 120_000 },
    };
    const summary = await planTask(runbookDeps, { mode: 'apply' });
    const result = await applyNetworkTask(runbookDeps, {
      input: summary.input,
      plannedActionIds: summary.plannedActionIds,
      executionArn: 'arn:aws:states:us-east-1:123456789012:execution:runbook:e2',
    });
    expect({ holders, wrote: result.report.writeCalls > 0 }).toEqual({
      holders: ['runbook:arn:aws:states:us-east-1:123456789012:execution:runbook:e2'],
      wrote: true,
    });
    expect((await store.acquire(account.vpcIds.payments, 'next', Date.now(), 1000)).kind).toBe('acquired');
  }, 60_000);
});

describe('checkEndpoints', () => {
  it('tells available, pending, failed and gone apart, and counts attempts', async () => {
    const p = ports({
      ec2: {
        describeVpcEndpoints: async (vpcId) =>
          vpcId === 'vpc-1'
            ? [endpointIn('vpce-ok', 'available'), endpointIn('vpce-wait', 'pending')]
            : [endpointIn('vpce-bad', 'failed')],
      },
    });
    const touched = [
      { vpcId: 'vpc-1', endpointId: 'vpce-ok' },
      { vpcId: 'vpc-1', endpointId: 'vpce-wait' },
      { vpcId: 'vpc-1', endpointId: 'vpce-gone' },
      { vpcId: 'vpc-2', endpointId: 'vpce-bad' },
    ];
    const check = await checkEndpointsTask(deps(p), { input: INPUT, touched, attempts: 4 });
    expect(check).toEqual({
      attempts: 5,
      allAvailable: false,
      failedCount: 2,
      failed: [
        { vpcId: 'vpc-1', endpointId: 'vpce-gone', state: 'deleted' },
        { vpcId: 'vpc-2', endpointId: 'vpce-bad', state: 'failed' },
      ],
      pending: [{ vpcId: 'vpc-1', endpointId: 'vpce-wait', state: 'pending' }],
    });
    const ready = await checkEndpointsTask(deps(p), {
      input: INPUT,
      touched: [{ vpcId: 'vpc-1', endpointId: 'vpce-ok' }],
      attempts: 0,
    });
    expect(ready).toMatchObject({ attempts: 1, allAvailable: true, failedCount: 0 });
  });

  it('refuses a payload the state machine would never send', async () => {
    await expect(checkEndpointsTask(deps(ports({})), { input: INPUT, touched: 'x' })).rejects.toMatchObject({
      name: 'InvalidTaskInput',
    });
  });
});

describe('restartBatch', () => {
  it('sends one command with the tool’s document, polls until done, and times out the stragglers', async () => {
    const sent: SendCommandRequest[] = [];
    const polls = new Map<string, number>();
    const p = ports({
      ssm: {
        sendCommand: async (request) => {
          sent.push(request);
          return 'cmd-1';
        },
        // SSM reports both steps of the document; the Windows one is skipped by its precondition.
        listInvocations: async (commandId): Promise<CommandInvocationDetail[]> => {
          polls.set(commandId, (polls.get(commandId) ?? 0) + 1);
          const linux = (status: CommandInvocationDetail['status']) => [
            { name: 'restartEcsAgentLinux', status },
            { name: 'restartEcsAgentWindows', status: 'Success' as const, output: SKIPPED },
          ];
          const first = (polls.get(commandId) ?? 0) >= 3 ? 'Success' : 'InProgress';
          return [
            { instanceId: instance(1).ec2InstanceId, status: first, steps: linux(first) },
            { instanceId: instance(2).ec2InstanceId, status: 'Failed', steps: linux('Failed') },
            { instanceId: instance(3).ec2InstanceId, status: 'InProgress', steps: linux('InProgress') },
          ];
        },
      },
    });
    const clock = fakeClock();
    const result = await restartBatchTask(deps(p, { clock }), { input: INPUT, batch: batch(3) });
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({
      documentName: 'EcsEndpointRemediator-RestartEcsAgent',
      instanceIds: [1, 2, 3].map((n) => instance(n).ec2InstanceId),
      parameters: { restartReason: ['ecs-telemetry endpoint s change: 2 agent s must reconnect'] },
    });
    expect(result).toEqual({
      actionId: batch(1).actionId,
      index: 0,
      commandId: 'cmd-1',
      results: [
        { instanceId: instance(1).ec2InstanceId, status: 'Success' },
        { instanceId: instance(2).ec2InstanceId, status: 'Failed' },
        { instanceId: instance(3).ec2InstanceId, status: 'TimedOut' },
      ],
    });
    // Bounded: the waits add up to the agent wait timeout, never more.
    expect(clock.slept.reduce((a, b) => a + b, 0)).toBe(60_000);
  });

  it('refuses a batch of more than 50 instances before sending anything', async () => {
    const p = ports({ ssm: { sendCommand: unused } });
    await expect(restartBatchTask(deps(p), { input: INPUT, batch: batch(51) })).rejects.toMatchObject({
      name: 'InvalidTaskInput',
    });
  });
});

describe('verifyAgents', () => {
  it('checks only agents whose restart succeeded, waits for them, and names the ones that never came back', async () => {
    let calls = 0;
    const asked: string[][] = [];
    const p = ports({
      ecs: {
        describeContainerInstances: async (_cluster, arns) => {
          calls++;
          asked.push([...arns]);
          return arns.map((arn) => ({
            containerInstanceArn: arn,
            agentConnected: arn === instance(1).containerInstanceArn && calls >= 2,
          }));
        },
      },
    });
    const result = await verifyAgentsTask(deps(p), {
      input: INPUT,
      batches: [batch(3)],
      restarts: [
        {
          actionId: batch(1).actionId,
          index: 0,
          results: [
            { instanceId: instance(1).ec2InstanceId, status: 'Success' },
            { instanceId: instance(2).ec2InstanceId, status: 'Success' },
            { instanceId: instance(3).ec2InstanceId, status: 'Failed' },
          ],
        },
      ],
    });
    expect(result).toEqual({
      reconnected: [instance(1).ec2InstanceId],
      notReconnected: [instance(2).ec2InstanceId],
    });
    expect(asked[0]).toEqual([instance(1).containerInstanceArn, instance(2).containerInstanceArn]);
    expect(asked.flat()).not.toContain(instance(3).containerInstanceArn);
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
        actions: [
          {
            kind: 'RestartEcsAgent',
            id: batch(1).actionId,
            vpcId: 'vpc-1',
            reason: 'r',
            apply: true,
            instances: [instance(1), instance(2), instance(3)],
            dependsOn: ['ecs-telemetry'],
          },
        ],
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

  it('a failed batch, a failed command or an agent that did not reconnect makes the restart a failure', () => {
    const composed = composeFinalReport(
      network,
      [batch(2), batch(1, { index: 1, instances: [instance(3)] })],
      [
        {
          actionId: batch(1).actionId,
          index: 0,
          results: [
            { instanceId: instance(1).ec2InstanceId, status: 'Success' },
            { instanceId: instance(2).ec2InstanceId, status: 'Failed' },
          ],
        },
        {
          actionId: batch(1).actionId,
          index: 1,
          results: [],
          error: {
            Error: 'InvalidInstanceId',
            Cause: JSON.stringify({ errorMessage: 'instance not in a valid state' }),
          },
        },
      ],
      { reconnected: [], notReconnected: [instance(1).ec2InstanceId] },
    );
    expect(composed.converged).toBe(false);
    const outcome = composed.report?.outcomes.find((o) => o.kind === 'RestartEcsAgent');
    expect(outcome).toMatchObject({ status: 'failed' });
    const error = outcome?.status === 'failed' ? outcome.error : '';
    expect(error).toMatch(/^1\/3 restarted, 0 reconnected/);
    expect(error).toContain('batch 2: instance not in a valid state');
    expect(error).toContain(`${instance(2).ec2InstanceId}: command Failed`);
    expect(error).toContain(`${instance(1).ec2InstanceId}: agent not reconnected`);
  });

  it('all restarted and reconnected is applied and converged', () => {
    const composed = composeFinalReport(
      network,
      [batch(1)],
      [
        {
          actionId: batch(1).actionId,
          index: 0,
          results: [{ instanceId: instance(1).ec2InstanceId, status: 'Success' }],
        },
      ],
      { reconnected: [instance(1).ec2InstanceId], notReconnected: [] },
    );
    expect(composed.converged).toBe(true);
    expect(composed.report?.outcomes).toEqual([
      expect.objectContaining({ status: 'applied', detail: '1/1 restarted, 1 reconnected' }),
    ]);
  });

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
    expect(lean.plan?.vpcs[0]?.actions).toHaveLength(1);
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

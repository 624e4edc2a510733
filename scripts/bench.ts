/**
 * The benchmark (`npm run bench`): prints figures, asserts nothing about timings.
 *
 * 1. Plan at scale: AWS calls per API and wall time of one planRegion for 1, 10, 100, 300 VPCs.
 * 2. Apply on 100 drifted enforce VPCs: write calls, then a second plan+apply that must write nothing.
 * 2b. The same apply at AWS's shape: endpoints pending, EC2's token buckets on (sped up), on a few VPCs.
 * 3. Restart of 1,000 container instances through the executor with fake ports and a fake clock.
 * 4. Lambda bundles from `sls package`: sizes and cold-import time against a bare SDK bundle.
 *
 * Invariants: figures go to stdout, progress to stderr; seeding time is never inside a measured
 * figure; the emulator is reset before each seeded account and always stopped; exit code 0 when every
 * section ran (a bundle section that cannot package is skipped with its reason), 1 when the emulator
 * cannot start or a section fails.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { createAwsClients, type AwsClients } from '../shared/aws/clients.js';
import { countCalls, isReadOperation, type CallCounter } from '../shared/aws/call-counter.js';
import { createRemediatorPorts } from '../shared/app/ports.js';
import { applyRegionPlan, planRegion, type RemediatorDeps } from '../shared/app/remediator.js';
import { applyPlan, type Clock } from '../shared/apply/executor.js';
import { defaultConfig, type RemediatorConfig } from '../shared/core/config.js';
import type { Action, ContainerInstanceRef, Plan } from '../shared/core/domain.js';
import type { EcsAgentControl, Ec2Writer, SsmCommander } from '../shared/core/ports.js';
import { seedBenchAccount } from './seed/bench-account.js';
import { emulatorControl, resetMoto, startMotoServer } from './emulator/moto-server.js';

const ROOT = resolve(import.meta.dirname, '..');
const REGION = 'us-east-1';
const PLAN_SIZES = [1, 10, 100, 300] as const;
const SUBNETS_PER_VPC = 3;
const INSTANCES_PER_VPC = 2;
/** planRegion runs per size: calls are counted on the first, wall time is the median of all. */
const PLAN_RUNS = 3;
/** The size the apply figure is about. */
const APPLY_VPCS_TARGET = 100;
/**
 * moto makes every filtered EC2 Describe read the tags of every tagged resource once per candidate
 * resource (TaggedEC2Resource.get_filter_value → describe_tags), so the executor's per-action
 * DescribeVpcEndpoints re-read grows with endpoints × tags: the 100-VPC apply took 11.4 minutes on
 * 2 idle cores (98% of it in 1,300 DescribeVpcEndpoints calls at ~0.5 s each), longer under load.
 * The default keeps the whole run under 10 minutes; BENCH_APPLY_VPCS=100 gives the full figure.
 */
const APPLY_VPCS_DEFAULT = 30;
const APPLY_VPCS = applyVpcsFromEnvironment(process.env.BENCH_APPLY_VPCS);
const RESTART_INSTANCES = 1000;
/** Clusters the 1,000 restarted instances belong to (the executor checks reconnection per cluster). */
const RESTART_CLUSTERS = 4;
/** ECS DescribeContainerInstances takes at most 100 ARNs (the adapter batches by this). */
const DESCRIBE_CONTAINER_INSTANCES_MAX = 100;
const COLD_INIT_RUNS = 5;

/**
 * moto reports every agent as 1.0.0 and lacks UpdateContainerAgent (facts.md), so agent updates are
 * reported, not attempted; the change cap is lifted so one run can repair the whole bench account.
 */
function applyVpcsFromEnvironment(value: string | undefined): number {
  if (value === undefined || value === '') return APPLY_VPCS_DEFAULT;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 1000) {
    throw new Error(`BENCH_APPLY_VPCS must be an integer from 1 to 1000, got ${value}`);
  }
  return parsed;
}

const benchConfig: RemediatorConfig = { ...defaultConfig, updateOldAgents: false, maxChanges: 100000 };

// ---------------------------------------------------------------- output helpers

function progress(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

type Cell = string | number;

/** A table with aligned columns: numbers right-aligned, text left-aligned. */
function table(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = rows.map((row) => row.map((cell) => String(cell)));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((row) => (row[i] ?? '').length)));
  const numeric = headers.map((_, i) => rows.every((row) => typeof row[i] === 'number' || row[i] === '-'));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)].join('\n');
}

function heading(text: string): void {
  console.log(`\n${text}\n${'='.repeat(text.length)}`);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const hi = sorted[mid] ?? 0;
  return sorted.length % 2 === 1 ? hi : ((sorted[mid - 1] ?? hi) + hi) / 2;
}

const ms = (value: number) => Math.round(value);

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

function motoVersion(): string {
  const result = spawnSync(
    join(ROOT, '.venv/bin/python'),
    ['-c', 'import importlib.metadata as m; print(m.version("moto"))'],
    { encoding: 'utf8' },
  );
  return result.status === 0 ? result.stdout.trim() : 'unknown (.venv/bin/python failed)';
}

/** Summed latency per "Service:Operation" (calls overlap, so the sum can exceed the wall time). */
interface LatencyMeter {
  summary(): { api: string; calls: number; ms: number }[];
  reset(): void;
}

interface TimedMiddlewareHost {
  readonly middlewareStack: {
    add(
      middleware: (
        next: (args: unknown) => Promise<unknown>,
        context: { commandName?: string },
      ) => (args: unknown) => Promise<unknown>,
      options: { step: 'initialize'; name: string },
    ): void;
  };
}

function measureLatency(clients: AwsClients): LatencyMeter {
  const tally = new Map<string, { calls: number; ms: number }>();
  const services = { ec2: 'EC2', ecs: 'ECS', ssm: 'SSM' } as const;
  for (const [key, service] of Object.entries(services) as [keyof typeof services, string][]) {
    (clients[key] as unknown as TimedMiddlewareHost).middlewareStack.add(
      (next, context) => async (args) => {
        const started = performance.now();
        try {
          return await next(args);
        } finally {
          const api = `${service}:${(context.commandName ?? 'Unknown').replace(/Command$/, '')}`;
          const entry = tally.get(api) ?? { calls: 0, ms: 0 };
          entry.calls++;
          entry.ms += performance.now() - started;
          tally.set(api, entry);
        }
      },
      { step: 'initialize', name: 'benchLatencyMeter' },
    );
  }
  return {
    summary: () => [...tally].map(([api, e]) => ({ api, ...e })).sort((a, b) => b.ms - a.ms),
    reset: () => tally.clear(),
  };
}

function printLatency(title: string, summary: ReturnType<LatencyMeter['summary']>, top: number): void {
  console.log(`\n${title}`);
  console.log(
    table(
      ['API', 'calls', 'summed ms', 'ms/call'],
      summary.slice(0, top).map((e) => [e.api, e.calls, ms(e.ms), Number((e.ms / e.calls).toFixed(1))]),
    ),
  );
}

// ---------------------------------------------------------------- 1. plan at scale

interface PlanFigure {
  vpcs: number;
  seedMs: number;
  counts: Record<string, number>;
  total: number;
  firstMs: number;
  medianMs: number;
  planVpcs: number;
  actions: number;
  latency: ReturnType<LatencyMeter['summary']>;
}

function depsFor(clients: AwsClients): RemediatorDeps {
  return { ports: createRemediatorPorts(clients), config: benchConfig };
}

async function seed(clients: AwsClients, endpoint: string, vpcCount: number): Promise<number> {
  await resetMoto(endpoint);
  progress(`seeding ${vpcCount} VPC(s) (${SUBNETS_PER_VPC} subnets, ${INSTANCES_PER_VPC} instances each)…`);
  const account = await seedBenchAccount(clients, {
    vpcCount,
    subnetsPerVpc: SUBNETS_PER_VPC,
    instancesPerVpc: INSTANCES_PER_VPC,
    mode: 'enforce',
  });
  progress(`seeded ${vpcCount} VPC(s) in ${account.seedMs} ms`);
  return account.seedMs;
}

async function planAtScale(
  clients: AwsClients,
  counter: CallCounter,
  meter: LatencyMeter,
  endpoint: string,
): Promise<PlanFigure[]> {
  const deps = depsFor(clients);
  const figures: PlanFigure[] = [];
  for (const vpcs of PLAN_SIZES) {
    const seedMs = await seed(clients, endpoint, vpcs);
    const times: number[] = [];
    let first:
      | { counts: Record<string, number>; total: number; plan: Plan; latency: PlanFigure['latency'] }
      | undefined;
    for (let run = 0; run < PLAN_RUNS; run++) {
      counter.reset();
      meter.reset();
      const { value: plan, ms: elapsed } = await timed(() => planRegion(deps));
      times.push(elapsed);
      first ??= { counts: counter.counts(), total: counter.total(), plan, latency: meter.summary() };
      progress(
        `plan of ${vpcs} VPC(s), run ${run + 1}/${PLAN_RUNS}: ${ms(elapsed)} ms, ${counter.total()} calls`,
      );
    }
    if (!first) throw new Error('no plan run');
    figures.push({
      vpcs,
      seedMs,
      counts: first.counts,
      total: first.total,
      firstMs: times[0] ?? 0,
      medianMs: median(times),
      planVpcs: first.plan.vpcs.length,
      actions: first.plan.vpcs.reduce((sum, v) => sum + v.actions.length, 0),
      latency: first.latency,
    });
  }
  return figures;
}

/** Why an API's call count grows with the account (the reader's batching, see state-reader.ts). */
const GROWTH_REASONS: Readonly<Record<string, string>> = {
  'EC2:DescribeVpcAttribute':
    'per VPC with ECS: EC2 has no batch read of the DNS attributes (2 calls: enableDnsSupport, enableDnsHostnames)',
  'EC2:DescribeInstances': 'pages of the instance list (moto answers 100 reservations a page)',
  'ECS:ListContainerInstances': 'per cluster (pages of 100)',
  'ECS:DescribeContainerInstances': 'per cluster (100 ARNs a call)',
  'ECS:ListServices': 'per cluster (pages of 100)',
  'ECS:DescribeServices': 'per cluster, 10 services a call: grows with services (one per VPC here)',
  'ECS:DescribeTaskDefinition': 'per distinct task definition in use',
  'ECS:ListClusters': 'pages of 100 clusters',
  'ECS:DescribeClusters': 'per 100 clusters',
};

function printPlanAtScale(figures: readonly PlanFigure[]): void {
  heading(
    `1. Plan at scale: one planRegion, ${SUBNETS_PER_VPC} subnets and ${INSTANCES_PER_VPC} container instances per VPC`,
  );
  const apis = [...new Set(figures.flatMap((f) => Object.keys(f.counts)))].sort();
  console.log(
    table(
      ['VPCs', 'total calls', ...apis, `plan ms (median of ${PLAN_RUNS})`, 'plan ms (first)'],
      figures.map((f) => [
        f.vpcs,
        f.total,
        ...apis.map((api) => f.counts[api] ?? 0),
        ms(f.medianMs),
        ms(f.firstMs),
      ]),
    ),
  );
  console.log('\nSeeding (excluded from every figure above):');
  console.log(
    table(
      ['VPCs', 'seed ms', 'VPCs planned', 'planned actions'],
      figures.map((f) => [f.vpcs, f.seedMs, f.planVpcs, f.actions]),
    ),
  );
  const smallest = figures[0];
  const largest = figures[figures.length - 1];
  if (!smallest || !largest) return;
  const growing = apis.filter((api) => (largest.counts[api] ?? 0) > (smallest.counts[api] ?? 0));
  const constant = apis.filter((api) => !growing.includes(api));
  console.log(
    `\nAPIs whose calls grow with the number of VPCs (${smallest.vpcs} → ${largest.vpcs} VPCs; the bench puts 50 VPCs in one cluster, one service per VPC):`,
  );
  for (const api of growing) {
    const reason = GROWTH_REASONS[api] ?? 'grows with the account';
    console.log(`  ${api.padEnd(34)} ${smallest.counts[api] ?? 0} → ${largest.counts[api] ?? 0}  ${reason}`);
  }
  console.log(
    `APIs with a constant call count (batched reads of the whole Region): ${constant.join(', ') || 'none'}`,
  );
  printLatency(
    `Where the ${largest.vpcs}-VPC plan's time goes (emulator latency, first run; calls overlap):`,
    largest.latency,
    6,
  );
}

// ---------------------------------------------------------------- 2. apply on drifted VPCs

interface ApplyFigure {
  seedMs: number;
  planMs: number;
  planActions: number;
  applyMs: number;
  writes: Record<string, number>;
  writeTotal: number;
  reportedWrites: number;
  applyReads: number;
  converged: boolean;
  failed: number;
  secondPlanActions: number;
  secondWrites: number;
  secondReportedWrites: number;
  secondMs: number;
  latency: ReturnType<LatencyMeter['summary']>;
}

function writesOf(counts: Record<string, number>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(counts).filter(([label]) => !isReadOperation(label.slice(label.indexOf(':') + 1))),
  );
}

const applicableActions = (plan: Plan) =>
  plan.vpcs
    .filter((v) => v.mode === 'enforce')
    .reduce((sum, v) => sum + v.actions.filter((a) => a.apply).length, 0);

async function applyOnDrifted(
  clients: AwsClients,
  counter: CallCounter,
  meter: LatencyMeter,
  endpoint: string,
): Promise<ApplyFigure> {
  const deps = depsFor(clients);
  const seedMs = await seed(clients, endpoint, APPLY_VPCS);
  counter.reset();
  const planned = await timed(() => planRegion(deps));
  progress(
    `planned ${applicableActions(planned.value)} action(s) to apply in ${ms(planned.ms)} ms; applying…`,
  );
  counter.reset();
  meter.reset();
  const applied = await timed(() => applyRegionPlan(deps, planned.value));
  const latency = meter.summary();
  const applyCounts = counter.counts();
  const writes = writesOf(applyCounts);
  const writeTotal = counter.writes();
  const applyReads = counter.total() - writeTotal;
  progress(`applied in ${ms(applied.ms)} ms: ${writeTotal} write call(s); planning and applying again…`);
  counter.reset();
  const second = await timed(async () => {
    const plan = await planRegion(deps);
    return { plan, report: await applyRegionPlan(deps, plan) };
  });
  return {
    seedMs,
    planMs: planned.ms,
    planActions: applicableActions(planned.value),
    applyMs: applied.ms,
    writes,
    writeTotal,
    reportedWrites: applied.value.writeCalls,
    applyReads,
    converged: applied.value.converged,
    failed: applied.value.outcomes.filter((o) => o.status === 'failed').length,
    secondPlanActions: applicableActions(second.value.plan),
    secondWrites: counter.writes(),
    secondReportedWrites: second.value.report.writeCalls,
    secondMs: second.ms,
    latency,
  };
}

function printApply(figure: ApplyFigure): void {
  heading(`2. Apply on ${APPLY_VPCS} drifted enforce VPCs (seeded in ${figure.seedMs} ms, excluded)`);
  if (APPLY_VPCS < APPLY_VPCS_TARGET) {
    console.log(
      `(${APPLY_VPCS} VPCs, not ${APPLY_VPCS_TARGET}: on moto each filtered DescribeVpcEndpoints reads every tag of the account once per\n` +
        ` endpoint, so the apply's re-reads grow with endpoints x tags and ${APPLY_VPCS_TARGET} VPCs take over 10 minutes. Write calls are per VPC;\n` +
        ` BENCH_APPLY_VPCS=${APPLY_VPCS_TARGET} npm run bench measures the full size.)\n`,
    );
  }
  console.log(
    table(
      ['step', 'applicable actions', 'write calls', 'read calls', 'wall ms'],
      [
        ['plan', figure.planActions, 0, '-', ms(figure.planMs)],
        ['apply', '-', figure.writeTotal, figure.applyReads, ms(figure.applyMs)],
      ],
    ),
  );
  console.log('\nWrite calls of the apply, per API:');
  console.log(
    table(
      ['API', 'calls', 'per VPC'],
      Object.entries(figure.writes).map(([api, calls]) => [
        api,
        calls,
        Number((calls / APPLY_VPCS).toFixed(2)),
      ]),
    ),
  );
  console.log(
    `\napply report: writeCalls ${figure.reportedWrites}, converged ${figure.converged}, failed actions ${figure.failed}`,
  );
  console.log('\nSecond plan + apply on the repaired account:');
  console.log(
    table(
      ['applicable actions', 'write calls (counted)', 'writeCalls (report)', 'wall ms (plan+apply)'],
      [[figure.secondPlanActions, figure.secondWrites, figure.secondReportedWrites, ms(figure.secondMs)]],
    ),
  );
  console.log(
    figure.secondWrites === 0
      ? 'second run wrote nothing: the apply converged'
      : `NOTE: the second run made ${figure.secondWrites} write call(s); expected 0`,
  );
  printLatency("Where the apply's time goes (emulator latency):", figure.latency, 6);
}

// ---------------------------------------------------------------- 2b. apply at AWS's shape

/** VPCs of the AWS-shaped apply: enough endpoint writes to empty EC2's CreateVpcEndpoint bucket. */
const AWS_SHAPE_VPCS = 2;
/**
 * The emulator's EC2 settings for it (`POST /_emulator/ec2`): endpoints pending 2–3 s (a thirtieth
 * of AWS's minute or so) and EC2's token buckets refilling twice as fast as AWS's (CreateVpcEndpoint:
 * a burst of 4, then 0.6 per second), so the run takes well under a minute on 2 cores.
 */
const AWS_SHAPE = {
  endpointPendingSeconds: 2,
  endpointPendingJitterSeconds: 1,
  throttle: 'aws',
  throttleSpeed: 2,
};

interface AwsShapeFigure {
  vpcs: number;
  settings: typeof AWS_SHAPE;
  applySeconds: number;
  writeCalls: number;
  requestLimitExceeded: Record<string, number>;
  requestLimitExceededTotal: number;
  outcomes: Record<string, number>;
  failed: { id: string; error: string }[];
  converged: boolean;
  secondPlanActions: number;
}

async function applyAtAwsShape(
  clients: AwsClients,
  counter: CallCounter,
  endpoint: string,
): Promise<AwsShapeFigure> {
  const deps = depsFor(clients);
  await seed(clients, endpoint, AWS_SHAPE_VPCS);
  const plan = await planRegion(deps);
  await emulatorControl(endpoint, 'ec2', AWS_SHAPE);
  progress(`applying ${applicableActions(plan)} action(s) with endpoints pending and EC2 throttling on…`);
  counter.reset();
  const applied = await timed(() => applyRegionPlan(deps, plan));
  const throttle = (await emulatorControl(endpoint, 'ec2-throttle')) as { throttled: Record<string, number> };
  const writeCalls = counter.writes();
  const second = await planRegion(deps);
  await emulatorControl(endpoint, 'ec2', {
    endpointPendingSeconds: 0,
    endpointPendingJitterSeconds: 0,
    throttle: 'off',
  });
  const outcomes: Record<string, number> = {};
  for (const o of applied.value.outcomes) outcomes[o.status] = (outcomes[o.status] ?? 0) + 1;
  return {
    vpcs: AWS_SHAPE_VPCS,
    settings: AWS_SHAPE,
    applySeconds: Number((applied.ms / 1000).toFixed(1)),
    writeCalls,
    requestLimitExceeded: throttle.throttled,
    requestLimitExceededTotal: Object.values(throttle.throttled).reduce((a, b) => a + b, 0),
    outcomes,
    failed: applied.value.outcomes.flatMap((o) =>
      o.status === 'failed' ? [{ id: o.actionId, error: o.error }] : [],
    ),
    converged: applied.value.converged,
    secondPlanActions: applicableActions(second),
  };
}

function printAwsShape(figure: AwsShapeFigure): void {
  heading(`2b. Apply on ${figure.vpcs} drifted VPCs at AWS's shape (endpoints pending, EC2 token buckets)`);
  console.log(`emulator settings: ${JSON.stringify(figure.settings)}\n`);
  console.log(
    table(
      [
        'apply s',
        'write calls',
        'RequestLimitExceeded seen',
        'applied',
        'skipped',
        'failed',
        'converged',
        'actions left',
      ],
      [
        [
          figure.applySeconds,
          figure.writeCalls,
          figure.requestLimitExceededTotal,
          figure.outcomes.applied ?? 0,
          figure.outcomes.skipped ?? 0,
          figure.outcomes.failed ?? 0,
          String(figure.converged),
          figure.secondPlanActions,
        ],
      ],
    ),
  );
  console.log(
    `\nRequestLimitExceeded per API (every refused request, SDK retries included): ${JSON.stringify(figure.requestLimitExceeded)}`,
  );
  for (const f of figure.failed) console.log(`failed: ${f.id}: ${f.error}`);
  console.log(`\nJSON ${JSON.stringify({ awsShapeApply: figure })}`);
}

// ---------------------------------------------------------------- 3. restart of 1,000 instances

interface RestartFigure {
  sendCommand: number;
  largestBatch: number;
  listInvocations: number;
  describePortCalls: number;
  describeApiCalls: number;
  ec2Calls: number;
  wallMs: number;
  fakeClockMs: number;
  outcome: string;
}

async function restartPlan(): Promise<RestartFigure> {
  const calls = { sendCommand: 0, largestBatch: 0, listInvocations: 0, describe: 0, describeApi: 0, ec2: 0 };
  const sentTo = new Map<string, readonly string[]>();
  const ssm: SsmCommander = {
    sendCommand: async (request) => {
      calls.sendCommand++;
      calls.largestBatch = Math.max(calls.largestBatch, request.instanceIds.length);
      const commandId = `command-${calls.sendCommand}`;
      sentTo.set(commandId, request.instanceIds);
      return commandId;
    },
    // One ListCommandInvocations page holds up to 50 invocations, so one call per command per poll.
    listInvocations: async (commandId) => {
      const instanceIds = sentTo.get(commandId) ?? [];
      calls.listInvocations += Math.max(1, Math.ceil(instanceIds.length / 50));
      return instanceIds.map((instanceId) => ({
        instanceId,
        status: 'Success' as const,
        steps: [
          { name: 'restartEcsAgentLinux', status: 'Success' as const, output: 'agent version: 1.90.0' },
        ],
      }));
    },
  };
  const ecs: EcsAgentControl = {
    describeContainerInstances: async (_clusterArn, arns) => {
      calls.describe++;
      calls.describeApi += Math.ceil(arns.length / DESCRIBE_CONTAINER_INSTANCES_MAX);
      return arns.map((containerInstanceArn) => ({
        containerInstanceArn,
        agentConnected: true,
        agentVersion: '1.90.0',
      }));
    },
    updateContainerAgent: async () => {
      throw new Error('not planned in this benchmark');
    },
  };
  const ec2Call = async () => {
    calls.ec2++;
  };
  const ec2: Ec2Writer = {
    enableVpcDnsAttribute: ec2Call,
    findDedicatedSecurityGroup: async () => (await ec2Call(), undefined),
    createSecurityGroup: async () => (await ec2Call(), 'sg-bench'),
    authorizeHttpsIngress: ec2Call,
    createVpcEndpoint: async () => (await ec2Call(), 'vpce-bench'),
    modifyVpcEndpoint: ec2Call,
    describeVpcEndpoints: async () => (await ec2Call(), []),
  };
  let fakeNow = Date.parse('2025-01-01T00:00:00Z');
  const clockStart = fakeNow;
  // Time passes only when the executor sleeps: nothing waits for real.
  const clock: Clock = {
    now: () => fakeNow,
    sleep: async (delay) => {
      fakeNow += delay;
    },
  };
  const vpcId = 'vpc-0bench00000000001';
  const instances: ContainerInstanceRef[] = Array.from({ length: RESTART_INSTANCES }, (_, i) => {
    const cluster = `arn:aws:ecs:${REGION}:123456789012:cluster/bench-${i % RESTART_CLUSTERS}`;
    return {
      clusterArn: cluster,
      containerInstanceArn: `${cluster.replace(':cluster/', ':container-instance/')}/${i.toString(16).padStart(32, '0')}`,
      ec2InstanceId: `i-${i.toString(16).padStart(17, '0')}`,
      platform: 'linux',
    };
  });
  const action: Action = {
    kind: 'RestartEcsAgent',
    id: `${vpcId}:RestartEcsAgent:agents`,
    vpcId,
    reason: 'ECS endpoints repaired: restart the agents so they reconnect through them',
    apply: true,
    dependsOn: [],
    instances,
  };
  const plan: Plan = {
    region: REGION,
    vpcs: [{ vpcId, mode: 'enforce', findings: [], actions: [action], estimatedMonthlyCostUsd: 0 }],
    estimatedMonthlyCostUsd: 0,
    warnings: [],
  };
  progress(`restarting ${RESTART_INSTANCES} container instances through fake ports…`);
  const { value: report, ms: wallMs } = await timed(() =>
    applyPlan(plan, { ports: { ssm, ecs, ec2 }, config: benchConfig, clock }),
  );
  const outcome = report.outcomes[0];
  return {
    sendCommand: calls.sendCommand,
    largestBatch: calls.largestBatch,
    listInvocations: calls.listInvocations,
    describePortCalls: calls.describe,
    describeApiCalls: calls.describeApi,
    ec2Calls: calls.ec2,
    wallMs,
    fakeClockMs: fakeNow - clockStart,
    outcome: outcome
      ? `${outcome.status}${outcome.status === 'applied' && outcome.detail ? `: ${outcome.detail}` : ''}`
      : 'none',
  };
}

function printRestart(figure: RestartFigure): void {
  heading(
    `3. Restart plan for ${RESTART_INSTANCES.toLocaleString('en')} container instances (${RESTART_CLUSTERS} clusters; fake ports, fake clock)`,
  );
  console.log(
    table(
      [
        'SendCommand',
        'largest batch',
        'ListCommandInvocations',
        'DescribeContainerInstances (port / API)',
        'EC2 calls',
        'wall ms',
        'fake clock ms',
      ],
      [
        [
          figure.sendCommand,
          figure.largestBatch,
          figure.listInvocations,
          `${figure.describePortCalls} / ${figure.describeApiCalls}`,
          figure.ec2Calls,
          ms(figure.wallMs),
          figure.fakeClockMs,
        ],
      ],
    ),
  );
  const limit = Math.ceil(RESTART_INSTANCES / 50);
  console.log(
    `outcome: ${figure.outcome}\nSendCommand calls ${figure.sendCommand} ${figure.sendCommand <= limit ? '<=' : '>'} ${limit} (batches of at most 50 instance ids)` +
      `\nDescribeContainerInstances: the executor asks once per cluster; the adapter sends ${DESCRIBE_CONTAINER_INSTANCES_MAX} ARNs per API call`,
  );
}

// ---------------------------------------------------------------- 4. bundles

interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<ChildResult> {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: ROOT, env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      stderr += `\n(timed out after ${options.timeoutMs} ms)`;
      child.kill('SIGTERM');
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      done({ code: -1, stdout, stderr: `${stderr}\n${error.message}` });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * Imports `file` in a fresh Node process and returns the milliseconds the import took. The child
 * gets only PATH, HOME, the function's own environment and the bench's fixed variables.
 */
async function coldImportMs(
  file: string,
  functionEnv: Readonly<Record<string, string>>,
): Promise<{ importMs: number; processMs: number }> {
  const script =
    'const t = performance.now(); await import(process.argv[1]); ' +
    'process.stdout.write(JSON.stringify({ ms: performance.now() - t })); process.exit(0);';
  const started = performance.now();
  const result = await run(
    process.execPath,
    ['--input-type=module', '-e', script, pathToFileURL(file).href],
    {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        ...functionEnv,
        AWS_REGION: REGION,
        POWERTOOLS_METRICS_DISABLED: 'true',
        POWERTOOLS_TRACE_ENABLED: 'false',
      },
      timeoutMs: 60000,
    },
  );
  const processMs = performance.now() - started;
  if (result.code !== 0) {
    const lines = result.stderr.trim().split('\n');
    const error = lines.find((line) => /Error/.test(line)) ?? lines[0] ?? '';
    throw new Error(`exit ${result.code}: ${error.trim()}`);
  }
  return { importMs: (JSON.parse(result.stdout) as { ms: number }).ms, processMs };
}

/**
 * A CloudFormation value as a string for a local run: intrinsics (Ref, Fn::GetAtt, Fn::Join, Fn::Sub)
 * become plausible placeholders, since nothing is deployed.
 */
function placeholder(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    const ref = object.Ref;
    if (typeof ref === 'string') {
      return ref.endsWith('Queue')
        ? `https://sqs.${REGION}.amazonaws.com/123456789012/${ref}`
        : `arn:aws:bench:${REGION}:123456789012:${ref}`;
    }
    const getAtt = object['Fn::GetAtt'];
    if (Array.isArray(getAtt)) {
      const [resource] = getAtt as unknown[];
      return String(resource).endsWith('Role')
        ? `arn:aws:iam::123456789012:role/${String(resource)}`
        : `arn:aws:bench:${REGION}:123456789012:${String(resource)}`;
    }
    const join = object['Fn::Join'];
    if (Array.isArray(join)) {
      const [separator, parts] = join as [unknown, unknown];
      return Array.isArray(parts) ? parts.map(placeholder).join(String(separator)) : '';
    }
    const sub = object['Fn::Sub'];
    if (typeof sub === 'string') {
      return sub
        .replaceAll('${AWS::Region}', REGION)
        .replaceAll('${AWS::AccountId}', '123456789012')
        .replaceAll('${AWS::Partition}', 'aws')
        .replace(/\$\{([^}]+)\}/g, '$1');
    }
  }
  return '';
}

/** Each function's Lambda environment from the packaged template, keyed by its zip's file name. */
function functionEnvironments(dir: string): Map<string, Record<string, string>> {
  const environments = new Map<string, Record<string, string>>();
  let template: { Resources?: Record<string, { Type?: string; Properties?: Record<string, unknown> }> };
  try {
    template = JSON.parse(
      readFileSync(join(dir, 'cloudformation-template-update-stack.json'), 'utf8'),
    ) as typeof template;
  } catch {
    return environments;
  }
  for (const resource of Object.values(template.Resources ?? {})) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const code = resource.Properties?.Code as { S3Key?: unknown } | undefined;
    const variables = (
      resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined
    )?.Variables;
    if (typeof code?.S3Key !== 'string') continue;
    environments.set(
      basename(code.S3Key),
      Object.fromEntries(Object.entries(variables ?? {}).map(([key, value]) => [key, placeholder(value)])),
    );
  }
  return environments;
}

/** The same esbuild options serverless.yml gives serverless-esbuild (banner included). */
const ESBUILD_OPTIONS = {
  bundle: true,
  minify: true,
  platform: 'node',
  target: 'node22',
  format: 'esm',
  banner: { js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);" },
} as const;

async function buildBareBundle(dir: string): Promise<string> {
  const outfile = join(dir, 'bare', 'handler.mjs');
  await build({
    ...ESBUILD_OPTIONS,
    stdin: {
      contents: [
        "import { EC2Client } from '@aws-sdk/client-ec2';",
        "import { ECSClient } from '@aws-sdk/client-ecs';",
        "import { SSMClient } from '@aws-sdk/client-ssm';",
        'const clients = [new EC2Client({}), new ECSClient({}), new SSMClient({})];',
        'export const handler = async () => clients.length;',
      ].join('\n'),
      resolveDir: ROOT,
      sourcefile: 'bare-handler.mjs',
      loader: 'js',
    },
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}

interface BundleFigure {
  name: string;
  zipBytes: number | undefined;
  mjsBytes: number;
  importMs: number | undefined;
  processMs: number | undefined;
  /** Why the bundle could not be imported, when it could not. */
  error?: string;
}

interface BundleFile {
  name: string;
  zipBytes: number | undefined;
  file: string;
  env: Record<string, string>;
}

type BundleResult = { figures: BundleFigure[]; bare: BundleFigure } | { skipped: string };

/** Unzips each function zip `sls package` wrote into `dir`; a string says why that was not possible. */
function functionBundles(dir: string): BundleFile[] | string {
  const zips = readdirSync(dir)
    .filter((file) => file.endsWith('.zip'))
    .sort();
  if (zips.length === 0) return `npx sls package wrote no function zip into ${dir}`;
  const environments = functionEnvironments(dir);
  const found: BundleFile[] = [];
  for (const zip of zips) {
    const name = zip.replace(/\.zip$/, '');
    const target = join(dir, 'unzipped', name);
    const extracted = spawnSync(
      join(ROOT, '.venv/bin/python'),
      ['-m', 'zipfile', '-e', join(dir, zip), target],
      { encoding: 'utf8' },
    );
    if (extracted.status !== 0) return `could not unzip ${zip}: ${extracted.stderr.trim()}`;
    const file = filesUnder(target).find((path) => path.endsWith('.mjs'));
    if (!file) return `${zip} holds no .mjs bundle`;
    progress(`${name}: ${relative(target, file)}`);
    found.push({ name, zipBytes: statSync(join(dir, zip)).size, file, env: environments.get(zip) ?? {} });
  }
  return found;
}

async function bundles(): Promise<BundleResult> {
  const dir = mkdtempSync(join(tmpdir(), 'ecs-endpoint-remediator-bench-'));
  try {
    progress('packaging with `npx sls package --stage bench`…');
    const packaged = await run('npx', ['sls', 'package', '--package', dir, '--stage', 'bench'], {
      env: { ...process.env, SLS_TELEMETRY_DISABLED: '1' },
      timeoutMs: 300000,
    });
    if (packaged.code !== 0) {
      const output = `${packaged.stdout}\n${packaged.stderr}`.trim().split('\n').slice(-12).join('\n');
      return { skipped: `npx sls package failed (exit ${packaged.code}):\n${output}` };
    }
    const ours = functionBundles(dir);
    if (typeof ours === 'string') return { skipped: ours };
    progress('building the bare SDK bundle with esbuild…');
    const bare: BundleFile = {
      name: 'bare (EC2+ECS+SSM clients)',
      zipBytes: undefined,
      file: await buildBareBundle(dir),
      env: {},
    };
    const all = [...ours, bare];
    const samples = new Map(
      all.map((b) => [
        b,
        { imports: [] as number[], processes: [] as number[], error: undefined as string | undefined },
      ]),
    );
    // Runs are interleaved so that machine noise falls on every bundle alike.
    for (let i = 0; i < COLD_INIT_RUNS; i++) {
      progress(`cold init run ${i + 1}/${COLD_INIT_RUNS}…`);
      for (const bundle of all) {
        const sample = samples.get(bundle);
        if (!sample || sample.error) continue;
        try {
          const result = await coldImportMs(bundle.file, bundle.env);
          sample.imports.push(result.importMs);
          sample.processes.push(result.processMs);
        } catch (error) {
          sample.error = error instanceof Error ? error.message : String(error);
          progress(`${bundle.name}: import failed: ${sample.error}`);
        }
      }
    }
    const figure = (b: BundleFile): BundleFigure => {
      const sample = samples.get(b);
      const failed = !sample || sample.error !== undefined;
      return {
        name: b.name,
        zipBytes: b.zipBytes,
        mjsBytes: statSync(b.file).size,
        importMs: failed ? undefined : median(sample.imports),
        processMs: failed ? undefined : median(sample.processes),
        ...(sample?.error ? { error: sample.error } : {}),
      };
    };
    return { figures: ours.map(figure), bare: figure(bare) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function printBundles(result: BundleResult): void {
  heading('4. Bundles (sls package --stage bench) and cold init');
  if ('skipped' in result) {
    console.log(`skipped: ${result.skipped}`);
    return;
  }
  const { figures, bare } = result;
  const ratio = (b: BundleFigure) =>
    b.importMs !== undefined && bare.importMs ? b.importMs / bare.importMs : undefined;
  console.log(
    table(
      [
        'bundle',
        'zip bytes',
        '.mjs bytes',
        `import ms (median of ${COLD_INIT_RUNS})`,
        'process ms (median)',
        'ours/bare',
      ],
      [...figures, bare].map((b) => [
        b.name,
        b.zipBytes ?? '-',
        b.mjsBytes,
        b.importMs === undefined ? '-' : Number(b.importMs.toFixed(1)),
        b.processMs === undefined ? '-' : ms(b.processMs),
        b === bare ? '-' : Number(ratio(b)?.toFixed(2) ?? NaN) || '-',
      ]),
    ),
  );
  for (const b of [...figures, bare].filter((f) => f.error)) {
    console.log(`import of ${b.name} failed: ${b.error}`);
  }
  const ratios = figures.map(ratio).filter((r): r is number => r !== undefined);
  console.log(
    `\nimport ms: \`await import(bundle)\` in a fresh \`node\` (${process.version}) with the function's environment from the packaged\n` +
      `template (intrinsics as placeholders), AWS_REGION=${REGION}, POWERTOOLS_METRICS_DISABLED=true, POWERTOOLS_TRACE_ENABLED=false;\n` +
      'process ms: spawn to exit.' +
      '\nbare: esbuild of an entry importing only @aws-sdk/client-ec2, client-ecs, client-ssm and constructing the three clients,' +
      '\n      same options (bundle, minify, platform node, target node22, format esm, createRequire banner).' +
      (ratios.length
        ? `\nworst ratio ours/bare: ${Math.max(...ratios).toFixed(2)} (target <= 1.3)`
        : '\nno ratio: no bundle imported'),
  );
}

// ---------------------------------------------------------------- main

async function main(): Promise<number> {
  const benchStarted = performance.now();
  console.log('ecs-endpoint-remediator benchmark');
  console.log(
    table(
      ['item', 'value'],
      [
        ['node', process.version],
        ['moto', motoVersion()],
        ['date', new Date().toISOString()],
        ['platform', `${process.platform} ${process.arch}`],
      ],
    ),
  );

  let moto: Awaited<ReturnType<typeof startMotoServer>>;
  try {
    progress('starting the emulator (moto server)…');
    moto = await startMotoServer();
  } catch (error) {
    console.error(
      `\nbench: the emulator could not start: ${error instanceof Error ? error.message : String(error)}\n` +
        'bench: run `bash scripts/python-tools.sh` (npm run bench does) to install moto into .venv.',
    );
    return 1;
  }
  // An interrupted run must not leave its emulator behind.
  const onSignal = (signal: NodeJS.Signals) => {
    progress(`${signal}: stopping the emulator`);
    moto.process.kill('SIGTERM');
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const clients = createAwsClients({ region: REGION, endpointUrl: moto.endpoint });
    const counter = countCalls(clients);
    const meter = measureLatency(clients);

    printPlanAtScale(await planAtScale(clients, counter, meter, moto.endpoint));
    printApply(await applyOnDrifted(clients, counter, meter, moto.endpoint));
    printAwsShape(await applyAtAwsShape(clients, counter, moto.endpoint));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await moto.stop();
  }
  printRestart(await restartPlan());
  printBundles(await bundles());
  console.log(`\nbenchmark finished in ${((performance.now() - benchStarted) / 1000).toFixed(1)} s`);
  return 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  console.error(`\nbench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
}

/** 1. Plan at scale: AWS calls per API and wall time of one planRegion for 1, 10, 100, 300 VPCs. */
import { createRemediatorPorts } from '../../shared/app/ports.js';
import { planRegion } from '../../shared/app/remediator.js';
import type { Plan } from '../../shared/core/domain.js';
import { INSTANCES_PER_VPC, SUBNETS_PER_VPC, type Measure } from './context.js';
import { latencyTable, type LatencyEntry } from './latency-meter.js';
import { median, ms, progress, Report, timed } from './output.js';

export const PLAN_SIZES = [1, 10, 100, 300] as const;
/** planRegion runs per size: calls are counted on the first, wall time is the median of all. */
const PLAN_RUNS = 3;

export interface PlanFigure {
  vpcs: number;
  seedMs: number;
  counts: Record<string, number>;
  total: number;
  firstMs: number;
  medianMs: number;
  planVpcs: number;
  actions: number;
  latency: LatencyEntry[];
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

export const planAtScale: Measure = {
  name: 'plan-at-scale',
  description: `AWS calls per API and wall time of one planRegion for ${PLAN_SIZES.join(', ')} VPCs`,
  async run(ctx) {
    const emulator = await ctx.emulator();
    const { counter, meter } = emulator;
    const figures: PlanFigure[] = [];
    for (const vpcs of PLAN_SIZES) {
      const { seedMs } = await emulator.account(vpcs, { readOnly: true });
      const times: number[] = [];
      let first:
        { counts: Record<string, number>; total: number; plan: Plan; latency: LatencyEntry[] } | undefined;
      for (let run = 0; run < PLAN_RUNS; run++) {
        counter.reset();
        meter.reset();
        // Each run as one `plan` invocation: a reader that has read nothing yet.
        const deps = { ...emulator.deps, ports: createRemediatorPorts(emulator.clients) };
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
    return {
      report: printPlanAtScale(figures),
      json: {
        planAtScale: figures.map((f) => ({
          vpcs: f.vpcs,
          calls: f.total,
          callsPerApi: f.counts,
          medianMs: ms(f.medianMs),
          firstMs: ms(f.firstMs),
          plannedActions: f.actions,
        })),
      },
    };
  },
};

function printPlanAtScale(figures: readonly PlanFigure[]): Report {
  const report = new Report().heading(
    `1. Plan at scale: one planRegion, ${SUBNETS_PER_VPC} subnets and ${INSTANCES_PER_VPC} container instances per VPC`,
  );
  const apis = [...new Set(figures.flatMap((f) => Object.keys(f.counts)))].sort();
  report.table(
    ['VPCs', 'total calls', ...apis, `plan ms (median of ${PLAN_RUNS})`, 'plan ms (first)'],
    figures.map((f) => [
      f.vpcs,
      f.total,
      ...apis.map((api) => f.counts[api] ?? 0),
      ms(f.medianMs),
      ms(f.firstMs),
    ]),
  );
  report.line('\nSeeding (excluded from every figure above):');
  report.table(
    ['VPCs', 'seed ms', 'VPCs planned', 'planned actions'],
    figures.map((f) => [f.vpcs, f.seedMs, f.planVpcs, f.actions]),
  );
  const smallest = figures[0];
  const largest = figures[figures.length - 1];
  if (!smallest || !largest) return report;
  const growing = apis.filter((api) => (largest.counts[api] ?? 0) > (smallest.counts[api] ?? 0));
  const constant = apis.filter((api) => !growing.includes(api));
  report.line(
    `\nAPIs whose calls grow with the number of VPCs (${smallest.vpcs} → ${largest.vpcs} VPCs; the bench puts 50 VPCs in one cluster, one service per VPC):`,
  );
  for (const api of growing) {
    const reason = GROWTH_REASONS[api] ?? 'grows with the account';
    report.line(`  ${api.padEnd(34)} ${smallest.counts[api] ?? 0} → ${largest.counts[api] ?? 0}  ${reason}`);
  }
  report.line(
    `APIs with a constant call count (batched reads of the whole Region): ${constant.join(', ') || 'none'}`,
  );
  latencyTable(
    report,
    `Where the ${largest.vpcs}-VPC plan's time goes (emulator latency, first run; calls overlap):`,
    largest.latency,
    6,
  );
  return report;
}

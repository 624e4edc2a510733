/** 2. Apply on drifted enforce VPCs: write calls, then a second plan+apply that must write nothing. */
import { applyRegionPlan, planRegion } from '../../shared/app/remediator.js';
import type { Measure } from './context.js';
import { latencyTable } from './latency-meter.js';
import { ms, progress, Report, timed } from './output.js';
import { applicableActions, writesOf } from './plan-figures.js';

/** The size the apply figure is about. */
const APPLY_VPCS_TARGET = 100;
/**
 * moto makes every filtered EC2 Describe read the tags of every tagged resource once per candidate
 * resource (TaggedEC2Resource.get_filter_value → describe_tags), so the executor's per-action
 * DescribeVpcEndpoints re-read grows with endpoints × tags: the 100-VPC apply took 11.4 minutes on
 * 2 idle cores (98% of it in 1,300 DescribeVpcEndpoints calls at ~0.5 s each), longer under load.
 * The default keeps the whole run within its budget; BENCH_APPLY_VPCS=100 gives the full figure.
 */
const APPLY_VPCS_DEFAULT = 30;

export function applyVpcsFromEnvironment(value: string | undefined): number {
  if (value === undefined || value === '') return APPLY_VPCS_DEFAULT;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1 || parsed > 1000) {
    throw new Error(`BENCH_APPLY_VPCS must be an integer from 1 to 1000, got ${value}`);
  }
  return parsed;
}

export const applyOnDrifted: Measure = {
  name: 'apply',
  description:
    'apply on drifted enforce VPCs (BENCH_APPLY_VPCS, default 30), then a second run that writes nothing',
  async run(ctx) {
    const vpcs = applyVpcsFromEnvironment(process.env.BENCH_APPLY_VPCS);
    const emulator = await ctx.emulator();
    const { counter, meter } = emulator;
    const { seedMs } = await emulator.account(vpcs, { readOnly: false });
    const { deps } = emulator;
    counter.reset();
    const planned = await timed(() => planRegion(deps));
    const planActions = applicableActions(planned.value);
    progress(`planned ${planActions} action(s) to apply in ${ms(planned.ms)} ms; applying…`);
    counter.reset();
    meter.reset();
    const applied = await timed(() => applyRegionPlan(deps, planned.value));
    const latency = meter.summary();
    const writes = writesOf(counter.counts());
    const writeTotal = counter.writes();
    const applyReads = counter.total() - writeTotal;
    progress(`applied in ${ms(applied.ms)} ms: ${writeTotal} write call(s); planning and applying again…`);
    counter.reset();
    const second = await timed(async () => {
      const plan = await planRegion(deps);
      return { plan, report: await applyRegionPlan(deps, plan) };
    });
    const failed = applied.value.outcomes.filter((o) => o.status === 'failed').length;
    const secondWrites = counter.writes();
    const secondPlanActions = applicableActions(second.value.plan);

    const report = new Report().heading(
      `2. Apply on ${vpcs} drifted enforce VPCs (seeded in ${seedMs} ms, excluded)`,
    );
    if (vpcs < APPLY_VPCS_TARGET) {
      report.line(
        `(${vpcs} VPCs, not ${APPLY_VPCS_TARGET}: on moto each filtered DescribeVpcEndpoints reads every tag of the account once per\n` +
          ` endpoint, so the apply's re-reads grow with endpoints x tags and ${APPLY_VPCS_TARGET} VPCs take over 10 minutes. Write calls are per VPC;\n` +
          ` BENCH_APPLY_VPCS=${APPLY_VPCS_TARGET} npm run bench measures the full size.)\n`,
      );
    }
    report
      .table(
        ['step', 'applicable actions', 'write calls', 'read calls', 'wall ms'],
        [
          ['plan', planActions, 0, '-', ms(planned.ms)],
          ['apply', '-', writeTotal, applyReads, ms(applied.ms)],
        ],
      )
      .line('\nWrite calls of the apply, per API:')
      .table(
        ['API', 'calls', 'per VPC'],
        Object.entries(writes).map(([api, calls]) => [api, calls, Number((calls / vpcs).toFixed(2))]),
      )
      .line(
        `\napply report: writeCalls ${applied.value.writeCalls}, converged ${applied.value.converged}, failed actions ${failed}`,
      )
      .line('\nSecond plan + apply on the repaired account:')
      .table(
        ['applicable actions', 'write calls (counted)', 'writeCalls (report)', 'wall ms (plan+apply)'],
        [[secondPlanActions, secondWrites, second.value.report.writeCalls, ms(second.ms)]],
      )
      .line(
        secondWrites === 0
          ? 'second run wrote nothing: the apply converged'
          : `NOTE: the second run made ${secondWrites} write call(s); expected 0`,
      );
    latencyTable(report, "Where the apply's time goes (emulator latency):", latency, 6);
    return {
      report,
      json: {
        apply: {
          vpcs,
          planActions,
          applyMs: ms(applied.ms),
          writeCalls: writeTotal,
          writesPerApi: writes,
          readCalls: applyReads,
          converged: applied.value.converged,
          failedOutcomes: failed,
          secondRun: { planActions: secondPlanActions, writeCalls: secondWrites },
        },
      },
    };
  },
};

/** 2b. The apply at AWS's shape: endpoints pending, EC2's token buckets on (sped up), on a few VPCs. */
import { applyRegionPlan, planRegion } from '../../shared/app/remediator.js';
import type { Measure } from './context.js';
import { progress, Report, seconds, timed } from './output.js';
import { applicableActions, outcomeCounts } from './plan-figures.js';

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

export const EMULATOR_EC2_DEFAULTS = {
  endpointPendingSeconds: 0,
  endpointPendingJitterSeconds: 0,
  throttle: 'off',
};

export const awsShapeApply: Measure = {
  name: 'aws-shape-apply',
  description: `apply on ${AWS_SHAPE_VPCS} drifted VPCs with endpoints pending and EC2 token buckets on`,
  async run(ctx) {
    const emulator = await ctx.emulator();
    const { counter } = emulator;
    await emulator.account(AWS_SHAPE_VPCS, { readOnly: false });
    const { deps } = emulator;
    const plan = await planRegion(deps);
    await emulator.control('ec2', AWS_SHAPE);
    progress(`applying ${applicableActions(plan)} action(s) with endpoints pending and EC2 throttling on…`);
    counter.reset();
    const applied = await timed(() => applyRegionPlan(deps, plan));
    const throttle = (await emulator.control('ec2-throttle')) as { throttled: Record<string, number> };
    const writeCalls = counter.writes();
    const second = await planRegion(deps);
    await emulator.control('ec2', EMULATOR_EC2_DEFAULTS);
    const outcomes = outcomeCounts(applied.value.outcomes);
    const figure = {
      vpcs: AWS_SHAPE_VPCS,
      settings: AWS_SHAPE,
      applySeconds: seconds(applied.ms),
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
    const report = new Report()
      .heading(
        `2b. Apply on ${figure.vpcs} drifted VPCs at AWS's shape (endpoints pending, EC2 token buckets)`,
      )
      .line(`emulator settings: ${JSON.stringify(figure.settings)}\n`)
      .table(
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
            outcomes.applied ?? 0,
            outcomes.skipped ?? 0,
            outcomes.failed ?? 0,
            String(figure.converged),
            figure.secondPlanActions,
          ],
        ],
      )
      .line(
        `\nRequestLimitExceeded per API (every refused request, SDK retries included): ${JSON.stringify(figure.requestLimitExceeded)}`,
      );
    for (const f of figure.failed) report.line(`failed: ${f.id}: ${f.error}`);
    report.line(`\nJSON ${JSON.stringify({ awsShapeApply: figure })}`);
    return { report, json: { awsShapeApply: figure } };
  },
};

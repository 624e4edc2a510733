/**
 * AWS calls of the reconcile for one CloudTrail event naming one VPC of a 300-VPC Region: the
 * event path (reconcileBatch, as the reconcile function runs it) with an SQS record carrying
 * `events/ec2-modify-vpc-attribute.json` re-addressed to one seeded VPC.
 *
 * The reconcile sees every VPC in audit mode (the bench's mode tag is not the configured one), so it
 * reads, plans and writes nothing: the figure is the reconcile's reads. The repair's own writes and
 * re-reads are the `repair` measure's.
 */
import { readFileSync } from 'node:fs';
import { reconcileBatch } from '../../shared/app/reconcile-batch.js';
import { noMetrics, silentLog } from '../../shared/app/observability.js';
import type { Measure } from './context.js';
import { ms, Report, timed } from './output.js';

export const EVENT_SCOPED_VPCS = 300;
const EVENT_FILE = new URL('../../events/ec2-modify-vpc-attribute.json', import.meta.url);

export const eventScopedReads: Measure = {
  name: 'event-scoped-reads',
  description: `AWS calls of a reconcile for one event naming one VPC in a ${EVENT_SCOPED_VPCS}-VPC Region`,
  async run(ctx) {
    const emulator = await ctx.emulator();
    const account = await emulator.account(EVENT_SCOPED_VPCS, { readOnly: true });
    const vpcId = account.vpcIds[Math.floor(account.vpcIds.length / 2)];
    if (!vpcId) throw new Error('the bench account has no VPC');
    const event = JSON.parse(readFileSync(EVENT_FILE, 'utf8')) as {
      region: string;
      detail: { requestParameters: { vpcId: string } };
    };
    event.region = ctx.region;
    event.detail.requestParameters.vpcId = vpcId;
    const deps = {
      ...emulator.deps,
      config: { ...ctx.config, modeTagKey: 'ecs-endpoint-remediator-bench:no-such-mode-tag' },
      region: ctx.region,
      selfRoleArns: [],
      log: silentLog,
      metrics: noMetrics,
    };
    emulator.counter.reset();
    const { value: result, ms: elapsed } = await timed(() =>
      reconcileBatch(deps, [{ messageId: 'bench-event-1', body: JSON.stringify(event) }]),
    );
    const counts = emulator.counter.counts();
    const calls = emulator.counter.total();
    const writes = emulator.counter.writes();
    const reconciled = result.reports[0];
    const plannedVpcs = reconciled?.plan.vpcs.map((v) => v.vpcId) ?? [];
    if (result.batchItemFailures.length > 0 || !reconciled) {
      throw new Error(`the reconcile of the event failed: ${JSON.stringify(result.batchItemFailures)}`);
    }
    const report = new Report()
      .heading(`Event-scoped reads: one ModifyVpcAttribute event naming 1 of ${account.vpcs} VPCs`)
      .table(
        ['VPCs in Region', 'AWS calls', 'write calls', 'VPCs planned', 'wall ms'],
        [[account.vpcs, calls, writes, plannedVpcs.length, ms(elapsed)]],
      )
      .line('\nCalls per API:')
      .table(
        ['API', 'calls'],
        Object.entries(counts)
          .sort(([, a], [, b]) => b - a)
          .map(([api, n]) => [api, n]),
      )
      .line(
        `\nplanned VPC(s): ${plannedVpcs.join(', ') || 'none'} (event named ${vpcId}); target: calls <= 25`,
      );
    return {
      report,
      json: {
        eventScopedReads: {
          vpcs: account.vpcs,
          calls,
          writes,
          callsPerApi: counts,
          plannedVpcs: plannedVpcs.length,
        },
      },
    };
  },
};

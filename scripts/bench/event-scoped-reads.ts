/**
 * AWS calls of the reconcile for one CloudTrail event naming one VPC of a 300-VPC Region: the
 * event path (reconcileBatch, as the reconcile function runs it) with an SQS record carrying
 * `events/ec2-modify-vpc-attribute.json` re-addressed to one seeded VPC.
 *
 * The reconcile sees every VPC in audit mode (the bench's mode tag is not the configured one), so it
 * reads, plans and writes nothing: the figure is the reconcile's reads. The repair's own writes and
 * re-reads are the `repair` measure's. Cold: the first event after a cold start (a reader that has
 * read nothing). Warm: a second event for the same VPC in the same container (the reader remembers
 * the task definition revisions it has read).
 */
import { readFileSync } from 'node:fs';
import { createRemediatorPorts } from '../../shared/app/ports.js';
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
      id: string;
      region: string;
      detail: { requestParameters: { vpcId: string } };
    };
    event.region = ctx.region;
    event.detail.requestParameters.vpcId = vpcId;
    const deps = {
      ...emulator.deps,
      ports: createRemediatorPorts(emulator.clients),
      config: { ...ctx.config, modeTagKey: 'ecs-endpoint-remediator-bench:no-such-mode-tag' },
      region: ctx.region,
      selfRoleArns: [],
      log: silentLog,
      metrics: noMetrics,
    };
    const reconcileOnce = async (n: number) => {
      emulator.counter.reset();
      const { value: result, ms: elapsed } = await timed(() =>
        reconcileBatch(deps, [
          { messageId: `bench-event-${n}`, body: JSON.stringify({ ...event, id: `${event.id}-${n}` }) },
        ]),
      );
      const reconciled = result.reports[0];
      if (result.batchItemFailures.length > 0 || !reconciled) {
        throw new Error(`the reconcile of the event failed: ${JSON.stringify(result.batchItemFailures)}`);
      }
      return {
        counts: emulator.counter.counts(),
        calls: emulator.counter.total(),
        writes: emulator.counter.writes(),
        plannedVpcs: reconciled.plan.vpcs.map((v) => v.vpcId),
        elapsed,
      };
    };
    const { counts, calls, writes, plannedVpcs, elapsed } = await reconcileOnce(1);
    const warm = await reconcileOnce(2);
    const report = new Report()
      .heading(`Event-scoped reads: one ModifyVpcAttribute event naming 1 of ${account.vpcs} VPCs`)
      .table(
        ['reconcile', 'VPCs in Region', 'AWS calls', 'write calls', 'VPCs planned', 'wall ms'],
        [
          ['cold', account.vpcs, calls, writes, plannedVpcs.length, ms(elapsed)],
          ['warm', account.vpcs, warm.calls, warm.writes, warm.plannedVpcs.length, ms(warm.elapsed)],
        ],
      )
      .line('\nCalls per API:')
      .table(
        ['API', 'cold', 'warm'],
        Object.entries(counts)
          .sort(([, a], [, b]) => b - a)
          .map(([api, n]) => [api, n, warm.counts[api] ?? 0]),
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
          warm: { calls: warm.calls, writes: warm.writes, callsPerApi: warm.counts },
        },
      },
    };
  },
};

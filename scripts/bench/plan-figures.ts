/** Small readings of plans and call counts shared by the apply measures. */
import { isReadOperation } from '../../shared/aws/call-counter.js';
import type { Plan } from '../../shared/core/domain.js';

/** The write APIs among per-API call counts ("Service:Operation" labels). */
export function writesOf(counts: Readonly<Record<string, number>>): Record<string, number> {
  return Object.fromEntries(
    Object.entries(counts).filter(([label]) => !isReadOperation(label.slice(label.indexOf(':') + 1))),
  );
}

/** Actions the executor would run: `apply: true` actions of enforce VPCs. */
export const applicableActions = (plan: Plan): number =>
  plan.vpcs
    .filter((v) => v.mode === 'enforce')
    .reduce((sum, v) => sum + v.actions.filter((a) => a.apply).length, 0);

/** Outcomes per status ("applied", "skipped", "failed"). */
export function outcomeCounts(outcomes: readonly { status: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const o of outcomes) counts[o.status] = (counts[o.status] ?? 0) + 1;
  return counts;
}

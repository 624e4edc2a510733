/**
 * The event path: a batch of queued EventBridge events becomes at most one reconcile per account
 * and region (other accounts only in the organisation hub shape, through their member roles).
 * Invariants: the state is read again, never taken from an event (the VPCs the events name, or
 * the whole Region once per batch); malformed, unknown and self-made events change nothing and are
 * never retried; a reconcile that fails retries only its own records (the queue's redrive policy
 * bounds that).
 */
import type { ApplyReport, ObservedRegion, Plan } from '../core/domain.js';
import { classifyJson, coalesce, type ScopeHints, type TriggerInfo } from '../events/index.js';
import { errorMessage } from '../aws/aws-errors.js';
import type { LogSink, MetricSink } from './observability.js';
import { applyRegionPlan, planObserved, type RemediatorDeps } from './remediator.js';
import { handOverRepairs, withHandover, type RepairWorkflow } from './repair-workflow.js';
import type { Reporter } from './slack-reporter.js';
import { needsLookup, refsToLocate, resolveScope } from './scope.js';
import type { MemberAccounts } from './member-accounts.js';
import { formatExportSummary } from '../core/security-hub-sync.js';
import { coverageOf, exportFindings, type FindingsExport } from './security-hub-export.js';

export type { FindingsExport } from './security-hub-export.js';

export interface ReconcileDeps extends RemediatorDeps {
  /** The region this function runs in: the only one it can reconcile. */
  readonly region: string;
  /** The account this function runs in; unset: events are not told apart by account. */
  readonly accountId?: string;
  /**
   * The organisation hub's member accounts (their events arrive through the central bus); unset:
   * events from other accounts are ignored.
   */
  readonly members?: MemberAccounts;
  readonly selfRoleArns: readonly string[];
  readonly log: LogSink;
  readonly metrics: MetricSink;
  readonly report?: Reporter;
  /** When set, each reconcile's plan's findings go to Security Hub after the apply. */
  readonly findingsExport?: FindingsExport;
  /**
   * The deployment's repair workflow (the runbook state machine): this account's enforce VPCs are
   * handed to it instead of repaired here (shared/app/repair-workflow.ts). Unset (the CLI, local
   * runs): the repair runs in process.
   */
  readonly repairWorkflow?: RepairWorkflow;
}

export interface QueueRecord {
  readonly messageId: string;
  readonly body: string;
}

export interface BatchResult {
  readonly batchItemFailures: { itemIdentifier: string }[];
  readonly reports: ApplyReport[];
  readonly rejected: number;
  readonly ignored: number;
}

/** The correlation id of a batch: its EventBridge event ids (the message id where a body has none). */
export function correlationIdOf(records: readonly QueueRecord[]): string {
  const ids = records.map((r) => {
    try {
      const id = (JSON.parse(r.body) as { id?: unknown }).id;
      return typeof id === 'string' && id ? id : r.messageId;
    } catch {
      return r.messageId;
    }
  });
  return [...new Set(ids)].join(',').slice(0, 512);
}

/** More VPCs than this in one batch: one whole-Region read is as cheap as filtered ones. */
export const MAX_SCOPED_VPCS = 100;

interface HintedRead {
  readonly observed: ObservedRegion;
  /** The VPCs read, or 'all' for a whole-Region read. */
  readonly vpcIds: readonly string[] | 'all';
  /** Why the read covers the whole Region. */
  readonly wholeRegionReason?: string;
  readonly unresolved: readonly string[];
}

/**
 * Reads what the events name, and only that: their VPCs (after one filtered lookup that places
 * subnets, groups, network ACLs, endpoints and instances), or the whole Region once when the events
 * ask for it or name something that cannot be placed. A named VPC that does not exist is logged and
 * left out: nothing is planned or written for it.
 */
async function readForHints(deps: ReconcileDeps, hints: ScopeHints): Promise<HintedRead> {
  const refs = refsToLocate(hints);
  const placement =
    !hints.wholeRegion && needsLookup(refs)
      ? await deps.ports.reader.locate(refs)
      : new Map<string, string>();
  const scope = resolveScope(hints, placement);
  if (scope.kind === 'region' || scope.vpcIds.length > MAX_SCOPED_VPCS) {
    return {
      observed: await deps.ports.reader.readRegion(),
      vpcIds: 'all',
      wholeRegionReason: scope.kind === 'region' ? scope.reason : `more than ${MAX_SCOPED_VPCS} VPCs named`,
      unresolved: scope.kind === 'region' ? scope.unresolved : [],
    };
  }
  const observed = await deps.ports.reader.readRegion({ vpcIds: scope.vpcIds, ignoreMissing: true });
  const found = new Set(observed.vpcs.map((v) => v.vpcId));
  const missing = scope.vpcIds.filter((id) => !found.has(id));
  if (missing.length > 0) {
    deps.log.warn('named VPCs do not exist (deleted?): nothing is planned or written for them', {
      vpcIds: missing,
    });
  }
  return { observed, vpcIds: scope.vpcIds.filter((id) => found.has(id)), unresolved: [] };
}

/** Reads what the hints name (see readForHints), plans and applies. */
export async function reconcileHints(
  deps: ReconcileDeps,
  hints: ScopeHints,
  triggers: readonly TriggerInfo[],
  /** The account reconciled (the events'); the findings export needs it. */
  account?: string,
  /** The events' ids: names the repair workflow's execution (a redelivery names the same one). */
  correlationId = 'reconcile',
): Promise<ApplyReport> {
  const { observed, vpcIds, wholeRegionReason, unresolved } = await readForHints(deps, hints);
  deps.log.info('reconciling', {
    vpcIds,
    ...(wholeRegionReason ? { wholeRegionReason } : {}),
    unresolved,
    events: triggers.length,
  });
  const plan = planObserved(deps, observed);
  const report = await repairHereOrInWorkflow(deps, plan, correlationId);
  const tally = new Map<string, number>();
  const add = (name: string) => tally.set(name, (tally.get(name) ?? 0) + 1);
  for (const vpc of plan.vpcs) for (const finding of vpc.findings) add(`Finding_${finding.code}`);
  for (const outcome of report.outcomes) add(`Action_${outcome.status}`);
  for (const [name, value] of tally) deps.metrics.count(name, value);
  deps.metrics.count('WriteCalls', report.writeCalls);
  if (report.throttledRetries > 0) deps.metrics.count('ThrottledRetries', report.throttledRetries);
  deps.log.info('reconciled', {
    converged: report.converged,
    writeCalls: report.writeCalls,
    throttledRetries: report.throttledRetries,
    stoppedAtMaxChanges: report.stoppedAtMaxChanges,
    findings: plan.vpcs.reduce((n, v) => n + v.findings.length, 0),
    outcomes: report.outcomes.map((o) => ({ id: o.actionId, status: o.status })),
  });
  if (deps.report) {
    try {
      await deps.report({ report, triggers });
    } catch (error) {
      deps.log.warn('notification failed; the remediation is unaffected', { error: errorMessage(error) });
    }
  }
  const accountId = account ?? deps.accountId;
  if (deps.findingsExport && accountId !== undefined) {
    await exportToSecurityHub(deps, deps.findingsExport, accountId, plan, vpcIds);
  }
  return report;
}

/** With a repair workflow, the enforce VPCs' repairs are handed to it; the rest is applied here. */
async function repairHereOrInWorkflow(
  deps: ReconcileDeps,
  plan: Plan,
  correlationId: string,
): Promise<ApplyReport> {
  if (!deps.repairWorkflow) return applyRegionPlan(deps, plan);
  const handover = await handOverRepairs(deps.repairWorkflow, plan, correlationId);
  for (const execution of handover.executions) {
    deps.log.info('repair handed to the workflow', { ...execution });
  }
  deps.metrics.count('RepairExecutions', handover.executions.length);
  return withHandover(plan, await applyRegionPlan(deps, handover.inline), handover);
}

/**
 * The plan's findings (as planned before this apply: what the apply fixed is resolved by the next
 * reconcile or sweep) into the account's Security Hub, covering the VPCs read. A failure is logged
 * and counted, never retried: retrying the records would reconcile again for the export's sake.
 */
async function exportToSecurityHub(
  deps: ReconcileDeps,
  findingsExport: FindingsExport,
  accountId: string,
  plan: Plan,
  vpcIds: readonly string[] | 'all',
): Promise<void> {
  try {
    const exported = await exportFindings(
      await findingsExport.portsFor(accountId),
      { plan, accountId, coverage: coverageOf(vpcIds === 'all' ? undefined : vpcIds) },
      deps.log,
    );
    deps.metrics.count('SecurityHubImported', exported.imported);
    deps.metrics.count('SecurityHubUpdated', exported.updated);
    deps.metrics.count('SecurityHubResolved', exported.resolved);
    if (exported.failed > 0) deps.metrics.count('SecurityHubFailedFindings', exported.failed);
    const summary = formatExportSummary(exported);
    if (exported.failed > 0) deps.log.error(summary, { accountId, region: plan.region });
    else deps.log.info(summary, { accountId, region: plan.region });
  } catch (error) {
    deps.log.error('Security Hub export failed; the remediation is unaffected', {
      accountId,
      region: plan.region,
      error: errorMessage(error),
    });
    deps.metrics.count('SecurityHubExportErrors');
  }
}

export async function reconcileBatch(
  deps: ReconcileDeps,
  records: readonly QueueRecord[],
): Promise<BatchResult> {
  const messagesByEvent = new Map<string, string[]>();
  const classified = records.map((record) => {
    const result = classifyJson(record.body, { selfRoleArns: deps.selfRoleArns });
    if (result.kind === 'rejected') {
      deps.log.error('rejected event: changes nothing, not retried', {
        messageId: record.messageId,
        reason: result.reason,
      });
    } else if (result.kind === 'ignored') {
      deps.log.info('ignored event', {
        messageId: record.messageId,
        eventId: result.eventId,
        reason: result.reason,
      });
    } else {
      messagesByEvent.set(result.eventId, [...(messagesByEvent.get(result.eventId) ?? []), record.messageId]);
    }
    return result;
  });
  const batch = coalesce(classified);
  deps.metrics.count('EventsRejected', batch.rejected.length);
  deps.metrics.count('EventsIgnored', batch.ignored.length);
  deps.metrics.count('EventsDuplicate', batch.duplicates);

  const failures: { itemIdentifier: string }[] = [];
  const reports: ApplyReport[] = [];
  for (const scope of batch.scopes) {
    if (scope.region !== deps.region) {
      deps.log.warn('event from another region ignored: this function reconciles its own region only', {
        region: scope.region,
        eventIds: scope.eventIds,
      });
      deps.metrics.count('EventsOtherRegion', scope.eventIds.length);
      continue;
    }
    const retry = () => {
      for (const id of scope.eventIds) {
        for (const messageId of messagesByEvent.get(id) ?? []) failures.push({ itemIdentifier: messageId });
      }
    };
    let scopeDeps: ReconcileDeps = deps;
    if (deps.accountId !== undefined && scope.account !== deps.accountId) {
      // The repair workflow acts in this stack's account only: a member's repair stays here.
      const { repairWorkflow: _thisAccountOnly, ...memberDeps } = deps;
      if (!deps.members) {
        deps.log.warn('event from another account ignored: this stack is not an organisation hub', {
          account: scope.account,
          eventIds: scope.eventIds,
        });
        deps.metrics.count('EventsOtherAccount', scope.eventIds.length);
        continue;
      }
      try {
        scopeDeps = { ...memberDeps, ports: await deps.members.portsFor(scope.account) };
      } catch (error) {
        // Nothing was read or written in that account; the queue retries the records, then keeps
        // them in the dead-letter queue (whose alarm names the problem).
        deps.log.error(
          'member account cannot be reached: nothing read or written there; its records are retried',
          {
            account: scope.account,
            roleArn: deps.members.roleArnFor(scope.account),
            error: errorMessage(error),
            eventIds: scope.eventIds,
          },
        );
        deps.metrics.count('MemberAccessErrors');
        retry();
        continue;
      }
    }
    deps.metrics.count('Reconciles');
    try {
      reports.push(
        await reconcileHints(scopeDeps, scope.hints, scope.triggers, scope.account, scope.eventIds.join(',')),
      );
    } catch (error) {
      deps.log.error('reconcile failed; its records are retried', {
        account: scope.account,
        error: errorMessage(error),
        eventIds: scope.eventIds,
      });
      deps.metrics.count('ReconcileErrors');
      retry();
    }
  }
  return {
    batchItemFailures: failures,
    reports,
    rejected: batch.rejected.length,
    ignored: batch.ignored.length,
  };
}

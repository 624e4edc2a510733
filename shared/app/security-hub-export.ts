/**
 * A plan's findings into Security Hub (issue #13 §4): read back this tool's ACTIVE findings in the
 * account and Region, work out what to import (shared/core/security-hub-sync.ts), send it in
 * BatchImportFindings requests of at most 100, and report what happened. A finding Security Hub
 * did not take (`FailedFindings`) is logged as an error and counted as failed, never dropped.
 * The caller's clients must be the findings' account's own: with the default product ARN the
 * caller's account must be each finding's `AwsAccountId` ("BatchImportFindings", API reference).
 */
import { asffFindings, productArn } from '../core/asff.js';
import type { Plan } from '../core/domain.js';
import type { FailedImport, FindingsPorts } from '../core/ports.js';
import { partitionOf } from '../core/service-names.js';
import {
  chunk,
  syncFindings,
  type Coverage,
  type ExportCounts,
  type ImportKind,
} from '../core/security-hub-sync.js';
import { silentLog, type LogSink } from './observability.js';

export interface ExportRequest {
  readonly plan: Plan;
  /** The account the findings are in (and the clients act in). */
  readonly accountId: string;
  /** What the plan looked at: only its findings there are resolved when gone. */
  readonly coverage: Coverage;
  /** ISO 8601 time of this run (default: now). */
  readonly now?: string;
  readonly refreshAfterMs?: number;
}

export interface ExportReport extends ExportCounts {
  readonly failures: readonly (FailedImport & { readonly kind: ImportKind })[];
  /** BatchImportFindings requests sent. */
  readonly importRequests: number;
}

/** Security Hub for the findings export: each account's own ports (a member's through its role). */
export interface FindingsExport {
  portsFor(accountId: string): Promise<FindingsPorts>;
}

/**
 * The stack's own Security Hub for its account (and for every account when the stack does not tell
 * accounts apart), a member's through `members` in the organisation hub shape.
 */
export function findingsExportOf(
  own: FindingsPorts,
  stackAccountId: string | undefined,
  members?: { findingsFor(accountId: string): Promise<FindingsPorts> },
): FindingsExport {
  return {
    portsFor: async (accountId) =>
      members && stackAccountId !== undefined && accountId !== stackAccountId
        ? members.findingsFor(accountId)
        : own,
  };
}

/** The coverage of a plan made for `vpcIds` (none: the whole Region). */
export function coverageOf(vpcIds: readonly string[] | undefined): Coverage {
  return vpcIds !== undefined && vpcIds.length > 0 ? { kind: 'vpcs', vpcIds } : { kind: 'region' };
}

export async function exportFindings(
  ports: FindingsPorts,
  request: ExportRequest,
  log: LogSink = silentLog,
): Promise<ExportReport> {
  const { plan, accountId, coverage } = request;
  const now = request.now ?? new Date().toISOString();
  const region = plan.region;
  const existing = await ports.reader.activeFindings({
    productArn: productArn(partitionOf(region), region, accountId),
    accountId,
    region,
    ...(coverage.kind === 'vpcs' ? { vpcIds: coverage.vpcIds } : {}),
  });
  const sync = syncFindings({
    current: asffFindings(plan, { accountId, now }),
    existing,
    accountId,
    region,
    coverage,
    now,
    ...(request.refreshAfterMs !== undefined ? { refreshAfterMs: request.refreshAfterMs } : {}),
  });
  const sent: Record<ImportKind, number> = { new: 0, changed: 0, refreshed: 0, resolved: 0 };
  const failures: (FailedImport & { kind: ImportKind })[] = [];
  let importRequests = 0;
  for (const batch of chunk(sync.imports)) {
    const outcome = await ports.writer.importFindings(batch.map((i) => i.finding));
    importRequests++;
    const kindOf = new Map(batch.map((i) => [i.finding.Id, i.kind]));
    const failedIds = new Set<string>();
    for (const failure of outcome.failed) {
      const kind = kindOf.get(failure.id) ?? 'new';
      failures.push({ ...failure, kind });
      failedIds.add(failure.id);
      log.error('Security Hub did not import a finding', {
        accountId,
        region,
        findingId: failure.id,
        kind,
        errorCode: failure.errorCode,
        errorMessage: failure.errorMessage,
      });
    }
    for (const i of batch) if (!failedIds.has(i.finding.Id)) sent[i.kind]++;
  }
  return {
    imported: sent.new,
    updated: sent.changed + sent.refreshed,
    resolved: sent.resolved,
    failed: failures.length,
    unchanged: sync.unchanged,
    failures,
    importRequests,
  };
}

/**
 * Keeping Security Hub's copy of this tool's findings in step with a plan (issue #13 §4). Pure: given
 * the plan's ASFF findings (asff.ts) and this tool's ACTIVE findings read back from Security Hub
 * (GetFindings), it works out the BatchImportFindings batches: new findings, changed ones, the ones
 * to refresh, and resolutions for the ones the plan no longer raises in the VPCs it covered.
 *
 * What it follows (AWS Security Hub API reference, "BatchImportFindings",
 * https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchImportFindings.html; user guide
 * "BatchImportFindings for finding providers",
 * https://docs.aws.amazon.com/securityhub/latest/userguide/finding-update-batchimportfindings.html):
 * - at most 100 findings per request ("Maximum of 100 findings per request");
 * - a finding is updated by importing the same `Id` and `ProductArn` again. After creation
 *   BatchImportFindings cannot update `Note`, `UserDefinedFields`, `VerificationState` and
 *   `Workflow` (the customer's investigation), and providers should not update `Confidence`,
 *   `Criticality`, `RelatedFindings`, `Severity` and `Types` at the top level but through
 *   `FindingProviderFields` ("FindingProviderFields", API reference). So an update or a resolution
 *   carries neither `Workflow` nor the top-level `Severity`/`Types` (a new finding carries both,
 *   from which Security Hub fills in `FindingProviderFields`), and every import carries
 *   `FindingProviderFields.Severity`/`Types`;
 * - a finding that is fixed is resolved by the provider with `Compliance.Status: PASSED` and
 *   `RecordState: ARCHIVED` and a new `UpdatedAt`. Security Hub does not set the workflow itself
 *   then; it resets `Workflow.Status` from NOTIFIED or RESOLVED to NEW when the record state goes
 *   back from ARCHIVED to ACTIVE or the compliance from PASSED to FAILED ("Workflow", API reference,
 *   https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_Workflow.html): a finding that
 *   comes back reopens on its own;
 * - `CreatedAt` and `FirstObservedAt` of an existing finding are kept (read back); `UpdatedAt` is
 *   this run; `LastObservedAt` is this run for a finding the plan still raises.
 *
 * An unchanged finding is sent again only when its `UpdatedAt` is older than `refreshAfterMs`, so
 * a reconcile per event does not re-send every finding, while a finding that lasts still gets a
 * recent `LastObservedAt`. A finding the plan no longer raises is resolved only when its VPC is one
 * the plan covered (a one-VPC plan never resolves other VPCs' findings), and only in this account
 * and Region.
 */
import { ASFF_TOOL, type AsffFinding, type AsffResource, type AsffSeverityLabel } from './asff.js';

/** BatchImportFindings: "Maximum of 100 findings per request". */
export const BATCH_IMPORT_MAX_FINDINGS = 100;
/** GetFindings: `MaxResults` is 1 to 100. */
export const GET_FINDINGS_MAX_RESULTS = 100;

/**
 * Security Hub's request rates per account and Region (API reference, introduction: "GetFindings -
 * RateLimit of 3 requests per second. BurstLimit of 6 requests per second"; "BatchImportFindings -
 * RateLimit of 10 requests per second. BurstLimit of 30 requests per second"; partner guide
 * "Guidelines for using the BatchImportFindings API": "10 TPS per account per Region, with a burst
 * of 30 TPS"). As token buckets (token-bucket.ts): the burst is the capacity.
 */
export const SECURITY_HUB_RATES = {
  BatchImportFindings: { capacity: 30, refillPerSecond: 10 },
  GetFindings: { capacity: 6, refillPerSecond: 3 },
} as const;

/** Unchanged findings are sent again after this long (their LastObservedAt stays recent). */
export const DEFAULT_REFRESH_AFTER_MS = 24 * 3600 * 1000;

/** A finding of this tool as GetFindings returns it, in the fields the sync reads or sends back. */
export interface ExistingFinding {
  readonly SchemaVersion: string;
  readonly Id: string;
  readonly ProductArn: string;
  readonly GeneratorId: string;
  readonly AwsAccountId: string;
  readonly Types: readonly string[];
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
  readonly FirstObservedAt?: string;
  readonly LastObservedAt?: string;
  readonly Severity: { readonly Label: AsffSeverityLabel };
  readonly Title: string;
  readonly Description: string;
  readonly Remediation?: { readonly Recommendation: { readonly Text: string; readonly Url?: string } };
  readonly ProductFields: Readonly<Record<string, string>>;
  readonly Resources: readonly AsffResource[];
  readonly ComplianceStatus?: string;
  readonly RecordState: string;
}

/** One finding of a BatchImportFindings request. */
export interface ImportFinding {
  readonly SchemaVersion: string;
  readonly Id: string;
  readonly ProductArn: string;
  readonly GeneratorId: string;
  readonly AwsAccountId: string;
  /** Only on a new finding (later: FindingProviderFields.Types). */
  readonly Types?: readonly string[];
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
  readonly FirstObservedAt?: string;
  readonly LastObservedAt?: string;
  /** Only on a new finding (later: FindingProviderFields.Severity). */
  readonly Severity?: { readonly Label: AsffSeverityLabel };
  readonly FindingProviderFields: {
    readonly Severity: { readonly Label: AsffSeverityLabel };
    readonly Types: readonly string[];
  };
  readonly Title: string;
  readonly Description: string;
  readonly Remediation?: { readonly Recommendation: { readonly Text: string; readonly Url?: string } };
  readonly ProductFields: Readonly<Record<string, string>>;
  readonly Resources: readonly AsffResource[];
  readonly Compliance: { readonly Status: 'FAILED' | 'PASSED' };
  readonly RecordState: 'ACTIVE' | 'ARCHIVED';
  /** Only on a new finding: after creation the workflow is the customer's. */
  readonly Workflow?: { readonly Status: 'NEW' };
}

export type ImportKind = 'new' | 'changed' | 'refreshed' | 'resolved';

export interface PlannedImport {
  readonly kind: ImportKind;
  readonly finding: ImportFinding;
}

/** What the plan looked at: the whole Region, or only these VPCs. */
export type Coverage =
  { readonly kind: 'region' } | { readonly kind: 'vpcs'; readonly vpcIds: readonly string[] };

export interface SyncInput {
  /** The plan's findings (asffFindings(plan, {accountId, now})). */
  readonly current: readonly AsffFinding[];
  /** This tool's ACTIVE findings read back in the account and Region. */
  readonly existing: readonly ExistingFinding[];
  readonly accountId: string;
  readonly region: string;
  readonly coverage: Coverage;
  /** ISO 8601 time of this run. */
  readonly now: string;
  readonly refreshAfterMs?: number;
}

export interface SyncPlan {
  /** In this order: the plan's findings (new, changed, refreshed), then resolutions. */
  readonly imports: readonly PlannedImport[];
  /** Existing findings the plan still raises unchanged and recently sent: not sent again. */
  readonly unchanged: number;
}

/** The parts of a finding's stable Id (asffFindingId); undefined for an Id of another shape. */
export function parseFindingId(
  id: string,
): { accountId: string; region: string; vpcId: string; code: string; service: string } | undefined {
  const parts = id.split('/');
  if (parts.length !== 6 || parts[0] !== ASFF_TOOL) return undefined;
  const [, accountId, region, vpcId, code, service] = parts as [
    string,
    string,
    string,
    string,
    string,
    string,
  ];
  return { accountId, region, vpcId, code, service };
}

const ourProductFields = (fields: Readonly<Record<string, string>>) =>
  Object.fromEntries(
    Object.entries(fields)
      .filter(([key]) => key.startsWith(`${ASFF_TOOL}/`))
      .sort(([a], [b]) => a.localeCompare(b)),
  );

/** What a change of is worth an update: what a person reads, and the resources named. */
function content(f: {
  Title: string;
  Description: string;
  Severity: { Label: string };
  Types: readonly string[];
  Remediation?: { Recommendation: { Text: string; Url?: string } };
  ProductFields: Readonly<Record<string, string>>;
  Resources: readonly AsffResource[];
  compliance: string | undefined;
}): string {
  return JSON.stringify([
    f.Title,
    f.Description,
    f.Severity.Label,
    [...f.Types],
    f.Remediation?.Recommendation.Text ?? '',
    f.Remediation?.Recommendation.Url ?? '',
    ourProductFields(f.ProductFields),
    f.Resources.map((r) => [r.Type, r.Id]),
    f.compliance ?? '',
  ]);
}

function toImport(f: AsffFinding, existing: ExistingFinding | undefined, now: string): ImportFinding {
  const { Workflow: _workflow, Severity, Types, ...rest } = f;
  const provider = { Severity, Types };
  if (existing === undefined)
    return { ...rest, Severity, Types, FindingProviderFields: provider, Workflow: { Status: 'NEW' } };
  return {
    ...rest,
    FindingProviderFields: provider,
    CreatedAt: existing.CreatedAt,
    FirstObservedAt: existing.FirstObservedAt ?? existing.CreatedAt,
    UpdatedAt: now,
    LastObservedAt: now,
  };
}

function resolution(e: ExistingFinding, now: string): ImportFinding {
  return {
    SchemaVersion: e.SchemaVersion,
    Id: e.Id,
    ProductArn: e.ProductArn,
    GeneratorId: e.GeneratorId,
    AwsAccountId: e.AwsAccountId,
    CreatedAt: e.CreatedAt,
    UpdatedAt: now,
    ...(e.FirstObservedAt !== undefined ? { FirstObservedAt: e.FirstObservedAt } : {}),
    ...(e.LastObservedAt !== undefined ? { LastObservedAt: e.LastObservedAt } : {}),
    FindingProviderFields: { Severity: e.Severity, Types: e.Types },
    Title: e.Title,
    Description: e.Description,
    ...(e.Remediation !== undefined ? { Remediation: e.Remediation } : {}),
    ProductFields: ourProductFields(e.ProductFields),
    Resources: e.Resources,
    Compliance: { Status: 'PASSED' },
    RecordState: 'ARCHIVED',
  };
}

/** The imports that bring Security Hub in step with the plan (see the module comment). */
export function syncFindings(input: SyncInput): SyncPlan {
  const refreshAfterMs = input.refreshAfterMs ?? DEFAULT_REFRESH_AFTER_MS;
  if (!(refreshAfterMs >= 0)) throw new Error(`refreshAfterMs must be >= 0, got ${refreshAfterMs}`);
  const nowMs = Date.parse(input.now);
  if (Number.isNaN(nowMs)) throw new Error(`now is not an ISO 8601 time: ${input.now}`);
  const covered = input.coverage.kind === 'region' ? undefined : new Set<string>(input.coverage.vpcIds);
  const existing = new Map<string, ExistingFinding>();
  for (const e of input.existing) {
    const parts = parseFindingId(e.Id);
    if (parts === undefined || parts.accountId !== input.accountId || parts.region !== input.region) continue;
    if (e.AwsAccountId !== input.accountId || e.RecordState !== 'ACTIVE') continue;
    if (!existing.has(e.Id)) existing.set(e.Id, e);
  }
  const imports: PlannedImport[] = [];
  let unchanged = 0;
  const raised = new Set<string>();
  for (const f of input.current) {
    if (raised.has(f.Id)) continue;
    raised.add(f.Id);
    const e = existing.get(f.Id);
    if (e === undefined) {
      imports.push({ kind: 'new', finding: toImport(f, undefined, input.now) });
      continue;
    }
    const same =
      content({ ...f, compliance: f.Compliance.Status }) ===
      content({ ...e, compliance: e.ComplianceStatus });
    const updatedMs = Date.parse(e.UpdatedAt);
    const stale = Number.isNaN(updatedMs) || nowMs - updatedMs >= refreshAfterMs;
    if (same && !stale) unchanged++;
    else imports.push({ kind: same ? 'refreshed' : 'changed', finding: toImport(f, e, input.now) });
  }
  for (const e of existing.values()) {
    if (raised.has(e.Id)) continue;
    const vpcId = parseFindingId(e.Id)?.vpcId;
    if (covered !== undefined && (vpcId === undefined || !covered.has(vpcId))) continue;
    imports.push({ kind: 'resolved', finding: resolution(e, input.now) });
  }
  return { imports, unchanged };
}

/** Splits a list into requests of at most `size` (BatchImportFindings: 100). */
export function chunk<T>(items: readonly T[], size: number = BATCH_IMPORT_MAX_FINDINGS): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new Error(`size must be a whole number >= 1, got ${size}`);
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** The GetFindings filter values for this tool's ACTIVE findings in one account and Region. */
export interface FindingsQuery {
  readonly productArn: string;
  readonly accountId: string;
  readonly region: string;
  /** Only these VPCs' findings (Id PREFIX per VPC); absent: the whole Region. */
  readonly vpcIds?: readonly string[];
}

/** GetFindings takes up to 20 values per filter attribute; more VPCs read the whole Region. */
export const MAX_FILTER_VALUES = 20;

/** The Id prefixes of a query's VPCs, or undefined when the whole Region must be read. */
export function idPrefixes(query: FindingsQuery): string[] | undefined {
  if (query.vpcIds === undefined || query.vpcIds.length > MAX_FILTER_VALUES) return undefined;
  return query.vpcIds.map((vpc) => `${ASFF_TOOL}/${query.accountId}/${query.region}/${vpc}/`);
}

export interface ExportCounts {
  readonly imported: number;
  readonly updated: number;
  readonly resolved: number;
  readonly failed: number;
  readonly unchanged: number;
}

/** The one summary line of an export (CLI stderr, reconcile log). */
export function formatExportSummary(c: ExportCounts): string {
  return (
    `Security Hub: imported ${c.imported}, updated ${c.updated}, resolved ${c.resolved}, failed ${c.failed}` +
    (c.unchanged > 0 ? ` (${c.unchanged} unchanged, not sent)` : '')
  );
}

/**
 * `ecs-endpoint-remediator plan|apply|explain`: the CLI. Exit codes: plan 0 no drift, 2 drift, 1
 * error; apply 0 converged, 1 any failure, refusal or error; explain 0, 1 for an unknown code. Errors
 * and refusals are one line on stderr. stdout carries only the report, its summary line last; progress
 * goes to stderr (none with --json).
 */
import { hostname, userInfo } from 'node:os';
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { configFromEnvironment, type RemediatorConfig } from '../../shared/core/config.js';
import type { Action, ApplyReport, ObservedRegion, Plan } from '../../shared/core/domain.js';
import { withHubsOfOtherAccounts } from '../../shared/core/cross-account.js';
import { FINDING_CODES } from '../../shared/core/domain.js';
import { FINDING_EXPLANATIONS, formatExplanation, isFindingCode } from '../../shared/core/explanations.js';
import { isRegion, isVpcId, REGION_HINT, VPC_ID_HINT } from '../../shared/core/id-patterns.js';
import { asffFindings } from '../../shared/core/asff.js';
import { hasDrift } from '../../shared/core/plan.js';
import { describeAction, planDocument } from '../../shared/core/report.js';
import {
  applicableActions,
  formatApplyIntent,
  formatApplyIntentMarkdown,
  formatApplyMarkdown,
  formatApplyReport,
  formatPlan,
  formatPlanMarkdown,
} from '../../shared/core/text-report.js';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import {
  createAwsClients,
  createSecurityHubClient,
  type AwsClientOptions,
  type AwsClients,
} from '../../shared/aws/clients.js';
import { clientConfig, createCoreClients } from '../../shared/aws/core-clients.js';
import { createFindingsPorts } from '../../shared/aws/security-hub-ports.js';
import { coverageOf, exportFindings, type ExportReport } from '../../shared/app/security-hub-export.js';
import { formatExportSummary } from '../../shared/core/security-hub-sync.js';
import { readEnabledRegions } from '../../shared/aws/regions-reader.js';
import { readActiveAccountIds } from '../../shared/aws/organization-reader.js';
import { DEFAULT_CONCURRENCY, multiRunExitCode, pairErrorLine, runPairs } from './multi-run.js';
import { pairClientOptions } from './pair-session.js';
import { parseTargets, targetPairs, type TargetPair, type TargetSelection } from './targets.js';
import { errorMessage } from '../../shared/aws/aws-errors.js';
import { countCalls } from '../../shared/aws/call-counter.js';
import { VpcNotFoundError } from '../../shared/aws/state-reader.js';
import { readAccountId } from '../../shared/aws/sts-adapter.js';
import { DynamoDbVpcLeaseStore } from '../../shared/aws/coordination-table.js';
import { createRemediatorPorts } from '../../shared/app/ports.js';
import {
  applyRegionPlan,
  changedSinceSaved,
  planObserved,
  planRegion,
  planRegionForSaving,
  type RemediatorDeps,
} from '../../shared/app/remediator.js';
import { mapWithConcurrency } from '../../shared/aws/concurrency.js';
import { TOOL_NAME, toolVersion } from './package-info.js';
import { ProgressView } from './progress-view.js';
import { readSavedPlan, SavedPlanError, writeSavedPlan } from './saved-plan.js';
import { colourWanted, terminalStyle } from './style.js';

const COMMON = `  --region R          the Region (default: AWS_REGION / AWS_DEFAULT_REGION); plan: repeatable or R1,R2
  --endpoint-url URL  send every AWS call to URL (a local emulator)
  --output FORMAT     text (default), json or markdown (a table per VPC); --json is --output json;
                      plan also takes asff (the findings for Security Hub's BatchImportFindings)
  --verbose           everything: every VPC in full, every finding and outcome
  --no-color          no colour (also NO_COLOR=1); colour is used only on a terminal
  -h, --help          this help`;

const HELP = {
  main: `Usage: ${TOOL_NAME} <command> [options]

Keeps the VPC endpoints Amazon ECS needs in private subnets present and correct.

Commands:
  plan [--out FILE]   read the Region, print what is wrong and what would be done
  apply [FILE]        apply the plan to the VPCs tagged enforce (FILE: exactly a saved plan)
  explain [CODE]      what a finding code means and what to do about it

Options: --version prints the version; \`${TOOL_NAME} <command> --help\` shows a command's options.`,
  plan: `Usage: ${TOOL_NAME} plan [--region R] [--vpc ID]... [--endpoint-url URL] [--output FORMAT] [--out FILE] [--export-security-hub]

Reads the Region and prints, per VPC, the findings (by severity) and the actions that would repair
them, each with its reason, then a summary line. Read-only.
Exit codes: 0 no drift, 2 drift found, 1 error.

  --vpc ID            only this VPC (repeatable)
  --out FILE          also save the plan, with a fingerprint of the state each action depends on,
                      for \`${TOOL_NAME} apply FILE\` (one account and Region only)
  --export-security-hub
                      also write the findings to AWS Security Hub (BatchImportFindings): new ones
                      imported, changed ones updated, fixed ones in the VPCs planned resolved;
                      one summary line on stderr; exit 1 if any finding was not imported
  --all-regions       every Region enabled for the account (EC2 DescribeRegions)
  --accounts ID,...   these accounts too, each through --role-name (the caller's own directly)
  --org               every ACTIVE account of the organisation (Organizations ListAccounts)
  --role-name NAME    the role assumed in each other account (arn:<partition>:iam::ID:role/NAME)
  --concurrency N     account × Region pairs planned at once (default ${DEFAULT_CONCURRENCY})
  With several accounts or Regions: VPCs grouped by account, then Region; --json gives every VPC
  its accountId and region and lists the pairs that could not be planned under "errors" (one
  stderr line each); exit 1 if any pair errored, else 2 on drift, else 0.
${COMMON}`,
  apply: `Usage: ${TOOL_NAME} apply [FILE] [--region R] [--vpc ID]... [--endpoint-url URL] [--output FORMAT] [--yes] [--max-changes N] [--lock-table NAME]
       ${TOOL_NAME} apply [--region R1,R2 | --all-regions] [--accounts ID,ID --role-name NAME | --org --role-name NAME] [--concurrency N] [--yes] ...

Without FILE: plans the Region again and applies it to the VPCs tagged enforce. With FILE (from
\`plan --out\`): re-reads the state, checks that what each saved action depends on is unchanged, and
applies exactly those actions; refuses (exit 1, nothing written) when that state changed, or when the
file was made for another account, Region or tool version. Asks before changing anything.
Audit and off VPCs are never changed. Exit codes: 0 converged, 1 any failure, refusal or error.
With several accounts or Regions: every pair is planned, one confirmation covers all, then each pair
is applied through its own clients (the change cap is per pair); not with FILE.

  --vpc ID            only this VPC (repeatable; not with FILE)
  -y, --yes           do not ask (needed without a terminal)
  --max-changes N     stop before more than N write calls (default MAX_CHANGES, 20)
  --lock-table NAME   take each VPC's lease in this DynamoDB table (the deployed stack's
                      CoordinationTable) before writing it; a VPC another writer holds is skipped
                      and named on stderr (one writer per VPC)
${COMMON}`,
  explain: `Usage: ${TOOL_NAME} explain [CODE]

Prints what a finding code means, why ECS breaks, what the tool does or what to do by hand, and the
AWS documentation page. Without CODE: lists the codes.

  -h, --help          this help`,
} as const;

/** Kept for callers that print the overview. */
export const USAGE = HELP.main;

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly confirm: (question: string) => Promise<boolean>;
  /** stdin is a terminal: apply may ask. */
  readonly interactive: boolean;
  /** stdout is a terminal: colour. */
  readonly stdoutIsTty?: boolean;
  /** A terminal stream for the live progress status (stderr when it is a TTY). */
  readonly progressTerminal?: NodeJS.WritableStream;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
  interactive: Boolean(process.stdin.isTTY),
  stdoutIsTty: Boolean(process.stdout.isTTY),
  // A terminal that reports no width (some pseudo-terminals) cannot be redrawn in place.
  ...(process.stderr.isTTY && process.stderr.columns > 0 ? { progressTerminal: process.stderr } : {}),
  confirm: async (question) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^y(es)?$/i.test((await rl.question(question)).trim());
    } finally {
      rl.close();
    }
  },
};

class UsageError extends Error {}
/** A refusal of `apply FILE`: one line, exit 1, nothing written. */
class Refusal extends Error {}

type Output = 'text' | 'json' | 'markdown' | 'asff';
type Command = 'plan' | 'apply' | 'explain';

interface Parsed {
  command: Command;
  region?: string;
  /** Several accounts or Regions (plan only). */
  targets?: TargetSelection;
  concurrency: number;
  vpcIds: string[];
  endpointUrl?: string;
  output: Output;
  verbose: boolean;
  noColor: boolean;
  yes: boolean;
  maxChanges?: number;
  lockTable?: string;
  out?: string;
  exportSecurityHub: boolean;
  file?: string;
  code?: string;
}

/** The flags `plan` and `apply` both take. */
const TARGET_AND_OUTPUT_FLAGS = [
  'region',
  'vpc',
  'endpoint-url',
  'json',
  'output',
  'verbose',
  'no-color',
] as const;

const ALLOWED: Record<Command, readonly string[]> = {
  plan: [
    ...TARGET_AND_OUTPUT_FLAGS,
    'out',
    'all-regions',
    'accounts',
    'org',
    'role-name',
    'concurrency',
    'export-security-hub',
  ],
  apply: [
    ...TARGET_AND_OUTPUT_FLAGS,
    'yes',
    'max-changes',
    'lock-table',
    'all-regions',
    'accounts',
    'org',
    'role-name',
    'concurrency',
  ],
  explain: ['no-color'],
};

function parse(argv: readonly string[]): Parsed | { help: keyof typeof HELP } | 'version' {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      region: { type: 'string', multiple: true },
      'all-regions': { type: 'boolean' },
      accounts: { type: 'string', multiple: true },
      org: { type: 'boolean' },
      'role-name': { type: 'string' },
      concurrency: { type: 'string' },
      vpc: { type: 'string', multiple: true },
      'endpoint-url': { type: 'string' },
      json: { type: 'boolean' },
      output: { type: 'string', short: 'o' },
      verbose: { type: 'boolean', short: 'v' },
      'no-color': { type: 'boolean' },
      yes: { type: 'boolean', short: 'y' },
      'max-changes': { type: 'string' },
      'lock-table': { type: 'string' },
      out: { type: 'string' },
      'export-security-hub': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'V' },
    },
  });
  const [command, ...rest] = positionals;
  if (values.version && command === undefined) return 'version';
  if (command === undefined || command === 'help') {
    if (values.help || command === 'help') {
      const topic = rest[0];
      return { help: topic === 'plan' || topic === 'apply' || topic === 'explain' ? topic : 'main' };
    }
    throw new UsageError('no command given');
  }
  if (command !== 'plan' && command !== 'apply' && command !== 'explain')
    throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  if (values.help) return { help: command };
  for (const [name, value] of Object.entries(values)) {
    if (value !== undefined && name !== 'help' && !ALLOWED[command].includes(name)) {
      throw new UsageError(`--${name} does not go with ${command} (see ${command} --help)`);
    }
  }
  const maxArgs = command === 'plan' ? 0 : 1;
  if (rest.length > maxArgs) throw new UsageError(`unexpected argument ${JSON.stringify(rest[maxArgs])}`);
  const regions = (values.region ?? []).flatMap((r) => r.split(',')).map((r) => r.trim());
  const multi =
    regions.length > 1 ||
    values['all-regions'] === true ||
    (values.accounts ?? []).length > 0 ||
    values.org === true;
  let targets: TargetSelection | undefined;
  if (multi && command === 'apply' && rest.length > 0)
    throw new UsageError('apply FILE applies one saved account and Region: it does not go with several');
  if (multi) {
    const parsedTargets = parseTargets({
      regions,
      allRegions: values['all-regions'] ?? false,
      accounts: values.accounts ?? [],
      org: values.org ?? false,
      roleName: values['role-name'],
    });
    if (!parsedTargets.ok) throw new UsageError(parsedTargets.errors.join('; '));
    if (values.out !== undefined)
      throw new UsageError('--out saves one account and Region: it does not go with several');
    targets = parsedTargets.selection;
  } else if (values['role-name'] !== undefined) {
    throw new UsageError('--role-name needs --accounts or --org');
  }
  const region = regions[0];
  if (!multi && region !== undefined && !isRegion(region)) {
    throw new UsageError(`unknown region ${JSON.stringify(region)}: expected ${REGION_HINT}`);
  }
  let concurrency = DEFAULT_CONCURRENCY;
  if (values.concurrency !== undefined) {
    concurrency = Number(values.concurrency);
    if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 32)
      throw new UsageError('--concurrency takes a whole number from 1 to 32');
  }
  for (const vpc of values.vpc ?? []) {
    if (!isVpcId(vpc)) throw new UsageError(`not a VPC id: ${JSON.stringify(vpc)}: expected ${VPC_ID_HINT}`);
  }
  let maxChanges: number | undefined;
  if (values['max-changes'] !== undefined) {
    maxChanges = Number(values['max-changes']);
    if (!Number.isInteger(maxChanges) || maxChanges < 0)
      throw new UsageError('--max-changes takes a whole number >= 0');
  }
  const endpointUrl = values['endpoint-url'];
  if (endpointUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(endpointUrl)) {
    throw new UsageError(`--endpoint-url must be an http(s) URL, got ${JSON.stringify(endpointUrl)}`);
  }
  const lockTable = values['lock-table'];
  // DynamoDB table names: 3-255 of [a-zA-Z0-9_.-].
  if (lockTable !== undefined && !/^[a-zA-Z0-9_.-]{3,255}$/.test(lockTable)) {
    throw new UsageError(`--lock-table takes a DynamoDB table name, got ${JSON.stringify(lockTable)}`);
  }
  const output = values.output ?? (values.json ? 'json' : 'text');
  if (output !== 'text' && output !== 'json' && output !== 'markdown' && output !== 'asff')
    throw new UsageError(`--output takes text, json, markdown or asff, got ${JSON.stringify(output)}`);
  if (output === 'asff' && command !== 'plan') throw new UsageError('--output asff goes with plan only');
  if (output === 'asff' && values.out !== undefined)
    throw new UsageError('--output asff prints the findings: --out does not go with it');
  if (values.json && output !== 'json') throw new UsageError('--json is --output json: give one of them');
  const positional = rest[0];
  if (command === 'apply' && positional !== undefined && (values.vpc ?? []).length > 0)
    throw new UsageError('a saved plan names its VPCs: --vpc does not go with apply FILE');
  return {
    command,
    vpcIds: values.vpc ?? [],
    output,
    verbose: values.verbose ?? false,
    noColor: values['no-color'] ?? false,
    yes: values.yes ?? false,
    exportSecurityHub: values['export-security-hub'] ?? false,
    concurrency,
    ...(!multi && region ? { region } : {}),
    ...(targets ? { targets } : {}),
    ...(endpointUrl ? { endpointUrl } : {}),
    ...(maxChanges !== undefined ? { maxChanges } : {}),
    ...(lockTable !== undefined ? { lockTable } : {}),
    ...(values.out !== undefined ? { out: values.out } : {}),
    ...(command === 'apply' && positional !== undefined ? { file: positional } : {}),
    ...(command === 'explain' && positional !== undefined ? { code: positional } : {}),
  };
}

function applyDocument(report: ApplyReport): unknown {
  return {
    ...(planDocument(report.plan) as object),
    outcomes: report.outcomes,
    writeCalls: report.writeCalls,
    throttledRetries: report.throttledRetries,
    stoppedAtMaxChanges: report.stoppedAtMaxChanges,
    converged: report.converged,
  };
}

function explain(parsed: Parsed, io: CliIo): number {
  if (parsed.code === undefined) {
    const width = Math.max(...FINDING_CODES.map((c) => c.length));
    io.stdout(
      [
        'Finding codes (`explain CODE` for one):',
        ...FINDING_CODES.map((c) => `  ${c.padEnd(width)}  ${FINDING_EXPLANATIONS[c].meaning}`),
      ].join('\n'),
    );
    return 0;
  }
  const code = parsed.code.toUpperCase();
  if (!isFindingCode(code)) {
    io.stderr(
      `${TOOL_NAME}: unknown finding code ${JSON.stringify(parsed.code)}; known codes: ${FINDING_CODES.join(', ')}`,
    );
    return 1;
  }
  io.stdout(formatExplanation(code));
  return 0;
}

interface Session {
  readonly parsed: Parsed;
  readonly io: CliIo;
  readonly clients: AwsClients;
  readonly deps: RemediatorDeps;
  readonly view: ProgressView | undefined;
  readonly colour: boolean;
}

function printPlan(s: Session, p: Plan, intent: boolean): void {
  const { output, verbose } = s.parsed;
  const style = terminalStyle(s.colour);
  if (output === 'json' || output === 'asff') return;
  if (output === 'markdown')
    s.io.stdout(intent ? formatApplyIntentMarkdown(p, { verbose }) : formatPlanMarkdown(p, { verbose }));
  else s.io.stdout(intent ? formatApplyIntent(p, { style, verbose }) : formatPlan(p, { style, verbose }));
}

async function runPlan(s: Session): Promise<number> {
  const scope = s.parsed.vpcIds.length > 0 ? { vpcIds: s.parsed.vpcIds } : {};
  let p: Plan;
  if (s.parsed.out !== undefined) {
    const account = await readAccountId(s.clients.sts);
    const saved = await planRegionForSaving(s.deps, scope);
    p = saved.plan;
    writeSavedPlan(s.parsed.out, {
      toolVersion: toolVersion(),
      account,
      region: p.region,
      createdAt: new Date().toISOString(),
      plan: p,
      fingerprints: saved.fingerprints,
    });
  } else {
    p = await planRegion(s.deps, scope);
  }
  s.view?.stop();
  if (s.parsed.output === 'json') s.io.stdout(JSON.stringify(planDocument(p), null, 2));
  else if (s.parsed.output === 'asff') {
    // The BatchImportFindings request body; nothing is written to Security Hub.
    const accountId = await readAccountId(s.clients.sts);
    const findings = asffFindings(p, { accountId, now: new Date().toISOString() });
    s.io.stdout(JSON.stringify({ Findings: findings }, null, 2));
  } else printPlan(s, p, false);
  if (s.parsed.out !== undefined && s.parsed.output !== 'json') {
    s.io.stderr(
      `${TOOL_NAME}: saved the plan (${applicableActions(p).length} action(s) to apply) to ${s.parsed.out}; ` +
        `apply exactly it with \`${TOOL_NAME} apply ${s.parsed.out}\``,
    );
  }
  if (s.parsed.exportSecurityHub) {
    const report = await exportFindings(createFindingsPorts(createSecurityHubClient(clientOptionsOf(s))), {
      plan: p,
      accountId: await readAccountId(s.clients.sts),
      coverage: coverageOf(s.parsed.vpcIds),
    });
    if (!reportExport(s.io, [report])) return 1;
  }
  return hasDrift(p) ? 2 : 0;
}

/** How many failed findings are named on stderr (the rest are counted). */
const MAX_FAILURE_LINES = 10;

/** The export's summary line (and its failures) on stderr; false when any finding failed. */
function reportExport(io: CliIo, reports: readonly ExportReport[]): boolean {
  const sum = (key: 'imported' | 'updated' | 'resolved' | 'failed' | 'unchanged') =>
    reports.reduce((n, r) => n + r[key], 0);
  const failures = reports.flatMap((r) => r.failures);
  for (const f of failures.slice(0, MAX_FAILURE_LINES))
    io.stderr(
      `${TOOL_NAME}: Security Hub did not import ${f.id} (${f.kind}): ${f.errorCode}: ${f.errorMessage}`,
    );
  if (failures.length > MAX_FAILURE_LINES)
    io.stderr(`${TOOL_NAME}: and ${failures.length - MAX_FAILURE_LINES} more findings not imported`);
  io.stderr(
    `${TOOL_NAME}: ${formatExportSummary({
      imported: sum('imported'),
      updated: sum('updated'),
      resolved: sum('resolved'),
      failed: sum('failed'),
      unchanged: sum('unchanged'),
    })}`,
  );
  return failures.length === 0;
}

/**
 * `plan` over several accounts and Regions: each pair through its own clients (and EC2 pacing),
 * with bounded concurrency; a pair that cannot be planned is an error entry, the others still run.
 */
async function resolvePairs(s: Session, targets: TargetSelection): Promise<TargetPair[]> {
  const { clients } = s;
  const callerAccount = await readAccountId(clients.sts);
  const regions =
    targets.regions.kind === 'listed' ? targets.regions.regions : await readEnabledRegions(clients.ec2);
  const accounts =
    targets.accounts.kind === 'caller'
      ? [callerAccount]
      : targets.accounts.kind === 'listed'
        ? targets.accounts.accountIds
        : await readActiveAccountIds(new OrganizationsClient(clientConfig(clientOptionsOf(s))));
  const roleName = targets.accounts.kind === 'caller' ? undefined : targets.accounts.roleName;
  return targetPairs(callerAccount, accounts, regions, roleName);
}

interface PairRead {
  readonly pair: TargetPair;
  /** The pair's client options (its Region; another account's assumed role). */
  readonly options: AwsClientOptions;
  /** The remediator acting in the pair: its own clients (and EC2 pacing), the run's config. */
  readonly deps: RemediatorDeps;
  readonly observed: ObservedRegion;
}

/** Reads every pair (bounded concurrency); a pair that cannot be read is an error entry. */
function readPairs(s: Session, pairs: readonly TargetPair[]) {
  const { parsed } = s;
  return runPairs(pairs, parsed.concurrency, async (pair): Promise<PairRead> => {
    const options = await pairClientOptions(pair, clientOptionsOf(s), s.clients.sts);
    const deps: RemediatorDeps = {
      ports: createRemediatorPorts(createCoreClients(options)),
      config: s.deps.config,
    };
    const observed = await deps.ports.reader.readRegion(
      parsed.vpcIds.length > 0 ? { vpcIds: parsed.vpcIds } : {},
    );
    return { pair, options, deps, observed };
  });
}

/**
 * Each pair's plan, its view lent the hub side other accounts of the run own in the same Region
 * (shared/core/cross-account.ts): a spoke served by another account's zone is checked link by link.
 */
function planPairs<R extends PairRead>(reads: readonly R[]): (R & { readonly plan: Plan })[] {
  const views = reads.map((r) => ({ accountId: r.pair.accountId, observed: r.observed }));
  return reads.map((r) => ({
    ...r,
    plan: planObserved(
      r.deps,
      withHubsOfOtherAccounts({ accountId: r.pair.accountId, observed: r.observed }, views),
    ),
  }));
}

async function runManyPlans(s: Session, targets: TargetSelection): Promise<number> {
  const { parsed, io } = s;
  const pairs = await resolvePairs(s, targets);
  const reads = await readPairs(s, pairs);
  const planned = planPairs(reads.results);
  const results = await mapWithConcurrency(
    planned,
    parsed.concurrency,
    async (r): Promise<(typeof planned)[number] & { exported?: ExportReport; exportError?: string }> => {
      if (!parsed.exportSecurityHub) return r;
      // Each pair's findings through that pair's own clients: the caller's account must be the
      // findings' account ("BatchImportFindings", API reference).
      try {
        const exported = await exportFindings(createFindingsPorts(createSecurityHubClient(r.options)), {
          plan: r.plan,
          accountId: r.pair.accountId,
          coverage: coverageOf(parsed.vpcIds),
        });
        return { ...r, exported };
      } catch (error) {
        return { ...r, exportError: errorMessage(error) };
      }
    },
  );
  const run = { results, errors: reads.errors };
  s.view?.stop();
  for (const error of run.errors) io.stderr(`${TOOL_NAME}: ${pairErrorLine(error)}`);
  let exportFailed = false;
  for (const r of run.results) {
    if (r.exportError === undefined) continue;
    exportFailed = true;
    io.stderr(
      `${TOOL_NAME}: ${pairErrorLine({ accountId: r.accountId, region: r.region, reason: `Security Hub export: ${r.exportError}` })}`,
    );
  }
  if (parsed.output === 'json') {
    io.stdout(
      JSON.stringify(
        {
          pairs: run.results.map((r) => ({
            accountId: r.accountId,
            region: r.region,
            vpcs: r.plan.vpcs.length,
            estimatedMonthlyCostUsd: r.plan.estimatedMonthlyCostUsd,
            warnings: r.plan.warnings,
          })),
          vpcs: run.results.flatMap((r) =>
            (planDocument(r.plan) as { vpcs: object[] }).vpcs.map((v) => ({
              accountId: r.accountId,
              region: r.region,
              ...v,
            })),
          ),
          errors: run.errors,
        },
        null,
        2,
      ),
    );
  } else if (parsed.output === 'asff') {
    // One BatchImportFindings body for every pair planned, each finding in its own account.
    const now = new Date().toISOString();
    const findings = run.results.flatMap((r) => asffFindings(r.plan, { accountId: r.accountId, now }));
    io.stdout(JSON.stringify({ Findings: findings }, null, 2));
  } else {
    let account: string | undefined;
    for (const r of run.results) {
      if (r.accountId !== account) io.stdout(`\n== Account ${r.accountId}`);
      account = r.accountId;
      io.stdout(`\n-- ${r.accountId} / ${r.region}`);
      printPlan(s, r.plan, false);
    }
    io.stdout(
      `\n${run.results.length} of ${pairs.length} account/Region pair(s) planned` +
        (run.errors.length > 0 ? `, ${run.errors.length} could not be (see above)` : ''),
    );
  }
  if (parsed.exportSecurityHub) {
    const reports = run.results.flatMap((r) => (r.exported ? [r.exported] : []));
    if (!reportExport(io, reports)) exportFailed = true;
  }
  return multiRunExitCode(
    run.errors.length + (exportFailed ? 1 : 0),
    run.results.some((r) => hasDrift(r.plan)),
  );
}

/**
 * `apply` over several accounts and Regions (issue #13 §2): every pair is planned first, through its
 * own clients (each account's writes go through its role), then one confirmation for all of them,
 * then each pair is applied in its own executor run (the change cap is per pair). With
 * `--lock-table`, each VPC's lease is taken in the caller's table, keyed by the pair's account and
 * Region. A pair that cannot be planned or applied is an `errors` entry; the others still run.
 */
async function runManyApplies(s: Session, targets: TargetSelection): Promise<number> {
  const { parsed, io } = s;
  const pairs = await resolvePairs(s, targets);
  const reads = await readPairs(s, pairs);
  const planned = { results: planPairs(reads.results), errors: reads.errors };
  s.view?.stop();
  for (const error of planned.errors) io.stderr(`${TOOL_NAME}: ${pairErrorLine(error)}`);
  if (parsed.output === 'text') {
    for (const r of planned.results) {
      io.stdout(`\n-- ${r.accountId} / ${r.region}`);
      printPlan(s, r.plan, true);
    }
  }
  const count = planned.results.reduce((n, r) => n + applicableActions(r.plan).length, 0);
  if (count > 0 && !parsed.yes) {
    if (!io.interactive) throw new Error('apply changes the network: pass --yes to apply without a terminal');
    const ok = await io.confirm(
      `Apply ${count} action(s) to enforce VPCs in ${planned.results.length} account/Region pair(s)? [y/N] `,
    );
    if (!ok) {
      io.stderr(`${TOOL_NAME}: not applied`);
      return 1;
    }
  }
  const applied = await runPairs(
    planned.results.map((r) => r.pair),
    parsed.concurrency,
    async (pair) => {
      const r = planned.results.find((x) => x.pair === pair);
      if (!r) throw new Error('no plan for this pair');
      const deps = await withPairLeases(s, r.deps, pair);
      return { report: await applyRegionPlan(deps, r.plan) };
    },
  );
  for (const error of applied.errors) io.stderr(`${TOOL_NAME}: ${pairErrorLine(error)}`);
  for (const r of applied.results) {
    for (const y of r.report.yielded ?? []) {
      io.stderr(
        `${TOOL_NAME}: ${r.accountId} ${r.region} ${y.vpcId} not applied: another writer (${y.holder}) holds its lease until ${new Date(y.untilMs).toISOString()}`,
      );
    }
  }
  const errors = [...planned.errors, ...applied.errors];
  if (parsed.output === 'json') {
    io.stdout(
      JSON.stringify(
        {
          pairs: applied.results.map((r) => ({
            accountId: r.accountId,
            region: r.region,
            writeCalls: r.report.writeCalls,
            throttledRetries: r.report.throttledRetries,
            stoppedAtMaxChanges: r.report.stoppedAtMaxChanges,
            converged: r.report.converged,
          })),
          outcomes: applied.results.flatMap((r) =>
            r.report.outcomes.map((o) => ({ accountId: r.accountId, region: r.region, ...o })),
          ),
          errors,
        },
        null,
        2,
      ),
    );
  } else {
    for (const r of applied.results) {
      io.stdout(`\n-- ${r.accountId} / ${r.region}`);
      io.stdout(
        parsed.output === 'markdown'
          ? formatApplyMarkdown(r.report, { verbose: parsed.verbose })
          : formatApplyReport(r.report, { style: terminalStyle(s.colour), verbose: parsed.verbose }),
      );
    }
    io.stdout(
      `\n${applied.results.length} of ${pairs.length} account/Region pair(s) applied` +
        (errors.length > 0 ? `, ${errors.length} could not be (see above)` : ''),
    );
  }
  return errors.length === 0 && applied.results.every((r) => r.report.converged) ? 0 : 1;
}

/** `--lock-table`: the caller's table, leases keyed by the account and Region written. */
function withPairLeases(
  s: Session,
  deps: RemediatorDeps,
  pair: Pick<TargetPair, 'accountId' | 'region'>,
): RemediatorDeps {
  const tableName = s.parsed.lockTable;
  if (tableName === undefined) return deps;
  const store = new DynamoDbVpcLeaseStore({
    dynamodb: s.clients.dynamodb,
    tableName,
    accountId: pair.accountId,
    region: pair.region,
  });
  const owner = `cli:${userInfo().username}@${hostname()}:${process.pid}`;
  return { ...deps, leasing: { store, owner, durationMs: CLI_LEASE_MS } };
}

/** The AWS options every client of this run shares (endpoint, environment). */
function clientOptionsOf(s: Session): AwsClientOptions {
  return {
    env: s.io.env,
    region: s.clients.region,
    ...(s.parsed.endpointUrl ? { endpointUrl: s.parsed.endpointUrl } : {}),
  };
}

function listActions(actions: readonly Action[], max = 3): string {
  const shown = actions.slice(0, max).map((a) => `${a.vpcId}: ${describeAction(a)}`);
  return actions.length > max ? `${shown.join('; ')}; and ${actions.length - max} more` : shown.join('; ');
}

/** The saved plan to apply, once it is known to hold; refuses (throws Refusal) otherwise. */
async function checkedSavedPlan(s: Session, file: string): Promise<Plan> {
  const saved = readSavedPlan(file);
  const version = toolVersion();
  if (saved.toolVersion !== version)
    throw new Refusal(
      `refused: ${file} was made by ${TOOL_NAME} ${saved.toolVersion}, this is ${version}; nothing was applied: plan again`,
    );
  if (saved.region !== s.clients.region)
    throw new Refusal(
      `refused: ${file} is a plan for ${saved.region}, not ${s.clients.region}; nothing was applied`,
    );
  const account = await readAccountId(s.clients.sts);
  if (account !== saved.account)
    throw new Refusal(
      `refused: ${file} is a plan for account ${saved.account}, these credentials are for ${account}; nothing was applied`,
    );
  let changed: Action[];
  try {
    changed = await changedSinceSaved(s.deps, saved.plan, saved.fingerprints);
  } catch (error) {
    if (error instanceof VpcNotFoundError)
      throw new Refusal(
        `refused: the state changed since the plan was made (${error.message}); nothing was applied: plan again`,
      );
    throw error;
  }
  if (changed.length > 0) {
    const total = applicableActions(saved.plan).length;
    throw new Refusal(
      `refused: the state changed since the plan was made for ${changed.length} of its ${total} action(s) ` +
        `(${listActions(changed)}); nothing was applied: plan again`,
    );
  }
  return saved.plan;
}

/** With `--lock-table`: this run writes a VPC only while it holds the VPC's lease. */
async function withLeases(s: Session): Promise<RemediatorDeps> {
  if (s.parsed.lockTable === undefined) return s.deps;
  return withPairLeases(s, s.deps, {
    accountId: await readAccountId(s.clients.sts),
    region: s.clients.region,
  });
}

/** A CLI run's lease: renewed every third of it while the run works; a killed run frees it after this. */
const CLI_LEASE_MS = 300_000;

async function runApply(s: Session): Promise<number> {
  const { parsed, io } = s;
  const p =
    parsed.file !== undefined
      ? await checkedSavedPlan(s, parsed.file)
      : await planRegion(s.deps, parsed.vpcIds.length > 0 ? { vpcIds: parsed.vpcIds } : {});
  s.view?.stop();
  printPlan(s, p, true);
  const count = applicableActions(p).length;
  if (count > 0 && !parsed.yes) {
    if (!io.interactive) throw new Error('apply changes the network: pass --yes to apply without a terminal');
    const ok = await io.confirm(`Apply ${count} action(s) to enforce VPCs in ${p.region}? [y/N] `);
    if (!ok) {
      io.stderr(`${TOOL_NAME}: not applied`);
      return 1;
    }
  }
  const report = await applyRegionPlan(await withLeases(s), p);
  s.view?.stop();
  for (const y of report.yielded ?? []) {
    io.stderr(
      `${TOOL_NAME}: ${y.vpcId} not applied: another writer (${y.holder}) holds its lease until ${new Date(y.untilMs).toISOString()}`,
    );
  }
  if (parsed.output === 'json') io.stdout(JSON.stringify(applyDocument(report), null, 2));
  else if (parsed.output === 'markdown')
    io.stdout(`\n${formatApplyMarkdown(report, { verbose: parsed.verbose })}`);
  else
    io.stdout(`\n${formatApplyReport(report, { style: terminalStyle(s.colour), verbose: parsed.verbose })}`);
  return report.converged ? 0 : 1;
}

export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    io.stderr(
      `${TOOL_NAME}: ${error instanceof Error ? error.message : String(error)} (\`${TOOL_NAME} --help\` lists the commands)`,
    );
    return 1;
  }
  if (parsed === 'version') {
    io.stdout(toolVersion());
    return 0;
  }
  if ('help' in parsed) {
    io.stdout(HELP[parsed.help]);
    return 0;
  }
  if (parsed.command === 'explain') return explain(parsed, io);
  let view: ProgressView | undefined;
  try {
    let region =
      parsed.region ??
      (parsed.targets?.regions.kind === 'listed' ? parsed.targets.regions.regions[0] : undefined);
    if (parsed.command === 'apply' && parsed.file !== undefined && region === undefined) {
      region = readSavedPlan(parsed.file).region;
    }
    const base = configFromEnvironment(io.env);
    const config: RemediatorConfig =
      parsed.maxChanges !== undefined ? { ...base, maxChanges: parsed.maxChanges } : base;
    const clients = createAwsClients({
      env: io.env,
      ...(region ? { region } : {}),
      ...(parsed.endpointUrl ? { endpointUrl: parsed.endpointUrl } : {}),
    });
    const colour = parsed.output === 'text' && colourWanted(Boolean(io.stdoutIsTty), io.env, parsed.noColor);
    if (parsed.output !== 'json' && parsed.output !== 'asff') {
      const calls = countCalls(clients);
      view = new ProgressView({
        write: io.stderr,
        ...(io.progressTerminal ? { terminal: io.progressTerminal } : {}),
        colour: colourWanted(Boolean(io.progressTerminal), io.env, parsed.noColor),
        calls: () => calls.total(),
      });
    }
    const deps: RemediatorDeps = {
      ports: createRemediatorPorts(clients),
      config,
      ...(view ? { progress: view } : {}),
    };
    const session: Session = { parsed, io, clients, deps, view, colour };
    if (parsed.command === 'plan' && parsed.targets) return await runManyPlans(session, parsed.targets);
    if (parsed.command === 'apply' && parsed.targets) return await runManyApplies(session, parsed.targets);
    return parsed.command === 'plan' ? await runPlan(session) : await runApply(session);
  } catch (error) {
    view?.stop();
    if (error instanceof Refusal || error instanceof SavedPlanError)
      io.stderr(`${TOOL_NAME}: ${error.message}`);
    else io.stderr(`${TOOL_NAME}: ${errorMessage(error)}`);
    return 1;
  }
}

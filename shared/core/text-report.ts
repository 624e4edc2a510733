/**
 * The CLI's human reports (text and markdown) and its summary lines. Pure: colour comes in as a
 * Style (plain by default), the caller decides where the text goes.
 *
 * Invariants: the summary line is the last line of every report; `verbose: false` (the default)
 * never repeats a finding in an apply report, gives audit and off VPCs one line each and folds every
 * VPC without drift into one line; findings are always grouped per VPC by severity, most severe first.
 */
import type { Action, ActionOutcome, ApplyReport, Finding, Plan, Severity, VpcPlan } from './domain.js';
import { assertNever } from './domain.js';
import { describeAction } from './report.js';

/** Text decorations (ANSI colour in a terminal); identity functions for plain text. */
export interface Style {
  readonly severity: (severity: Severity, text: string) => string;
  /** "will" (enforce: applied) and "would" (audit: only shown). */
  readonly will: (text: string) => string;
  readonly would: (text: string) => string;
  readonly applied: (text: string) => string;
  readonly failed: (text: string) => string;
  readonly skipped: (text: string) => string;
  readonly heading: (text: string) => string;
  readonly dim: (text: string) => string;
}

const same = (text: string) => text;
export const PLAIN: Style = {
  severity: (_severity, text) => text,
  will: same,
  would: same,
  applied: same,
  failed: same,
  skipped: same,
  heading: same,
  dim: same,
};

export interface ReportOptions {
  readonly style?: Style;
  /** Everything: every VPC in full, every outcome (the report before quiet output existed). */
  readonly verbose?: boolean;
}

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

const usd = (n: number) => `USD ${n.toFixed(2)}`;
const plural = (n: number, noun: string, nouns = `${noun}s`) => `${n} ${n === 1 ? noun : nouns}`;

/** Actions that create a resource; every other kind changes one. The tool never destroys anything. */
function creates(action: Action): boolean {
  switch (action.kind) {
    case 'CreateSecurityGroup':
    case 'CreateVpcEndpoint':
      return true;
    case 'EnableVpcDnsAttribute':
    case 'AuthorizeHttpsIngress':
    case 'ModifyVpcEndpoint':
    case 'AddGatewayRoutes':
    case 'AssociateVpcWithHostedZone':
    case 'UpdateContainerAgent':
    case 'RestartEcsAgent':
      return false;
    default:
      return assertNever(action, 'action');
  }
}

/** The actions apply would execute: `apply: true` in enforce VPCs. */
export function applicableActions(p: Plan): Action[] {
  return p.vpcs.flatMap((v) => (v.mode === 'enforce' ? v.actions.filter((a) => a.apply) : []));
}

/** A finding no action of this plan fixes: it carries advice, or its VPC is not enforced. */
function needsPerson(vpc: VpcPlan, finding: Finding): boolean {
  return vpc.mode !== 'enforce' || finding.advice !== undefined;
}

function hasDrift(vpc: VpcPlan): boolean {
  return vpc.findings.length > 0 || vpc.actions.length > 0;
}

/** `Plan: 11 to create, 3 to change, 0 to destroy · 5 findings need a person · +USD 138.70/month`. */
export function planSummary(p: Plan): string {
  const actions = applicableActions(p);
  const create = actions.filter(creates).length;
  const people = p.vpcs.reduce((n, v) => n + v.findings.filter((f) => needsPerson(v, f)).length, 0);
  const cost = p.vpcs.reduce((sum, v) => sum + (v.mode === 'enforce' ? v.estimatedMonthlyCostUsd : 0), 0);
  const notApplied = p.vpcs.reduce((n, v) => n + (v.mode === 'enforce' ? 0 : v.actions.length), 0);
  return [
    `Plan: ${create} to create, ${actions.length - create} to change, 0 to destroy`,
    `${plural(people, 'finding')} ${people === 1 ? 'needs' : 'need'} a person`,
    `+${usd(cost)}/month`,
    ...(notApplied > 0 ? [`${plural(notApplied, 'action')} in audit VPCs not applied`] : []),
  ].join(' · ');
}

/** `Apply: 13 applied, 0 failed · 2 VPCs in audit not changed`. */
export function applySummary(report: ApplyReport): string {
  const enforce = new Set(report.plan.vpcs.filter((v) => v.mode === 'enforce').map((v) => v.vpcId));
  const mine = report.outcomes.filter((o) => enforce.has(o.vpcId));
  const count = (status: ActionOutcome['status']) => mine.filter((o) => o.status === status).length;
  const audit = report.plan.vpcs.filter((v) => v.mode === 'audit' && hasDrift(v)).length;
  const off = report.plan.vpcs.filter((v) => v.mode === 'off').length;
  return [
    `Apply: ${count('applied')} applied, ${count('failed')} failed`,
    ...(count('skipped') > 0 ? [`${count('skipped')} skipped`] : []),
    ...(report.stoppedAtMaxChanges ? [`stopped at the change cap (${report.writeCalls} writes)`] : []),
    ...(audit > 0 ? [`${plural(audit, 'VPC')} in audit not changed`] : []),
    ...(off > 0 ? [`${plural(off, 'VPC')} off`] : []),
  ].join(' · ');
}

function bySeverity(findings: readonly Finding[]): [Severity, Finding[]][] {
  return SEVERITIES.flatMap((s) => {
    const group = findings.filter((f) => f.severity === s);
    return group.length > 0 ? [[s, group] as [Severity, Finding[]]] : [];
  });
}

function severityCounts(findings: readonly Finding[]): string {
  return bySeverity(findings)
    .map(([s, group]) => `${group.length} ${s}`)
    .join(', ');
}

function vpcHeading(vpc: VpcPlan, style: Style): string {
  return style.heading(`VPC ${vpc.vpcId} [${vpc.mode}]`);
}

/** One line for a VPC apply does not change (audit with drift, or off). */
function oneLine(vpc: VpcPlan, style: Style): string {
  if (vpc.mode === 'off') return `${vpcHeading(vpc, style)}: off, not checked`;
  const parts = [
    vpc.findings.length > 0
      ? `${plural(vpc.findings.length, 'finding')} (${severityCounts(vpc.findings)})`
      : undefined,
    vpc.actions.length > 0 ? `${plural(vpc.actions.length, 'action')} not applied` : undefined,
  ].filter((p): p is string => p !== undefined);
  return `${vpcHeading(vpc, style)}: ${parts.join(', ')}: ${style.would('report only')}`;
}

function findingLines(vpc: VpcPlan, style: Style): string[] {
  return bySeverity(vpc.findings).flatMap(([severity, group]) => [
    `  ${style.severity(severity, `${severity} (${group.length})`)}`,
    ...group.flatMap((f) => [
      `    ${style.severity(severity, f.code)}${f.service ? ` (${f.service})` : ''}: ${f.message}`,
      ...(f.advice ? [`      advice: ${f.advice}`] : []),
    ]),
  ]);
}

function actionLines(vpc: VpcPlan, style: Style, reasons: boolean): string[] {
  const verb =
    vpc.mode === 'enforce' ? style.will('will') : style.would('would') + style.dim(' (audit: not applied)');
  return vpc.actions.flatMap((a, i) => [
    `  ${String(i + 1).padStart(2)}. ${verb} ${describeAction(a)}`,
    ...(reasons ? [`      because ${a.reason}`] : []),
  ]);
}

function costLine(vpc: VpcPlan): string[] {
  return vpc.estimatedMonthlyCostUsd > 0 ? [`  cost: +${usd(vpc.estimatedMonthlyCostUsd)} a month`] : [];
}

function noDriftLine(vpcs: readonly VpcPlan[], style: Style): string[] {
  const clean = vpcs.filter((v) => v.mode !== 'off' && !hasDrift(v));
  return clean.length > 0 ? [style.dim(`No drift: ${clean.map((v) => v.vpcId).join(', ')}`)] : [];
}

function header(p: Plan): string[] {
  return [`Region ${p.region}: ${plural(p.vpcs.length, 'VPC')}`, ...p.warnings.map((w) => `  warning: ${w}`)];
}

/** The plan as text: findings by severity and explained actions per VPC, then the summary line. */
export function formatPlan(p: Plan, options: ReportOptions = {}): string {
  const style = options.style ?? PLAIN;
  const lines = header(p);
  for (const vpc of p.vpcs) {
    if (!options.verbose && (vpc.mode === 'off' || !hasDrift(vpc))) continue;
    lines.push('', vpcHeading(vpc, style));
    if (vpc.mode === 'off') lines.push('  off: not checked');
    else if (!hasDrift(vpc)) lines.push('  no drift');
    else lines.push(...findingLines(vpc, style), ...actionLines(vpc, style, true), ...costLine(vpc));
  }
  if (!options.verbose) {
    const rest = [
      ...p.vpcs.filter((v) => v.mode === 'off').map((v) => oneLine(v, style)),
      ...noDriftLine(p.vpcs, style),
    ];
    if (rest.length > 0) lines.push('', ...rest);
  } else {
    lines.push('', `Estimated cost of the new endpoint-AZs: +${usd(p.estimatedMonthlyCostUsd)} a month`);
  }
  lines.push('', planSummary(p));
  return lines.join('\n');
}

/**
 * What apply is about to do, before it asks: the enforce VPCs' actions, one line per other VPC. With
 * `verbose` it is the whole plan.
 */
export function formatApplyIntent(p: Plan, options: ReportOptions = {}): string {
  if (options.verbose) return formatPlan(p, options);
  const style = options.style ?? PLAIN;
  const lines = [...header(p), ''];
  for (const vpc of p.vpcs) {
    if (vpc.mode === 'enforce' && vpc.actions.length > 0) {
      lines.push(vpcHeading(vpc, style), ...actionLines(vpc, style, false), ...costLine(vpc));
    } else if (vpc.mode === 'off' || hasDrift(vpc)) {
      lines.push(oneLine(vpc, style));
    }
  }
  lines.push(...noDriftLine(p.vpcs, style), planSummary(p));
  return lines.join('\n');
}

function outcomeLine(o: ActionOutcome, action: Action | undefined, style: Style): string {
  const what = action ? describeAction(action) : o.actionId;
  switch (o.status) {
    case 'applied':
      return `  ${style.applied('applied')}  ${what}${o.resourceId ? ` -> ${o.resourceId}` : ''}${o.detail ? ` (${o.detail})` : ''}`;
    case 'skipped':
      return `  ${style.skipped('skipped')}  ${what}: ${o.why}`;
    case 'failed':
      return `  ${style.failed('FAILED')}   ${what}: ${o.error}`;
    default:
      return assertNever(o, 'outcome');
  }
}

/** The outcome of an apply per VPC, then the summary line. Quiet: only the VPCs apply worked on. */
export function formatApplyReport(report: ApplyReport, options: ReportOptions = {}): string {
  const style = options.style ?? PLAIN;
  const actions = new Map(report.plan.vpcs.flatMap((v) => v.actions.map((a) => [a.id, a] as const)));
  const throttled =
    report.throttledRetries > 0
      ? ` (${plural(report.throttledRetries, 'throttled EC2 request')} retried)`
      : '';
  const lines = [`Applied in ${report.region}: ${plural(report.writeCalls, 'write call')}${throttled}`];
  for (const vpc of report.plan.vpcs) {
    const outcomes = report.outcomes.filter((o) => o.vpcId === vpc.vpcId);
    if (outcomes.length === 0 || (!options.verbose && vpc.mode !== 'enforce')) continue;
    lines.push(
      vpcHeading(vpc, style),
      ...outcomes.map((o) => outcomeLine(o, actions.get(o.actionId), style)),
    );
  }
  if (report.stoppedAtMaxChanges)
    lines.push('  stopped: the change cap (--max-changes) was reached; run again to continue');
  lines.push(
    report.converged ? 'Converged.' : 'Not converged: see the failures above.',
    applySummary(report),
  );
  return lines.join('\n');
}

/** A markdown table cell: one line, pipes escaped. */
function cell(text: string): string {
  return text.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
}

function markdownVpc(vpc: VpcPlan): string[] {
  const lines = [`### VPC \`${vpc.vpcId}\` (${vpc.mode})`, ''];
  if (vpc.mode === 'off') return [...lines, 'Off: not checked.', ''];
  if (!hasDrift(vpc)) return [...lines, 'No drift.', ''];
  if (vpc.findings.length > 0) {
    lines.push('| severity | code | service | finding | advice |', '|---|---|---|---|---|');
    for (const [, group] of bySeverity(vpc.findings)) {
      for (const f of group) {
        lines.push(
          `| ${f.severity} | \`${f.code}\` | ${f.service ?? ''} | ${cell(f.message)} | ${cell(f.advice ?? '')} |`,
        );
      }
    }
    lines.push('');
  }
  if (vpc.actions.length > 0) {
    const verb = vpc.mode === 'enforce' ? 'will' : 'would (audit)';
    lines.push('| # | | action | because |', '|---|---|---|---|');
    vpc.actions.forEach((a, i) =>
      lines.push(`| ${i + 1} | ${verb} | ${cell(describeAction(a))} | ${cell(a.reason)} |`),
    );
    lines.push('');
  }
  if (vpc.estimatedMonthlyCostUsd > 0) lines.push(`Cost: +${usd(vpc.estimatedMonthlyCostUsd)} a month`, '');
  return lines;
}

/** The plan as markdown (a pull request, a ticket): a table per VPC, then the summary line. */
export function formatPlanMarkdown(p: Plan, options: Pick<ReportOptions, 'verbose'> = {}): string {
  const lines = [`## ecs-endpoint-remediator plan: ${p.region}`, ''];
  for (const w of p.warnings) lines.push(`> warning: ${cell(w)}`, '');
  for (const vpc of p.vpcs) {
    if (!options.verbose && vpc.mode !== 'enforce' && vpc.mode !== 'audit') continue;
    if (!options.verbose && !hasDrift(vpc)) continue;
    lines.push(...markdownVpc(vpc));
  }
  if (!options.verbose) {
    const off = p.vpcs.filter((v) => v.mode === 'off').map((v) => `\`${v.vpcId}\``);
    const clean = p.vpcs.filter((v) => v.mode !== 'off' && !hasDrift(v)).map((v) => `\`${v.vpcId}\``);
    if (off.length > 0) lines.push(`Off (not checked): ${off.join(', ')}`, '');
    if (clean.length > 0) lines.push(`No drift: ${clean.join(', ')}`, '');
  }
  lines.push(planSummary(p));
  return lines.join('\n');
}

/** What apply is about to do, as markdown: the enforce VPCs' actions, one line per other VPC. */
export function formatApplyIntentMarkdown(p: Plan, options: Pick<ReportOptions, 'verbose'> = {}): string {
  if (options.verbose) return formatPlanMarkdown(p, options);
  const lines = [`## ecs-endpoint-remediator apply: ${p.region}`, ''];
  for (const vpc of p.vpcs) {
    if (vpc.mode === 'enforce' && vpc.actions.length > 0) {
      lines.push(`### VPC \`${vpc.vpcId}\` (enforce)`, '', '| # | action |', '|---|---|');
      vpc.actions.forEach((a, i) => lines.push(`| ${i + 1} | ${cell(describeAction(a))} |`));
      lines.push('');
    } else if (vpc.mode === 'off' || hasDrift(vpc)) {
      lines.push(`- ${cell(oneLine(vpc, PLAIN))}`);
    }
  }
  const clean = p.vpcs.filter((v) => v.mode !== 'off' && !hasDrift(v)).map((v) => `\`${v.vpcId}\``);
  if (clean.length > 0) lines.push(`- No drift: ${clean.join(', ')}`);
  lines.push('', planSummary(p));
  return lines.join('\n');
}

/** The apply outcome as markdown: a table per VPC apply worked on, then the summary line. */
export function formatApplyMarkdown(
  report: ApplyReport,
  options: Pick<ReportOptions, 'verbose'> = {},
): string {
  const actions = new Map(report.plan.vpcs.flatMap((v) => v.actions.map((a) => [a.id, a] as const)));
  const lines = [`## ecs-endpoint-remediator apply outcome: ${report.region}`, ''];
  for (const vpc of report.plan.vpcs) {
    const outcomes = report.outcomes.filter((o) => o.vpcId === vpc.vpcId);
    if (outcomes.length === 0 || (!options.verbose && vpc.mode !== 'enforce')) continue;
    lines.push(
      `### VPC \`${vpc.vpcId}\` (${vpc.mode})`,
      '',
      '| outcome | action | detail |',
      '|---|---|---|',
    );
    for (const o of outcomes) {
      const action = actions.get(o.actionId);
      const what = cell(action ? describeAction(action) : o.actionId);
      const detail =
        o.status === 'applied'
          ? [o.resourceId, o.detail].filter(Boolean).join(' ')
          : o.status === 'skipped'
            ? o.why
            : o.error;
      lines.push(`| ${o.status} | ${what} | ${cell(detail ?? '')} |`);
    }
    lines.push('');
  }
  lines.push(applySummary(report));
  return lines.join('\n');
}

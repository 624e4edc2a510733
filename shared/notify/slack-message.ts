/**
 * Slack Block Kit messages for drift reports and approvals. Pure: no I/O, no clock.
 * Every string that comes from AWS goes through slack-escape before it reaches mrkdwn, and every
 * message respects Block Kit's limits (50 blocks, 3000 characters per section, 150 per header).
 */
import { z } from 'zod';
import { assertNever } from '../core/domain.js';
import type {
  Action,
  ActionOutcome,
  ApplyReport,
  FindingCode,
  Plan,
  Severity,
  VpcPlan,
  Finding,
} from '../core/domain.js';
import { describeAction } from '../core/report.js';
import { escapeSlackText, slackCode, slackLink } from './slack-escape.js';

export interface PlainText {
  readonly type: 'plain_text';
  readonly text: string;
  readonly emoji?: boolean;
}

export interface MrkdwnText {
  readonly type: 'mrkdwn';
  readonly text: string;
}

export interface SlackButton {
  readonly type: 'button';
  readonly action_id: string;
  readonly text: PlainText;
  readonly value: string;
  readonly style?: 'primary' | 'danger';
  readonly confirm?: {
    readonly title: PlainText;
    readonly text: PlainText;
    readonly confirm: PlainText;
    readonly deny: PlainText;
  };
}

export type SlackBlock =
  | { readonly type: 'header'; readonly text: PlainText }
  | { readonly type: 'section'; readonly text: MrkdwnText }
  | { readonly type: 'context'; readonly elements: readonly MrkdwnText[] }
  | { readonly type: 'divider' }
  | { readonly type: 'actions'; readonly block_id: string; readonly elements: readonly SlackButton[] };

export interface SlackMessage {
  /** Fallback shown in notifications and by clients that cannot render blocks. */
  readonly text: string;
  readonly blocks: readonly SlackBlock[];
}

export interface DriftTrigger {
  readonly eventName: string;
  readonly userIdentity?: string;
  readonly sourceIPAddress?: string;
  readonly eventTime?: string;
}

export interface DriftMessageInput {
  /** Absent when only a plan exists (nothing was applied yet). */
  readonly report: ApplyReport | undefined;
  readonly plan: Plan;
  readonly trigger?: DriftTrigger;
  readonly executionUrl?: string;
  readonly logUrl?: string;
}

export interface ApprovalMessageInput {
  readonly plan: Plan;
  readonly taskToken: string;
  readonly executionArn: string;
}

/** Block Kit limits (https://api.slack.com/reference/block-kit/blocks). */
export const SLACK_LIMITS = {
  blocks: 50,
  sectionText: 3000,
  headerText: 150,
  contextElements: 10,
  buttonValue: 2000,
  buttonText: 75,
  fallbackText: 3000,
} as const;

/** One sentence a platform engineer understands without knowing the tool's internals. */
export function plainWords(code: FindingCode): string {
  switch (code) {
    case 'MISSING_ENDPOINT':
      return 'A VPC endpoint the ECS workloads in this VPC need does not exist, so calls to that service have no private path and fail without internet access.';
    case 'ENDPOINT_NOT_AVAILABLE':
      return 'The endpoint exists but is not in the available state (for example pending, rejected or failed), so it does not carry traffic.';
    case 'ENDPOINT_AZ_NOT_COVERED':
      return 'The endpoint has no subnet in an Availability Zone where ECS runs, so tasks and instances in that zone cannot reach it.';
    case 'PRIVATE_DNS_DISABLED':
      return "Private DNS is off on the endpoint, so the service's normal hostname does not resolve to it and the ECS agent, whose hostnames cannot be overridden, goes around it.";
    case 'VPC_DNS_SUPPORT_DISABLED':
      return 'The VPC attribute enableDnsSupport is off, so the Amazon-provided DNS server is unavailable and endpoint private DNS cannot work.';
    case 'VPC_DNS_HOSTNAMES_DISABLED':
      return 'The VPC attribute enableDnsHostnames is off, and interface endpoints need it to turn on private DNS names.';
    case 'ENDPOINT_SG_BLOCKS_HTTPS':
      return "The endpoint's security group does not allow inbound HTTPS (TCP 443) from the workload subnets, so connections to the endpoint are dropped.";
    case 'NACL_BLOCKS_HTTPS':
      return 'A network ACL blocks HTTPS (TCP 443) into the endpoint subnets or the ephemeral return ports (1024-65535), so traffic to the endpoint is dropped at the subnet boundary.';
    case 'CUSTOM_DNS_SERVERS':
      return "The VPC's DHCP options use custom DNS servers, which cannot resolve endpoint private names without Route 53 Resolver forwarding; the tool reports this and never changes it.";
    case 'ENDPOINT_POLICY_UNSUPPORTED':
      return 'The endpoint has a custom endpoint policy, which ECS endpoints do not support; it should go back to the default full-access policy.';
    case 'S3_GATEWAY_ROUTE_MISSING':
      return 'The S3 gateway endpoint is missing from the route table of a private subnet, so ECR image layers (stored in S3) cannot be downloaded there.';
    case 'SERVICE_NOT_OFFERED_IN_AZ':
      return 'AWS does not offer this endpoint service in an Availability Zone where ECS runs, so workloads in that zone need another path or another zone.';
    case 'AGENT_TOO_OLD':
      return 'The ECS agent on a container instance is older than 1.25.1, the first version that works through the ECS VPC endpoints.';
    case 'AGENT_DISCONNECTED':
      return 'The ECS agent on a container instance is not connected to ECS, so the instance receives no new tasks and its task states go unreported.';
    case 'INSTANCE_NOT_SSM_MANAGED':
      return 'The container instance is not online in Systems Manager, so the tool cannot restart its ECS agent remotely.';
    case 'SSM_PATH_MISSING':
      return 'The instances have neither the ssm, ssmmessages and ec2messages endpoints nor an internet path, so Systems Manager commands, including the agent restart, cannot reach them.';
    case 'CENTRAL_ZONE_NOT_ASSOCIATED':
      return "A central (hub) private hosted zone serves this service, but this VPC is not associated with it, so the service's name does not resolve to the hub endpoint here.";
    case 'CENTRAL_ZONE_RECORD_BROKEN':
      return "The private hosted zone for the service's name has no usable record: it points at an endpoint that is missing or not available.";
    case 'CENTRAL_ENDPOINT_NO_ROUTE':
      return "This VPC has no peering or transit gateway route to the hub VPC that holds the service's endpoint.";
    case 'CENTRAL_ENDPOINT_SG_BLOCKS_HTTPS':
      return "The hub endpoint's security group does not allow HTTPS (TCP 443) from this VPC.";
    case 'CENTRAL_ZONE_OTHER_ACCOUNT':
      return "Another account's private hosted zone answers this service's name here; the tool cannot read that account's record or endpoint from this one.";
    case 'DNS_FORWARDED_BY_RESOLVER_RULE':
      return "A Route 53 Resolver forwarding rule sends this service's DNS queries elsewhere; the tool cannot check what they resolve to and creates no local endpoint.";
    default:
      return assertNever(code, 'finding code');
  }
}

const USD = new Intl.NumberFormat('en-US', {
  style: 'currency',
  currency: 'USD',
  minimumFractionDigits: 2,
  maximumFractionDigits: 2,
});

/** `$1,234.50`; non-finite amounts (a broken estimate) read as `unknown`. */
export function formatUsd(amount: number): string {
  if (!Number.isFinite(amount)) return 'unknown';
  const rounded = Math.round(amount * 100) / 100;
  return USD.format(rounded === 0 ? 0 : rounded);
}

/** A monthly cost change with its sign: `+$14.60/month`, `-$7.30/month`, `$0.00/month`. */
export function formatMonthlyCostChange(amount: number): string {
  if (!Number.isFinite(amount)) return 'unknown';
  const rounded = Math.round(amount * 100) / 100;
  if (rounded === 0) return `${formatUsd(0)}/month`;
  return `${rounded > 0 ? '+' : '-'}${formatUsd(Math.abs(rounded))}/month`;
}

export function buildDriftMessage(input: DriftMessageInput): SlackMessage {
  const { plan, report, trigger } = input;
  const outcomes = new Map<string, ActionOutcome>();
  for (const outcome of report?.outcomes ?? []) outcomes.set(outcome.actionId, outcome);

  const drifted = orderForAttention(
    plan.vpcs.filter((vpc) => vpc.findings.length > 0 || vpc.actions.length > 0),
    outcomes,
  );
  const region = escapeSlackText(plan.region, 40);
  const tally = tallyStatuses(plan, report, outcomes);

  const title = (where: string) =>
    !report
      ? `ECS endpoint drift found in ${where}`
      : report.converged
        ? `ECS endpoint drift handled in ${where}`
        : `ECS endpoint repair needs attention in ${where}`;
  const headerText = title(plan.region);

  const summary: string[] = [
    `*Region* ${slackCode(plan.region, 40)} · *VPCs with drift* ${drifted.length} of ${plan.vpcs.length} · *Cost change* ${formatMonthlyCostChange(plan.estimatedMonthlyCostUsd)}`,
  ];
  if (trigger) summary.push(`*Trigger* ${describeTrigger(trigger)}`);
  if (tally.length > 0) summary.push(`*Actions* ${tally}`);
  if (report?.stoppedAtMaxChanges) {
    summary.push(
      ':warning: *The change cap stopped the run* before every action was tried; the next run continues.',
    );
  }
  const warningLines = plan.warnings.map((warning) => `• ${escapeSlackText(warning)}`);

  const vpcSections = drifted.map((vpc) =>
    section(vpcSectionText(vpc, { outcomes, report, trigger, approval: false })),
  );

  const contextElements: MrkdwnText[] = [];
  if (input.executionUrl) contextElements.push(mrkdwn(slackLink(input.executionUrl, 'Runbook execution')));
  if (input.logUrl) contextElements.push(mrkdwn(slackLink(input.logUrl, 'Logs')));
  contextElements.push(
    mrkdwn(
      'Cost change counts interface endpoint-AZs added (about $7.30 per AZ per month in us-east-1, plus data processed); gateway endpoints are free.',
    ),
  );

  const head: SlackBlock[] = [
    header(headerText),
    section(
      fitSection(summary, warningLines.length > 0 ? [{ heading: '*Warnings*', items: warningLines }] : []),
    ),
  ];
  const tail: SlackBlock[] = [{ type: 'context', elements: contextElements }];
  const blocks = [
    ...head,
    ...capVpcSections(vpcSections, drifted, SLACK_LIMITS.blocks - head.length - tail.length),
    ...tail,
  ];

  const findingsCount = drifted.reduce((n, vpc) => n + vpc.findings.length, 0);
  const fallback =
    `${title(region)}: ${drifted.length} VPC(s) with drift, ${findingsCount} finding(s)` +
    (tally.length > 0 ? `; ${tally}` : '') +
    (trigger ? `; trigger ${escapeSlackText(trigger.eventName, 60)}` : '');

  return { text: truncate(fallback, SLACK_LIMITS.fallbackText), blocks };
}

/** The button value: the Step Functions task token and the execution it resumes. */
export const approvalValueSchema = z.object({
  taskToken: z.string().min(1),
  executionArn: z.string().min(1),
});
export type ApprovalValue = z.infer<typeof approvalValueSchema>;

/**
 * Serialises the approval reference for a button value. Throws when Slack's 2000-character limit
 * would be exceeded; the error names lengths only, never the token (it can resume the execution).
 */
export function encodeApprovalValue(value: ApprovalValue): string {
  if (value.taskToken.length === 0) throw new Error('approval message: the task token is empty');
  if (value.executionArn.length === 0) throw new Error('approval message: the execution ARN is empty');
  const encoded = JSON.stringify({ taskToken: value.taskToken, executionArn: value.executionArn });
  if (encoded.length > SLACK_LIMITS.buttonValue) {
    throw new Error(
      `approval message: the button value would be ${encoded.length} characters (task token ${value.taskToken.length}, ` +
        `execution ARN ${value.executionArn.length}); Slack allows at most ${SLACK_LIMITS.buttonValue}`,
    );
  }
  return encoded;
}

/** Reads a value made by `encodeApprovalValue`; undefined for anything else. */
export function decodeApprovalValue(value: string): ApprovalValue | undefined {
  let json: unknown;
  try {
    json = JSON.parse(value);
  } catch {
    return undefined;
  }
  const parsed = approvalValueSchema.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

export function buildApprovalMessage(input: ApprovalMessageInput): SlackMessage {
  const { plan } = input;
  const value = encodeApprovalValue({ taskToken: input.taskToken, executionArn: input.executionArn });
  const pending = plan.vpcs.filter((vpc) => vpc.actions.some((action) => action.apply));
  const actionCount = pending.reduce((n, vpc) => n + vpc.actions.filter((a) => a.apply).length, 0);
  const executionName = input.executionArn.split(':').at(-1) ?? input.executionArn;
  const headerText = `Approval needed: ECS endpoint changes in ${plan.region}`;

  const vpcSections = pending.map((vpc) =>
    section(
      vpcSectionText(
        { ...vpc, actions: vpc.actions.filter((action) => action.apply) },
        { outcomes: new Map(), report: undefined, trigger: undefined, approval: true },
      ),
    ),
  );
  const head: SlackBlock[] = [
    header(headerText),
    section(
      fitSection(
        [
          `*${actionCount} change(s)* in *${pending.length} VPC(s)* wait for approval · *Cost change* ${formatMonthlyCostChange(plan.estimatedMonthlyCostUsd)}`,
          `*Execution* ${slackCode(executionName, 100)}`,
        ],
        [],
      ),
    ),
  ];
  const tail: SlackBlock[] = [
    {
      type: 'actions',
      block_id: 'approval',
      elements: [
        {
          type: 'button',
          action_id: 'approve',
          style: 'primary',
          text: plain('Approve'),
          value,
          confirm: {
            title: plain('Apply these changes?'),
            text: plain(`${actionCount} change(s) will be made in ${plan.region}.`),
            confirm: plain('Approve'),
            deny: plain('Cancel'),
          },
        },
        { type: 'button', action_id: 'reject', style: 'danger', text: plain('Reject'), value },
      ],
    },
    {
      type: 'context',
      elements: [
        mrkdwn('Approve lets the execution apply the changes above; Reject stops it with nothing changed.'),
      ],
    },
  ];
  const blocks = [
    ...head,
    ...capVpcSections(vpcSections, pending, SLACK_LIMITS.blocks - head.length - tail.length),
    ...tail,
  ];
  return {
    text: truncate(
      `Approval needed: ${actionCount} ECS endpoint change(s) in ${escapeSlackText(plan.region, 40)}`,
      SLACK_LIMITS.fallbackText,
    ),
    blocks,
  };
}

interface VpcSectionContext {
  readonly outcomes: ReadonlyMap<string, ActionOutcome>;
  readonly report: ApplyReport | undefined;
  readonly trigger: DriftTrigger | undefined;
  /** Enforce actions are shown as "will" (waiting for approval) rather than "planned". */
  readonly approval: boolean;
}

function vpcSectionText(vpc: VpcPlan, context: VpcSectionContext): string {
  const head = [
    `*VPC* ${slackCode(vpc.vpcId, 60)} · *mode* ${escapeSlackText(vpc.mode, 20)} · *cost change* ${formatMonthlyCostChange(vpc.estimatedMonthlyCostUsd)}`,
  ];
  if (context.trigger) head.push(`*Changed by* ${describeTrigger(context.trigger)}`);
  const groups: SectionGroup[] = [];
  if (vpc.findings.length > 0) {
    groups.push({ heading: `*Findings (${vpc.findings.length})*`, items: vpc.findings.map(findingLine) });
  }
  if (vpc.actions.length > 0) {
    groups.push({
      heading: `*Actions (${vpc.actions.length})*`,
      items: vpc.actions.map((action) => actionLine(action, context)),
    });
  }
  return fitSection(head, groups);
}

const SEVERITY_ICON: Readonly<Record<Severity, string>> = {
  critical: ':red_circle:',
  high: ':large_orange_circle:',
  medium: ':large_yellow_circle:',
  low: ':large_blue_circle:',
  info: ':white_circle:',
};

function findingLine(finding: Finding): string {
  const subject = [finding.service, finding.resourceId]
    .filter((part): part is string => Boolean(part))
    .map((part) => slackCode(part, 80))
    .join(' ');
  const lines = [
    `• ${SEVERITY_ICON[finding.severity]} *${finding.code}*${subject ? ` ${subject}` : ''}: ${plainWords(finding.code)}`,
    `   ↳ ${escapeSlackText(finding.message)}`,
  ];
  if (finding.advice) lines.push(`   ↳ _What to do:_ ${escapeSlackText(finding.advice)}`);
  return lines.join('\n');
}

function actionLine(action: Action, context: VpcSectionContext): string {
  const what = escapeSlackText(describeAction(action), 400);
  const why = escapeSlackText(action.reason, 200);
  if (!action.apply) return `• :eyes: *would* ${what} _(audit: not applied)_ — ${why}`;
  const outcome = context.outcomes.get(action.id);
  if (!outcome) {
    if (context.approval || !context.report) {
      return `• :clipboard: *${context.approval ? 'will' : 'planned'}* ${what} — ${why}`;
    }
    return `• :hourglass: *not tried* ${what}${context.report.stoppedAtMaxChanges ? ' _(change cap reached)_' : ''}`;
  }
  switch (outcome.status) {
    case 'applied': {
      const resource = outcome.resourceId ? ` → ${slackCode(outcome.resourceId, 80)}` : '';
      const detail = outcome.detail ? ` (${escapeSlackText(outcome.detail, 200)})` : '';
      return `• :white_check_mark: *applied* ${what}${resource}${detail}`;
    }
    case 'skipped':
      return `• :fast_forward: *skipped* ${what}: ${escapeSlackText(outcome.why)}`;
    case 'failed':
      return `• :x: *failed* ${what}: ${escapeSlackText(outcome.error)}`;
    default:
      return assertNever(outcome, 'action outcome');
  }
}

/** The CloudTrail call that changed the VPC, in words: event name, by whom, from where, when. */
function describeTrigger(trigger: DriftTrigger): string {
  const parts = [slackCode(trigger.eventName, 60)];
  if (trigger.userIdentity) parts.push(`by ${slackCode(trigger.userIdentity, 200)}`);
  if (trigger.sourceIPAddress) parts.push(`from ${slackCode(trigger.sourceIPAddress, 60)}`);
  if (trigger.eventTime) parts.push(`at ${escapeSlackText(trigger.eventTime, 40)}`);
  return parts.join(' ');
}

function tallyStatuses(
  plan: Plan,
  report: ApplyReport | undefined,
  outcomes: ReadonlyMap<string, ActionOutcome>,
): string {
  const counts = { applied: 0, skipped: 0, failed: 0, notTried: 0, planned: 0, would: 0 };
  for (const vpc of plan.vpcs) {
    for (const action of vpc.actions) {
      const outcome = outcomes.get(action.id);
      if (!action.apply) counts.would += 1;
      else if (outcome) counts[outcome.status] += 1;
      else if (report) counts.notTried += 1;
      else counts.planned += 1;
    }
  }
  return [
    counts.applied > 0 ? `${counts.applied} applied` : undefined,
    counts.skipped > 0 ? `${counts.skipped} skipped` : undefined,
    counts.failed > 0 ? `${counts.failed} failed` : undefined,
    counts.notTried > 0 ? `${counts.notTried} not tried` : undefined,
    counts.planned > 0 ? `${counts.planned} planned` : undefined,
    counts.would > 0 ? `${counts.would} would apply (audit)` : undefined,
  ]
    .filter((part): part is string => part !== undefined)
    .join(', ');
}

const SEVERITY_RANK: Readonly<Record<Severity, number>> = {
  critical: 0,
  high: 1,
  medium: 2,
  low: 3,
  info: 4,
};

/** Failed VPCs first, then by worst finding; otherwise the plan's order is kept. */
function orderForAttention(
  vpcs: readonly VpcPlan[],
  outcomes: ReadonlyMap<string, ActionOutcome>,
): VpcPlan[] {
  const rank = (vpc: VpcPlan): [number, number] => [
    vpc.actions.some((action) => outcomes.get(action.id)?.status === 'failed') ? 0 : 1,
    Math.min(5, ...vpc.findings.map((finding) => SEVERITY_RANK[finding.severity])),
  ];
  return vpcs
    .map((vpc, index) => ({ vpc, index, rank: rank(vpc) }))
    .sort((a, b) => a.rank[0] - b.rank[0] || a.rank[1] - b.rank[1] || a.index - b.index)
    .map((entry) => entry.vpc);
}

/** Keeps at most `room` blocks: when VPCs do not fit, the last slot lists the ones left out. */
function capVpcSections(
  sections: readonly SlackBlock[],
  vpcs: readonly VpcPlan[],
  room: number,
): SlackBlock[] {
  if (sections.length <= room) return [...sections];
  const shown = Math.max(0, room - 1);
  const rest = vpcs.slice(shown);
  return [
    ...sections.slice(0, shown),
    section(
      fitSection(
        [`_… and ${rest.length} more VPC(s) with drift, not shown here; see the log._`],
        [{ heading: '*Not shown*', items: rest.map((vpc) => `• ${slackCode(vpc.vpcId, 60)}`) }],
      ),
    ),
  ];
}

interface SectionGroup {
  readonly heading: string;
  readonly items: readonly string[];
}

/**
 * Joins head lines and item groups into one section text of at most 3000 characters. A group
 * that does not fit ends with "… and N more"; later groups keep a share of the room, so actions
 * (and their failures) stay visible even when findings are many.
 */
function fitSection(
  head: readonly string[],
  groups: readonly SectionGroup[],
  limit: number = SLACK_LIMITS.sectionText,
): string {
  const lines = head.map((line) => truncate(line, limit));
  let used = joinedLength(lines);
  groups.forEach((group, index) => {
    const later = groups.slice(index + 1);
    const laterNeed = later.reduce((n, g) => n + 1 + joinedLength([g.heading, ...g.items]), 0);
    const remaining = limit - used;
    const reserve = Math.min(laterNeed, Math.floor((remaining * later.length) / (later.length + 1)));
    const budget = remaining - reserve;
    const fitted = fitGroup(group, budget - (lines.length > 0 ? 1 : 0));
    if (fitted.length === 0) return;
    lines.push(...fitted);
    used = joinedLength(lines);
  });
  return truncate(lines.join('\n'), limit);
}

/** The heading, as many items as fit, and "… and N more" for the rest; empty when not even that fits. */
function fitGroup(group: SectionGroup, budget: number): string[] {
  const n = group.items.length;
  // prefix[k]: joined length of the heading and the first k items.
  const prefix = [group.heading.length];
  group.items.forEach((item, i) => prefix.push((prefix[i] ?? 0) + 1 + item.length));
  for (let k = n; k >= 0; k -= 1) {
    const more = k < n ? 1 + moreLine(n - k).length : 0;
    if ((prefix[k] ?? Infinity) + more <= budget) {
      return [group.heading, ...group.items.slice(0, k), ...(k < n ? [moreLine(n - k)] : [])];
    }
  }
  return [];
}

function moreLine(count: number): string {
  return `_… and ${count} more_`;
}

function joinedLength(lines: readonly string[]): number {
  return lines.reduce((n, line) => n + line.length, 0) + Math.max(0, lines.length - 1);
}

function truncate(text: string, limit: number): string {
  if (text.length <= limit) return text;
  // Cut on a line break when possible so no escape sequence or code span is split.
  const cut = text.lastIndexOf('\n', limit - 2);
  return `${text.slice(0, cut > 0 ? cut : limit - 1)}…`;
}

function header(text: string): SlackBlock {
  return { type: 'header', text: plain(text, SLACK_LIMITS.headerText) };
}

function section(text: string): SlackBlock {
  return { type: 'section', text: mrkdwn(text) };
}

function mrkdwn(text: string): MrkdwnText {
  return { type: 'mrkdwn', text };
}

function plain(text: string, limit: number = SLACK_LIMITS.buttonText): PlainText {
  return { type: 'plain_text', text: truncate(text, limit), emoji: true };
}

/**
 * Slack messages the runbook posts besides the drift and approval messages of shared/notify: no drift,
 * approval rejected or timed out, execution failed, and a short summary when the applied plan was too
 * large to carry in the execution state. Pure. Every value from AWS or from an error goes through
 * slack-escape; error causes are cut to a few hundred characters and never carry a stack trace.
 */
import type { SlackBlock, SlackMessage } from '../notify/slack-message.js';
import { escapeSlackText, slackCode, slackLink } from '../notify/slack-escape.js';

export interface RunbookScope {
  readonly region: string;
  readonly vpcIds?: readonly string[];
}

function scopeText(scope: RunbookScope): string {
  const vpcs = scope.vpcIds?.length
    ? `VPCs ${scope.vpcIds
        .slice(0, 10)
        .map((id) => slackCode(id, 40))
        .join(', ')}${scope.vpcIds.length > 10 ? ` and ${scope.vpcIds.length - 10} more` : ''}`
    : 'every VPC';
  return `*Region* ${slackCode(scope.region, 40)} · *Scope* ${vpcs}`;
}

function header(text: string): SlackBlock {
  return { type: 'header', text: { type: 'plain_text', text: text.slice(0, 150), emoji: true } };
}

function section(text: string): SlackBlock {
  return { type: 'section', text: { type: 'mrkdwn', text: text.slice(0, 3000) } };
}

function footer(executionUrl: string | undefined): SlackBlock[] {
  return executionUrl
    ? [
        {
          type: 'context',
          elements: [{ type: 'mrkdwn', text: slackLink(executionUrl, 'Runbook execution') }],
        },
      ]
    : [];
}

/** The console page of an execution (Step Functions' v2 console route). */
export function executionConsoleUrl(executionArn: string | undefined): string | undefined {
  if (!executionArn) return undefined;
  const region = executionArn.split(':')[3];
  if (!region) return undefined;
  return `https://${region}.console.aws.amazon.com/states/home?region=${region}#/v2/executions/details/${encodeURIComponent(executionArn)}`;
}

export function noDriftMessage(scope: RunbookScope, executionUrl?: string): SlackMessage {
  const title = `No ECS endpoint drift in ${scope.region}`;
  return {
    text: `No ECS endpoint drift in ${escapeSlackText(scope.region, 40)}: nothing to change`,
    blocks: [
      header(title),
      section(
        `${scopeText(scope)}\n:white_check_mark: Every VPC in scope has the endpoints its ECS workloads need.`,
      ),
      ...footer(executionUrl),
    ],
  };
}

export interface RejectedMessageInput {
  readonly scope: RunbookScope;
  /** `Rejected` (someone pressed Reject) or `States.Timeout` (nobody answered in time). */
  readonly error: string;
  readonly cause?: string;
  readonly executionUrl?: string;
}

export function rejectedMessage(input: RejectedMessageInput): SlackMessage {
  const timedOut = input.error === 'States.Timeout';
  const why = timedOut
    ? 'Nobody approved the changes before the approval timed out.'
    : `The changes were rejected${input.cause ? `: ${escapeSlackText(input.cause, 200)}` : '.'}`;
  return {
    text: `ECS endpoint runbook stopped in ${escapeSlackText(input.scope.region, 40)}: ${timedOut ? 'approval timed out' : 'rejected'}; nothing changed`,
    blocks: [
      header(`ECS endpoint changes not applied in ${input.scope.region}`),
      section(`${scopeText(input.scope)}\n:no_entry_sign: ${why}\nNothing was changed.`),
      ...footer(input.executionUrl),
    ],
  };
}

export interface FailedMessageInput {
  readonly scope: RunbookScope;
  readonly error: string;
  readonly cause: string;
  /** Write outcomes of the network repair when it ran before the failure. */
  readonly applied?: { readonly applied: number; readonly skipped: number; readonly failed: number };
  readonly executionUrl?: string;
}

export function failedMessage(input: FailedMessageInput): SlackMessage {
  const lines = [
    scopeText(input.scope),
    `:x: *${escapeSlackText(input.error, 100)}*: ${escapeSlackText(input.cause, 500)}`,
    input.applied
      ? `Changes made before the failure: ${input.applied.applied} applied, ${input.applied.skipped} skipped, ${input.applied.failed} failed. The next run plans again from the live state.`
      : 'Nothing was changed by this execution.',
  ];
  return {
    text: `ECS endpoint runbook failed in ${escapeSlackText(input.scope.region, 40)}: ${escapeSlackText(input.error, 100)}`,
    blocks: [
      header(`ECS endpoint runbook failed in ${input.scope.region}`),
      section(lines.join('\n')),
      ...footer(input.executionUrl),
    ],
  };
}

export interface SummaryMessageInput {
  readonly scope: RunbookScope;
  readonly converged: boolean;
  readonly counts: { readonly applied: number; readonly skipped: number; readonly failed: number };
  readonly agents: { readonly restarted: number; readonly reconnected: number; readonly total: number };
  readonly executionUrl?: string;
}

/** Used when the applied plan was too large for the execution state: counts only. */
export function summaryMessage(input: SummaryMessageInput): SlackMessage {
  const title = input.converged
    ? `ECS endpoint drift handled in ${input.scope.region}`
    : `ECS endpoint repair needs attention in ${input.scope.region}`;
  return {
    text: `${escapeSlackText(title, 150)}: ${input.counts.applied} applied, ${input.counts.failed} failed`,
    blocks: [
      header(title),
      section(
        [
          scopeText(input.scope),
          `*Actions* ${input.counts.applied} applied, ${input.counts.skipped} skipped, ${input.counts.failed} failed`,
          `*Agents* ${input.agents.restarted}/${input.agents.total} restarted, ${input.agents.reconnected} reconnected`,
          '_The plan was too large to list here; see the execution and the logs._',
        ].join('\n'),
      ),
      ...footer(input.executionUrl),
    ],
  };
}

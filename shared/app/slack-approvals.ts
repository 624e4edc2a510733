/**
 * Slack's interaction requests for the runbook's approval buttons. Invariants:
 * - nothing reaches Step Functions unless the request is signed with the signing secret, fresh, not
 *   a replay (401 otherwise), comes from a listed approver (403 otherwise), and names an execution
 *   of this runbook's state machine (400 otherwise);
 * - the signing secret and the task token never appear in a log line, an error or a response.
 */
import {
  isApprover,
  parseInteractionPayload,
  verifySlackRequest,
  type ReplayCache,
} from '../notify/slack-signature.js';
import { decodeApprovalValue } from '../notify/slack-message.js';
import type { LogSink } from './observability.js';

/** Step Functions' callback API, narrowed to what approvals need. */
export interface TaskCallbacks {
  succeed(taskToken: string, output: string): Promise<void>;
  fail(taskToken: string, error: string, cause: string): Promise<void>;
}

export interface SlackApprovalDeps {
  readonly signingSecret: () => Promise<string>;
  readonly approverIds: readonly string[];
  /** ARN of the runbook state machine: only its executions can be resumed. */
  readonly stateMachineArn: string;
  readonly replay: ReplayCache;
  readonly callbacks: TaskCallbacks;
  readonly nowSeconds: () => number;
  readonly log: LogSink;
}

export interface HttpRequest {
  readonly body?: string | null;
  readonly isBase64Encoded?: boolean;
  readonly headers?: Readonly<Record<string, string | undefined>> | null;
}

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

const respond = (statusCode: number, text: string): HttpResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ text }),
});

/** Errors Step Functions gives for a token that is no longer waiting (answered, timed out, ended). */
const GONE = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

/** Everything a token could leak into: removes it from a message. */
function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) if (s.length >= 8) out = out.replaceAll(s, '[redacted]');
  return out;
}

export async function handleSlackInteraction(
  deps: SlackApprovalDeps,
  request: HttpRequest,
): Promise<HttpResponse> {
  const rawBody = request.isBase64Encoded
    ? Buffer.from(request.body ?? '', 'base64').toString('utf8')
    : (request.body ?? '');
  let secret: string;
  try {
    secret = await deps.signingSecret();
  } catch (error) {
    deps.log.error('Slack signing secret could not be read; request refused', {
      errorName: error instanceof Error ? error.name : typeof error,
    });
    return respond(500, 'approval endpoint misconfigured');
  }
  const verified = await verifySlackRequest({
    signingSecret: secret,
    headers: request.headers ?? {},
    rawBody,
    nowSeconds: deps.nowSeconds(),
    seen: deps.replay,
  });
  if (!verified.ok) {
    deps.log.warn('Slack request refused', { reason: verified.reason });
    return respond(401, 'unauthorized');
  }
  const interaction = parseInteractionPayload(rawBody);
  if (!interaction) {
    deps.log.warn('Slack request is not an approval button interaction');
    return respond(400, 'not an approval interaction');
  }
  if (!isApprover(interaction.userId, deps.approverIds)) {
    deps.log.warn('approval refused: user is not an approver', { userId: interaction.userId });
    return respond(403, 'you are not allowed to approve runbook changes');
  }
  const value = decodeApprovalValue(interaction.value);
  const executionPrefix = `${deps.stateMachineArn.replace(':stateMachine:', ':execution:')}:`;
  if (!value || !deps.stateMachineArn || !value.executionArn.startsWith(executionPrefix)) {
    deps.log.warn('approval refused: the button does not name an execution of this runbook', {
      userId: interaction.userId,
    });
    return respond(400, 'not an approval of this runbook');
  }
  const context = {
    userId: interaction.userId,
    action: interaction.actionId,
    executionArn: value.executionArn,
  };
  try {
    if (interaction.actionId === 'approve') {
      await deps.callbacks.succeed(
        value.taskToken,
        JSON.stringify({ approved: true, by: interaction.userId }),
      );
    } else {
      await deps.callbacks.fail(value.taskToken, 'Rejected', `rejected by Slack user ${interaction.userId}`);
    }
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    const message = redact(error instanceof Error ? error.message : String(error), [value.taskToken, secret]);
    if (GONE.has(name)) {
      deps.log.warn('approval answered after the execution stopped waiting', { ...context, errorName: name });
      return respond(200, 'This approval is no longer pending.');
    }
    deps.log.error('Step Functions refused the approval answer', {
      ...context,
      errorName: name,
      error: message,
    });
    return respond(502, 'the runbook could not be resumed; try again');
  }
  deps.log.info('approval answered', context);
  return respond(
    200,
    interaction.actionId === 'approve'
      ? 'Approved: the runbook applies the changes.'
      : 'Rejected: the runbook stops with nothing changed.',
  );
}

/** The signing secret: the value itself or `{"signingSecret": "..."}`; errors never quote it. */
export function parseSigningSecret(secretName: string, raw: unknown): string {
  const text =
    typeof raw === 'string' ? raw : raw instanceof Uint8Array ? new TextDecoder().decode(raw) : undefined;
  if (!text?.trim()) throw new Error(`secret ${secretName} has no value`);
  const trimmed = text.trim();
  if (!trimmed.startsWith('{')) return trimmed;
  let json: unknown;
  try {
    json = JSON.parse(trimmed);
  } catch {
    throw new Error(`secret ${secretName} looks like JSON but does not parse`);
  }
  const value = (json as { signingSecret?: unknown }).signingSecret;
  if (typeof value !== 'string' || !value)
    throw new Error(`secret ${secretName} is JSON without "signingSecret"`);
  return value;
}

/**
 * Verification of requests Slack sends to the approval endpoint (signing secret, scheme v0:
 * https://api.slack.com/authentication/verifying-requests-from-slack) and parsing of the button
 * interaction they carry. Only a verified request from a listed approver may resume an execution.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';

/** Slack's tolerance for the request timestamp, either way. */
export const SLACK_SIGNATURE_MAX_AGE_SECONDS = 300;

export type VerifyResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly reason: 'missing-headers' | 'stale' | 'bad-signature' | 'replayed' };

/** Remembers verified signatures so a captured request cannot be replayed within its window. */
export interface ReplayCache {
  /**
   * True the first time `signature` is seen while it is still fresh; false for a repeat. One atomic
   * decision, so a replay reaching another container at the same moment is caught too.
   */
  firstSeen(signature: string, timestampSeconds: number, nowSeconds: number): Promise<boolean>;
}

/**
 * Per-process cache; a signature is kept until its timestamp leaves the window, after which the
 * staleness check rejects it anyway. In Lambda it covers one warm container only: the deployment
 * uses the DynamoDB cache (`shared/aws/coordination-table.ts`).
 */
export class InMemoryReplayCache implements ReplayCache {
  private readonly expiries = new Map<string, number>();

  constructor(private readonly windowSeconds: number = SLACK_SIGNATURE_MAX_AGE_SECONDS) {}

  async firstSeen(signature: string, timestampSeconds: number, nowSeconds: number): Promise<boolean> {
    for (const [seen, expiry] of this.expiries) {
      if (expiry < nowSeconds) this.expiries.delete(seen);
    }
    if (this.expiries.has(signature)) return false;
    this.expiries.set(signature, Math.max(timestampSeconds, nowSeconds) + this.windowSeconds);
    return true;
  }

  get size(): number {
    return this.expiries.size;
  }
}

export interface VerifySlackRequestInput {
  readonly signingSecret: string;
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** The body exactly as received (before any parsing or re-encoding). */
  readonly rawBody: string;
  readonly nowSeconds: number;
  readonly seen?: ReplayCache;
}

export async function verifySlackRequest(input: VerifySlackRequestInput): Promise<VerifyResult> {
  const timestamp = header(input.headers, 'x-slack-request-timestamp')?.trim();
  const signature = header(input.headers, 'x-slack-signature')?.trim();
  if (!timestamp || !signature || input.signingSecret.length === 0) {
    return { ok: false, reason: 'missing-headers' };
  }
  if (!/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'stale' };
  const timestampSeconds = Number(timestamp);
  if (Math.abs(input.nowSeconds - timestampSeconds) > SLACK_SIGNATURE_MAX_AGE_SECONDS) {
    return { ok: false, reason: 'stale' };
  }
  const expected = Buffer.from(
    `v0=${createHmac('sha256', input.signingSecret).update(`v0:${timestamp}:${input.rawBody}`, 'utf8').digest('hex')}`,
    'utf8',
  );
  const received = Buffer.from(signature, 'utf8');
  if (received.length !== expected.length || !timingSafeEqual(received, expected)) {
    return { ok: false, reason: 'bad-signature' };
  }
  // Only verified signatures are remembered, so forged requests cannot fill or poison the cache.
  if (input.seen && !(await input.seen.firstSeen(signature, timestampSeconds, input.nowSeconds))) {
    return { ok: false, reason: 'replayed' };
  }
  return { ok: true };
}

function header(headers: Readonly<Record<string, string | undefined>>, name: string): string | undefined {
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name && value !== undefined) return value;
  }
  return undefined;
}

const blockActionsSchema = z.object({
  type: z.literal('block_actions'),
  user: z.object({ id: z.string().min(1) }),
  actions: z
    .array(
      z.object({
        action_id: z.enum(['approve', 'reject']),
        value: z.string().min(1),
      }),
    )
    .min(1),
});

export interface InteractionPayload {
  readonly userId: string;
  readonly actionId: 'approve' | 'reject';
  readonly value: string;
}

/**
 * Reads a `block_actions` interaction (`application/x-www-form-urlencoded`, `payload=<json>`) from
 * an approval button; undefined for anything else. Call only after `verifySlackRequest` succeeded.
 */
export function parseInteractionPayload(rawBody: string): InteractionPayload | undefined {
  const payload = new URLSearchParams(rawBody).get('payload');
  if (payload === null) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(payload);
  } catch {
    return undefined;
  }
  const parsed = blockActionsSchema.safeParse(json);
  if (!parsed.success) return undefined;
  const [action] = parsed.data.actions;
  if (!action) return undefined;
  return { userId: parsed.data.user.id, actionId: action.action_id, value: action.value };
}

/** Deny by default: an empty list approves nobody. */
export function isApprover(userId: string, approverIds: readonly string[]): boolean {
  const id = userId.trim();
  return id.length > 0 && approverIds.some((approver) => approver.trim() === id);
}

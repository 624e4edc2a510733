import { createHmac } from 'node:crypto';
import {
  InMemoryReplayCache,
  isApprover,
  parseInteractionPayload,
  verifySlackRequest,
} from '../../shared/notify/slack-signature.js';

// The example from Slack's "Verifying requests from Slack" documentation.
const SLACK_DOC_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const SLACK_DOC_TIMESTAMP = '1531420618';
const SLACK_DOC_BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const SLACK_DOC_SIGNATURE = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';

const SECRET = 'test-signing-secret';
const NOW = 1_800_000_000;

function sign(body: string, timestamp: number | string, secret = SECRET): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

function signedHeaders(body: string, timestamp: number = NOW, secret = SECRET): Record<string, string> {
  return {
    'X-Slack-Request-Timestamp': String(timestamp),
    'X-Slack-Signature': sign(body, timestamp, secret),
  };
}

function interactionBody(payload: unknown): string {
  return new URLSearchParams({ payload: JSON.stringify(payload) }).toString();
}

/** Shaped like a real Slack block_actions interaction (trimmed of fields we do not read). */
function blockActionsPayload(actionId: string, value: string, userId = 'U0APPROVER') {
  return {
    type: 'block_actions',
    user: { id: userId, username: 'pat', name: 'pat', team_id: 'T0001' },
    api_app_id: 'A0001',
    token: 'deprecated-verification-token',
    container: { type: 'message', message_ts: '1700000000.000100', channel_id: 'C0001', is_ephemeral: false },
    trigger_id: '1111.2222.abcd',
    team: { id: 'T0001', domain: 'example' },
    channel: { id: 'C0001', name: 'ops' },
    message: { type: 'message', text: 'Approval needed', ts: '1700000000.000100', blocks: [] },
    response_url: 'https://hooks.slack.com/actions/T0001/1/xyz',
    actions: [
      {
        action_id: actionId,
        block_id: 'approval',
        text: { type: 'plain_text', text: 'Approve', emoji: true },
        value,
        style: 'primary',
        type: 'button',
        action_ts: '1700000001.000200',
      },
    ],
  };
}

describe('verifySlackRequest', () => {
  it("accepts Slack's documented example", async () => {
    expect(
      await verifySlackRequest({
        signingSecret: SLACK_DOC_SECRET,
        headers: {
          'x-slack-request-timestamp': SLACK_DOC_TIMESTAMP,
          'x-slack-signature': SLACK_DOC_SIGNATURE,
        },
        rawBody: SLACK_DOC_BODY,
        nowSeconds: Number(SLACK_DOC_TIMESTAMP) + 10,
      }),
    ).toEqual({ ok: true });
  });

  it('accepts a valid request with headers in any case', async () => {
    const body = interactionBody(blockActionsPayload('approve', 'v'));
    const headers = {
      'X-SLACK-REQUEST-TIMESTAMP': String(NOW),
      'x-Slack-Signature': sign(body, NOW),
    };
    expect(
      await verifySlackRequest({ signingSecret: SECRET, headers, rawBody: body, nowSeconds: NOW }),
    ).toEqual({
      ok: true,
    });
  });

  it('rejects a signature made with another secret', async () => {
    const body = 'payload=%7B%7D';
    expect(
      await verifySlackRequest({
        signingSecret: SECRET,
        headers: signedHeaders(body, NOW, 'another-secret'),
        rawBody: body,
        nowSeconds: NOW,
      }),
    ).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it('rejects a tampered body', async () => {
    const body = interactionBody(blockActionsPayload('reject', 'v'));
    const tampered = interactionBody(blockActionsPayload('approve', 'v'));
    expect(
      await verifySlackRequest({
        signingSecret: SECRET,
        headers: signedHeaders(body),
        rawBody: tampered,
        nowSeconds: NOW,
      }),
    ).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it.each([
    ['v0=abc', 'too short'],
    [`v1=${'0'.repeat(64)}`, 'wrong version'],
    [`v0=${'0'.repeat(64)}`, 'same length, wrong digest'],
  ])('rejects signature %s (%s)', async (signature) => {
    expect(
      await verifySlackRequest({
        signingSecret: SECRET,
        headers: { 'x-slack-request-timestamp': String(NOW), 'x-slack-signature': signature },
        rawBody: 'x',
        nowSeconds: NOW,
      }),
    ).toEqual({ ok: false, reason: 'bad-signature' });
  });

  it.each([
    ['6 minutes old', NOW - 360],
    ['6 minutes ahead', NOW + 360],
  ])('rejects a correctly signed request %s as stale', async (_label, timestamp) => {
    const body = 'payload=%7B%7D';
    expect(
      await verifySlackRequest({
        signingSecret: SECRET,
        headers: signedHeaders(body, timestamp),
        rawBody: body,
        nowSeconds: NOW,
      }),
    ).toEqual({ ok: false, reason: 'stale' });
  });

  it('accepts a request exactly 5 minutes old', async () => {
    const body = 'payload=%7B%7D';
    expect(
      await verifySlackRequest({
        signingSecret: SECRET,
        headers: signedHeaders(body, NOW - 300),
        rawBody: body,
        nowSeconds: NOW,
      }),
    ).toEqual({ ok: true });
  });

  it('rejects a non-numeric timestamp as stale', async () => {
    const body = 'x';
    expect(
      await verifySlackRequest({
        signingSecret: SECRET,
        headers: { 'x-slack-request-timestamp': 'now', 'x-slack-signature': sign(body, 'now') },
        rawBody: body,
        nowSeconds: NOW,
      }),
    ).toEqual({ ok: false, reason: 'stale' });
  });

  it.each([
    [{}],
    [{ 'x-slack-signature': 'v0=abc' }],
    [{ 'x-slack-request-timestamp': String(NOW) }],
    [{ 'x-slack-request-timestamp': String(NOW), 'x-slack-signature': undefined }],
    [{ 'x-slack-request-timestamp': '', 'x-slack-signature': 'v0=abc' }],
  ])('rejects missing headers %j', async (headers) => {
    expect(
      await verifySlackRequest({ signingSecret: SECRET, headers, rawBody: 'x', nowSeconds: NOW }),
    ).toEqual({
      ok: false,
      reason: 'missing-headers',
    });
  });

  it('rejects the same request the second time when a replay cache is given', async () => {
    const seen = new InMemoryReplayCache();
    const body = interactionBody(blockActionsPayload('approve', 'v'));
    const request = { signingSecret: SECRET, headers: signedHeaders(body), rawBody: body, seen };
    expect(await verifySlackRequest({ ...request, nowSeconds: NOW })).toEqual({ ok: true });
    expect(await verifySlackRequest({ ...request, nowSeconds: NOW + 5 })).toEqual({
      ok: false,
      reason: 'replayed',
    });
    const other = interactionBody(blockActionsPayload('reject', 'v'));
    expect(
      await verifySlackRequest({
        signingSecret: SECRET,
        headers: signedHeaders(other),
        rawBody: other,
        seen,
        nowSeconds: NOW + 5,
      }),
    ).toEqual({ ok: true });
  });

  it('does not remember forged requests, and forgets signatures once they are stale', async () => {
    const seen = new InMemoryReplayCache();
    const body = 'payload=%7B%7D';
    await verifySlackRequest({
      signingSecret: SECRET,
      headers: signedHeaders(body, NOW, 'wrong'),
      rawBody: body,
      seen,
      nowSeconds: NOW,
    });
    expect(seen.size).toBe(0);
    await verifySlackRequest({
      signingSecret: SECRET,
      headers: signedHeaders(body),
      rawBody: body,
      seen,
      nowSeconds: NOW,
    });
    expect(seen.size).toBe(1);
    const later = 'payload=%7B%22later%22%3A1%7D';
    await verifySlackRequest({
      signingSecret: SECRET,
      headers: signedHeaders(later, NOW + 400),
      rawBody: later,
      seen,
      nowSeconds: NOW + 400,
    });
    expect(seen.size).toBe(1);
  });
});

describe('parseInteractionPayload', () => {
  it('reads a block_actions payload from an approval button', () => {
    const value = JSON.stringify({
      taskToken: 'tok',
      executionArn: 'arn:aws:states:us-east-1:1:execution:m:e',
    });
    expect(parseInteractionPayload(interactionBody(blockActionsPayload('approve', value)))).toEqual({
      userId: 'U0APPROVER',
      actionId: 'approve',
      value,
    });
    expect(parseInteractionPayload(interactionBody(blockActionsPayload('reject', 'x', 'U0OTHER')))).toEqual({
      userId: 'U0OTHER',
      actionId: 'reject',
      value: 'x',
    });
  });

  it.each([
    ['empty body', ''],
    ['no payload field', 'foo=bar'],
    ['payload is not JSON', 'payload=%7Bnot-json'],
    ['garbage', '\u0000\u0001%%%'],
    [
      'another interaction type',
      interactionBody({ ...blockActionsPayload('approve', 'v'), type: 'view_submission' }),
    ],
    ['unknown action', interactionBody(blockActionsPayload('delete_everything', 'v'))],
    ['no actions', interactionBody({ ...blockActionsPayload('approve', 'v'), actions: [] })],
    ['no user', interactionBody({ ...blockActionsPayload('approve', 'v'), user: undefined })],
  ])('returns undefined for %s', (_label, body) => {
    expect(parseInteractionPayload(body)).toBeUndefined();
  });
});

describe('isApprover', () => {
  const approvers = ['U0APPROVER', 'U0SECOND'];

  it('accepts a listed user', () => {
    expect(isApprover('U0APPROVER', approvers)).toBe(true);
    expect(isApprover('U0SECOND', approvers)).toBe(true);
  });

  it('refuses a user not on the list, and everyone when the list is empty', () => {
    expect(isApprover('U0INTRUDER', approvers)).toBe(false);
    expect(isApprover('u0approver', approvers)).toBe(false);
    expect(isApprover('', ['', 'U0APPROVER'])).toBe(false);
    expect(isApprover('U0APPROVER', [])).toBe(false);
  });
});

/**
 * The real slack-interactions handler (middy chain and all) with signed requests. The signing secret
 * is served by the emulator's Secrets Manager; Step Functions' callback API is an SFNClient handed
 * in and mocked with aws-sdk-client-mock.
 */
import { createHmac } from 'node:crypto';
import { CreateSecretCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient, SendTaskFailureCommand, SendTaskSuccessCommand, TaskTimedOut } from '@aws-sdk/client-sfn';
import type { Context } from 'aws-lambda';
import { lambdaContext } from '../support/lambda-context.js';
import { mockClient } from 'aws-sdk-client-mock';
import { encodeApprovalValue } from '../../shared/notify/slack-message.js';
import { createCoordinationTable } from '../support/coordination-table.js';
import { resetEmulator } from '../support/emulator.js';

const SECRET = 'test-signing-secret-5f2a9c0e7d41b3';
const TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAsecret-task-token-9876543210abcdefghijklmnop';
const STATE_MACHINE =
  'arn:aws:states:us-east-1:123456789012:stateMachine:ecs-endpoint-remediator-test-runbook';
const EXECUTION =
  'arn:aws:states:us-east-1:123456789012:execution:ecs-endpoint-remediator-test-runbook:run-7';
const APPROVER = 'U0APPROVER';
const NOW = 1_750_000_000;

type Handler = (event: unknown, context: Context) => Promise<{ statusCode: number; body: string }>;

const context = lambdaContext('slackInteractions', '256');

const sfn = new SFNClient({ region: 'us-east-1' });
const sfnMock = mockClient(sfn);
let handler: Handler;
let now = NOW;

function interaction(action: 'approve' | 'reject', options: { user?: string; executionArn?: string } = {}) {
  const value = encodeApprovalValue({ taskToken: TOKEN, executionArn: options.executionArn ?? EXECUTION });
  return new URLSearchParams({
    payload: JSON.stringify({
      type: 'block_actions',
      user: { id: options.user ?? APPROVER },
      actions: [{ action_id: action, value }],
    }),
  }).toString();
}

function signed(
  body: string,
  options: { secret?: string; timestamp?: number; base64?: boolean; headers?: Record<string, string> } = {},
) {
  const timestamp = String(options.timestamp ?? now);
  const signature = `v0=${createHmac('sha256', options.secret ?? SECRET)
    .update(`v0:${timestamp}:${body}`)
    .digest('hex')}`;
  return {
    version: '2.0',
    routeKey: 'POST /slack/interactions',
    rawPath: '/slack/interactions',
    headers: options.headers ?? {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': timestamp,
      'x-slack-signature': signature,
    },
    body: options.base64 === false ? body : Buffer.from(body).toString('base64'),
    isBase64Encoded: options.base64 !== false,
  };
}

/** Everything Powertools writes while `work` runs. */
async function capture<T>(work: () => Promise<T>): Promise<{ result: T; output: string }> {
  const chunks: string[] = [];
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((s) => s.write.bind(s));
  streams.forEach((stream) => {
    stream.write = ((chunk: string | Uint8Array) => {
      chunks.push(String(chunk));
      return true;
    }) as typeof stream.write;
  });
  try {
    return { result: await work(), output: chunks.join('') };
  } finally {
    streams.forEach((stream, i) => {
      stream.write = originals[i] as typeof stream.write;
    });
  }
}

const sfnCalls = () => sfnMock.calls().length;

let baseEnv: Record<string, string>;
let emulator: string;

beforeAll(async () => {
  const endpoint = await resetEmulator();
  emulator = endpoint;
  const env = {
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL: endpoint,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    POWERTOOLS_TRACE_ENABLED: 'false',
    SLACK_SIGNING_SECRET_NAME: 'remediator-test/slack-signing',
    SLACK_APPROVER_IDS: ` ${APPROVER}, U0OTHER `,
    RUNBOOK_STATE_MACHINE_ARN: STATE_MACHINE,
  };
  baseEnv = env;
  Object.assign(process.env, env);
  const secrets = new SecretsManagerClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  await secrets.send(
    new CreateSecretCommand({
      Name: 'remediator-test/slack-signing',
      SecretString: JSON.stringify({ signingSecret: SECRET }),
    }),
  );
  const { createSlackInteractionsHandler } = await import('../../functions/slack-interactions/handler.js');
  handler = createSlackInteractionsHandler({ env, sfn, nowSeconds: () => now }) as unknown as Handler;
}, 60_000);

afterAll(() => {
  delete process.env.AWS_ENDPOINT_URL;
});

beforeEach(() => {
  sfnMock.reset();
  sfnMock.on(SendTaskSuccessCommand).resolves({});
  sfnMock.on(SendTaskFailureCommand).resolves({});
  now += 1; // each test signs fresh requests
});

describe('slack interactions', () => {
  it('Approve from an approver sends SendTaskSuccess with the token, and nothing secret is logged', async () => {
    const { result, output } = await capture(() => handler(signed(interaction('approve')), context));
    expect(result.statusCode).toBe(200);
    expect(sfnMock.commandCalls(SendTaskSuccessCommand).map((c) => c.args[0].input)).toEqual([
      { taskToken: TOKEN, output: JSON.stringify({ approved: true, by: APPROVER }) },
    ]);
    expect(sfnMock.commandCalls(SendTaskFailureCommand)).toHaveLength(0);
    expect(output).toContain('approval answered');
    expect(output).not.toContain(SECRET);
    expect(output).not.toContain(TOKEN);
  });

  it('Reject sends SendTaskFailure with the error Rejected (unencoded bodies work too)', async () => {
    const result = await handler(signed(interaction('reject'), { base64: false }), context);
    expect(result.statusCode).toBe(200);
    expect(sfnMock.commandCalls(SendTaskFailureCommand).map((c) => c.args[0].input)).toEqual([
      { taskToken: TOKEN, error: 'Rejected', cause: `rejected by Slack user ${APPROVER}` },
    ]);
    expect(sfnMock.commandCalls(SendTaskSuccessCommand)).toHaveLength(0);
  });

  it.each([
    ['signed with another secret', () => signed(interaction('approve'), { secret: 'not-the-secret' })],
    ['stale (six minutes old)', () => signed(interaction('approve'), { timestamp: now - 360 })],
    [
      'unsigned',
      () =>
        signed(interaction('approve'), { headers: { 'content-type': 'application/x-www-form-urlencoded' } }),
    ],
    [
      'tampered after signing',
      () => {
        const request = signed(interaction('reject'), { base64: false });
        return { ...request, body: interaction('approve') };
      },
    ],
  ])('a request %s gets 401 and nothing is sent', async (_, request) => {
    const { result, output } = await capture(() => handler(request(), context));
    expect(result.statusCode).toBe(401);
    expect(sfnCalls()).toBe(0);
    expect(output).not.toContain(SECRET);
    expect(output).not.toContain(TOKEN);
  });

  it('a replayed request gets 401 the second time and is sent once', async () => {
    const request = signed(interaction('approve'));
    expect((await handler(request, context)).statusCode).toBe(200);
    expect((await handler(request, context)).statusCode).toBe(401);
    expect(sfnMock.commandCalls(SendTaskSuccessCommand)).toHaveLength(1);
  });

  it('a replay reaching another container is refused too: the replay cache is the coordination table', async () => {
    const table = await createCoordinationTable(emulator);
    const { createSlackInteractionsHandler } = await import('../../functions/slack-interactions/handler.js');
    const env = { ...baseEnv, COORDINATION_TABLE_NAME: table.tableName, STACK_ACCOUNT_ID: table.accountId };
    const containers = [1, 2].map(
      () => createSlackInteractionsHandler({ env, sfn, nowSeconds: () => now }) as unknown as Handler,
    );
    const request = signed(interaction('approve'));
    const statuses = [
      (await containers[0]!(request, context)).statusCode,
      (await containers[1]!(request, context)).statusCode,
    ];
    expect({ statuses, sent: sfnMock.commandCalls(SendTaskSuccessCommand).length }).toEqual({
      statuses: [200, 401],
      sent: 1,
    });
  });

  it('a signed click from someone who is not an approver gets 403 and nothing is sent', async () => {
    const { result, output } = await capture(() =>
      handler(signed(interaction('approve', { user: 'U0INTRUDER' })), context),
    );
    expect(result.statusCode).toBe(403);
    expect(sfnCalls()).toBe(0);
    expect(output).toContain('U0INTRUDER');
    expect(output).not.toContain(TOKEN);
  });

  it('a button naming an execution of another state machine gets 400 and nothing is sent', async () => {
    const other = 'arn:aws:states:us-east-1:123456789012:execution:someone-elses-machine:run-1';
    const result = await handler(signed(interaction('approve', { executionArn: other })), context);
    expect(result.statusCode).toBe(400);
    expect(sfnCalls()).toBe(0);
  });

  it('an answer after the execution stopped waiting is 200 "no longer pending", without leaking the token', async () => {
    sfnMock
      .on(SendTaskSuccessCommand)
      .rejects(new TaskTimedOut({ message: `Task Timed Out: '${TOKEN}'`, $metadata: {} }));
    const { result, output } = await capture(() => handler(signed(interaction('approve')), context));
    expect(result.statusCode).toBe(200);
    expect(result.body).toContain('no longer pending');
    expect(output).not.toContain(TOKEN);
  });
});

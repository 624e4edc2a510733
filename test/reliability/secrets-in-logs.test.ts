/**
 * Secrets never reach a log line. Every path that touches the Slack webhook URL (a credential: anyone
 * holding it can post) or the Slack signing secret runs here with its logger sink and the process's
 * stdout/stderr captured — the notifier (delivered, rejected with the URL echoed back, rate-limited,
 * network failure quoting the URL, unreadable secret), the real reconcile Lambda handler reading the
 * webhook from Secrets Manager on the emulator, and the Slack interactions handler verifying
 * signatures with the signing secret — and no captured line may contain either secret (whole, or the
 * webhook's secret path segment, or URL-encoded).
 *
 * A global scan of every test's output would need a jest reporter or setup file, i.e. a change to
 * jest.config.js (or extra CLI flags `npm test` does not pass): not done here; this file scans what
 * the paths that hold the secrets print.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { CreateSecretCommand, PutSecretValueCommand } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SFNClient, SendTaskFailureCommand, SendTaskSuccessCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import type { Context } from 'aws-lambda';
import { createAwsClients, type AwsClients } from '../../shared/aws/clients.js';
import { SlackNotifier, webhookUrlFromSecretsManager } from '../../shared/notify/slack-notifier.js';
import { verifySlackRequest } from '../../shared/notify/slack-signature.js';
import {
  createVpc,
  createPrivateSubnets,
  createCluster,
  launchContainerInstance,
  availabilityZones,
} from '../../scripts/seed/builders.js';
import { resetEmulator } from '../support/emulator.js';
import { startRecordingServer, type RecordingServer } from '../support/local-http-server.js';

const WEBHOOK_TOKEN = 'XsEcReTwEbHoOkToKeN0123456789';
const SIGNING_SECRET = 'sIgNiNgSeCrEt0123456789abcdef0123';
const WEBHOOK_SECRET_NAME = 'ecs-endpoint-remediator/slack';
const SIGNING_SECRET_NAME = 'ecs-endpoint-remediator/slack-signing';

let server: RecordingServer;
let endpointUrl: string;
let clients: AwsClients;
let webhookUrl: string;
const captured: string[] = [];
let restore: () => void = () => undefined;

/** Every form a secret could leak in. */
function needles(): string[] {
  return [
    webhookUrl,
    encodeURIComponent(webhookUrl),
    WEBHOOK_TOKEN,
    SIGNING_SECRET,
    Buffer.from(SIGNING_SECRET).toString('base64'),
  ];
}

function captureProcessOutput(): () => void {
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((s) => s.write.bind(s));
  streams.forEach((stream) => {
    // Captured, not passed on: the handlers log whole reports, which would bury jest's own output.
    stream.write = ((chunk: string | Uint8Array) => {
      captured.push(String(chunk));
      return true;
    }) as typeof stream.write;
  });
  return () =>
    streams.forEach((stream, i) => {
      stream.write = originals[i] as typeof stream.write;
    });
}

/** A logger sink that records (as JSON) what the notifier and handlers log. */
const sink = {
  info: (message: string, extra?: object) => captured.push(JSON.stringify({ message, ...extra })),
  warn: (message: string, extra?: object) => captured.push(JSON.stringify({ message, ...extra })),
  error: (message: string, extra?: object) => captured.push(JSON.stringify({ message, ...extra })),
};

const message = { text: 'drift', blocks: [] } as unknown as Parameters<SlackNotifier['post']>[0];

beforeAll(async () => {
  endpointUrl = await resetEmulator();
  clients = createAwsClients({ region: 'us-east-1', endpointUrl });
  // Slack answers errors with the URL echoed back (worst case for the redactor).
  server = await startRecordingServer([]);
  webhookUrl = `${server.url}/services/T0000/B0000/${WEBHOOK_TOKEN}`;
  await clients.secretsManager.send(
    new CreateSecretCommand({ Name: WEBHOOK_SECRET_NAME, SecretString: JSON.stringify({ webhookUrl }) }),
  );
  await clients.secretsManager.send(
    new CreateSecretCommand({ Name: SIGNING_SECRET_NAME, SecretString: SIGNING_SECRET }),
  );
  restore = captureProcessOutput();
});

afterAll(async () => {
  restore();
  await server?.close();
});

describe('the webhook URL', () => {
  const provider = () =>
    new SecretsProvider({
      awsSdkV3Client: createAwsClients({ region: 'us-east-1', endpointUrl }).secretsManager,
    });

  it.each([
    ['delivered', { status: 200, body: 'ok' }],
    ['rejected, URL echoed in the body', { status: 400, body: `invalid_payload for ${'URL'}` }],
    ['server error echoing the URL', { status: 500, body: 'URL' }],
  ])('is never logged when the post is %s', async (_, response) => {
    const scripted = await startRecordingServer([
      { status: 429, headers: { 'retry-after': '0' }, body: 'slow down URL' },
      response,
    ]);
    try {
      const url = `${scripted.url}/services/T0000/B0000/${WEBHOOK_TOKEN}`;
      const notifier = new SlackNotifier({
        webhookUrl: async () => url,
        logger: sink,
        sleep: async () => undefined,
        fetch: async (input, init) => {
          const real = await fetch(input, init);
          const text = (await real.text()).replaceAll('URL', url);
          return new Response(text, { status: real.status, headers: real.headers });
        },
      });
      const result = await notifier.post(message);
      expect(result.attempts).toBe(2);
      expect(scripted.requests.length).toBe(2);
    } finally {
      await scripted.close();
    }
  });

  it('is never logged when the request fails with an error quoting the URL', async () => {
    const notifier = new SlackNotifier({
      webhookUrl: webhookUrlFromSecretsManager(WEBHOOK_SECRET_NAME, { provider: provider() }),
      logger: sink,
      fetch: async (input) => {
        throw new TypeError(`fetch failed: connect ECONNREFUSED for ${String(input)}`, {
          cause: new Error(`socket hang up ${String(input)}`),
        });
      },
    });
    expect(await notifier.post(message)).toMatchObject({ delivered: false });
  });

  it('is never logged when the secret itself is malformed (its value is not quoted)', async () => {
    await clients.secretsManager.send(
      new PutSecretValueCommand({
        SecretId: WEBHOOK_SECRET_NAME,
        SecretString: `{"webhookUrl": "${webhookUrl}"`,
      }),
    );
    const notifier = new SlackNotifier({
      webhookUrl: webhookUrlFromSecretsManager(WEBHOOK_SECRET_NAME, { provider: provider(), maxAge: 0 }),
      logger: sink,
    });
    expect(await notifier.post(message)).toEqual({ delivered: false, attempts: 0 });
    await clients.secretsManager.send(
      new PutSecretValueCommand({
        SecretId: WEBHOOK_SECRET_NAME,
        SecretString: JSON.stringify({ webhookUrl }),
      }),
    );
  });

  it('is never logged by the real reconcile handler, which reads it from Secrets Manager and posts drift', async () => {
    const azs = availabilityZones('us-east-1');
    const vpcId = await createVpc(clients.ec2, {
      cidr: '10.77.0.0/16',
      name: 'secrets',
      tags: { 'ecs-endpoint-remediator:mode': 'audit' },
    });
    const [subnet] = await createPrivateSubnets(clients.ec2, {
      vpcId,
      cidrs: ['10.77.1.0/24'],
      availabilityZones: azs,
      namePrefix: 'secrets',
    });
    const clusterArn = await createCluster(clients.ecs, 'secrets');
    if (subnet) await launchContainerInstance(clients, { clusterArn, subnet, name: 'secrets' });
    Object.assign(process.env, {
      AWS_REGION: 'us-east-1',
      AWS_ENDPOINT_URL: endpointUrl,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      AWS_MAX_ATTEMPTS: '1',
      POWERTOOLS_TRACE_ENABLED: 'false',
      POWERTOOLS_DEV: 'true',
      POWERTOOLS_LOG_LEVEL: 'DEBUG',
      SLACK_SECRET_NAME: WEBHOOK_SECRET_NAME,
      UPDATE_OLD_AGENTS: 'false',
    });
    const { handler } = (await import('../../functions/reconcile/handler.js')) as {
      handler: (event: unknown, context: Context) => Promise<{ batchItemFailures: unknown[] }>;
    };
    const sweep = JSON.parse(
      readFileSync(new URL('../../events/sweep-request.json', import.meta.url), 'utf8'),
    ) as object;
    const record = JSON.parse(
      readFileSync(new URL('../../events/sqs-batch.json', import.meta.url), 'utf8'),
    ) as {
      Records: Record<string, unknown>[];
    };
    const before = server.requests.length;
    const result = await handler(
      { Records: [{ ...record.Records[0], messageId: 'secrets-1', body: JSON.stringify(sweep) }] },
      {
        functionName: 'reconcile',
        awsRequestId: 'req-secrets',
        invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:reconcile',
        getRemainingTimeInMillis: () => 60000,
      } as unknown as Context,
    );
    expect(result.batchItemFailures).toEqual([]);
    // The handler did read the secret and post to the webhook (the recording server answered 200).
    expect(server.requests.length).toBeGreaterThan(before);
    expect(server.requests.at(-1)?.path).toContain(WEBHOOK_TOKEN);
    for (const key of [
      'AWS_ENDPOINT_URL',
      'AWS_MAX_ATTEMPTS',
      'POWERTOOLS_DEV',
      'POWERTOOLS_LOG_LEVEL',
      'SLACK_SECRET_NAME',
      'UPDATE_OLD_AGENTS',
    ])
      delete process.env[key];
  });
});

describe('the signing secret', () => {
  const sign = (timestamp: string, body: string, secret = SIGNING_SECRET) =>
    `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;

  it('is never in a verification result', async () => {
    const now = 1_800_000_000;
    const body = 'payload=%7B%7D';
    const results = await Promise.all([
      verifySlackRequest({ signingSecret: SIGNING_SECRET, headers: {}, rawBody: body, nowSeconds: now }),
      verifySlackRequest({
        signingSecret: SIGNING_SECRET,
        headers: {
          'X-Slack-Request-Timestamp': String(now),
          'X-Slack-Signature': sign(String(now), body, 'wrong'),
        },
        rawBody: body,
        nowSeconds: now,
      }),
      verifySlackRequest({
        signingSecret: SIGNING_SECRET,
        headers: { 'X-Slack-Request-Timestamp': String(now), 'X-Slack-Signature': sign(String(now), body) },
        rawBody: body,
        nowSeconds: now,
      }),
    ]);
    expect(results.map((r) => r.ok)).toEqual([false, false, true]);
    sink.info('verification results', { results });
  });

  it('is never logged by the Slack interactions handler reading it from Secrets Manager', async () => {
    // The SDK takes the emulator from the environment. The module's own handler is built from
    // process.env when it is imported, so that environment must be complete too.
    Object.assign(process.env, {
      SLACK_SIGNING_SECRET_NAME: SIGNING_SECRET_NAME,
      RUNBOOK_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:runbook',
      AWS_ENDPOINT_URL: endpointUrl,
    });
    const sfn = new SFNClient({ region: 'us-east-1' });
    const sfnMock = mockClient(sfn);
    sfnMock.on(SendTaskSuccessCommand).resolves({});
    sfnMock.on(SendTaskFailureCommand).resolves({});
    const { createSlackInteractionsHandler } =
      (await import('../../functions/slack-interactions/handler.js')) as {
        createSlackInteractionsHandler: (
          options: object,
        ) => (event: unknown, context: Context) => Promise<{ statusCode: number }>;
      };
    const now = 1_800_000_000;
    const handler = createSlackInteractionsHandler({
      env: {
        AWS_REGION: 'us-east-1',
        AWS_ENDPOINT_URL: endpointUrl,
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        SLACK_SIGNING_SECRET_NAME: SIGNING_SECRET_NAME,
        SLACK_APPROVER_IDS: 'U123',
        RUNBOOK_STATE_MACHINE_ARN: 'arn:aws:states:us-east-1:123456789012:stateMachine:runbook',
      },
      sfn,
      nowSeconds: () => now,
    });
    const body = `payload=${encodeURIComponent(
      JSON.stringify({
        type: 'block_actions',
        user: { id: 'U123' },
        actions: [{ action_id: 'approve', value: 'token' }],
      }),
    )}`;
    const event = (signature: string, timestamp = String(now)) => ({
      headers: { 'x-slack-request-timestamp': timestamp, 'x-slack-signature': signature },
      body,
      isBase64Encoded: false,
      requestContext: { http: { method: 'POST' } },
    });
    const context = {
      functionName: 'slack',
      awsRequestId: 'r',
      getRemainingTimeInMillis: () => 1000,
    } as unknown as Context;
    const statuses = [
      (await handler(event(sign(String(now), body, 'forged')), context)).statusCode,
      (await handler(event(sign(String(now - 10_000), body), String(now - 10_000)), context)).statusCode,
      (await handler(event(sign(String(now), body)), context)).statusCode,
    ];
    // Forged and stale are refused as unauthenticated; the genuine one passes the signature check
    // and is then refused for its content (its value names no execution of this runbook).
    expect(statuses).toEqual([401, 401, 400]);
    delete process.env.SLACK_SIGNING_SECRET_NAME;
    delete process.env.RUNBOOK_STATE_MACHINE_ARN;
    delete process.env.AWS_ENDPOINT_URL;
  });
});

describe('every captured line', () => {
  it('was captured (the capture works) and contains neither secret in any form', () => {
    const text = captured.join('\n');
    expect(captured.length).toBeGreaterThan(10);
    expect(text).toContain('Slack rejected the message');
    expect(text).toContain('[redacted-webhook-url]');
    const leaks = needles().filter((needle) => text.includes(needle));
    expect(leaks).toEqual([]);
  });
});

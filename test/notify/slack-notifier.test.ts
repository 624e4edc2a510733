import {
  CreateSecretCommand,
  PutSecretValueCommand,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import type { Plan } from '../../shared/core/domain.js';
import { buildDriftMessage } from '../../shared/notify/slack-message.js';
import type { SlackMessage } from '../../shared/notify/slack-message.js';
import {
  MAX_RETRY_AFTER_MS,
  SlackNotifier,
  parseWebhookSecret,
  redactor,
  retryAfterMs,
  webhookUrlFromSecretsManager,
} from '../../shared/notify/slack-notifier.js';
import type { NotifierLogger } from '../../shared/notify/slack-notifier.js';
import { resetEmulator } from '../support/emulator.js';
import { startRecordingServer } from '../support/local-http-server.js';
import type { RecordingServer } from '../support/local-http-server.js';

const SECRET_PATH = '/services/T000/B000/SECRETxyz';
const HOSTILE_TAG = '<!channel> <https://evil|click>';

interface LogCall {
  readonly level: 'info' | 'warn' | 'error';
  readonly message: string;
  readonly extra?: object;
}

function recordingLogger(): { logger: NotifierLogger; calls: LogCall[] } {
  const calls: LogCall[] = [];
  const record = (level: LogCall['level']) => (message: string, extra?: object) => {
    calls.push({ level, message, extra });
  };
  return { logger: { info: record('info'), warn: record('warn'), error: record('error') }, calls };
}

/** The webhook URL (or its secret path) must not be in any log call. */
function expectNoSecretLogged(calls: readonly LogCall[], url: string): void {
  expect(calls.length).toBeGreaterThan(0);
  for (const call of calls) {
    const serialised = JSON.stringify(call);
    expect(serialised).not.toContain(url);
    expect(serialised).not.toContain('SECRETxyz');
    expect(serialised).not.toContain('T000/B000');
  }
}

function driftMessage(): SlackMessage {
  const plan: Plan = {
    region: 'us-east-1',
    estimatedMonthlyCostUsd: 0,
    warnings: [],
    vpcs: [
      {
        vpcId: 'vpc-1',
        mode: 'audit',
        estimatedMonthlyCostUsd: 0,
        actions: [],
        findings: [
          {
            code: 'ENDPOINT_SG_BLOCKS_HTTPS',
            severity: 'high',
            vpcId: 'vpc-1',
            resourceId: 'sg-1',
            message: `security group tagged Owner=${HOSTILE_TAG} allows no 443`,
          },
        ],
      },
    ],
  };
  return buildDriftMessage({ plan, report: undefined });
}

describe('SlackNotifier against a local HTTP server', () => {
  let server: RecordingServer | undefined;

  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  it('posts the Block Kit message as JSON with AWS text escaped', async () => {
    server = await startRecordingServer([]);
    const url = `${server.url}${SECRET_PATH}`;
    const { logger, calls } = recordingLogger();
    const notifier = new SlackNotifier({ webhookUrl: async () => url, logger });

    const result = await notifier.post(driftMessage());

    expect(result).toEqual({ delivered: true, attempts: 1, status: 200 });
    expect(server.requests).toHaveLength(1);
    const [request] = server.requests;
    expect(request?.method).toBe('POST');
    expect(request?.path).toBe(SECRET_PATH);
    expect(request?.headers['content-type']).toMatch(/^application\/json/);
    const body = JSON.parse(request?.body ?? '{}') as SlackMessage;
    expect(typeof body.text).toBe('string');
    expect(body.blocks[0]?.type).toBe('header');
    const sections = body.blocks.flatMap((block) => (block.type === 'section' ? [block.text.text] : []));
    expect(sections.join('\n')).toContain('Owner=&lt;!channel&gt; &lt;https://evil|click&gt;');
    expect(request?.body).not.toContain('<!channel>');
    expect(request?.body).not.toContain('<https://evil');
    expectNoSecretLogged(calls, url);
  });

  it('waits for Retry-After on 429 and delivers on the second attempt', async () => {
    server = await startRecordingServer([
      { status: 429, headers: { 'Retry-After': '1' }, body: 'rate_limited' },
    ]);
    const url = `${server.url}${SECRET_PATH}`;
    const { logger, calls } = recordingLogger();
    const sleeps: number[] = [];
    const notifier = new SlackNotifier({
      webhookUrl: async () => url,
      logger,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });

    const result = await notifier.post(driftMessage());

    expect(result).toEqual({ delivered: true, attempts: 2, status: 200 });
    expect(sleeps).toEqual([1000]);
    expect(server.requests).toHaveLength(2);
    expect(server.requests[1]?.body).toBe(server.requests[0]?.body);
    expect(calls).toContainEqual(expect.objectContaining({ level: 'warn' }));
    expectNoSecretLogged(calls, url);
  });

  it('gives up after maxAttempts of 429 and caps a long Retry-After', async () => {
    const limited = { status: 429, headers: { 'Retry-After': '120' }, body: 'rate_limited' };
    server = await startRecordingServer([limited, limited, limited, limited]);
    const url = `${server.url}${SECRET_PATH}`;
    const { logger, calls } = recordingLogger();
    const sleeps: number[] = [];
    const notifier = new SlackNotifier({
      webhookUrl: async () => url,
      logger,
      maxAttempts: 3,
      sleep: async (ms) => {
        sleeps.push(ms);
      },
    });

    const result = await notifier.post(driftMessage());

    expect(result).toEqual({ delivered: false, attempts: 3, status: 429 });
    expect(sleeps).toEqual([MAX_RETRY_AFTER_MS, MAX_RETRY_AFTER_MS]);
    expect(server.requests).toHaveLength(3);
    expectNoSecretLogged(calls, url);
  });

  it('reports a 500 as not delivered without throwing or retrying, and redacts the response', async () => {
    server = await startRecordingServer([{ status: 500, body: `internal error posting to ${SECRET_PATH}` }]);
    const url = `${server.url}${SECRET_PATH}`;
    const { logger, calls } = recordingLogger();
    const sleeps: number[] = [];
    const notifier = new SlackNotifier({
      webhookUrl: async () => url,
      logger,
      sleep: async (ms) => void sleeps.push(ms),
    });

    const result = await notifier.post(driftMessage());

    expect(result).toEqual({ delivered: false, attempts: 1, status: 500 });
    expect(sleeps).toEqual([]);
    expect(server.requests).toHaveLength(1);
    const errors = calls.filter((call) => call.level === 'error');
    expect(errors).toHaveLength(1);
    expect(JSON.stringify(errors[0])).toContain('internal error posting to [redacted-webhook-url]');
    expectNoSecretLogged(calls, url);
  });

  it('reports a refused connection as not delivered', async () => {
    server = await startRecordingServer([]);
    const url = `${server.url}${SECRET_PATH}`;
    await server.close();
    const { logger, calls } = recordingLogger();
    const notifier = new SlackNotifier({ webhookUrl: async () => url, logger });

    const result = await notifier.post(driftMessage());

    expect(result).toEqual({ delivered: false, attempts: 1 });
    expect(JSON.stringify(calls)).toContain('ECONNREFUSED');
    expectNoSecretLogged(calls, url);
  });

  it('redacts the URL from fetch errors that quote it', async () => {
    const url = `http://[not-an-ipv6${SECRET_PATH}`;
    const { logger, calls } = recordingLogger();
    const notifier = new SlackNotifier({ webhookUrl: async () => url, logger });

    const result = await notifier.post(driftMessage());

    expect(result).toEqual({ delivered: false, attempts: 1 });
    expect(JSON.stringify(calls)).toContain('[redacted-webhook-url]');
    expectNoSecretLogged(calls, url);
  });

  it('reports an unreadable webhook secret as not delivered without logging the error text', async () => {
    const { logger, calls } = recordingLogger();
    let fetched = false;
    const notifier = new SlackNotifier({
      webhookUrl: async () => {
        throw new Error(`cannot parse https://hooks.slack.com${SECRET_PATH}`);
      },
      fetch: async () => {
        fetched = true;
        return new Response('ok');
      },
      logger,
    });

    await expect(notifier.post(driftMessage())).resolves.toEqual({ delivered: false, attempts: 0 });
    expect(fetched).toBe(false);
    expectNoSecretLogged(calls, `https://hooks.slack.com${SECRET_PATH}`);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2026-11-28T10:00:00Z');

  it.each([
    ['1', 1000],
    ['2.5', 2500],
    ['0', 0],
    ['120', MAX_RETRY_AFTER_MS],
    ['Sat, 28 Nov 2026 10:00:05 GMT', 5000],
    ['Sat, 28 Nov 2026 09:00:00 GMT', 0],
    ['soon', 1000],
    [null, 1000],
  ])('Retry-After %p waits %p ms', (header, expected) => {
    expect(retryAfterMs(header, now)).toBe(expected);
  });
});

describe('redactor', () => {
  it('removes the URL in every form it may take', () => {
    const url = `https://hooks.slack.com${SECRET_PATH}`;
    const redact = redactor(url);
    const out = redact(
      `a ${url} b ${encodeURIComponent(url)} c ${SECRET_PATH} d SECRETxyz e hooks.slack.com/services/OTHER/ONE`,
    );
    expect(out).not.toContain('SECRETxyz');
    expect(out).not.toContain('OTHER/ONE');
    expect(out).not.toContain('T000');
    expect(out.match(/\[redacted-webhook-url\]/g)?.length).toBe(5);
  });
});

describe('webhook URL from Secrets Manager', () => {
  it.each([
    ['https://hooks.slack.com/services/T1/B1/abc', 'https://hooks.slack.com/services/T1/B1/abc'],
    ['  https://hooks.slack.com/services/T1/B1/abc\n', 'https://hooks.slack.com/services/T1/B1/abc'],
    [
      '{"webhookUrl":"https://hooks.slack.com/services/T1/B1/abc"}',
      'https://hooks.slack.com/services/T1/B1/abc',
    ],
    [
      new TextEncoder().encode('https://hooks.slack.com/services/T1/B1/bin'),
      'https://hooks.slack.com/services/T1/B1/bin',
    ],
  ])('reads %p', (raw, expected) => {
    expect(parseWebhookSecret('slack', raw)).toBe(expected);
  });

  it.each([
    ['not a url SECRETxyz'],
    ['{"url":"https://hooks.slack.com/SECRETxyz"}'],
    ['{"webhookUrl": SECRETxyz'],
    ['ftp://hooks.slack.com/SECRETxyz'],
    [undefined],
  ])('rejects %p without quoting the value', (raw) => {
    expect(() => parseWebhookSecret('slack', raw)).toThrow(/secret slack/);
    try {
      parseWebhookSecret('slack', raw);
    } catch (error) {
      expect(String(error)).not.toContain('SECRETxyz');
    }
  });

  it('reads the secret through Powertools from the emulator and caches it', async () => {
    const endpoint = await resetEmulator();
    const client = new SecretsManagerClient({
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      maxAttempts: 1,
    });
    await client.send(
      new CreateSecretCommand({
        Name: 'remediator/slack',
        SecretString: JSON.stringify({ webhookUrl: 'https://hooks.slack.com/services/T1/B1/first' }),
      }),
    );
    const provider = new SecretsProvider({ awsSdkV3Client: client });
    const webhookUrl = webhookUrlFromSecretsManager('remediator/slack', { provider, maxAge: 300 });

    await expect(webhookUrl()).resolves.toBe('https://hooks.slack.com/services/T1/B1/first');
    await client.send(
      new PutSecretValueCommand({
        SecretId: 'remediator/slack',
        SecretString: 'https://hooks.slack.com/services/T1/B1/second',
      }),
    );
    await expect(webhookUrl()).resolves.toBe('https://hooks.slack.com/services/T1/B1/first');

    const fresh = webhookUrlFromSecretsManager('remediator/slack', {
      provider: new SecretsProvider({ awsSdkV3Client: client }),
    });
    await expect(fresh()).resolves.toBe('https://hooks.slack.com/services/T1/B1/second');
  });
});

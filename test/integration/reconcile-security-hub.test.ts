/**
 * The deployment switch: the real reconcile handler with SECURITY_HUB_EXPORT=true (the stack's
 * SecurityHubExport parameter) writes each reconcile's findings to Security Hub, scoped to the VPCs
 * the events named; an export that fails is logged and counted and never fails the reconcile.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  DisableSecurityHubCommand,
  EnableSecurityHubCommand,
  GetFindingsCommand,
  type AwsSecurityFinding,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import type { Context } from 'aws-lambda';
import { lambdaContext } from '../support/lambda-context.js';
import { createAwsClients, createSecurityHubClient } from '../../shared/aws/clients.js';
import { seedDemoAccount, type DemoAccount } from '../../scripts/seed/demo-account.js';
import { resetEmulator } from '../support/emulator.js';
import { useEmulatorForHandlers } from '../support/handler-env.js';

const EVENTS = resolve(import.meta.dirname, '../../events');
const SELF_ROLE = 'arn:aws:iam::123456789012:role/ecs-endpoint-remediator-test-us-east-1-reconcile';

type Handler = (
  event: unknown,
  context: Context,
) => Promise<{ batchItemFailures?: { itemIdentifier: string }[] }>;

const sample = (name: string): Record<string, unknown> =>
  JSON.parse(readFileSync(resolve(EVENTS, name), 'utf8')) as Record<string, unknown>;
const recordTemplate = (sample('sqs-batch.json') as { Records: Record<string, unknown>[] }).Records[0];

function sqsEventFor(vpcId: string, id: string) {
  const event = structuredClone(sample('ec2-modify-vpc-attribute.json')) as {
    id: string;
    detail: { requestParameters: { vpcId: string }; eventID?: string };
  };
  event.id = id;
  event.detail.eventID = `ct-${id}`;
  event.detail.requestParameters.vpcId = vpcId;
  return { Records: [{ ...recordTemplate, messageId: `m-${id}`, body: JSON.stringify(event) }] };
}

/** What Powertools writes (JSON lines): logs and EMF metrics. */
async function captured(run: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const lines: Record<string, unknown>[] = [];
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write.bind(stream));
  streams.forEach((stream, i) => {
    stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      for (const line of String(chunk).split('\n')) {
        try {
          if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // not a JSON line
        }
      }
      return (originals[i] as (c: string | Uint8Array, ...r: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write;
  });
  try {
    await run();
  } finally {
    streams.forEach((stream, i) => {
      stream.write = originals[i] as typeof stream.write;
    });
  }
  return lines;
}

let account: DemoAccount;
let reconcile: Handler;
let hub: SecurityHubClient;

async function stored(): Promise<AwsSecurityFinding[]> {
  return (await hub.send(new GetFindingsCommand({ MaxResults: 100 }))).Findings ?? [];
}

const ENV_KEYS = [
  'AWS_ENDPOINT_URL',
  'AWS_MAX_ATTEMPTS',
  'SELF_ROLE_ARNS',
  'UPDATE_OLD_AGENTS',
  'SECURITY_HUB_EXPORT',
];

beforeAll(async () => {
  const endpoint = await resetEmulator();
  useEmulatorForHandlers(endpoint, {
    SELF_ROLE_ARNS: SELF_ROLE,
    SECURITY_HUB_EXPORT: 'true',
    STACK_ACCOUNT_ID: '123456789012',
  });
  account = await seedDemoAccount(createAwsClients({ region: 'us-east-1', endpointUrl: endpoint }));
  hub = createSecurityHubClient({ region: 'us-east-1', endpointUrl: endpoint });
  await hub.send(new EnableSecurityHubCommand({}));
  reconcile = ((await import('../../functions/reconcile/handler.js')) as { handler: Handler }).handler;
}, 120_000);

afterAll(() => {
  for (const key of [...ENV_KEYS, 'STACK_ACCOUNT_ID']) delete process.env[key];
});

describe('reconcile with SECURITY_HUB_EXPORT=true', () => {
  it('writes the findings of the VPC the event named, and only those, then sends nothing more', async () => {
    const analytics = account.vpcIds.analytics;
    const lines = await captured(() => reconcile(sqsEventFor(analytics, 'e-1'), lambdaContext('reconcile')));
    const findings = await stored();
    expect(findings.length).toBeGreaterThan(0);
    expect(findings.every((f) => f.Id?.includes(`/${analytics}/`))).toBe(true);
    const summary = lines.find((l) => String(l.message).startsWith('Security Hub:'));
    expect(summary?.message).toBe(
      `Security Hub: imported ${findings.length}, updated 0, resolved 0, failed 0`,
    );
    const emf = lines.find((l) => '_aws' in l);
    expect(emf?.SecurityHubImported).toBe(findings.length);

    const again = await captured(() => reconcile(sqsEventFor(analytics, 'e-2'), lambdaContext('reconcile')));
    expect(again.find((l) => String(l.message).startsWith('Security Hub:'))?.message).toBe(
      `Security Hub: imported 0, updated 0, resolved 0, failed 0 (${findings.length} unchanged, not sent)`,
    );
    expect((await stored()).length).toBe(findings.length);
  });

  it('an export that fails is logged and counted; the reconcile still succeeds', async () => {
    await hub.send(new DisableSecurityHubCommand({}));
    let result: { batchItemFailures?: unknown[] } | undefined;
    const lines = await captured(async () => {
      result = await reconcile(sqsEventFor(account.vpcIds.batch, 'e-3'), lambdaContext('reconcile'));
    });
    expect(result?.batchItemFailures).toEqual([]);
    const failure = lines.find(
      (l) => l.message === 'Security Hub export failed; the remediation is unaffected',
    );
    expect(failure).toMatchObject({ level: 'ERROR', accountId: '123456789012', region: 'us-east-1' });
    expect(String(failure?.error)).toMatch(/InvalidAccessException|not subscribed/);
    expect(lines.find((l) => '_aws' in l)?.SecurityHubExportErrors).toBe(1);
    expect(lines.find((l) => l.message === 'reconciled')).toBeDefined();
  });
});

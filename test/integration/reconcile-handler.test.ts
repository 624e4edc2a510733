/**
 * The real reconcile and sweep handlers (middy chain and all), invoked in-process with real-shaped
 * events from events/ and AWS clients on the emulator (the SDK honours AWS_ENDPOINT_URL).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  DeleteVpcEndpointsCommand,
  DescribeVpcEndpointsCommand,
  EC2Client,
  type VpcEndpoint,
} from '@aws-sdk/client-ec2';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { lambdaContext } from '../support/lambda-context.js';
import { main } from '../../functions/cli/main.js';
import { createAwsClients } from '../../shared/aws/clients.js';
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

function sqsEvent(bodies: readonly (string | object)[]) {
  return {
    Records: bodies.map((body, i) => ({
      ...recordTemplate,
      messageId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      body: typeof body === 'string' ? body : JSON.stringify(body),
    })),
  };
}

const context = lambdaContext;

/** A DeleteVpcEndpoints event as CloudTrail records it, naming `endpointId`. */
function deleteEvent(endpointId: string, id = 'e47e1b90-2f3a-4d5e-b6c7-8d9e0f1a2b3c', roleArn?: string) {
  const event = structuredClone(sample('ec2-delete-vpc-endpoints.json')) as {
    id: string;
    detail: {
      requestParameters: { DeleteVpcEndpointsRequest: { VpcEndpointId: unknown } };
      userIdentity: { sessionContext: { sessionIssuer: { arn: string } }; arn: string };
    };
  };
  event.id = id;
  (event.detail as Record<string, unknown>).eventID = `ct-${id}`;
  event.detail.requestParameters.DeleteVpcEndpointsRequest.VpcEndpointId = [{ tag: 1, content: endpointId }];
  if (roleArn) {
    event.detail.userIdentity.sessionContext.sessionIssuer.arn = roleArn;
    event.detail.userIdentity.arn =
      roleArn.replace(':iam::', ':sts::').replace(':role/', ':assumed-role/') + '/session';
  }
  return event;
}

/** Captures what Powertools writes (JSON log lines on stdout/stderr and EMF metrics on stdout). */
function captureStdout() {
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
  return {
    lines,
    restore: () =>
      streams.forEach((stream, i) => {
        stream.write = originals[i] as typeof stream.write;
      }),
  };
}

let account: DemoAccount;
let ec2: EC2Client;
let reconcile: Handler;
let sweep: Handler;
let endpoint: string;
let sqs: SQSClient;
let queueUrl: string;

async function live(vpcId: string): Promise<VpcEndpoint[]> {
  const { VpcEndpoints = [] } = await ec2.send(
    new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }),
  );
  return VpcEndpoints.filter((e) => !['deleted', 'deleting'].includes(String(e.State).toLowerCase()));
}

async function liveFor(vpcId: string, service: string): Promise<VpcEndpoint | undefined> {
  return (await live(vpcId)).find((e) => e.ServiceName === `com.amazonaws.us-east-1.${service}`);
}

beforeAll(async () => {
  endpoint = await resetEmulator();
  useEmulatorForHandlers(endpoint, {
    SELF_ROLE_ARNS: SELF_ROLE,
    MAX_CHANGES: '40',
  });
  const clients = createAwsClients({ region: 'us-east-1', endpointUrl: endpoint });
  ec2 = clients.ec2;
  account = await seedDemoAccount(clients);
  // Start from a converged enforce VPC: what the tool would have left behind.
  const code = await main(['apply', '--yes', '--json', '--region', 'us-east-1', '--endpoint-url', endpoint], {
    stdout: () => undefined,
    stderr: () => undefined,
    env: { UPDATE_OLD_AGENTS: 'false' },
    interactive: false,
    confirm: async () => false,
  });
  expect(code).toBe(0);
  sqs = new SQSClient({ region: 'us-east-1', endpoint, maxAttempts: 1 });
  queueUrl = (await sqs.send(new CreateQueueCommand({ QueueName: 'remediator-events' }))).QueueUrl ?? '';
  process.env.EVENT_QUEUE_URL = queueUrl;
  reconcile = ((await import('../../functions/reconcile/handler.js')) as { handler: Handler }).handler;
  sweep = ((await import('../../functions/sweep/handler.js')) as { handler: Handler }).handler;
}, 120000);

afterAll(() => {
  for (const key of [
    'AWS_ENDPOINT_URL',
    'AWS_MAX_ATTEMPTS',
    'SELF_ROLE_ARNS',
    'UPDATE_OLD_AGENTS',
    'MAX_CHANGES',
  ]) {
    delete process.env[key];
  }
});

describe('reconcile handler', () => {
  it('DeleteVpcEndpoints on an enforce VPC ends with the endpoint re-created and tagged', async () => {
    const before = await liveFor(account.vpcIds.payments, 'ecs-agent');
    expect(before?.VpcEndpointId).toBeDefined();
    await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [before?.VpcEndpointId ?? ''] }));
    expect(await liveFor(account.vpcIds.payments, 'ecs-agent')).toBeUndefined();

    const out = captureStdout();
    let result;
    try {
      result = await reconcile(sqsEvent([deleteEvent(before?.VpcEndpointId ?? '')]), context('reconcile'));
    } finally {
      out.restore();
    }
    expect(result.batchItemFailures).toEqual([]);
    const after = await liveFor(account.vpcIds.payments, 'ecs-agent');
    expect(after?.VpcEndpointId).toBeDefined();
    expect(after?.VpcEndpointId).not.toBe(before?.VpcEndpointId);
    expect(after?.Tags).toContainEqual({ Key: 'ecs-endpoint-remediator:managed', Value: 'true' });
    const reconciled = out.lines.find((l) => l.message === 'reconciled');
    expect(reconciled).toMatchObject({
      converged: true,
      correlation_id: 'e47e1b90-2f3a-4d5e-b6c7-8d9e0f1a2b3c',
    });
    // One metric per finding code and per action outcome, as EMF.
    const emf = out.lines.find((l) => '_aws' in l);
    expect(emf).toMatchObject({
      Finding_MISSING_ENDPOINT: expect.any(Number),
      Action_applied: expect.any(Number),
    });
    expect(emf?.Finding_MISSING_ENDPOINT).toBeGreaterThanOrEqual(1);
  });

  it('an audit VPC gets findings only', async () => {
    const before = await live(account.vpcIds.analytics);
    const event = structuredClone(sample('ec2-modify-vpc-attribute.json')) as {
      detail: { requestParameters: { vpcId: string } };
    };
    event.detail.requestParameters.vpcId = account.vpcIds.analytics;
    const out = captureStdout();
    try {
      await reconcile(sqsEvent([event]), context('reconcile'));
    } finally {
      out.restore();
    }
    const reconciling = out.lines.find((l) => l.message === 'reconciling');
    expect(reconciling?.vpcIds).toEqual([account.vpcIds.analytics]);
    const reconciled = out.lines.find((l) => l.message === 'reconciled');
    expect(reconciled?.findings).toBeGreaterThan(0);
    expect(reconciled?.writeCalls).toBe(0);
    expect(await live(account.vpcIds.analytics)).toEqual(before);
  });

  it('the remediator’s own event changes nothing', async () => {
    const target = await liveFor(account.vpcIds.payments, 'ecs');
    await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [target?.VpcEndpointId ?? ''] }));
    const out = captureStdout();
    try {
      const result = await reconcile(
        sqsEvent([
          deleteEvent(target?.VpcEndpointId ?? '', 'a1a1a1a1-0000-4000-8000-000000000001', SELF_ROLE),
        ]),
        context('reconcile'),
      );
      expect(result.batchItemFailures).toEqual([]);
    } finally {
      out.restore();
    }
    expect(out.lines.filter((l) => l.message === 'reconciling')).toEqual([]);
    expect(out.lines.find((l) => l.message === 'ignored event')?.reason).toContain('remediator itself');
    expect(await liveFor(account.vpcIds.payments, 'ecs')).toBeUndefined();
  });

  it('a burst of 200 events for one VPC becomes one reconcile, and duplicates do no extra writes', async () => {
    const gone = (await liveFor(account.vpcIds.payments, 'ecs')) === undefined;
    expect(gone).toBe(true);
    const bodies = Array.from({ length: 200 }, (_, i) =>
      deleteEvent('vpce-0123456789abcdef0', `b0b0b0b0-0000-4000-8000-${String(i % 150).padStart(12, '0')}`),
    );
    const out = captureStdout();
    try {
      const result = await reconcile(sqsEvent(bodies), context('reconcile'));
      expect(result.batchItemFailures).toEqual([]);
    } finally {
      out.restore();
    }
    expect(out.lines.filter((l) => l.message === 'reconciling')).toHaveLength(1);
    expect(await liveFor(account.vpcIds.payments, 'ecs')).toBeDefined();
    const emf = out.lines.find((l) => '_aws' in l);
    expect(emf).toMatchObject({ Reconciles: 1, EventsDuplicate: 50 });
    const services = (await live(account.vpcIds.payments)).map((e) => e.ServiceName);
    expect(new Set(services).size).toBe(services.length);
  });

  it('malformed and unknown events are logged with the reason, change nothing and are not retried', async () => {
    const before = await live(account.vpcIds.payments);
    const out = captureStdout();
    let result;
    try {
      result = await reconcile(
        sqsEvent([
          'not json',
          sample('malformed-missing-detail.json'),
          sample('ec2-create-tags-unhandled.json'),
        ]),
        context('reconcile'),
      );
    } finally {
      out.restore();
    }
    expect(result.batchItemFailures).toEqual([]);
    const rejected = out.lines.filter((l) => l.message === 'rejected event: changes nothing, not retried');
    expect(rejected).toHaveLength(2);
    expect(rejected.filter((l) => !(typeof l.reason === 'string' && l.reason.length > 0))).toEqual([]);
    expect(out.lines.find((l) => l.message === 'ignored event')?.reason).toMatch(/unhandled event name/);
    expect(out.lines.filter((l) => l.message === 'reconciling')).toEqual([]);
    expect(await live(account.vpcIds.payments)).toEqual(before);
  });
});

describe('sweep handler', () => {
  it('queues a whole-region request that the reconcile function turns into a converged region', async () => {
    const target = await liveFor(account.vpcIds.payments, 'logs');
    await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [target?.VpcEndpointId ?? ''] }));
    const result = await sweep(sample('sweep-request.json'), context('sweep'));
    expect(result).toMatchObject({ queued: expect.any(String) });
    // The sweep itself changes nothing: the reconcile function stays the only writer.
    expect(await liveFor(account.vpcIds.payments, 'logs')).toBeUndefined();
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    expect(Messages).toHaveLength(1);
    const out = captureStdout();
    try {
      const reconciled = await reconcile(sqsEvent([Messages[0]?.Body ?? '']), context('reconcile'));
      expect(reconciled.batchItemFailures).toEqual([]);
    } finally {
      out.restore();
    }
    expect(await liveFor(account.vpcIds.payments, 'logs')).toBeDefined();
    expect(out.lines.find((l) => l.message === 'reconciling')?.vpcIds).toBe('all');
    expect(out.lines.find((l) => l.message === 'reconciled')).toMatchObject({
      converged: true,
      writeCalls: 1,
    });
  });
});

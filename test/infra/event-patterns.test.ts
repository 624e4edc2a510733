/**
 * The packaged EventBridge rules, evaluated by moto's EventBridge against every sample in events/.
 * moto's matcher is faithful for these patterns (prefix/anything-but/exists/$or on scalar leaves);
 * it does not match inside arrays of objects, so no rule here reaches into one. moto's PutEvents
 * also accepts `aws.*` sources, which real EventBridge reserves for AWS: that is what lets the
 * samples be replayed at all.
 */
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { resetEmulator } from '../support/emulator.js';
import { SERVICE_DIR, packageService } from '../support/sls-package.js';
import type { CfnTemplate } from '../support/sls-package.js';

const ACCOUNT = '123456789012';
const REGION = 'us-east-1';
const RULES = ['Ec2ApiCallRule', 'EcsApiCallRule', 'EcsAgentDisconnectedRule'] as const;

interface Manifest {
  selfRoleArns: string[];
  samples: Record<string, { rule: string | null }>;
}

interface Sample {
  name: string;
  event: { source: string; 'detail-type': string; detail: unknown; resources: string[]; time: string };
}

const manifest = JSON.parse(readFileSync(join(SERVICE_DIR, 'events/manifest.json'), 'utf8')) as Manifest;

/**
 * Samples EventBridge could deliver. The malformed ones test the intake's own validation (EventBridge
 * fills `account` and `resources` itself, so they could never arrive as written); the SQS batch is
 * not an EventBridge event.
 */
const deliverable: Sample[] = Object.keys(manifest.samples)
  .filter((name) => !name.startsWith('malformed-') && name !== 'sqs-batch.json')
  .sort()
  .map((name) => ({
    name,
    event: JSON.parse(readFileSync(join(SERVICE_DIR, 'events', name), 'utf8')) as Sample['event'],
  }));

let endpoint: string;
let template: CfnTemplate;

async function call(
  service: 'events' | 'sqs',
  target: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  const response = await fetch(endpoint, {
    method: 'POST',
    headers: {
      'Content-Type': service === 'sqs' ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1',
      'X-Amz-Target': target,
      Authorization: `AWS4-HMAC-SHA256 Credential=test/20260101/${REGION}/${service}/aws4_request, SignedHeaders=host, Signature=x`,
    },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${target} failed: HTTP ${response.status} ${text}`);
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/** CloudFormation resolves `Fn::GetAtt [<Role>, Arn]` to the role's ARN; the template names each role. */
function resolveRoleArns(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolveRoleArns);
  if (value && typeof value === 'object') {
    const getAtt = (value as { 'Fn::GetAtt'?: [string, string] })['Fn::GetAtt'];
    if (getAtt) {
      const role = template.Resources[getAtt[0]];
      if (role?.Type !== 'AWS::IAM::Role' || getAtt[1] !== 'Arn')
        throw new Error(`cannot resolve ${getAtt.join('.')}`);
      return `arn:aws:iam::${ACCOUNT}:role/${roleName(role.Properties?.RoleName)}`;
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, resolveRoleArns(v)]));
  }
  return value;
}

/** A role's name: a string, or `Fn::Sub` over the deploying Region (the template's names carry it). */
function roleName(value: unknown): string {
  if (typeof value === 'string') return value;
  const sub = (value as { 'Fn::Sub'?: unknown } | undefined)?.['Fn::Sub'];
  if (typeof sub === 'string') return sub.replaceAll('${AWS::Region}', REGION);
  throw new Error(`cannot resolve the role name ${JSON.stringify(value)}`);
}

async function receiveAll(queueUrl: string): Promise<unknown[]> {
  const bodies: unknown[] = [];
  for (;;) {
    const { Messages } = (await call('sqs', 'AmazonSQS.ReceiveMessage', {
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 10,
      VisibilityTimeout: 300,
    })) as { Messages?: Array<{ Body: string }> };
    if (!Messages || Messages.length === 0) return bodies;
    bodies.push(...Messages.map((m) => JSON.parse(m.Body) as unknown));
  }
}

const delivered = new Map<string, string[]>();

beforeAll(async () => {
  const packaged = await packageService({ stage: 'test' });
  template = packaged.template;
  await rm(packaged.dir, { recursive: true, force: true });
  endpoint = await resetEmulator();
  const queues: Array<[string, string]> = [];
  for (const rule of RULES) {
    const pattern = resolveRoleArns(template.Resources[rule]?.Properties?.EventPattern);
    const { QueueUrl } = (await call('sqs', 'AmazonSQS.CreateQueue', { QueueName: `pattern-${rule}` })) as {
      QueueUrl: string;
    };
    await call('events', 'AWSEvents.PutRule', {
      Name: rule,
      EventPattern: JSON.stringify(pattern),
      State: 'ENABLED',
    });
    await call('events', 'AWSEvents.PutTargets', {
      Rule: rule,
      Targets: [{ Id: 'queue', Arn: `arn:aws:sqs:${REGION}:${ACCOUNT}:pattern-${rule}` }],
    });
    queues.push([rule, QueueUrl]);
  }
  for (let i = 0; i < deliverable.length; i += 10) {
    const entries = deliverable.slice(i, i + 10).map(({ event }) => ({
      Source: event.source,
      DetailType: event['detail-type'],
      Detail: JSON.stringify(event.detail),
      Resources: event.resources,
      Time: Date.parse(event.time) / 1000,
    }));
    const result = (await call('events', 'AWSEvents.PutEvents', { Entries: entries })) as {
      FailedEntryCount: number;
    };
    expect(result.FailedEntryCount).toBe(0);
  }
  const byDetail = new Map(deliverable.map((s) => [JSON.stringify(s.event.detail), s.name]));
  for (const [rule, url] of queues) {
    const names = (await receiveAll(url)).map((body) => {
      const detail = JSON.stringify((body as { detail: unknown }).detail);
      return byDetail.get(detail) ?? `unknown event ${detail.slice(0, 80)}`;
    });
    delivered.set(rule, names.sort());
  }
}, 180_000);

describe('EventBridge rules from the packaged template', () => {
  it('exclude exactly the roles the samples use as the remediator’s own', () => {
    const pattern = resolveRoleArns(template.Resources.Ec2ApiCallRule?.Properties?.EventPattern);
    expect(JSON.stringify(pattern)).toContain(JSON.stringify(manifest.selfRoleArns));
  });

  it('were exercised by every sample EventBridge could deliver', () => {
    expect(deliverable.length).toBeGreaterThanOrEqual(25);
  });

  it.each(RULES)('%s delivers exactly the samples the manifest assigns to it', (rule) => {
    const expected = deliverable
      .filter((s) => manifest.samples[s.name]?.rule === rule)
      .map((s) => s.name)
      .sort();
    expect(expected.length).toBeGreaterThan(0);
    expect(delivered.get(rule)).toEqual(expected);
  });

  it('lets calls without a session issuer through (IAM user, root) and stops the remediator’s own', () => {
    const ec2 = delivered.get('Ec2ApiCallRule') ?? [];
    expect(ec2).toEqual(
      expect.arrayContaining([
        'ec2-modify-vpc-attribute.json',
        'ec2-delete-network-acl-entry.json',
        'ec2-run-instances.json',
      ]),
    );
    expect(ec2).not.toContain('ec2-create-vpc-endpoint-by-remediator.json');
    expect(ec2).not.toContain('ec2-create-vpc-endpoint-failed.json');
  });

  it('delivers nothing the manifest assigns to no rule', () => {
    const unrouted = deliverable.filter((s) => manifest.samples[s.name]?.rule === null).map((s) => s.name);
    expect(unrouted).toEqual(
      expect.arrayContaining([
        'ec2-create-tags-unhandled.json',
        'ecs-container-instance-connected.json',
        's3-put-bucket-policy-other-source.json',
      ]),
    );
    const all = [...delivered.values()].flat();
    for (const name of unrouted) expect(all).not.toContain(name);
  });
});

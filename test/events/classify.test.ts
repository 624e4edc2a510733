import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  HANDLED_EVENT_NAMES,
  SELF_MADE_REASON,
  classifyEvent,
  classifyJson,
  coalesce,
  emptyHints,
  isSelfMade,
  sweepRequest,
  sweepRequests,
} from '../../shared/events/index.js';
import type { Classified, ScopeHints } from '../../shared/events/index.js';

const EVENTS_DIR = fileURLToPath(new URL('../../events/', import.meta.url));

type Expectation =
  | { kind: 'reconcile'; eventId: string; region: string; hints: ScopeHints }
  | { kind: 'ignored'; eventId?: string; reason: string }
  | { kind: 'rejected'; reasonContains: string };

interface ManifestEntry {
  what: string;
  expect?: Expectation;
  sqsRecords?: Expectation[];
  members?: string[];
  rule: string | null;
}

interface Manifest {
  selfRoleArns: string[];
  samples: Record<string, ManifestEntry>;
}

const manifest = JSON.parse(readFileSync(`${EVENTS_DIR}manifest.json`, 'utf8')) as Manifest;
const options = { selfRoleArns: manifest.selfRoleArns };
const sampleFiles = readdirSync(EVENTS_DIR)
  .filter((name) => name.endsWith('.json') && name !== 'manifest.json')
  .sort();

function load(name: string): unknown {
  return JSON.parse(readFileSync(`${EVENTS_DIR}${name}`, 'utf8'));
}

/** Hint lists are sets: order carries no meaning. */
function normalized(hints: ScopeHints): ScopeHints {
  const sort = (values: string[]) => [...values].sort();
  return {
    vpcIds: sort(hints.vpcIds),
    subnetIds: sort(hints.subnetIds),
    securityGroupIds: sort(hints.securityGroupIds),
    networkAclIds: sort(hints.networkAclIds),
    endpointIds: sort(hints.endpointIds),
    instanceIds: sort(hints.instanceIds),
    containerInstanceArns: sort(hints.containerInstanceArns),
    wholeRegion: hints.wholeRegion,
  };
}

function expectClassified(actual: Classified, expected: Expectation): void {
  switch (expected.kind) {
    case 'reconcile':
      expect(actual.kind).toBe('reconcile');
      if (actual.kind !== 'reconcile') return;
      expect(actual.eventId).toBe(expected.eventId);
      expect(actual.region).toBe(expected.region);
      expect(normalized(actual.hints)).toEqual(normalized(expected.hints));
      // The reconcile never carries duplicate ids.
      for (const list of Object.values(actual.hints)) {
        if (Array.isArray(list)) expect(new Set(list).size).toBe(list.length);
      }
      return;
    case 'ignored':
      expect(actual).toEqual({
        kind: 'ignored',
        reason: expected.reason,
        ...(expected.eventId !== undefined ? { eventId: expected.eventId } : {}),
      });
      return;
    case 'rejected':
      expect(actual.kind).toBe('rejected');
      if (actual.kind !== 'rejected') return;
      expect(actual.reason).toContain(expected.reasonContains);
      expect(actual.reason).not.toContain('\n');
      return;
  }
}

describe('the events folder', () => {
  it('has a manifest entry for every sample and a sample for every manifest entry', () => {
    expect(Object.keys(manifest.samples).sort()).toEqual(sampleFiles);
  });

  it('documents every sample in its README table', () => {
    const readme = readFileSync(`${EVENTS_DIR}README.md`, 'utf8');
    for (const name of sampleFiles) expect(readme).toContain(`\`${name}\``);
  });

  it('has a sample that reconciles for every handled event name', () => {
    const covered = new Set<string>();
    for (const [name, entry] of Object.entries(manifest.samples)) {
      if (entry.expect?.kind !== 'reconcile') continue;
      const result = classifyEvent(load(name), options);
      if (result.kind === 'reconcile') covered.add(result.trigger.eventName);
    }
    const handled = [...HANDLED_EVENT_NAMES['aws.ec2'], ...HANDLED_EVENT_NAMES['aws.ecs']];
    for (const eventName of handled) expect(covered).toContain(eventName);
    expect(covered).toContain('ECS Container Instance State Change');
  });
});

describe('classifyEvent over every sample', () => {
  const single = Object.entries(manifest.samples).filter(([, entry]) => entry.expect !== undefined);

  it.each(single)('%s', (name, entry) => {
    expectClassified(classifyEvent(load(name), options), entry.expect as Expectation);
  });

  it('classifies each record body of the SQS batch like the sample it was built from', () => {
    const entry = manifest.samples['sqs-batch.json'];
    const batch = load('sqs-batch.json') as { Records: Array<{ body: string; eventSource: string }> };
    expect(entry?.sqsRecords).toHaveLength(batch.Records.length);
    batch.Records.forEach((record, index) => {
      expect(record.eventSource).toBe('aws:sqs');
      const member = entry?.members?.[index] ?? '';
      expect(JSON.parse(record.body)).toEqual(load(member));
      expectClassified(classifyJson(record.body, options), entry?.sqsRecords?.[index] as Expectation);
    });
  });

  it('keeps who did it, from where and when', () => {
    const result = classifyEvent(load('ec2-delete-vpc-endpoints.json'), options);
    expect(result.kind === 'reconcile' && result.trigger).toEqual({
      eventName: 'DeleteVpcEndpoints',
      userIdentity:
        'arn:aws:sts::123456789012:assumed-role/AWSReservedSSO_AdministratorAccess_5f1e8c2a9b7d3e40/bob@example.com',
      sourceIPAddress: '198.51.100.17',
      eventTime: '2026-03-02T12:40:57Z',
    });
  });
});

describe('classifyEvent edge cases', () => {
  const base = load('ec2-modify-vpc-attribute.json') as {
    detail: Record<string, unknown> & { userIdentity: Record<string, unknown> };
  };
  const withDetail = (patch: Record<string, unknown>) => ({ ...base, detail: { ...base.detail, ...patch } });

  it('is not fooled by the remediator being listed only after another role', () => {
    const sample = load('ec2-create-vpc-endpoint-by-remediator.json');
    expect(classifyEvent(sample, { selfRoleArns: [] }).kind).toBe('reconcile');
    const reversed = [...manifest.selfRoleArns].reverse();
    expect(classifyEvent(sample, { selfRoleArns: reversed })).toMatchObject({ reason: SELF_MADE_REASON });
  });

  it('recognizes an own session by its STS ARN when the session issuer is missing, even for a role with a path', () => {
    const identity = {
      type: 'AssumedRole',
      arn: 'arn:aws:sts::123456789012:assumed-role/remediator/ecs-endpoint-remediator-prod-reconcile',
    };
    expect(isSelfMade(identity, ['arn:aws:iam::123456789012:role/tools/remediator'])).toBe(true);
    expect(isSelfMade(identity, ['arn:aws:iam::123456789012:role/remediator-other'])).toBe(false);
    expect(isSelfMade(identity, ['arn:aws:iam::210987654321:role/remediator'])).toBe(false);
    expect(isSelfMade({ type: 'AWSService', invokedBy: 'ec2.amazonaws.com' }, manifest.selfRoleArns)).toBe(false);
  });

  it('drops ids that are not well-formed and then widens to the whole Region', () => {
    const result = classifyEvent(withDetail({ requestParameters: { vpcId: 'vpc-<script>' } }), options);
    expect(result).toMatchObject({ kind: 'reconcile', hints: { ...emptyHints(), wholeRegion: true } });
  });

  it('widens a RunInstances whose response is missing to the whole Region', () => {
    const sample = load('ec2-run-instances.json') as { detail: Record<string, unknown> };
    const event = { ...sample, detail: { ...sample.detail, responseElements: null, requestParameters: null } };
    expect(classifyEvent(event, options)).toMatchObject({ kind: 'reconcile', hints: { wholeRegion: true } });
  });

  it('ignores an event whose CloudTrail eventSource does not belong to its source', () => {
    const result = classifyEvent(withDetail({ eventSource: 'ecs.amazonaws.com' }), options);
    expect(result.kind).toBe('ignored');
  });

  it('ignores unhandled detail-types and rejects bodies that are not JSON', () => {
    expect(classifyEvent({ ...base, 'detail-type': 'EC2 Instance State-change Notification' }, options)).toMatchObject({
      kind: 'ignored',
      reason: expect.stringContaining('unhandled detail-type'),
    });
    expect(classifyJson('{"version":', options)).toEqual({ kind: 'rejected', reason: '(root): body is not JSON' });
    expect(classifyEvent(null, options).kind).toBe('rejected');
  });

  it('reports how many further schema issues there were, on one line', () => {
    const result = classifyEvent({ version: 1, id: 2 }, options);
    expect(result.kind).toBe('rejected');
    expect(result.kind === 'rejected' && result.reason).toMatch(/^version: .*\(\+\d+ more issues\)$/);
  });

  it('sweeps the member accounts of an organisation hub too, each request with its own id and account', () => {
    const requests = sweepRequests({
      id: 'sweep-2',
      account: '123456789012',
      region: 'eu-west-1',
      time: '2026-03-02T17:00:00Z',
      memberAccountIds: ['111111111111', '123456789012', '111111111111', '222222222222'],
    });
    expect(requests.map((r) => [r.id, r.account])).toEqual([
      ['sweep-2', '123456789012'],
      ['sweep-2:111111111111', '111111111111'],
      ['sweep-2:222222222222', '222222222222'],
    ]);
    const scopes = coalesce(requests.map((r) => classifyEvent(r, options))).scopes;
    expect(scopes.map((s) => [s.account, s.hints.wholeRegion, s.eventIds])).toEqual([
      ['111111111111', true, ['sweep-2:111111111111']],
      ['123456789012', true, ['sweep-2']],
      ['222222222222', true, ['sweep-2:222222222222']],
    ]);
  });

  it('turns a sweep request into a whole-Region reconcile', () => {
    const request = sweepRequest({
      id: 'sweep-1',
      account: '123456789012',
      region: 'eu-west-1',
      time: '2026-03-02T17:00:00Z',
    });
    expect(classifyEvent(request, options)).toEqual({
      kind: 'reconcile',
      eventId: 'sweep-1',
      account: '123456789012',
      region: 'eu-west-1',
      hints: { ...emptyHints(), wholeRegion: true },
      trigger: {
        eventName: 'Sweep Requested',
        userIdentity: 'ecs-endpoint-remediator',
        eventTime: '2026-03-02T17:00:00Z',
      },
    });
  });
});

describe('coalesce', () => {
  const template = load('ec2-authorize-security-group-ingress.json') as {
    id: string;
    account: string;
    region: string;
    detail: Record<string, unknown>;
  };
  function event(index: number, region = 'us-east-1', groupId = 'sg-0a1b2c3d4e5f6a7b8') {
    return {
      ...template,
      id: `envelope-${region}-${index}`,
      region,
      detail: {
        ...template.detail,
        awsRegion: region,
        eventID: `event-${region}-${index}`,
        requestParameters: { groupId },
        responseElements: null,
      },
    };
  }

  it('folds 200 events about one VPC into one scope', () => {
    const items = Array.from({ length: 200 }, (_, i) =>
      classifyEvent(i % 2 === 0 ? event(i) : modifyAttribute(i), options),
    );
    const result = coalesce(items);
    expect(result.scopes).toHaveLength(1);
    const [scope] = result.scopes;
    expect(scope?.region).toBe('us-east-1');
    expect(scope?.eventIds).toHaveLength(200);
    expect(scope?.triggers).toHaveLength(200);
    expect(scope?.hints).toEqual({
      ...emptyHints(),
      vpcIds: ['vpc-0a1b2c3d4e5f60718'],
      securityGroupIds: ['sg-0a1b2c3d4e5f6a7b8'],
    });
  });

  function modifyAttribute(index: number) {
    const sample = load('ec2-modify-vpc-attribute.json') as { detail: Record<string, unknown> };
    return { ...sample, id: `attr-${index}`, detail: { ...sample.detail, eventID: `attr-event-${index}` } };
  }

  it('counts an event delivered twice once, even under a new envelope id', () => {
    const first = event(1);
    const again = { ...first, id: 'redelivered-envelope' };
    const result = coalesce([first, again, event(2)].map((e) => classifyEvent(e, options)));
    expect(result.duplicates).toBe(1);
    expect(result.scopes[0]?.eventIds).toEqual(['event-us-east-1-1', 'event-us-east-1-2']);
  });

  it('keeps one scope per Region, sorted, each with only its own hints', () => {
    const items = [
      event(1, 'us-west-2', 'sg-0123456789abcdef0'),
      event(2, 'us-east-1'),
      event(3, 'us-west-2', 'sg-0fedcba9876543210'),
    ].map((e) => classifyEvent(e, options));
    const result = coalesce(items);
    expect(result.scopes.map((s) => s.region)).toEqual(['us-east-1', 'us-west-2']);
    expect(result.scopes[1]?.hints.securityGroupIds).toEqual(['sg-0123456789abcdef0', 'sg-0fedcba9876543210']);
    expect(result.scopes[0]?.hints.securityGroupIds).toEqual(['sg-0a1b2c3d4e5f6a7b8']);
  });

  it('keeps the accounts of one Region apart (an organisation hub gets its members’ events), sorted by account', () => {
    const member = { ...event(1, 'us-east-1', 'sg-0123456789abcdef0'), account: '111111111111' };
    const items = [event(2, 'us-east-1'), member].map((e) => classifyEvent(e, options));
    const result = coalesce(items);
    expect(result.scopes.map((s) => [s.account, s.region, s.hints.securityGroupIds])).toEqual([
      ['111111111111', 'us-east-1', ['sg-0123456789abcdef0']],
      [template.account, 'us-east-1', ['sg-0a1b2c3d4e5f6a7b8']],
    ]);
  });

  it('lets one whole-Region event widen its Region only', () => {
    const items = [
      classifyEvent(load('ec2-delete-vpc-endpoints.json'), options),
      classifyEvent(event(1, 'eu-west-1'), options),
    ];
    const result = coalesce(items);
    expect(result.scopes.map((s) => [s.region, s.hints.wholeRegion])).toEqual([
      ['eu-west-1', false],
      ['us-east-1', true],
    ]);
  });

  it('passes ignored (once per event id) and rejected events through', () => {
    const own = classifyEvent(load('ec2-create-vpc-endpoint-by-remediator.json'), options);
    const broken = classifyEvent(load('malformed-missing-detail.json'), options);
    const result = coalesce([own, own, broken, broken]);
    expect(result.scopes).toEqual([]);
    expect(result.ignored).toEqual([own]);
    expect(result.rejected).toEqual([broken, broken]);
  });
});

describe('untrusted nesting', () => {
  it('classifies an event whose id list is nested 20,000 levels deep instead of overflowing the stack', () => {
    const sample = structuredClone(load('ec2-modify-vpc-attribute.json')) as {
      detail: { requestParameters: Record<string, unknown> };
    };
    sample.detail.requestParameters.vpcId = 'DEEP';
    // Spliced into the text: JSON.stringify itself cannot write a value this deep.
    const text = JSON.stringify(sample).replace(
      '"DEEP"',
      `${'['.repeat(20_000)}"vpc-0123456789abcdef0"${']'.repeat(20_000)}`,
    );
    expect(text.length).toBeGreaterThan(40_000);
    const result = classifyJson(text, options);
    // Too deep to be a CloudTrail list: no id from it, so the event widens to the whole Region.
    expect(result).toMatchObject({ kind: 'reconcile', hints: { vpcIds: [], wholeRegion: true } });
  });

  it('still reads ids from CloudTrail list shapes a few levels deep', () => {
    const sample = structuredClone(load('ec2-modify-vpc-attribute.json')) as {
      detail: { requestParameters: Record<string, unknown> };
    };
    sample.detail.requestParameters.vpcId = { items: [{ item: [{ content: 'vpc-0123456789abcdef0' }] }] };
    expect(classifyEvent(sample, options)).toMatchObject({
      kind: 'reconcile',
      hints: { vpcIds: ['vpc-0123456789abcdef0'] },
    });
  });
});

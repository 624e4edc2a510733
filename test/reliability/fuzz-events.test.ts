/**
 * Fuzzed event intake: random and mutated CloudTrail/EventBridge records, starting from every sample
 * in events/, go through `classifyJson` and through `reconcileBatch` with ports whose writers throw
 * when called. Invariants (shared/app/reconcile-batch.ts): nothing throws, nothing writes, every
 * rejection is logged with a non-empty reason, and ids that reach a reconcile are well-formed.
 *
 * The reader returns one fixed state: a healthy enforce VPC (nothing to do) and an audit VPC with
 * every endpoint missing (actions planned, never applicable), so a write could only come from a bug.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import type { LogSink } from '../../shared/app/observability.js';
import { reconcileBatch, type QueueRecord, type ReconcileDeps } from '../../shared/app/reconcile-batch.js';
import { defaultConfig } from '../../shared/core/config.js';
import type { RemediatorPorts } from '../../shared/core/ports.js';
import { classifyJson } from '../../shared/events/index.js';
import { healthyVpc, locateIn, region } from '../support/fixtures.js';

export const FUZZ_SEED = Number(process.env.FUZZ_SEED ?? 424242);
const EVENTS_DIR = fileURLToPath(new URL('../../events/', import.meta.url));
const SELF_ROLES = [
  'arn:aws:iam::123456789012:role/ecs-endpoint-remediator-test-us-east-1-reconcile',
  'arn:aws:iam::123456789012:role/ecs-endpoint-remediator-test-us-east-1-sweep',
];

/** Every sample event, and the bodies inside the SQS batch sample. */
function corpus(): unknown[] {
  const out: unknown[] = [];
  for (const name of readdirSync(EVENTS_DIR).filter((n) => n.endsWith('.json') && n !== 'manifest.json')) {
    const value: unknown = JSON.parse(readFileSync(`${EVENTS_DIR}${name}`, 'utf8'));
    out.push(value);
    const records = (value as { Records?: { body: string }[] }).Records;
    for (const record of records ?? []) out.push(JSON.parse(record.body));
  }
  return out;
}
const CORPUS = corpus();

const ID_PATTERNS: Record<string, RegExp> = {
  vpcIds: /^vpc-[0-9a-f]{8,17}$/,
  subnetIds: /^subnet-[0-9a-f]{8,17}$/,
  securityGroupIds: /^sg-[0-9a-f]{8,17}$/,
  networkAclIds: /^acl-[0-9a-f]{8,17}$/,
  endpointIds: /^vpce-[0-9a-f]{8,17}$/,
  instanceIds: /^i-[0-9a-f]{8,17}$/,
  containerInstanceArns: /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:container-instance\/.+$/,
};

type Path = (string | number)[];

function paths(value: unknown, prefix: Path = [], out: Path[] = [], depth = 0): Path[] {
  if (depth > 12 || typeof value !== 'object' || value === null) return out;
  for (const [key, child] of Object.entries(value)) {
    const path = [...prefix, Array.isArray(value) ? Number(key) : key];
    out.push(path);
    paths(child, path, out, depth + 1);
  }
  return out;
}

/**
 * Deep nesting is spliced into the text after JSON.stringify (which would itself overflow the stack):
 * a marker string stands for `{"items":[{"items":[… "vpc-…" …]}]}` nested `depth` levels.
 */
const deepMarker = (depth: number) => `\u0001DEEP:${depth}\u0001`;
function expandDeep(text: string): string {
  return text.replace(/"\\u0001DEEP:(\d+)\\u0001"/g, (_, depth: string) => {
    const pairs = Math.ceil(Number(depth) / 2);
    return `${'{"items":['.repeat(pairs)}"vpc-0123456789abcdef0"${']}'.repeat(pairs)}`;
  });
}

type Mutation =
  | { op: 'drop'; at: number }
  | { op: 'replace'; at: number; value: unknown }
  | { op: 'retype'; at: number; to: number }
  | { op: 'huge'; at: number; size: number; unit: string }
  | { op: 'unicode'; at: number; text: string }
  | { op: 'pollute'; at: number; key: '__proto__' | 'constructor' | 'prototype' }
  | { op: 'deep'; at: number; depth: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('drop' as const), at: fc.nat() }),
  fc.record({ op: fc.constant('replace' as const), at: fc.nat(), value: fc.jsonValue({ maxDepth: 3 }) }),
  fc.record({ op: fc.constant('retype' as const), at: fc.nat(), to: fc.nat({ max: 6 }) }),
  fc.record({
    op: fc.constant('huge' as const),
    at: fc.nat(),
    size: fc.integer({ min: 10_000, max: 300_000 }),
    unit: fc.constantFrom('a', 'é', '\u{1F4A5}', '\u0000', 'vpc-0123456789abcdef0,', '\\'),
  }),
  fc.record({
    op: fc.constant('unicode' as const),
    at: fc.nat(),
    text: fc.string({ unit: 'binary', maxLength: 40 }),
  }),
  fc.record({
    op: fc.constant('pollute' as const),
    at: fc.nat(),
    key: fc.constantFrom('__proto__' as const, 'constructor' as const, 'prototype' as const),
  }),
  fc.record({ op: fc.constant('deep' as const), at: fc.nat(), depth: fc.integer({ min: 100, max: 50_000 }) }),
);

const RETYPED: readonly unknown[] = [null, 0, -1.5e308, true, '', [], {}];

/** Applies one mutation to a (cloned) JSON value; returns the new root. */
function mutate(root: unknown, m: Mutation): unknown {
  const all = paths(root);
  const path = all.length > 0 ? all[m.at % all.length] : undefined;
  const set = (value: unknown): unknown => {
    if (!path) return value;
    const parent = get(root, path.slice(0, -1)) as Record<string | number, unknown>;
    // fc.jsonValue may produce own "__proto__" keys that the walk cannot follow: leave those alone.
    if (typeof parent !== 'object' || parent === null) return root;
    const last = path[path.length - 1] as string | number;
    if (value === DROP) {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else {
      // An own property even for "__proto__" (what JSON.parse produces for that key).
      Object.defineProperty(parent, last, { value, enumerable: true, writable: true, configurable: true });
    }
    return root;
  };
  switch (m.op) {
    case 'drop':
      return set(DROP);
    case 'replace':
      return set(jsonClone(m.value));
    case 'retype':
      return set(jsonClone(RETYPED[m.to % RETYPED.length]));
    case 'huge':
      return set(m.unit.repeat(Math.ceil(m.size / m.unit.length)));
    case 'unicode':
      return set(m.text);
    case 'deep':
      return set(deepMarker(m.depth));
    case 'pollute': {
      const target =
        path && typeof get(root, path) === 'object' && get(root, path) !== null ? get(root, path) : root;
      if (typeof target === 'object' && target !== null) {
        Object.defineProperty(target, m.key, {
          value: { polluted: true, toString: 'x', valueOf: 1 },
          enumerable: true,
          writable: true,
          configurable: true,
        });
      }
      return root;
    }
  }
}
const DROP = Symbol('drop');

/** A fresh copy, so no object is shared between places in a tree or between runs. */
function jsonClone(value: unknown): unknown {
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

function get(root: unknown, path: Path): unknown {
  let current = root;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = Object.getOwnPropertyDescriptor(current, key)?.value;
  }
  return current;
}

/** Text-level damage: the body as SQS could carry it. */
const textDamage = fc.oneof(
  { weight: 6, arbitrary: fc.constant({ kind: 'none' as const }) },
  { weight: 1, arbitrary: fc.nat().map((at) => ({ kind: 'truncate' as const, at })) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.nat(), fc.string({ unit: 'binary', minLength: 1, maxLength: 3 }))
      .map(([at, text]) => ({ kind: 'insert' as const, at, text })),
  },
  {
    weight: 1,
    arbitrary: fc
      .string({ unit: 'binary', maxLength: 80 })
      .map((text) => ({ kind: 'random' as const, text })),
  },
);

const body = fc
  .record({
    base: fc.nat({ max: CORPUS.length - 1 }),
    // A third of the bodies keep their structure (text damage aside), so valid events stay common.
    mutations: fc.oneof(
      { weight: 1, arbitrary: fc.constant([]) },
      { weight: 2, arbitrary: fc.array(mutation, { minLength: 1, maxLength: 4 }) },
    ),
    damage: textDamage,
    // Random JSON of any shape instead of a sample.
    random: fc.oneof(
      { weight: 7, arbitrary: fc.constant(undefined) },
      { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 4 }) },
    ),
  })
  .map(({ base, mutations, damage, random }) => {
    let value: unknown = jsonClone(random !== undefined ? random : CORPUS[base]);
    for (const m of mutations) value = mutate(value, m);
    const text = expandDeep(JSON.stringify(value) ?? 'undefined');
    switch (damage.kind) {
      case 'none':
        return text;
      case 'truncate':
        return text.slice(0, damage.at % (text.length + 1));
      case 'insert': {
        const at = damage.at % (text.length + 1);
        return text.slice(0, at) + damage.text + text.slice(at);
      }
      case 'random':
        return damage.text;
    }
  });

interface Captured {
  level: 'info' | 'warn' | 'error';
  message: string;
  extra: Record<string, unknown>;
}

function harness() {
  const lines: Captured[] = [];
  const writes: string[] = [];
  let reads = 0;
  const log: LogSink = {
    info: (message, extra = {}) => lines.push({ level: 'info', message, extra }),
    warn: (message, extra = {}) => lines.push({ level: 'warn', message, extra }),
    error: (message, extra = {}) => lines.push({ level: 'error', message, extra }),
  };
  const refuse = (name: string) => (): never => {
    writes.push(name);
    throw new Error(`write attempted: ${name}`);
  };
  const state = region([
    healthyVpc(1),
    healthyVpc(2, { tags: { 'ecs-endpoint-remediator:mode': 'audit' }, endpoints: [] }),
  ]);
  const ports: RemediatorPorts = {
    reader: {
      readRegion: async () => {
        reads++;
        return structuredClone(state);
      },
      locate: async (refs) => locateIn(state, refs),
    },
    ec2: {
      enableVpcDnsAttribute: refuse('enableVpcDnsAttribute'),
      findDedicatedSecurityGroup: refuse('findDedicatedSecurityGroup'),
      createSecurityGroup: refuse('createSecurityGroup'),
      authorizeHttpsIngress: refuse('authorizeHttpsIngress'),
      createVpcEndpoint: refuse('createVpcEndpoint'),
      modifyVpcEndpoint: refuse('modifyVpcEndpoint'),
      describeVpcEndpoints: refuse('describeVpcEndpoints'),
    },
    ssm: { sendCommand: refuse('sendCommand'), listInvocations: refuse('listInvocations') },
    ecs: {
      describeContainerInstances: refuse('describeContainerInstances'),
      updateContainerAgent: refuse('updateContainerAgent'),
    },
  };
  const deps: ReconcileDeps = {
    ports,
    config: { ...defaultConfig, defaultMode: 'enforce' },
    region: 'us-east-1',
    selfRoleArns: SELF_ROLES,
    log,
    metrics: { count: () => undefined },
  };
  return { deps, lines, writes, reads: () => reads };
}

const RUNS = 1000;
const BATCH = { minLength: 1, maxLength: 5 };

describe(`fuzzed events (seed ${FUZZ_SEED})`, () => {
  afterAll(() => {
    // No mutation reached Object.prototype.
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype.toString.call({})).toBe('[object Object]');
  });

  it(`classifyJson: ${RUNS * 3} random and mutated bodies never throw; ids that pass are well-formed`, () => {
    const kinds = { reconcile: 0, ignored: 0, rejected: 0 };
    fc.assert(
      fc.property(fc.array(body, { minLength: 3, maxLength: 3 }), (bodies) => {
        for (const text of bodies) {
          const result = classifyJson(text, { selfRoleArns: SELF_ROLES });
          kinds[result.kind]++;
          if (result.kind === 'rejected' || result.kind === 'ignored') {
            expect(typeof result.reason).toBe('string');
            expect(result.reason.trim()).not.toBe('');
          } else {
            expect(result.region).toMatch(/^[a-z]{2}(-[a-z]+)+-\d+$/);
            for (const [field, pattern] of Object.entries(ID_PATTERNS)) {
              for (const id of (result.hints as unknown as Record<string, string[]>)[field] ?? [])
                expect(id).toMatch(pattern);
            }
          }
        }
      }),
      { seed: FUZZ_SEED, numRuns: RUNS },
    );
    console.log(`fuzzed classifyJson outcomes: ${JSON.stringify(kinds)}`);
    // Not vacuous: the mutations leave some events valid and break many others.
    expect(kinds.reconcile).toBeGreaterThan(500);
    expect(kinds.rejected).toBeGreaterThan(1000);
    expect(kinds.ignored).toBeGreaterThan(100);
  });

  it(`reconcileBatch: ${RUNS} fuzzed batches never throw, never write, and log every rejection with its reason`, async () => {
    let records = 0;
    let reconciles = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(body, BATCH), async (bodies) => {
        const h = harness();
        const batch: QueueRecord[] = bodies.map((text, i) => ({ messageId: `m-${i}`, body: text }));
        records += batch.length;
        const result = await reconcileBatch(h.deps, batch);
        reconciles += h.reads();
        expect(h.writes).toEqual([]);
        expect(result.batchItemFailures).toEqual([]);
        const rejections = h.lines.filter((l) => l.message.startsWith('rejected event'));
        expect(rejections).toHaveLength(result.rejected);
        for (const line of rejections) {
          expect(line.level).toBe('error');
          expect(typeof line.extra.reason).toBe('string');
          expect(String(line.extra.reason).trim()).not.toBe('');
          expect(batch.map((r) => r.messageId)).toContain(line.extra.messageId);
        }
        const ignored = h.lines.filter((l) => l.message === 'ignored event');
        expect(ignored).toHaveLength(
          bodies.filter((t) => classifyJson(t, { selfRoleArns: SELF_ROLES }).kind === 'ignored').length,
        );
        for (const line of ignored) expect(String(line.extra.reason).trim()).not.toBe('');
        // At most one reconcile (one read) per region per batch; only us-east-1 is this function's.
        expect(h.reads()).toBeLessThanOrEqual(1);
      }),
      { seed: FUZZ_SEED + 1, numRuns: RUNS },
    );
    console.log(`fuzzed reconcileBatch: ${records} records, ${reconciles} reconciles`);
    expect(records).toBeGreaterThanOrEqual(RUNS);
    expect(reconciles).toBeGreaterThan(300);
  });

  it('a value nested 100,000 levels deep is rejected or classified, not a stack overflow that fails the batch', async () => {
    const event = structuredClone(
      CORPUS.find(
        (e) => (e as { detail?: { eventName?: string } }).detail?.eventName === 'ModifyVpcAttribute',
      ),
    ) as { detail: { requestParameters: Record<string, unknown> } };
    event.detail.requestParameters.vpcId = deepMarker(100_000);
    const text = expandDeep(JSON.stringify(event));
    expect(text.length).toBeGreaterThan(500_000);
    expect(() => classifyJson(text, { selfRoleArns: SELF_ROLES })).not.toThrow();
    const h = harness();
    const valid = JSON.stringify(CORPUS.find((e) => (e as { id?: string }).id !== undefined));
    const result = await reconcileBatch(h.deps, [
      { messageId: 'deep', body: text },
      { messageId: 'valid', body: valid },
    ]);
    expect(result.batchItemFailures).toEqual([]);
    expect(h.writes).toEqual([]);
  });
});

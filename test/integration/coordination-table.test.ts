/**
 * The coordination table on the emulator's DynamoDB: leases, announcements and the replay cache are
 * each one conditional write, so racing callers never both win and a second container sees what the
 * first recorded.
 */
import { GetItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { createHash } from 'node:crypto';
import {
  DynamoDbAnnouncementStore,
  DynamoDbReplayCache,
  DynamoDbVpcLeaseStore,
  type CoordinationTable,
} from '../../shared/aws/coordination-table.js';
import { DriftAnnouncements } from '../../shared/notify/dedupe.js';
import { resetEmulator } from '../support/emulator.js';
import { createCoordinationTable } from '../support/coordination-table.js';

const T0 = 1_800_000_000_000;
const MINUTE = 60_000;

let table: CoordinationTable;

beforeEach(async () => {
  table = await createCoordinationTable(await resetEmulator());
});

describe('DynamoDbVpcLeaseStore', () => {
  it('one owner at a time: a second owner is told who holds the lease and until when', async () => {
    const store = new DynamoDbVpcLeaseStore(table);
    const first = await store.acquire('vpc-1', 'reconcile:req-1', T0, 5 * MINUTE);
    const second = await store.acquire('vpc-1', 'runbook:exec-2', T0 + MINUTE, 5 * MINUTE);
    const otherVpc = await store.acquire('vpc-2', 'runbook:exec-2', T0 + MINUTE, 5 * MINUTE);
    expect({ first, second, otherVpc }).toEqual({
      first: { kind: 'acquired', untilMs: T0 + 5 * MINUTE },
      second: { kind: 'held', holder: 'reconcile:req-1', untilMs: T0 + 5 * MINUTE },
      otherVpc: { kind: 'acquired', untilMs: T0 + 6 * MINUTE },
    });
  });

  it('the same owner re-takes its lease (a retried acquire, or the next step of one workflow)', async () => {
    const store = new DynamoDbVpcLeaseStore(table);
    await store.acquire('vpc-1', 'runbook:exec-1', T0, 5 * MINUTE);
    expect(await store.acquire('vpc-1', 'runbook:exec-1', T0 + MINUTE, 5 * MINUTE)).toEqual({
      kind: 'acquired',
      untilMs: T0 + 6 * MINUTE,
    });
  });

  it("a crashed writer's lease ends by itself: after its duration another owner takes it", async () => {
    const store = new DynamoDbVpcLeaseStore(table);
    await store.acquire('vpc-1', 'crashed', T0, 5 * MINUTE);
    const justBefore = await store.acquire('vpc-1', 'next', T0 + 5 * MINUTE - 1, 5 * MINUTE);
    const after = await store.acquire('vpc-1', 'next', T0 + 5 * MINUTE + 1, 5 * MINUTE);
    expect({ justBefore: justBefore.kind, after: after.kind }).toEqual({
      justBefore: 'held',
      after: 'acquired',
    });
    // The crashed writer, back, cannot renew a lease that is no longer its own.
    expect(await store.renew('vpc-1', 'crashed', T0 + 6 * MINUTE, 5 * MINUTE)).toBe(false);
  });

  it('renewal extends only the holder; release by anyone else leaves the lease in place', async () => {
    const store = new DynamoDbVpcLeaseStore(table);
    await store.acquire('vpc-1', 'holder', T0, 5 * MINUTE);
    const renewed = await store.renew('vpc-1', 'holder', T0 + 4 * MINUTE, 5 * MINUTE);
    const stolen = await store.renew('vpc-1', 'intruder', T0 + 4 * MINUTE, 5 * MINUTE);
    await store.release('vpc-1', 'intruder');
    const whileHeld = await store.acquire('vpc-1', 'intruder', T0 + 8 * MINUTE, 5 * MINUTE);
    await store.release('vpc-1', 'holder');
    const afterRelease = await store.acquire('vpc-1', 'intruder', T0 + 8 * MINUTE, 5 * MINUTE);
    expect({ renewed, stolen, whileHeld, afterRelease }).toEqual({
      renewed: true,
      stolen: false,
      // Renewed at 4 min for 5 more: held until 9 min, so at 8 min it is still the holder's.
      whileHeld: { kind: 'held', holder: 'holder', untilMs: T0 + 9 * MINUTE },
      afterRelease: { kind: 'acquired', untilMs: T0 + 13 * MINUTE },
    });
  });

  it('releasing a lease nobody holds is a no-op', async () => {
    await expect(new DynamoDbVpcLeaseStore(table).release('vpc-none', 'me')).resolves.toBeUndefined();
  });

  it('20 writers racing for one VPC: exactly one gets it', async () => {
    const store = new DynamoDbVpcLeaseStore(table);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => store.acquire('vpc-1', `writer-${i}`, T0, 5 * MINUTE)),
    );
    const winners = results.filter((r) => r.kind === 'acquired');
    const holders = new Set(results.flatMap((r) => (r.kind === 'held' ? [r.holder] : [])));
    expect({ winners: winners.length, distinctHoldersNamed: holders.size }).toEqual({
      winners: 1,
      distinctHoldersNamed: 1,
    });
  });

  it('keys are per account and Region: the same VPC id elsewhere is another lease', async () => {
    const here = new DynamoDbVpcLeaseStore(table);
    const otherRegion = new DynamoDbVpcLeaseStore({ ...table, region: 'eu-west-1' });
    const otherAccount = new DynamoDbVpcLeaseStore({ ...table, accountId: '210987654321' });
    const got = [
      await here.acquire('vpc-1', 'a', T0, MINUTE),
      await otherRegion.acquire('vpc-1', 'b', T0, MINUTE),
      await otherAccount.acquire('vpc-1', 'c', T0, MINUTE),
    ].map((r) => r.kind);
    expect(got).toEqual(['acquired', 'acquired', 'acquired']);
  });

  it('writes the TTL attribute a day past the lease, so DynamoDB cleans up crashed leases', async () => {
    await new DynamoDbVpcLeaseStore(table).acquire('vpc-1', 'a', T0, 5 * MINUTE);
    const { Item } = await table.dynamodb.send(
      new GetItemCommand({
        TableName: table.tableName,
        Key: { pk: { S: `lease#${table.accountId}#${table.region}#vpc-1` } },
      }),
    );
    expect(Item).toEqual({
      pk: { S: `lease#${table.accountId}#${table.region}#vpc-1` },
      owner: { S: 'a' },
      leaseUntilMs: { N: String(T0 + 5 * MINUTE) },
      acquiredAtMs: { N: String(T0) },
      expiresAt: { N: String((T0 + 5 * MINUTE) / 1000 + 86_400) },
    });
  });
});

describe('DynamoDbAnnouncementStore: the Slack dedupe shared by every container', () => {
  const windowMs = 60 * MINUTE;

  it('a cold start does not announce the same drift again; the window still ends', async () => {
    let now = T0;
    const containerA = new DriftAnnouncements(new DynamoDbAnnouncementStore(table), windowMs, () => now);
    const containerB = new DriftAnnouncements(new DynamoDbAnnouncementStore(table), windowMs, () => now);
    const seen = [
      await containerA.shouldAnnounce('vpc-1', 'fp'),
      await containerB.shouldAnnounce('vpc-1', 'fp'),
    ];
    now += windowMs - 1;
    seen.push(await containerB.shouldAnnounce('vpc-1', 'fp'));
    now += 1;
    seen.push(await containerB.shouldAnnounce('vpc-1', 'fp'), await containerA.shouldAnnounce('vpc-1', 'fp'));
    expect(seen).toEqual([true, false, false, true, false]);
  });

  it('another fingerprint, VPC, account or Region is another announcement', async () => {
    const at = () => T0;
    const store = new DynamoDbAnnouncementStore(table);
    const elsewhere = new DynamoDbAnnouncementStore({ ...table, region: 'eu-west-1' });
    const account = new DynamoDbAnnouncementStore({ ...table, accountId: '210987654321' });
    const seen = [
      await new DriftAnnouncements(store, windowMs, at).shouldAnnounce('vpc-1', 'fp'),
      await new DriftAnnouncements(store, windowMs, at).shouldAnnounce('vpc-1', 'fp2'),
      await new DriftAnnouncements(store, windowMs, at).shouldAnnounce('vpc-2', 'fp'),
      await new DriftAnnouncements(elsewhere, windowMs, at).shouldAnnounce('vpc-1', 'fp'),
      await new DriftAnnouncements(account, windowMs, at).shouldAnnounce('vpc-1', 'fp'),
    ];
    expect(seen).toEqual([true, true, true, true, true]);
  });

  it('ten containers racing on one drift post it once', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () =>
        new DriftAnnouncements(new DynamoDbAnnouncementStore(table), windowMs, () => T0).shouldAnnounce(
          'vpc-1',
          'fp',
        ),
      ),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('a record stamped in the future (clock skew) does not silence the drift', async () => {
    const store = new DynamoDbAnnouncementStore(table);
    expect(await store.claim('vpc-1#fp', T0 + 10 * MINUTE, windowMs)).toBe(true);
    expect(await store.claim('vpc-1#fp', T0, windowMs)).toBe(true);
  });
});

describe('DynamoDbReplayCache: a captured Slack request is refused by every container', () => {
  const NOW = 1_800_000_000;

  it('a signature is accepted once, by any container, until it is stale', async () => {
    const a = new DynamoDbReplayCache(table, 300);
    const b = new DynamoDbReplayCache(table, 300);
    const seen = [
      await a.firstSeen('v0=abc', NOW, NOW),
      await b.firstSeen('v0=abc', NOW, NOW + 1),
      await a.firstSeen('v0=def', NOW, NOW + 1),
      // Past timestamp + window: the staleness check refuses it first anyway; the cache forgets it.
      await b.firstSeen('v0=abc', NOW, NOW + 301),
    ];
    expect(seen).toEqual([true, false, true, true]);
  });

  it('races: one of ten concurrent deliveries of the same request wins', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, () => new DynamoDbReplayCache(table, 300).firstSeen('v0=same', NOW, NOW)),
    );
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('stores a digest, never the signature itself', async () => {
    await new DynamoDbReplayCache(table, 300).firstSeen('v0=secretish', NOW, NOW);
    const { Items = [] } = await table.dynamodb.send(new ScanCommand({ TableName: table.tableName }));
    const digest = createHash('sha256').update('v0=secretish').digest('hex');
    expect(Items).toEqual([
      {
        pk: { S: `replay#${digest}` },
        seenUntil: { N: String(NOW + 300) },
        expiresAt: { N: String(NOW + 300 + 86_400) },
      },
    ]);
    expect(JSON.stringify(Items)).not.toContain('secretish');
  });
});

/**
 * The coordination table (DynamoDB): VPC leases, the Slack announcement dedupe and the Slack replay
 * cache, shared by every container and every writer. One item per key; the partition key's prefix
 * says what an item is (`lease#`, `announce#`, `replay#`), and each function's role may touch only
 * its own prefixes (`dynamodb:LeadingKeys` in serverless.yml).
 *
 * Every decision is one conditional write, so two callers racing for the same key never both win
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/Expressions.ConditionExpressions.html).
 * `expiresAt` (epoch seconds) is the table's TTL attribute: DynamoDB deletes expired items itself,
 * typically within a few days, so no condition relies on an item being gone
 * (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/TTL.html).
 */
import { createHash } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import type { LeaseAcquisition, VpcLeaseStore } from '../app/vpc-leases.js';
import type { AnnouncementStore } from '../notify/dedupe.js';
import type { ReplayCache } from '../notify/slack-signature.js';

export interface CoordinationTable {
  readonly dynamodb: DynamoDBClient;
  readonly tableName: string;
  /** Leases and announcements are per account and Region: one table may serve a hub's members. */
  readonly accountId: string;
  readonly region: string;
}

/** Items outlive what they record by a day, so DynamoDB's TTL sweep never races a live decision. */
const TTL_GRACE_SECONDS = 86_400;

const s = (value: string): AttributeValue => ({ S: value });
const n = (value: number): AttributeValue => ({ N: String(Math.trunc(value)) });

function ttl(untilMs: number): AttributeValue {
  return n(Math.ceil(untilMs / 1000) + TTL_GRACE_SECONDS);
}

/** True when `call` failed its condition: the benign "someone else got there first". */
async function conditional<T>(
  call: () => Promise<T>,
): Promise<{ ok: true; value: T } | { ok: false; item?: Record<string, AttributeValue> }> {
  try {
    return { ok: true, value: await call() };
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) {
      return { ok: false, ...(error.Item ? { item: error.Item } : {}) };
    }
    throw error;
  }
}

export class DynamoDbVpcLeaseStore implements VpcLeaseStore {
  constructor(private readonly table: CoordinationTable) {}

  private key(vpcId: string): Record<string, AttributeValue> {
    return { pk: s(`lease#${this.table.accountId}#${this.table.region}#${vpcId}`) };
  }

  async acquire(vpcId: string, owner: string, nowMs: number, durationMs: number): Promise<LeaseAcquisition> {
    const untilMs = nowMs + durationMs;
    const result = await conditional(() =>
      this.table.dynamodb.send(
        new PutItemCommand({
          TableName: this.table.tableName,
          Item: {
            ...this.key(vpcId),
            owner: s(owner),
            leaseUntilMs: n(untilMs),
            acquiredAtMs: n(nowMs),
            expiresAt: ttl(untilMs),
          },
          // Free, expired, or already this owner's (a retried acquire after a lost reply).
          ConditionExpression: 'attribute_not_exists(pk) OR leaseUntilMs < :now OR #owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':now': n(nowMs), ':owner': s(owner) },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      ),
    );
    if (result.ok) return { kind: 'acquired', untilMs };
    return {
      kind: 'held',
      holder: result.item?.owner?.S ?? 'another writer',
      untilMs: Number(result.item?.leaseUntilMs?.N ?? untilMs),
    };
  }

  async renew(vpcId: string, owner: string, nowMs: number, durationMs: number): Promise<boolean> {
    const untilMs = nowMs + durationMs;
    const result = await conditional(() =>
      this.table.dynamodb.send(
        new UpdateItemCommand({
          TableName: this.table.tableName,
          Key: this.key(vpcId),
          UpdateExpression: 'SET leaseUntilMs = :until, expiresAt = :ttl',
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':until': n(untilMs), ':ttl': ttl(untilMs), ':owner': s(owner) },
        }),
      ),
    );
    return result.ok;
  }

  async release(vpcId: string, owner: string): Promise<void> {
    // A lease another writer took over after ours expired is theirs: the condition leaves it alone.
    await conditional(() =>
      this.table.dynamodb.send(
        new DeleteItemCommand({
          TableName: this.table.tableName,
          Key: this.key(vpcId),
          ConditionExpression: '#owner = :owner',
          ExpressionAttributeNames: { '#owner': 'owner' },
          ExpressionAttributeValues: { ':owner': s(owner) },
        }),
      ),
    );
  }
}

export class DynamoDbAnnouncementStore implements AnnouncementStore {
  constructor(private readonly table: CoordinationTable) {}

  async claim(key: string, nowMs: number, windowMs: number): Promise<boolean> {
    const result = await conditional(() =>
      this.table.dynamodb.send(
        new PutItemCommand({
          TableName: this.table.tableName,
          Item: {
            pk: s(`announce#${this.table.accountId}#${this.table.region}#${key}`),
            announcedAtMs: n(nowMs),
            expiresAt: ttl(nowMs + windowMs),
          },
          // Never announced, announced before the window, or (clock skew) stamped in the future.
          ConditionExpression: 'attribute_not_exists(pk) OR announcedAtMs <= :cutoff OR announcedAtMs > :now',
          ExpressionAttributeValues: { ':cutoff': n(nowMs - windowMs), ':now': n(nowMs) },
        }),
      ),
    );
    return result.ok;
  }
}

export class DynamoDbReplayCache implements ReplayCache {
  constructor(
    private readonly table: Pick<CoordinationTable, 'dynamodb' | 'tableName'>,
    private readonly windowSeconds: number,
  ) {}

  async firstSeen(signature: string, timestampSeconds: number, nowSeconds: number): Promise<boolean> {
    // Only a digest is stored: the table never holds a request's signature.
    const digest = createHash('sha256').update(signature, 'utf8').digest('hex');
    const untilSeconds = Math.max(timestampSeconds, nowSeconds) + this.windowSeconds;
    const result = await conditional(() =>
      this.table.dynamodb.send(
        new PutItemCommand({
          TableName: this.table.tableName,
          Item: {
            pk: s(`replay#${digest}`),
            seenUntil: n(untilSeconds),
            expiresAt: n(untilSeconds + TTL_GRACE_SECONDS),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR seenUntil < :now',
          ExpressionAttributeValues: { ':now': n(nowSeconds) },
        }),
      ),
    );
    return result.ok;
  }
}

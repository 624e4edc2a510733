/**
 * The coordination table's settings and stores for the Lambda functions, parsed once at cold start.
 * `COORDINATION_TABLE_NAME` absent: each container coordinates with itself only (in-memory dedupe and
 * replay cache, no leases), which is how the functions run outside a deployment.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import type { VpcLeasing } from '../shared/app/vpc-leases.js';
import { MAX_LEASE_SECONDS, MIN_LEASE_SECONDS } from '../shared/app/vpc-leases.js';
import {
  DynamoDbAnnouncementStore,
  DynamoDbReplayCache,
  DynamoDbVpcLeaseStore,
  type CoordinationTable,
} from '../shared/aws/coordination-table.js';
import { clientConfig } from '../shared/aws/core-clients.js';
import { InMemoryAnnouncementStore, type AnnouncementStore } from '../shared/notify/dedupe.js';
import {
  InMemoryReplayCache,
  SLACK_SIGNATURE_MAX_AGE_SECONDS,
  type ReplayCache,
} from '../shared/notify/slack-signature.js';

// DynamoDB table names: 3–255 of [a-zA-Z0-9_.-] (Amazon DynamoDB, "Supported data types and naming
// rules": https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html).
const coordinationSchema = z
  .object({
    COORDINATION_TABLE_NAME: z
      .string()
      .regex(/^[a-zA-Z0-9_.-]{3,255}$/, 'a DynamoDB table name: 3-255 of a-z A-Z 0-9 _ . -')
      .optional(),
    STACK_ACCOUNT_ID: z
      .string()
      .regex(/^\d{12}$/, 'a 12-digit AWS account id')
      .optional(),
    LEASE_SECONDS: z.coerce.number().int().min(MIN_LEASE_SECONDS).max(MAX_LEASE_SECONDS).default(300),
  })
  .refine((env) => !env.COORDINATION_TABLE_NAME || env.STACK_ACCOUNT_ID, {
    message: 'STACK_ACCOUNT_ID is required with COORDINATION_TABLE_NAME (leases are per account and Region)',
    path: ['STACK_ACCOUNT_ID'],
  });

export interface CoordinationSettings {
  readonly table?: CoordinationTable;
  readonly leaseMs: number;
}

/** Parses the coordination settings; a bad value throws naming the variable. */
export function coordinationFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
  region: string,
): CoordinationSettings {
  const parsed = coordinationSchema.safeParse({
    COORDINATION_TABLE_NAME: env.COORDINATION_TABLE_NAME || undefined,
    STACK_ACCOUNT_ID: env.STACK_ACCOUNT_ID || undefined,
    LEASE_SECONDS: env.LEASE_SECONDS || undefined,
  });
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ');
    throw new Error(`invalid coordination settings: ${issues}`);
  }
  const { COORDINATION_TABLE_NAME: tableName, STACK_ACCOUNT_ID: accountId, LEASE_SECONDS } = parsed.data;
  const leaseMs = LEASE_SECONDS * 1000;
  if (!tableName || !accountId) return { leaseMs };
  const dynamodb = new DynamoDBClient(clientConfig({ env, region }));
  return { table: { dynamodb, tableName, accountId, region }, leaseMs };
}

export function announcementStore(settings: CoordinationSettings): AnnouncementStore {
  return settings.table ? new DynamoDbAnnouncementStore(settings.table) : new InMemoryAnnouncementStore();
}

export function replayCache(settings: CoordinationSettings): ReplayCache {
  return settings.table
    ? new DynamoDbReplayCache(settings.table, SLACK_SIGNATURE_MAX_AGE_SECONDS)
    : new InMemoryReplayCache();
}

/** Leases for `owner`'s writes, or none without a table. */
export function vpcLeasing(
  settings: CoordinationSettings,
  onEvent: VpcLeasing['onEvent'],
): Omit<VpcLeasing, 'owner'> | undefined {
  if (!settings.table) return undefined;
  return {
    store: new DynamoDbVpcLeaseStore(settings.table),
    durationMs: settings.leaseMs,
    ...(onEvent ? { onEvent } : {}),
  };
}

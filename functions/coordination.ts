/**
 * The coordination table (VPC leases, the Slack dedupe and replay cache; shared/aws/coordination-table.ts)
 * for the functions that use it: its variables, parsed with the rest of a function's environment at
 * cold start, and the stores built from them. `COORDINATION_TABLE_NAME` unset: each container
 * coordinates with itself only (in-memory dedupe and replay cache, no leases), which is how the
 * functions run outside a deployment.
 */
import { EnvironmentError, integerVariable, optionalPatternVariable } from './environment.js';
import type { Observability } from './lambda-runtime.js';
import { logSink } from './lambda-runtime.js';
import { MAX_LEASE_SECONDS, MIN_LEASE_SECONDS, type VpcLeasing } from '../shared/app/vpc-leases.js';
import { createDynamoDbClient } from '../shared/aws/clients.js';
import {
  DynamoDbAnnouncementStore,
  DynamoDbReplayCache,
  DynamoDbVpcLeaseStore,
  type CoordinationTable,
} from '../shared/aws/coordination-table.js';
import { ACCOUNT_ID_HINT, ACCOUNT_ID_PATTERN } from '../shared/core/id-patterns.js';
import { InMemoryAnnouncementStore, type AnnouncementStore } from '../shared/notify/dedupe.js';
import {
  InMemoryReplayCache,
  SLACK_SIGNATURE_MAX_AGE_SECONDS,
  type ReplayCache,
} from '../shared/notify/slack-signature.js';

// DynamoDB table names: 3-255 of [a-zA-Z0-9_.-] ("Supported data types and naming rules",
// https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.NamingRulesDataTypes.html).
const TABLE_NAME = /^[a-zA-Z0-9_.-]{3,255}$/;
const TABLE_HINT = 'a DynamoDB table name: 3-255 of a-z A-Z 0-9 _ . -';

/** The coordination variables, to spread into a function's environment shape. */
export const coordinationShape = {
  /** The stack's CoordinationTable; unset: in-memory coordination. */
  COORDINATION_TABLE_NAME: optionalPatternVariable(TABLE_NAME, TABLE_HINT),
  /** The account the table's keys carry (the stack's own; leases are per account and Region). */
  STACK_ACCOUNT_ID: optionalPatternVariable(ACCOUNT_ID_PATTERN, ACCOUNT_ID_HINT),
  /** How long a VPC lease lasts without renewal: how long a crashed writer blocks its VPCs. */
  LEASE_SECONDS: integerVariable(MIN_LEASE_SECONDS, MAX_LEASE_SECONDS, 300),
};

export interface CoordinationSettings {
  /** Absent: in-memory coordination. */
  readonly table?: { readonly tableName: string; readonly accountId: string };
  readonly leaseMs: number;
}

/** The settings from a parsed environment; a table without its account id is an EnvironmentError. */
export function coordinationSettings(
  functionName: string,
  parsed: {
    readonly COORDINATION_TABLE_NAME?: string | undefined;
    readonly STACK_ACCOUNT_ID?: string | undefined;
    readonly LEASE_SECONDS: number;
  },
): CoordinationSettings {
  const leaseMs = parsed.LEASE_SECONDS * 1000;
  const tableName = parsed.COORDINATION_TABLE_NAME;
  if (!tableName) return Object.freeze({ leaseMs });
  if (!parsed.STACK_ACCOUNT_ID) {
    throw new EnvironmentError(functionName, [
      'STACK_ACCOUNT_ID: is not set (required with COORDINATION_TABLE_NAME: leases are per account and Region)',
    ]);
  }
  return Object.freeze({ table: Object.freeze({ tableName, accountId: parsed.STACK_ACCOUNT_ID }), leaseMs });
}

/** The table with its DynamoDB client (built once, traced), or none. */
export function coordinationTable(
  settings: CoordinationSettings,
  region: string,
  observability: Observability,
): CoordinationTable | undefined {
  if (!settings.table) return undefined;
  const dynamodb = observability.tracer.captureAWSv3Client(createDynamoDbClient({ region }));
  return { dynamodb, ...settings.table, region };
}

export function announcementStore(table: CoordinationTable | undefined): AnnouncementStore {
  return table ? new DynamoDbAnnouncementStore(table) : new InMemoryAnnouncementStore();
}

export function replayCache(table: CoordinationTable | undefined): ReplayCache {
  return table ? new DynamoDbReplayCache(table, SLACK_SIGNATURE_MAX_AGE_SECONDS) : new InMemoryReplayCache();
}

/**
 * Leases on the table (none without one). Yielded VPCs are logged as warnings and counted
 * (`VpcLeaseYielded`); a lost renewal or a failed release is an error (the lease then ends by itself).
 */
export function vpcLeasing(
  table: CoordinationTable | undefined,
  settings: CoordinationSettings,
  observability: Observability,
): Omit<VpcLeasing, 'owner'> | undefined {
  if (!table) return undefined;
  const log = logSink(observability.logger);
  return {
    store: new DynamoDbVpcLeaseStore(table),
    durationMs: settings.leaseMs,
    onEvent: (event) => {
      if (event.kind === 'yielded') {
        log.warn('VPC left to another writer that holds its lease', {
          vpcId: event.vpcId,
          holder: event.holder,
          until: new Date(event.untilMs).toISOString(),
        });
        observability.metrics.addMetric('VpcLeaseYielded', 'Count', 1);
      } else {
        log.error(`VPC lease ${event.kind}: it ends by itself after its duration`, { ...event });
      }
    },
  };
}

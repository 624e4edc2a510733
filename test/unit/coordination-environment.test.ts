/**
 * The coordination variables each coordinating function parses at cold start (reconcile, runbook,
 * slack-interactions): a bad value fails the cold start naming the variable, before anything is built;
 * no table means in-memory coordination; with a table, every store is the shared DynamoDB one.
 */
import {
  announcementStore,
  coordinationTable,
  replayCache,
  vpcLeasing,
  type CoordinationSettings,
} from '../../functions/coordination.js';
import { createObservability } from '../../functions/lambda-runtime.js';
import { parseReconcileEnvironment } from '../../functions/reconcile/environment.js';
import { parseRunbookEnvironment } from '../../functions/runbook/environment.js';
import { parseSlackInteractionsEnvironment } from '../../functions/slack-interactions/environment.js';
import {
  DynamoDbAnnouncementStore,
  DynamoDbReplayCache,
  DynamoDbVpcLeaseStore,
} from '../../shared/aws/coordination-table.js';
import { InMemoryAnnouncementStore } from '../../shared/notify/dedupe.js';
import { InMemoryReplayCache } from '../../shared/notify/slack-signature.js';

const BASE = { AWS_REGION: 'eu-west-1' };
const SLACK = {
  SLACK_SIGNING_SECRET_NAME: 'signing',
  RUNBOOK_STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:runbook',
};
const TABLE = { COORDINATION_TABLE_NAME: 'stack-CoordinationTable-1AB2', STACK_ACCOUNT_ID: '123456789012' };

const parsers: Array<[string, (env: Record<string, string>) => { coordination: CoordinationSettings }]> = [
  ['reconcile', (env) => parseReconcileEnvironment({ ...BASE, ...env })],
  ['runbook', (env) => parseRunbookEnvironment({ ...BASE, ...env })],
  ['slack-interactions', (env) => parseSlackInteractionsEnvironment({ ...BASE, ...SLACK, ...env })],
];

describe.each(parsers)('the %s function', (_fn, parse) => {
  it.each([
    [
      'a table name with a space',
      { ...TABLE, COORDINATION_TABLE_NAME: 'bad name' },
      /COORDINATION_TABLE_NAME: must be a DynamoDB table name/,
    ],
    [
      'a two-character table name',
      { ...TABLE, COORDINATION_TABLE_NAME: 'ab' },
      /COORDINATION_TABLE_NAME: must be/,
    ],
    [
      'a table without the account id',
      { COORDINATION_TABLE_NAME: 'table-1' },
      /STACK_ACCOUNT_ID: is not set \(required with COORDINATION_TABLE_NAME/,
    ],
    [
      'an 11-digit account id',
      { ...TABLE, STACK_ACCOUNT_ID: '12345678901' },
      /STACK_ACCOUNT_ID: must be a 12-digit AWS account id \(got "12345678901"\)/,
    ],
    [
      'a lease below 30 s',
      { ...TABLE, LEASE_SECONDS: '29' },
      /LEASE_SECONDS: must be a whole number from 30 to 3600 \(got "29"\)/,
    ],
    [
      'a lease above an hour',
      { ...TABLE, LEASE_SECONDS: '3601' },
      /LEASE_SECONDS: must be a whole number from 30 to 3600/,
    ],
    ['a fractional lease', { ...TABLE, LEASE_SECONDS: '60.5' }, /LEASE_SECONDS: must be a whole number/],
    [
      'a lease that is not a number',
      { ...TABLE, LEASE_SECONDS: 'ten' },
      /LEASE_SECONDS: must be a whole number/,
    ],
  ])('refuses %s, naming the variable', (_name, env, message) => {
    expect(() => parse(env)).toThrow(message);
  });

  it('reads the table, the account and the lease', () => {
    expect(parse({ ...TABLE, LEASE_SECONDS: '120' }).coordination).toEqual({
      table: { tableName: TABLE.COORDINATION_TABLE_NAME, accountId: '123456789012' },
      leaseMs: 120_000,
    });
    expect(parse({ COORDINATION_TABLE_NAME: ' ' }).coordination).toEqual({ leaseMs: 300_000 });
  });
});

describe('the stores built from the settings', () => {
  const observability = createObservability('test');

  it('without a table: in-memory dedupe and replay cache, no leases', () => {
    const settings = parseReconcileEnvironment(BASE).coordination;
    const table = coordinationTable(settings, 'eu-west-1', observability);
    expect({
      table,
      announcements: announcementStore(table) instanceof InMemoryAnnouncementStore,
      replay: replayCache(table) instanceof InMemoryReplayCache,
      leasing: vpcLeasing(table, settings, observability),
    }).toEqual({ table: undefined, announcements: true, replay: true, leasing: undefined });
  });

  it('with a table: every store is the shared DynamoDB one, keyed by the stack account and Region', () => {
    const settings = parseReconcileEnvironment({ ...BASE, ...TABLE, LEASE_SECONDS: '120' }).coordination;
    const table = coordinationTable(settings, 'eu-west-1', observability);
    const leasing = vpcLeasing(table, settings, observability);
    expect({
      table: { name: table?.tableName, account: table?.accountId, region: table?.region },
      announcements: announcementStore(table) instanceof DynamoDbAnnouncementStore,
      replay: replayCache(table) instanceof DynamoDbReplayCache,
      leases: leasing?.store instanceof DynamoDbVpcLeaseStore,
      durationMs: leasing?.durationMs,
    }).toEqual({
      table: { name: TABLE.COORDINATION_TABLE_NAME, account: '123456789012', region: 'eu-west-1' },
      announcements: true,
      replay: true,
      leases: true,
      durationMs: 120_000,
    });
  });
});

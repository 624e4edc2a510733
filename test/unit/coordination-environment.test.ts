/**
 * The coordination settings the Lambda functions parse at cold start: a bad value fails the cold
 * start naming the variable (and nothing is built), no table means in-memory coordination.
 */
import {
  announcementStore,
  coordinationFromEnvironment,
  replayCache,
  vpcLeasing,
} from '../../functions/coordination.js';
import {
  DynamoDbAnnouncementStore,
  DynamoDbReplayCache,
  DynamoDbVpcLeaseStore,
} from '../../shared/aws/coordination-table.js';
import { InMemoryAnnouncementStore } from '../../shared/notify/dedupe.js';
import { InMemoryReplayCache } from '../../shared/notify/slack-signature.js';

const TABLE = { COORDINATION_TABLE_NAME: 'stack-CoordinationTable-1AB2', STACK_ACCOUNT_ID: '123456789012' };

describe('coordinationFromEnvironment', () => {
  it.each([
    [
      'a table name with a space',
      { ...TABLE, COORDINATION_TABLE_NAME: 'bad name' },
      /COORDINATION_TABLE_NAME: a DynamoDB table name/,
    ],
    ['a two-character table name', { ...TABLE, COORDINATION_TABLE_NAME: 'ab' }, /COORDINATION_TABLE_NAME/],
    [
      'a table without the account id',
      { COORDINATION_TABLE_NAME: 'table-1' },
      /STACK_ACCOUNT_ID: AWS_ACCOUNT_ID|STACK_ACCOUNT_ID: .*required/,
    ],
    [
      'an 11-digit account id',
      { ...TABLE, STACK_ACCOUNT_ID: '12345678901' },
      /STACK_ACCOUNT_ID: a 12-digit AWS account id/,
    ],
    ['a lease below 30 s', { ...TABLE, LEASE_SECONDS: '29' }, /LEASE_SECONDS/],
    ['a lease above an hour', { ...TABLE, LEASE_SECONDS: '3601' }, /LEASE_SECONDS/],
    ['a fractional lease', { ...TABLE, LEASE_SECONDS: '60.5' }, /LEASE_SECONDS/],
    ['a lease that is not a number', { ...TABLE, LEASE_SECONDS: 'ten' }, /LEASE_SECONDS/],
  ])('refuses %s, naming the variable', (_name, env, message) => {
    expect(() => coordinationFromEnvironment(env, 'us-east-1')).toThrow(message);
  });

  it('without a table: in-memory dedupe and replay cache, no leases', () => {
    const settings = coordinationFromEnvironment({}, 'us-east-1');
    expect({
      table: settings.table,
      leaseMs: settings.leaseMs,
      announcements: announcementStore(settings) instanceof InMemoryAnnouncementStore,
      replay: replayCache(settings) instanceof InMemoryReplayCache,
      leasing: vpcLeasing(settings, undefined),
    }).toEqual({ table: undefined, leaseMs: 300_000, announcements: true, replay: true, leasing: undefined });
  });

  it('with a table: every store is the shared DynamoDB one, keyed by the stack account and Region', () => {
    const settings = coordinationFromEnvironment({ ...TABLE, LEASE_SECONDS: '120' }, 'eu-west-1');
    const leasing = vpcLeasing(settings, undefined);
    expect({
      table: {
        name: settings.table?.tableName,
        account: settings.table?.accountId,
        region: settings.table?.region,
      },
      leaseMs: settings.leaseMs,
      announcements: announcementStore(settings) instanceof DynamoDbAnnouncementStore,
      replay: replayCache(settings) instanceof DynamoDbReplayCache,
      leases: leasing?.store instanceof DynamoDbVpcLeaseStore,
      durationMs: leasing?.durationMs,
    }).toEqual({
      table: { name: TABLE.COORDINATION_TABLE_NAME, account: '123456789012', region: 'eu-west-1' },
      leaseMs: 120_000,
      announcements: true,
      replay: true,
      leases: true,
      durationMs: 120_000,
    });
  });
});

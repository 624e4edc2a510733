/**
 * The pure token-bucket arithmetic (shared/core/token-bucket.ts) and the EC2 action → bucket table
 * (shared/core/ec2-request-buckets.ts), as tables.
 */
import { ec2BucketFor } from '../../../shared/core/ec2-request-buckets.js';
import {
  emptied,
  fullBucket,
  levelAt,
  reserve,
  shareOf,
  type BucketLevel,
  type BucketRate,
} from '../../../shared/core/token-bucket.js';

const ENDPOINT_SHARE: BucketRate = { capacity: 2, refillPerSecond: 0.15 };

describe('reserve: one token per request, waits for the refill, released in order', () => {
  it.each([
    // [name, rate, level, now, expected tokens after, expected wait ms]
    ['full bucket: no wait', ENDPOINT_SHARE, { tokens: 2, atMs: 0 }, 0, 1, 0],
    ['last whole token: no wait', ENDPOINT_SHARE, { tokens: 1, atMs: 0 }, 0, 0, 0],
    ['empty: one refill interval (1 / 0.15 s)', ENDPOINT_SHARE, { tokens: 0, atMs: 0 }, 0, -1, 6667],
    ['half a token: half the interval', ENDPOINT_SHARE, { tokens: 0.5, atMs: 0 }, 0, -0.5, 3334],
    ['one reservation queued: two intervals', ENDPOINT_SHARE, { tokens: -1, atMs: 0 }, 0, -2, 13334],
    ['refilled by elapsed time', ENDPOINT_SHARE, { tokens: 0, atMs: 0 }, 10000, 0.5, 0],
    ['refill stops at the capacity', ENDPOINT_SHARE, { tokens: 0, atMs: 0 }, 3_600_000, 1, 0],
    ['a clock that went back refills nothing', ENDPOINT_SHARE, { tokens: 0, atMs: 5000 }, 1000, -1, 6667],
    ['fast refill (20/s)', { capacity: 50, refillPerSecond: 20 }, { tokens: 0, atMs: 0 }, 0, -1, 50],
  ] as const)('%s', (_name, rate, level: BucketLevel, now, tokens, waitMs) => {
    const result = reserve(rate, level, now);
    expect({ tokens: Number(result.level.tokens.toFixed(6)), waitMs: result.waitMs }).toEqual({
      tokens,
      waitMs,
    });
  });

  it('a burst of six on the endpoint share: two at once, then one every 6.67 s', () => {
    let level = fullBucket(ENDPOINT_SHARE, 0);
    const waits: number[] = [];
    for (let i = 0; i < 6; i++) {
      const r = reserve(ENDPOINT_SHARE, level, 0);
      level = r.level;
      waits.push(r.waitMs);
    }
    expect(waits).toEqual([0, 0, 6667, 13334, 20000, 26667]);
  });

  it('released requests never exceed capacity + refill × time (checked over 200 random arrivals)', () => {
    const rate: BucketRate = { capacity: 4, refillPerSecond: 0.3 };
    let level = fullBucket(rate, 0);
    let now = 0;
    const sent: number[] = [];
    let seed = 7;
    const random = () => ((seed = (seed * 48271) % 2147483647) / 2147483647) * 2000;
    for (let i = 0; i < 200; i++) {
      now += random();
      const r = reserve(rate, level, now);
      level = r.level;
      sent.push(now + r.waitMs);
    }
    const violations = sent.flatMap((at, i) =>
      sent
        .slice(i)
        .map((later, j) => ({ from: at, to: later, count: j + 1 }))
        .filter(
          ({ from, to, count }) => count > rate.capacity + ((to - from) / 1000) * rate.refillPerSecond + 1e-6,
        ),
    );
    expect(violations).toEqual([]);
    // Sends stay in arrival order.
    expect([...sent].sort((a, b) => a - b)).toEqual(sent);
  });
});

describe('levelAt, emptied, shareOf', () => {
  it('levelAt refills linearly and caps', () => {
    const rate: BucketRate = { capacity: 4, refillPerSecond: 0.3 };
    expect(levelAt(rate, { tokens: 1, atMs: 0 }, 5000)).toEqual({ tokens: 2.5, atMs: 5000 });
    expect(levelAt(rate, { tokens: 1, atMs: 0 }, 60000)).toEqual({ tokens: 4, atMs: 60000 });
  });

  it('emptied drops held tokens to zero and keeps a queue of reservations', () => {
    expect(emptied(ENDPOINT_SHARE, { tokens: 2, atMs: 0 }, 0)).toEqual({ tokens: 0, atMs: 0 });
    expect(emptied(ENDPOINT_SHARE, { tokens: -3, atMs: 0 }, 0)).toEqual({ tokens: -3, atMs: 0 });
  });

  it.each([
    [
      'one half of the endpoint bucket',
      { capacity: 4, refillPerSecond: 0.3 },
      0.5,
      1,
      { capacity: 2, refillPerSecond: 0.15 },
    ],
    ['all of it', { capacity: 4, refillPerSecond: 0.3 }, 1, 1, { capacity: 4, refillPerSecond: 0.3 }],
    [
      'at least one token',
      { capacity: 4, refillPerSecond: 0.3 },
      0.1,
      1,
      { capacity: 1, refillPerSecond: 0.03 },
    ],
    [
      'refill ×20 (a faster test endpoint)',
      { capacity: 100, refillPerSecond: 20 },
      0.5,
      20,
      { capacity: 50, refillPerSecond: 200 },
    ],
  ] as const)('shareOf: %s', (_name, rate, share, factor, expected) => {
    const got = shareOf(rate, share, factor);
    expect({ capacity: got.capacity, refillPerSecond: Number(got.refillPerSecond.toFixed(6)) }).toEqual(
      expected,
    );
  });

  it.each([0, -1, 1.5, Number.NaN])('shareOf refuses share %s', (share) => {
    expect(() => shareOf({ capacity: 4, refillPerSecond: 0.3 }, share)).toThrow('share must be > 0 and <= 1');
  });

  it('shareOf refuses a refill factor of 0', () => {
    expect(() => shareOf({ capacity: 4, refillPerSecond: 0.3 }, 0.5, 0)).toThrow('refillFactor must be > 0');
  });
});

describe('ec2BucketFor: the EC2 page’s categories', () => {
  it.each([
    ['CreateVpcEndpoint', undefined, 'CreateVpcEndpoint', 'vpc-endpoint', 4, 0.3],
    ['ModifyVpcEndpoint', undefined, 'ModifyVpcEndpoint', 'vpc-endpoint', 4, 0.3],
    ['DeleteVpcEndpoints', undefined, 'DeleteVpcEndpoints', 'vpc-endpoint', 4, 0.3],
    [
      'AuthorizeSecurityGroupIngress',
      undefined,
      'AuthorizeSecurityGroupIngress',
      'resource-intensive',
      50,
      5,
    ],
    ['CreateSecurityGroup', undefined, 'CreateSecurityGroup', 'mutating', 50, 5],
    ['ModifyVpcAttribute', undefined, 'ModifyVpcAttribute', 'mutating', 50, 5],
    ['CreateTags', undefined, 'CreateTags', 'uncategorized', 100, 10],
    ['DescribeVpcEndpoints', undefined, 'DescribeVpcEndpoints', 'non-mutating', 100, 20],
    [
      'DescribeSecurityGroups',
      undefined,
      'DescribeSecurityGroups/unfiltered',
      'unfiltered-non-mutating',
      50,
      10,
    ],
    [
      'DescribeSecurityGroups',
      { Filters: [] },
      'DescribeSecurityGroups/unfiltered',
      'unfiltered-non-mutating',
      50,
      10,
    ],
    [
      'DescribeSecurityGroups',
      { Filters: [{ Name: 'vpc-id' }] },
      'DescribeSecurityGroups',
      'non-mutating',
      100,
      20,
    ],
    ['DescribeInstances', { MaxResults: 1000 }, 'DescribeInstances', 'non-mutating', 100, 20],
    ['DescribeNetworkInterfaces', { NextToken: 't' }, 'DescribeNetworkInterfaces', 'non-mutating', 100, 20],
    ['GetManagedPrefixListEntries', undefined, 'GetManagedPrefixListEntries', 'non-mutating', 100, 20],
  ] as const)('%s %j → %s', (action, input, name, category, capacity, refill) => {
    const bucket = ec2BucketFor(action, input);
    expect(bucket).toEqual({ name, category, rate: { capacity, refillPerSecond: refill } });
  });
});

describe('ec2BucketFor: every action the page lists in a category', () => {
  // "Request throttling for the Amazon EC2 API": the resource-intensive actions, the tag actions, and
  // the reads whose unfiltered and unpaginated form has the smaller bucket.
  const RESOURCE_INTENSIVE = [
    'AcceptVpcPeeringConnection',
    'AuthorizeSecurityGroupIngress',
    'CancelSpotInstanceRequests',
    'CreateKeyPair',
    'CreateVpcPeeringConnection',
    'DeleteVpcPeeringConnection',
    'RejectVpcPeeringConnection',
    'RevokeSecurityGroupIngress',
    'RequestSpotInstances',
  ];
  const TAGS = ['CreateTags', 'DeleteTags'];
  const UNFILTERED = [
    'DescribeInstances',
    'DescribeInstanceStatus',
    'DescribeNetworkInterfaces',
    'DescribeSecurityGroups',
    'DescribeSnapshots',
    'DescribeSpotInstanceRequests',
    'DescribeVolumes',
  ];

  it.each(RESOURCE_INTENSIVE)('%s is resource-intensive (its own bucket of 50, 5/s)', (action) => {
    expect(ec2BucketFor(action)).toEqual({
      name: action,
      category: 'resource-intensive',
      rate: { capacity: 50, refillPerSecond: 5 },
    });
  });

  it.each(TAGS)('%s is a tag action (100, 10/s)', (action) => {
    expect(ec2BucketFor(action)).toEqual({
      name: action,
      category: 'uncategorized',
      rate: { capacity: 100, refillPerSecond: 10 },
    });
  });

  it.each(UNFILTERED)('%s unfiltered uses the smaller read bucket; filtered, the ordinary one', (action) => {
    expect(ec2BucketFor(action, {})).toMatchObject({
      name: `${action}/unfiltered`,
      category: 'unfiltered-non-mutating',
    });
    expect(ec2BucketFor(action, { Filters: [{}] })).toMatchObject({ name: action, category: 'non-mutating' });
  });
});

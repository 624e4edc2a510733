/**
 * The EC2 pacer (shared/aws/ec2-pacing.ts) with a fake clock: no real sleeping. The SDK client talks
 * to a hand-written request handler that answers like EC2 (RequestLimitExceeded is HTTP 503 with the
 * EC2 error document, "Error codes for the Amazon EC2 API").
 */
import { Readable } from 'node:stream';
import { DescribeVpcsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { ec2BucketFor } from '../../shared/core/ec2-request-buckets.js';
import { Ec2Pacer, paceEc2Client } from '../../shared/aws/ec2-pacing.js';
import { fakeClock } from '../support/fake-clock.js';

const THROTTLED =
  '<?xml version="1.0" encoding="UTF-8"?><Response><Errors><Error><Code>RequestLimitExceeded</Code>' +
  '<Message>Request limit exceeded.</Message></Error></Errors><RequestID>r-1</RequestID></Response>';
const VPCS =
  '<DescribeVpcsResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><requestId>r-2</requestId>' +
  '<vpcSet/></DescribeVpcsResponse>';

/** An EC2 client (one SDK attempt) whose first `throttles` requests are refused as throttled. */
function clientAnswering(throttles: number) {
  const seen: string[] = [];
  let remaining = throttles;
  const client = new EC2Client({
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
    requestHandler: {
      handle: async (request: { body?: unknown }) => {
        seen.push(String(request.body));
        const throttled = remaining-- > 0;
        return {
          // The shape of an HttpResponse (the SDK checks it by shape).
          response: {
            statusCode: throttled ? 503 : 200,
            headers: { 'content-type': 'text/xml' },
            body: Readable.from([Buffer.from(throttled ? THROTTLED : VPCS)]),
          },
        };
      },
    },
  });
  return { client, seen };
}

describe('Ec2Pacer', () => {
  it('waits per bucket: the endpoint bucket at one half gives two at once, then one per 6.67 s; reads do not wait on it', async () => {
    const clock = fakeClock();
    const pacer = new Ec2Pacer({ share: 0.5, clock });
    const create = ec2BucketFor('CreateVpcEndpoint');
    for (let i = 0; i < 4; i++) await pacer.acquire(create);
    await pacer.acquire(ec2BucketFor('DescribeVpcEndpoints'));
    expect(clock.slept).toEqual([6667, 6667]);
    expect(pacer.stats()).toMatchObject({ pacedRequests: 2, pacedWaitMs: 13334 });
  });

  it('a server throttle empties the client bucket: the next request waits a refill interval', async () => {
    const clock = fakeClock();
    const pacer = new Ec2Pacer({ share: 0.5, clock });
    const create = ec2BucketFor('CreateVpcEndpoint');
    await pacer.acquire(create); // one of two tokens left
    pacer.onThrottled(create, 'CreateVpcEndpoint');
    await pacer.acquire(create);
    expect(clock.slept).toEqual([6667]);
    expect(pacer.stats().throttledByAction).toEqual({ CreateVpcEndpoint: 1 });
  });

  it('says how far the next token is, and a second pacer restored from its levels continues the same buckets', async () => {
    const clock = fakeClock();
    const first = new Ec2Pacer({ share: 0.5, clock });
    const create = ec2BucketFor('CreateVpcEndpoint');
    expect(first.readyInMs('CreateVpcEndpoint')).toBe(0);
    await first.acquire(create);
    await first.acquire(create);
    expect(clock.slept).toEqual([]);
    expect(first.readyInMs('CreateVpcEndpoint')).toBe(6667);
    expect(first.readyInMs('ModifyVpcEndpoint')).toBe(0);
    // A workflow's next step: another invocation, another pacer, the levels carried as JSON.
    const saved = JSON.parse(JSON.stringify(first.levels())) as ReturnType<Ec2Pacer['levels']>;
    const next = new Ec2Pacer({ share: 0.5, clock });
    expect(next.readyInMs('CreateVpcEndpoint')).toBe(0);
    next.restore(saved);
    expect(next.readyInMs('CreateVpcEndpoint')).toBe(6667);
    await clock.sleep(6667);
    expect(next.readyInMs('CreateVpcEndpoint')).toBe(0);
    // A level stamped in the future (another machine's clock) counts from now, never as extra tokens.
    const skewed = new Ec2Pacer({ share: 0.5, clock });
    skewed.restore({ CreateVpcEndpoint: { tokens: 0, atMs: clock.now() + 60_000 } });
    expect(skewed.readyInMs('CreateVpcEndpoint')).toBe(6667);
  });

  it('backs off 1, 2, 4, 8, 16 s, then 20 s per round', () => {
    const pacer = new Ec2Pacer({ share: 0.5 });
    expect([0, 1, 2, 3, 4, 5, 6].map((round) => pacer.backoff(round))).toEqual([
      1000, 2000, 4000, 8000, 16000, 20000, 20000,
    ]);
  });

  it.each([
    [{ share: 0 }, 'share must be > 0 and <= 1'],
    [{ share: 1.5 }, 'share must be > 0 and <= 1'],
    [{ share: 0.5, refillFactor: 0 }, 'refillFactor must be > 0'],
    [{ share: 0.5, throttleRetries: -1 }, 'throttleRetries must be a whole number >= 0'],
  ])('refuses %j', (options, message) => {
    expect(() => new Ec2Pacer(options)).toThrow(message);
  });
});

describe('paceEc2Client: RequestLimitExceeded is retried after a backoff, the same request each time', () => {
  it('three throttles, then success: retried, counted, never failed', async () => {
    const clock = fakeClock();
    const pacer = new Ec2Pacer({ share: 0.5, clock });
    const { client, seen } = clientAnswering(3);
    paceEc2Client(client, pacer);
    const answer = await client.send(new DescribeVpcsCommand({ VpcIds: ['vpc-1'] }));
    expect(answer.Vpcs).toEqual([]);
    expect(seen).toHaveLength(4);
    expect(new Set(seen)).toEqual(new Set([seen[0]]));
    expect(pacer.stats()).toMatchObject({
      throttledRetries: 3,
      throttledFailures: 0,
      throttledByAction: { DescribeVpcs: 3 },
    });
    // Backoff 1, 2, 4 s; each backoff refills the emptied read bucket (10/s): no pacing wait on top.
    expect(clock.slept).toEqual([1000, 2000, 4000]);
  });

  it('still throttled after every round: the error comes back as RequestLimitExceeded, counted as a failure', async () => {
    const clock = fakeClock();
    const pacer = new Ec2Pacer({ share: 0.5, clock, throttleRetries: 2 });
    const { client, seen } = clientAnswering(100);
    paceEc2Client(client, pacer);
    await expect(client.send(new DescribeVpcsCommand({}))).rejects.toMatchObject({
      name: 'RequestLimitExceeded',
    });
    expect(seen).toHaveLength(3);
    expect(pacer.stats()).toMatchObject({ throttledRetries: 2, throttledFailures: 1 });
  });
});

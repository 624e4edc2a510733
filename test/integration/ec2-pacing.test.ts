/**
 * The EC2 client's pacing (shared/aws/ec2-pacing.ts) against the emulator's EC2 token buckets
 * (emulator/ec2_throttle.py, AWS's sizes; refill ×10 here, the pacer told the same through its
 * refill factor, as EC2_REFILL_FACTOR would).
 * - share 0.5, alone: a burst of endpoint creates is spread out by the client; EC2 never refuses one;
 * - share 1.0, with another caller emptying the account's bucket: RequestLimitExceeded happens, is
 *   retried (counted) and every create succeeds; each retry re-sends the same ClientToken, and no
 *   create makes a second endpoint. The contention does not hang on the machine's speed: the bucket
 *   is drained (`POST /_emulator/ec2-throttle`) with the emulator's clock frozen, so it cannot
 *   refill before the client's first creates have met it empty; the clock runs again once the
 *   client has seen them refused, and the other caller keeps asking for 2 of the 3 tokens a second.
 */
import { CreateVpcEndpointCommand, DescribeVpcEndpointsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { createAwsClients, type AwsClients } from '../../shared/aws/clients.js';
import { errorNames } from '../../shared/aws/aws-errors.js';
import { createVpc } from '../../scripts/seed/builders.js';
import { control, freezeClock, setBucketLevel, setEc2, singleAttemptEc2 } from '../emulator/ec2-control.js';
import { resetEmulator } from '../support/emulator.js';

const REGION = 'us-east-1';
const S3 = `com.amazonaws.${REGION}.s3`;
const SPEED = 10;
const CREATES = 10;
/** The client's CreateVpcEndpoint bucket at share 1: this many creates of a burst are sent at once. */
const CLIENT_BURST = 4;

/** Records the ClientToken of every HTTP attempt (the deserialize step runs once per attempt). */
function recordAttempts(client: EC2Client): Map<string, number> {
  const attempts = new Map<string, number>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const body = String((args.request as { body?: unknown }).body ?? '');
      const token = new URLSearchParams(body).get('ClientToken');
      if (context.commandName === 'CreateVpcEndpointCommand' && token)
        attempts.set(token, (attempts.get(token) ?? 0) + 1);
      return next(args);
    },
    { step: 'deserialize', name: 'testRecordAttempts' },
  );
  return attempts;
}

/** Another tool of the account: CreateVpcEndpoint calls that take a token each (and fail on a bogus VPC). */
function competitor(endpoint: string, perSecond: number) {
  const ec2 = singleAttemptEc2(endpoint, REGION);
  let running = true;
  const answers: string[] = [];
  const loop = (async () => {
    while (running) {
      try {
        await ec2.send(new CreateVpcEndpointCommand({ VpcId: 'vpc-0000000000000000f', ServiceName: S3 }));
        answers.push('ok');
      } catch (error) {
        answers.push(errorNames(error)[0] ?? 'unknown');
      }
      await new Promise((resolve) => setTimeout(resolve, 1000 / perSecond));
    }
  })();
  return {
    answers,
    stop: async () => {
      running = false;
      await loop;
    },
  };
}

async function until(condition: () => boolean, timeoutMs = 30000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function createBurst(clients: AwsClients, vpcId: string, label: string): Promise<string[]> {
  return Promise.all(
    Array.from({ length: CREATES }, async (_, i) => {
      const { VpcEndpoint } = await clients.ec2.send(
        new CreateVpcEndpointCommand({
          VpcId: vpcId,
          ServiceName: S3,
          VpcEndpointType: 'Gateway',
          ClientToken: `pacing-${label}-${i}`,
        }),
      );
      return VpcEndpoint?.VpcEndpointId ?? 'none';
    }),
  );
}

async function endpointsOf(clients: AwsClients, vpcId: string): Promise<string[]> {
  const { VpcEndpoints = [] } = await clients.ec2.send(
    new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }),
  );
  return VpcEndpoints.map((e) => e.VpcEndpointId ?? '').sort();
}

describe('EC2 pacing against the emulator’s token buckets', () => {
  it('share 0.5: ten creates at once are spread to the client’s half of the bucket; EC2 refuses none', async () => {
    const endpoint = await resetEmulator();
    const clients = createAwsClients({
      region: REGION,
      endpointUrl: endpoint,
      ec2Pacing: { share: 0.5, refillFactor: SPEED },
    });
    const vpcId = await createVpc(clients.ec2, { name: 'paced', cidr: '10.1.0.0/16' });
    await setEc2(endpoint, { throttle: 'aws', throttleSpeed: SPEED });
    const started = Date.now();
    const ids = await createBurst(clients, vpcId, 'half');
    const elapsed = Date.now() - started;
    const throttled = (await control(endpoint, 'ec2-throttle')).body.throttled as Record<string, number>;
    const stats = clients.ec2Pacer!.stats();
    console.log(
      `pacing share 0.5, refill ×${SPEED}: ${CREATES} creates in ${elapsed} ms; ${stats.pacedRequests} waited ` +
        `(${stats.pacedWaitMs} ms in all); emulator throttled ${JSON.stringify(throttled)}`,
    );
    expect(throttled).toEqual({});
    expect(stats).toMatchObject({ throttledRetries: 0, throttledFailures: 0 });
    // 2 tokens at once, then one per 1 / (0.3 × 0.5 × 10) s = 0.667 s: 8 waits, ≥ 5.3 s in all.
    expect(stats.pacedRequests).toBe(CREATES - 2);
    expect(elapsed).toBeGreaterThanOrEqual(5000);
    expect(new Set(ids).size).toBe(CREATES);
    await setEc2(endpoint, { throttle: 'off' });
    expect(await endpointsOf(clients, vpcId)).toEqual([...ids].sort());
  }, 60000);

  it('share 1.0 with another caller emptying the bucket: throttled creates are retried with their ClientToken and all succeed, once each', async () => {
    const endpoint = await resetEmulator();
    const clients = createAwsClients({
      region: REGION,
      endpointUrl: endpoint,
      ec2Pacing: { share: 1, refillFactor: SPEED },
    });
    const attempts = recordAttempts(clients.ec2);
    const vpcId = await createVpc(clients.ec2, { name: 'contended', cidr: '10.2.0.0/16' });
    await setEc2(endpoint, { throttle: 'aws', throttleSpeed: SPEED });
    // The other tool has just emptied the account's bucket; with the emulator's clock frozen it stays
    // empty, however slowly this machine gets the burst out.
    await freezeClock(endpoint);
    await setBucketLevel(endpoint, { bucket: 'CreateVpcEndpoint', region: REGION, tokens: 0 });
    // It goes on asking for 2 of the 3 tokens per second the bucket refills.
    const other = competitor(endpoint, 2);
    const burst = createBurst(clients, vpcId, 'full');
    burst.catch(() => undefined); // awaited below; no unhandled rejection meanwhile
    // The creates the client sends at once all meet the empty bucket; then time runs again.
    await until(() => (clients.ec2Pacer!.stats().throttledByAction.CreateVpcEndpoint ?? 0) >= CLIENT_BURST);
    await control(endpoint, 'clock', { unfreeze: true });
    const ids = await burst;
    await other.stop();
    const throttled = (await control(endpoint, 'ec2-throttle')).body.throttled as Record<string, number>;
    const stats = clients.ec2Pacer!.stats();
    const retried = [...attempts].filter(([, n]) => n > 1);
    console.log(
      `pacing share 1.0 + competitor (${other.answers.length} calls): ${stats.throttledRetries} throttled retries, ` +
        `${stats.throttledFailures} failures; ${retried.length} creates needed more than one attempt ` +
        `(max ${Math.max(...attempts.values())}); emulator throttled ${JSON.stringify(throttled)}`,
    );
    expect(stats.throttledRetries).toBeGreaterThan(0);
    expect(stats.throttledFailures).toBe(0);
    expect(retried.length).toBeGreaterThan(0);
    // One ClientToken per create, the same on every attempt of it: the plan's tokens and nothing else.
    expect([...attempts.keys()].sort()).toEqual(
      Array.from({ length: CREATES }, (_, i) => `pacing-full-${i}`).sort(),
    );
    expect(new Set(ids).size).toBe(CREATES);
    await setEc2(endpoint, { throttle: 'off' });
    expect(await endpointsOf(clients, vpcId)).toEqual([...ids].sort());
  }, 120000);
});

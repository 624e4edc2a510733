/** The emulator's control routes (`/_emulator/...`) as the EC2 tests use them. */
import { EC2Client } from '@aws-sdk/client-ec2';

export interface ControlAnswer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

export async function control(endpoint: string, name: string, body?: unknown): Promise<ControlAnswer> {
  const response = await fetch(`${endpoint}/_emulator/${name}`, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** Sets EC2 behaviour through `POST /_emulator/ec2`; fails the test on a refused setting. */
export async function setEc2(endpoint: string, settings: Record<string, unknown>): Promise<void> {
  const answer = await control(endpoint, 'ec2', settings);
  if (answer.status !== 200) throw new Error(`POST /_emulator/ec2 refused: ${JSON.stringify(answer.body)}`);
}

/**
 * Sets one EC2 token bucket's level through `POST /_emulator/ec2-throttle` (a test control; default
 * 0 tokens: drained, as if another caller had just emptied it); fails the test on a refusal.
 */
export async function setBucketLevel(
  endpoint: string,
  level: { bucket: string; region: string; account?: string; tokens?: number },
): Promise<void> {
  const answer = await control(endpoint, 'ec2-throttle', level);
  if (answer.status !== 200)
    throw new Error(`POST /_emulator/ec2-throttle refused: ${JSON.stringify(answer.body)}`);
}

export async function freezeClock(endpoint: string): Promise<void> {
  await control(endpoint, 'clock', { freeze: true });
}

export async function advanceClock(endpoint: string, seconds: number): Promise<void> {
  const answer = await control(endpoint, 'clock', { advanceSeconds: seconds });
  if (answer.status !== 200) throw new Error(`advancing the clock failed: ${JSON.stringify(answer.body)}`);
}

/** An EC2 client without SDK retries, so each call is one request the emulator meters. */
export function singleAttemptEc2(endpoint: string, region = 'us-east-1', account?: string): EC2Client {
  const client = new EC2Client({
    region,
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  if (account) {
    // moto keeps one state per account: the header picks it, as STS AssumeRole credentials would.
    client.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request as { headers?: Record<string, string> };
        if (request.headers) request.headers['x-moto-account-id'] = account;
        return next(args);
      },
      { step: 'build', name: 'mototAccount' },
    );
  }
  return client;
}

/**
 * Client-side pacing of every EC2 request of a run, so the remediator stays under EC2's request
 * token buckets instead of being throttled ("Request throttling for the Amazon EC2 API",
 * https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html).
 *
 * Invariants:
 * - one pacer per EC2 client, and the composition root builds one client per run: every request of
 *   the run (writes and reads, all VPCs in parallel) draws from the same client-side buckets;
 * - each action has a bucket of its own (the page: "each API is evaluated individually"), sized to
 *   `share` of the published capacity and refill (shared/core/ec2-request-buckets.ts), so the other
 *   tools of the account keep the rest;
 * - every HTTP attempt, the SDK's retries included, waits for a token before it is signed and sent
 *   (the pacing middleware sits between the SDK's retry and signing middlewares);
 * - a `RequestLimitExceeded` that still happens (another caller emptied the account's bucket) empties
 *   our bucket too, so the next attempt waits a refill interval; when the SDK's own attempts are spent
 *   the command is sent again after an exponential backoff (the page's "Retries and exponential
 *   backoff"), up to `throttleRetries` rounds. The SDK re-sends the same input each time, so a
 *   CreateVpcEndpoint keeps its ClientToken and a retried create never makes a second endpoint
 *   ("Ensuring idempotency in Amazon EC2 API requests",
 *   https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-idempotency.html).
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { ec2BucketFor, type Ec2Bucket, type ReadShape } from '../core/ec2-request-buckets.js';
import { emptied, fullBucket, reserve, shareOf, type BucketLevel } from '../core/token-bucket.js';
import { isErrorNamed } from './aws-errors.js';

export interface PacingClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

export const realClock: PacingClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface Ec2PacingOptions {
  /** The part of each published bucket this client keeps to: 0 < share <= 1. */
  readonly share: number;
  /** Multiplies the published refill rates (1 for AWS). */
  readonly refillFactor?: number;
  /** Rounds of the SDK's attempts after the first, for a command still throttled (default 6). */
  readonly throttleRetries?: number;
  /** First backoff between rounds in ms, doubled each round, at most 20 s (default 1000). */
  readonly backoffMs?: number;
  readonly clock?: PacingClock;
}

export interface PacingStats {
  /** RequestLimitExceeded answers that were retried (none of them became a failed call). */
  readonly throttledRetries: number;
  /** Commands that failed with RequestLimitExceeded after every retry. */
  readonly throttledFailures: number;
  /** Requests that waited for a client-side token, and how long in all. */
  readonly pacedRequests: number;
  readonly pacedWaitMs: number;
  /** RequestLimitExceeded answers per action. */
  readonly throttledByAction: Readonly<Record<string, number>>;
}

const MAX_BACKOFF_MS = 20000;

export const THROTTLE_ERROR = 'RequestLimitExceeded';

export class Ec2Pacer {
  private readonly buckets = new Map<string, BucketLevel>();
  private readonly clock: PacingClock;
  readonly throttleRetries: number;
  private readonly backoffMs: number;
  private throttled = 0;
  private gaveUp = 0;
  private paced = 0;
  private waited = 0;
  private readonly byAction = new Map<string, number>();

  constructor(private readonly options: Ec2PacingOptions) {
    // Validates share and factor once, at the composition root.
    shareOf({ capacity: 1, refillPerSecond: 1 }, options.share, options.refillFactor ?? 1);
    const retries = options.throttleRetries ?? 6;
    if (!Number.isInteger(retries) || retries < 0)
      throw new Error(`throttleRetries must be a whole number >= 0, got ${retries}`);
    this.throttleRetries = retries;
    this.backoffMs = options.backoffMs ?? 1000;
    this.clock = options.clock ?? realClock;
  }

  private rate(bucket: Ec2Bucket) {
    return shareOf(bucket.rate, this.options.share, this.options.refillFactor ?? 1);
  }

  /** Waits until the bucket of this request has a token for it. */
  async acquire(bucket: Ec2Bucket): Promise<void> {
    const rate = this.rate(bucket);
    const now = this.clock.now();
    const level = this.buckets.get(bucket.name) ?? fullBucket(rate, now);
    const { level: next, waitMs } = reserve(rate, level, now);
    this.buckets.set(bucket.name, next);
    if (waitMs > 0) {
      this.paced++;
      this.waited += waitMs;
      await this.clock.sleep(waitMs);
    }
  }

  /** Milliseconds before a request of `action` would get a token (0: one is in the bucket now). */
  readyInMs(action: string): number {
    const bucket = ec2BucketFor(action);
    const rate = this.rate(bucket);
    const now = this.clock.now();
    return reserve(rate, this.buckets.get(bucket.name) ?? fullBucket(rate, now), now).waitMs;
  }

  /** The buckets' levels (a workflow's next step restores them: one run, one set of buckets). */
  levels(): Record<string, BucketLevel> {
    return Object.fromEntries(this.buckets);
  }

  /** Takes levels saved by `levels()`; a level from the future (clock skew) is taken as now. */
  restore(levels: Readonly<Record<string, BucketLevel>>): void {
    const now = this.clock.now();
    for (const [name, level] of Object.entries(levels)) {
      this.buckets.set(name, { tokens: level.tokens, atMs: Math.min(level.atMs, now) });
    }
  }

  /** EC2 refused a request of this bucket as throttled. */
  onThrottled(bucket: Ec2Bucket, action: string): void {
    const rate = this.rate(bucket);
    const now = this.clock.now();
    this.buckets.set(bucket.name, emptied(rate, this.buckets.get(bucket.name) ?? fullBucket(rate, now), now));
    this.throttled++;
    this.byAction.set(action, (this.byAction.get(action) ?? 0) + 1);
  }

  /** The delay before retry round `round` (0-based). */
  backoff(round: number): number {
    return Math.min(MAX_BACKOFF_MS, this.backoffMs * 2 ** round);
  }

  onGaveUp(): void {
    this.gaveUp++;
  }

  sleep(ms: number): Promise<void> {
    return this.clock.sleep(ms);
  }

  stats(): PacingStats {
    return {
      throttledRetries: this.throttled - this.gaveUp,
      throttledFailures: this.gaveUp,
      pacedRequests: this.paced,
      pacedWaitMs: this.waited,
      throttledByAction: Object.fromEntries([...this.byAction].sort(([a], [b]) => a.localeCompare(b))),
    };
  }
}

const operationOf = (context: { commandName?: string }) =>
  (context.commandName ?? 'Unknown').replace(/Command$/, '');

type Next = (args: unknown) => Promise<unknown>;
type Middleware = (next: Next, context: { commandName?: string }) => (args: unknown) => Promise<unknown>;

/** The part of the EC2 client pacing needs (its middleware stack). */
interface PacedStack {
  add(middleware: Middleware, options: { step: 'initialize'; name: string; override?: boolean }): void;
  addRelativeTo(
    middleware: Middleware,
    options: { relation: 'before' | 'after'; toMiddleware: string; name: string; override?: boolean },
  ): void;
}

/** Adds the pacer's middlewares to an EC2 client (once per client; later calls replace them). */
export function paceEc2Client(client: EC2Client, pacer: Ec2Pacer): void {
  const stack = client.middlewareStack as unknown as PacedStack;
  stack.add(
    (next) => async (args) => {
      for (let round = 0; ; round++) {
        try {
          return await next(args);
        } catch (error) {
          if (!isErrorNamed(error, THROTTLE_ERROR)) throw error;
          if (round >= pacer.throttleRetries) {
            pacer.onGaveUp();
            throw error;
          }
          await pacer.sleep(pacer.backoff(round));
        }
      }
    },
    { step: 'initialize', name: 'ecsEndpointRemediatorEc2ThrottleRetry', override: true },
  );
  stack.addRelativeTo(
    (next, context) => async (args) => {
      const action = operationOf(context);
      const bucket = ec2BucketFor(action, (args as { input?: ReadShape }).input);
      await pacer.acquire(bucket);
      try {
        return await next(args);
      } catch (error) {
        if (isErrorNamed(error, THROTTLE_ERROR)) pacer.onThrottled(bucket, action);
        throw error;
      }
    },
    {
      relation: 'before',
      toMiddleware: 'httpSigningMiddleware',
      name: 'ecsEndpointRemediatorEc2Pacing',
      override: true,
    },
  );
}

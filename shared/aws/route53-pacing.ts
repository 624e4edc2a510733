/**
 * Client-side pacing of Route 53 requests: Route 53 meters each account's API requests in one
 * account-level token bucket of 50 tokens refilled 10 per second, every operation also in its own
 * bucket (50 / 10 unless listed; AssociateVPCWithHostedZone 20 / 5), and answers an empty bucket with
 * HTTP 400 `Throttling` ("Throttling for Amazon Route 53 API requests", Route 53 Developer Guide,
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/throttling-api-requests.html).
 *
 * Invariant: every command the client sends first takes a token from `share` of the account-level
 * bucket (the tightest bucket the reads use), so the account's other tools keep the rest; the SDK's
 * adaptive retries answer a `Throttling` that still happens.
 */
import type { Route53Client } from '@aws-sdk/client-route-53';
import { fullBucket, reserve, shareOf, type BucketLevel, type BucketRate } from '../core/token-bucket.js';
import { aroundEveryCommand } from './command-middleware.js';
import { realClock, type PacingClock } from './ec2-pacing.js';

/** The account-level bucket ("Throttling for Amazon Route 53 API requests"). */
export const ROUTE53_ACCOUNT_BUCKET: BucketRate = { capacity: 50, refillPerSecond: 10 };

export function paceRoute53Client(
  client: Route53Client,
  share: number,
  clock: PacingClock = realClock,
  bucket: BucketRate = ROUTE53_ACCOUNT_BUCKET,
): void {
  const rate = shareOf(bucket, share);
  let level: BucketLevel | undefined;
  aroundEveryCommand(client, 'ecsEndpointRemediatorRoute53Pacing', async (_operation, send) => {
    const now = clock.now();
    const reservation = reserve(rate, level ?? fullBucket(rate, now), now);
    level = reservation.level;
    if (reservation.waitMs > 0) await clock.sleep(reservation.waitMs);
    return send();
  });
}

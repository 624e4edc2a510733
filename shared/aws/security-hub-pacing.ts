/**
 * Client-side pacing of one Security Hub client's requests (one account and Region), so an export
 * stays under Security Hub's request rates instead of being throttled: each operation has its own
 * token bucket at the published rate and burst (SECURITY_HUB_RATES, shared/core/security-hub-sync.ts:
 * GetFindings 3 per second, burst 6; BatchImportFindings 10 per second, burst 30). A request that
 * is still throttled (another caller used the account's rate: `LimitExceededException`, HTTP 429)
 * is retried by the SDK's own retry strategy, which counts both as throttling errors.
 */
import { SECURITY_HUB_RATES } from '../core/security-hub-sync.js';
import { fullBucket, reserve, type BucketLevel } from '../core/token-bucket.js';
import type { PacingClock } from './ec2-pacing.js';

export type SecurityHubOperation = keyof typeof SECURITY_HUB_RATES;

const realClock: PacingClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export class SecurityHubPacer {
  private readonly levels = new Map<SecurityHubOperation, BucketLevel>();
  private waited = 0;
  private requests = 0;

  constructor(private readonly clock: PacingClock = realClock) {}

  /** Waits until the operation's bucket has a token for this request. */
  async acquire(operation: SecurityHubOperation): Promise<void> {
    const rate = SECURITY_HUB_RATES[operation];
    const now = this.clock.now();
    const { level, waitMs } = reserve(rate, this.levels.get(operation) ?? fullBucket(rate, now), now);
    this.levels.set(operation, level);
    this.requests++;
    if (waitMs > 0) {
      this.waited += waitMs;
      await this.clock.sleep(waitMs);
    }
  }

  stats(): { readonly requests: number; readonly waitedMs: number } {
    return { requests: this.requests, waitedMs: this.waited };
  }
}

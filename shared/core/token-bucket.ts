/**
 * Token-bucket arithmetic, pure: the algorithm EC2 meters its API with ("Request throttling for the
 * Amazon EC2 API", https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html): a
 * bucket holds at most `capacity` tokens, refills at `refillPerSecond` up to its capacity, and each
 * request takes one token.
 *
 * The client side reserves instead of refusing: `reserve` always takes a token, letting the level go
 * below zero; the caller then waits the returned time, by which the refill has paid the token back.
 * Invariants: the level never exceeds `capacity`; callers that reserve one after another are
 * released in reservation order, at most `capacity` at once and `refillPerSecond` per second after.
 */

export interface BucketRate {
  /** Tokens the bucket holds when full (>= 1). */
  readonly capacity: number;
  /** Tokens added per second (> 0). */
  readonly refillPerSecond: number;
}

export interface BucketLevel {
  /** Tokens at `atMs`; below zero when reservations are waiting for the refill. */
  readonly tokens: number;
  readonly atMs: number;
}

/** A full bucket at `nowMs` (a quiet account's starting point). */
export function fullBucket(rate: BucketRate, nowMs: number): BucketLevel {
  return { tokens: rate.capacity, atMs: nowMs };
}

/** The level at `nowMs`: refilled for the time since `level.atMs`, capped at the capacity. */
export function levelAt(rate: BucketRate, level: BucketLevel, nowMs: number): BucketLevel {
  // Stryker disable next-line EqualityOperator: at nowMs === atMs the refill adds 0 and the level (never above capacity) is returned unchanged either way
  if (nowMs <= level.atMs) return level;
  const refilled = level.tokens + ((nowMs - level.atMs) / 1000) * rate.refillPerSecond;
  return { tokens: Math.min(rate.capacity, refilled), atMs: nowMs };
}

export interface Reservation {
  readonly level: BucketLevel;
  /** How long to wait before sending, in ms (0 when a token was in the bucket). */
  readonly waitMs: number;
}

/** Takes one token at `nowMs`; waitMs is when the refill has covered it. */
export function reserve(rate: BucketRate, level: BucketLevel, nowMs: number): Reservation {
  const current = levelAt(rate, level, nowMs);
  const tokens = current.tokens - 1;
  // A token within a rounding error of whole counts as whole (epoch-sized milliseconds).
  // Stryker disable next-line EqualityOperator: `>` differs only at exactly -1e-9 tokens, a level no sum of refills and reservations lands on
  const waitMs = tokens >= -1e-9 ? 0 : Math.ceil((-tokens / rate.refillPerSecond) * 1000);
  return { level: { tokens, atMs: current.atMs }, waitMs };
}

/**
 * After the server refused a request for an empty bucket: ours held tokens the account did not (its
 * other callers took them), so it drops to empty, and the next reservation waits for a refill.
 */
export function emptied(rate: BucketRate, level: BucketLevel, nowMs: number): BucketLevel {
  const current = levelAt(rate, level, nowMs);
  return { tokens: Math.min(0, current.tokens), atMs: current.atMs };
}

/**
 * The part of a bucket one caller keeps to: `share` (0 < share <= 1) of the capacity (at least one
 * token) and of the refill, the refill also multiplied by `refillFactor` (1 for AWS's published rates).
 */
export function shareOf(rate: BucketRate, share: number, refillFactor = 1): BucketRate {
  if (!(share > 0 && share <= 1)) throw new Error(`share must be > 0 and <= 1, got ${share}`);
  if (!(refillFactor > 0)) throw new Error(`refillFactor must be > 0, got ${refillFactor}`);
  return {
    capacity: Math.max(1, rate.capacity * share),
    refillPerSecond: rate.refillPerSecond * share * refillFactor,
  };
}

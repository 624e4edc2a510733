/**
 * Runs one piece of work per account × Region pair with bounded concurrency (issue #13 §2) and
 * keeps going when a pair fails: a failed pair becomes an `errors` entry with its reason, the
 * others still run. Results keep the pairs' order (account, then Region). No SDK here: the work
 * function builds the pair's own clients.
 */
import { mapWithConcurrency } from '../../shared/aws/concurrency.js';
import type { TargetPair } from './targets.js';

export const DEFAULT_CONCURRENCY = 4;

export interface PairError {
  readonly accountId: string;
  readonly region: string;
  readonly reason: string;
}

export interface MultiRun<R> {
  readonly results: readonly (R & { readonly accountId: string; readonly region: string })[];
  readonly errors: readonly PairError[];
}

const reasonOf = (error: unknown): string =>
  error instanceof Error ? `${error.name}: ${error.message}` : String(error);

export async function runPairs<R extends object>(
  pairs: readonly TargetPair[],
  concurrency: number,
  work: (pair: TargetPair) => Promise<R>,
): Promise<MultiRun<R>> {
  type Outcome = { ok: true; value: R; pair: TargetPair } | { ok: false; reason: string; pair: TargetPair };
  const outcomes = await mapWithConcurrency(pairs, concurrency, async (pair): Promise<Outcome> => {
    try {
      return { ok: true, value: await work(pair), pair };
    } catch (error) {
      return { ok: false, reason: reasonOf(error), pair };
    }
  });
  return {
    results: outcomes.flatMap((o) =>
      o.ok ? [{ ...o.value, accountId: o.pair.accountId, region: o.pair.region }] : [],
    ),
    errors: outcomes.flatMap((o) =>
      o.ok ? [] : [{ accountId: o.pair.accountId, region: o.pair.region, reason: o.reason }],
    ),
  };
}

/** The stderr line for one pair that could not be planned. */
export const pairErrorLine = (error: PairError): string =>
  `error: account ${error.accountId} Region ${error.region}: ${error.reason}`;

/** CLI exit code: 1 if any pair errored, else 2 on drift, else 0. */
export const multiRunExitCode = (errors: number, drift: boolean): number => (errors > 0 ? 1 : drift ? 2 : 0);

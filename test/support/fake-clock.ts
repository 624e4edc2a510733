import type { Clock } from '../../shared/apply/agent-restart.js';

/** A clock whose sleeps advance time at once, recording each requested wait. */
export function fakeClock(start = Date.parse('2026-11-28T21:00:00Z')): Clock & { slept: number[] } {
  let now = start;
  const slept: number[] = [];
  return {
    slept,
    now: () => now,
    sleep: async (ms) => {
      slept.push(ms);
      now += ms;
    },
  };
}

/** Client-side pacing of Security Hub (shared/aws/security-hub-pacing.ts): the published rate and burst per operation. */
import { SecurityHubPacer } from '../../shared/aws/security-hub-pacing.js';

function fakeClock() {
  let now = 1_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    clock: {
      now: () => now,
      sleep: async (ms: number) => {
        sleeps.push(ms);
        now += ms;
      },
    },
  };
}

describe('SecurityHubPacer', () => {
  it('lets a burst of 30 BatchImportFindings through, then one every 100 ms (10 per second)', async () => {
    const { clock, sleeps } = fakeClock();
    const pacer = new SecurityHubPacer(clock);
    for (let i = 0; i < 30; i++) await pacer.acquire('BatchImportFindings');
    expect(sleeps).toEqual([]);
    await pacer.acquire('BatchImportFindings');
    await pacer.acquire('BatchImportFindings');
    expect(sleeps).toEqual([100, 100]);
    expect(pacer.stats()).toEqual({ requests: 32, waitedMs: 200 });
  });

  it('lets a burst of 6 GetFindings through, then one every 334 ms (3 per second), in a bucket of its own', async () => {
    const { clock, sleeps } = fakeClock();
    const pacer = new SecurityHubPacer(clock);
    for (let i = 0; i < 6; i++) await pacer.acquire('GetFindings');
    await pacer.acquire('BatchImportFindings');
    expect(sleeps).toEqual([]);
    await pacer.acquire('GetFindings');
    expect(sleeps).toEqual([334]);
  });
});

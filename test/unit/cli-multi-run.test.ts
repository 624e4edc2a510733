import { multiRunExitCode, pairErrorLine, runPairs } from '../../functions/cli/multi-run.js';
import { targetPairs } from '../../functions/cli/targets.js';

const pairs = targetPairs('111111111111', ['111111111111', '222222222222'], ['eu-west-1', 'us-east-1'], 'R');

describe('runPairs', () => {
  it('keeps going past a failed pair and reports it with its reason', async () => {
    const run = await runPairs(pairs, 2, async (pair) => {
      if (pair.accountId === '222222222222' && pair.region === 'us-east-1') {
        throw Object.assign(new Error('not authorized'), { name: 'AccessDenied' });
      }
      return { vpcs: 1 };
    });
    expect(run.results.map((r) => `${r.accountId}/${r.region}`)).toEqual([
      '111111111111/eu-west-1',
      '111111111111/us-east-1',
      '222222222222/eu-west-1',
    ]);
    expect(run.errors).toEqual([
      { accountId: '222222222222', region: 'us-east-1', reason: 'AccessDenied: not authorized' },
    ]);
    expect(pairErrorLine(run.errors[0]!)).toBe(
      'error: account 222222222222 Region us-east-1: AccessDenied: not authorized',
    );
  });

  it.each([1, 2, 3])('never has more than %i pairs in flight', async (limit) => {
    let inFlight = 0;
    let most = 0;
    await runPairs(pairs, limit, async () => {
      most = Math.max(most, ++inFlight);
      await new Promise((done) => setTimeout(done, 5));
      inFlight--;
      return {};
    });
    expect(most).toBe(limit);
  });
});

describe('multiRunExitCode', () => {
  it.each([
    [0, false, 0],
    [0, true, 2],
    [1, false, 1],
    [2, true, 1],
  ])('errors %i, drift %s -> %i', (errors, drift, code) => {
    expect(multiRunExitCode(errors, drift)).toBe(code);
  });
});

/**
 * The progress view without a terminal: plain lines on stderr at most every PLAIN_INTERVAL_MS, and
 * none for work shorter than that; the status carries the phase, counts and elapsed time.
 */
import { PLAIN_INTERVAL_MS, ProgressView, formatElapsed } from '../../functions/cli/progress-view.js';
import type { ActionOutcome } from '../../shared/core/domain.js';

function view() {
  let now = 1_000_000;
  const lines: string[] = [];
  const v = new ProgressView({ write: (l) => lines.push(l), colour: false, now: () => now, calls: () => 42 });
  return { v, lines, advance: (ms: number) => (now += ms) };
}

const applied: ActionOutcome = {
  status: 'applied',
  actionId: 'a',
  kind: 'CreateVpcEndpoint',
  vpcId: 'vpc-1',
};
const failed: ActionOutcome = {
  status: 'failed',
  actionId: 'b',
  kind: 'CreateVpcEndpoint',
  vpcId: 'vpc-1',
  error: 'x',
};

it('prints nothing for short work, then at most one line per interval', () => {
  const { v, lines, advance } = view();
  v.report({ kind: 'reading' });
  advance(PLAIN_INTERVAL_MS - 1);
  v.tick();
  expect(lines).toEqual([]);
  advance(1);
  v.tick();
  expect(lines).toEqual(['ecs-endpoint-remediator: reading the Region · 42 AWS calls · 5s']);
  v.report({ kind: 'read', vpcs: 300 });
  v.report({ kind: 'applying', total: 4 });
  v.report({ kind: 'action-done', outcome: applied });
  advance(PLAIN_INTERVAL_MS - 1);
  v.report({ kind: 'action-done', outcome: failed });
  expect(lines).toHaveLength(1);
  advance(1);
  v.report({ kind: 'waiting', detail: 'vpc-1: waiting for ecs-agent (vpce-1) to be available… 12 s' });
  expect(lines[1]).toBe(
    'ecs-endpoint-remediator: applying · 2/4 actions, 1 failed · vpc-1: waiting for ecs-agent (vpce-1) to be available · 10s',
  );
  v.stop();
});

it('formats elapsed time in seconds, then minutes', () => {
  expect(formatElapsed(999)).toBe('0s');
  expect(formatElapsed(59_000)).toBe('59s');
  expect(formatElapsed(125_000)).toBe('2m05s');
});

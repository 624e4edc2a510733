/**
 * How one instance's invocation of the two-step restart document becomes the restart's result, as
 * SSM reports it through ListCommandInvocations with Details (SSM API reference,
 * "ListCommandInvocations"; Run Command, "Understanding command statuses"): one CommandPlugin per
 * step, a step skipped by its precondition reported as Success with "Step execution skipped due to
 * unsatisfied preconditions". The emulator cannot show this yet (moto has no ListCommandInvocations).
 */
import {
  RESTART_STEPS,
  SKIPPED_STEP_OUTPUT,
  pollInvocationsOnce,
  restartResult,
} from '../../shared/apply/agent-restart.js';
import type { Platform } from '../../shared/core/domain.js';
import type {
  CommandInvocationDetail,
  CommandStepResult,
  InvocationStatus,
} from '../../shared/core/ports.js';

const LINUX = RESTART_STEPS.Linux;
const WINDOWS = RESTART_STEPS.Windows;
const skipped = (name: string): CommandStepResult => ({
  name,
  status: 'Success',
  output: `${SKIPPED_STEP_OUTPUT}: platformType ${name === LINUX ? 'Linux' : 'Windows'}`,
});
const step = (name: string, status: InvocationStatus, output?: string): CommandStepResult => ({
  name,
  status,
  ...(output ? { output } : {}),
});
const detail = (status: InvocationStatus, steps: CommandStepResult[]): CommandInvocationDetail => ({
  instanceId: 'i-1',
  status,
  steps,
});

describe('restartResult (AWS ListCommandInvocations semantics; not yet on the emulator)', () => {
  it.each<[string, Platform, CommandInvocationDetail, InvocationStatus, RegExp | undefined]>([
    [
      'Linux step ran, Windows skipped',
      'linux',
      detail('Success', [step(LINUX, 'Success', 'agent version: 1.90.0'), skipped(WINDOWS)]),
      'Success',
      /agent version/,
    ],
    [
      'Linux step failed, Windows skipped',
      'linux',
      detail('Failed', [step(LINUX, 'Failed', 'ecs agent restart failed: x'), skipped(WINDOWS)]),
      'Failed',
      /restart failed/,
    ],
    [
      'Linux step timed out',
      'bottlerocket',
      detail('TimedOut', [step(LINUX, 'TimedOut'), skipped(WINDOWS)]),
      'TimedOut',
      undefined,
    ],
    [
      'Linux step cancelled',
      'linux-arm64',
      detail('Cancelled', [step(LINUX, 'Cancelled'), skipped(WINDOWS)]),
      'Cancelled',
      undefined,
    ],
    [
      'Windows step ran, Linux skipped',
      'windows',
      detail('Success', [skipped(LINUX), step(WINDOWS, 'Success')]),
      'Success',
      undefined,
    ],
    [
      'a skipped step is never the result, even though SSM says Success',
      'linux',
      detail('InProgress', [step(LINUX, 'InProgress'), skipped(WINDOWS)]),
      'InProgress',
      undefined,
    ],
    [
      'the platform’s step is still pending while the other is not evaluated yet',
      'linux',
      detail('Pending', [step(LINUX, 'Pending'), step(WINDOWS, 'Pending')]),
      'Pending',
      undefined,
    ],
    [
      'the platform’s step decides as soon as it is final',
      'linux',
      detail('InProgress', [step(LINUX, 'Success'), step(WINDOWS, 'Pending')]),
      'Success',
      undefined,
    ],
    [
      'unknown platform: the one step not skipped decides',
      'unknown',
      detail('Success', [skipped(LINUX), step(WINDOWS, 'Success')]),
      'Success',
      undefined,
    ],
    [
      'unknown platform, two steps not skipped yet: still running',
      'unknown',
      detail('InProgress', [step(LINUX, 'Success'), step(WINDOWS, 'InProgress')]),
      'InProgress',
      undefined,
    ],
    [
      'unknown platform, both final: the one that did not succeed decides',
      'unknown',
      detail('Failed', [step(LINUX, 'Success'), step(WINDOWS, 'Failed')]),
      'Failed',
      undefined,
    ],
    [
      'platform known wrong: the step that ran decides',
      'windows',
      detail('Success', [step(LINUX, 'Success'), skipped(WINDOWS)]),
      'Success',
      undefined,
    ],
    [
      'every step skipped: the restart did not run',
      'linux',
      detail('Success', [skipped(LINUX), skipped(WINDOWS)]),
      'Failed',
      /did not run: every step .*skipped by its precondition/,
    ],
    ['no steps reported yet: the invocation’s status', 'linux', detail('Pending', []), 'Pending', undefined],
    ['undeliverable before any step', 'linux', detail('Undeliverable', []), 'Undeliverable', undefined],
    [
      'the invocation ended while its step had not (delivery timed out)',
      'linux',
      detail('TimedOut', [step(LINUX, 'Pending'), step(WINDOWS, 'Pending')]),
      'TimedOut',
      undefined,
    ],
  ])('%s', (_what, platform, invocation, status, output) => {
    const result = restartResult(invocation, platform);
    expect(result.status).toBe(status);
    expect(result.instanceId).toBe('i-1');
    if (output) expect(result.output).toMatch(output);
  });
});

describe('pollInvocationsOnce', () => {
  const ssm = (poll: () => number) => ({
    sendCommand: async () => 'cmd-1',
    listInvocations: async (commandId: string) => {
      expect(commandId).toBe('cmd-1');
      const n = poll();
      return [
        {
          instanceId: 'i-linux',
          status: n >= 2 ? ('Success' as const) : ('InProgress' as const),
          steps: [step(LINUX, n >= 2 ? 'Success' : 'InProgress'), skipped(WINDOWS)],
        },
        {
          instanceId: 'i-windows',
          status: 'Success' as const,
          steps: [skipped(LINUX), step(WINDOWS, 'Success')],
        },
        { instanceId: 'i-other', status: 'Success' as const, steps: [step(LINUX, 'Success')] },
        // i-late is never registered: still pending until the deadline.
      ];
    },
  });
  const instances = [
    { ec2InstanceId: 'i-linux', platform: 'linux' as const },
    { ec2InstanceId: 'i-windows', platform: 'windows' as const },
    { ec2InstanceId: 'i-late', platform: 'linux' as const },
  ];
  const statuses = (result: Map<string, { status: string }>) =>
    Object.fromEntries([...result].map(([id, r]) => [id, r.status]));

  it('one look: only final results, by each instance’s step; an unregistered instance is still pending', async () => {
    let polls = 0;
    const first = await pollInvocationsOnce(
      ssm(() => ++polls),
      'cmd-1',
      instances,
      { now: 0, deadline: 10_000 },
    );
    expect(statuses(first)).toEqual({ 'i-windows': 'Success' });
    const second = await pollInvocationsOnce(
      ssm(() => ++polls),
      'cmd-1',
      instances,
      { now: 5_000, deadline: 10_000 },
    );
    expect(statuses(second)).toEqual({ 'i-linux': 'Success', 'i-windows': 'Success' });
    expect(polls).toBe(2);
  });

  it('at the deadline the stragglers count as TimedOut, not a moment before', async () => {
    const before = await pollInvocationsOnce(
      ssm(() => 2),
      'cmd-1',
      instances,
      { now: 9_999, deadline: 10_000 },
    );
    expect(statuses(before)).toEqual({ 'i-linux': 'Success', 'i-windows': 'Success' });
    const at = await pollInvocationsOnce(
      ssm(() => 1),
      'cmd-1',
      instances,
      { now: 10_000, deadline: 10_000 },
    );
    expect(statuses(at)).toEqual({ 'i-linux': 'TimedOut', 'i-windows': 'Success', 'i-late': 'TimedOut' });
  });
});

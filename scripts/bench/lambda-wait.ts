/**
 * Lambda time spent waiting on AWS per repaired VPC, in the deployed shape: the packaged runbook
 * state machine (sls package → CloudFormation, intrinsics evaluated by cfn-resolver-lib) run by
 * aws-local-stepfunctions, each Task state invoking the real runbook handlers in-process with their
 * packaged environment, against the emulator with AWS's shape on (endpoints pending, EC2 token
 * buckets), compressed by the repair measure's speed factor.
 *
 * What a Task costs is its Lambda duration. Its timers (the handlers' own sleeps and the SDK's retry
 * backoff) stand for waits on AWS's pace, which the emulator compresses: they are scaled back by the
 * speed factor; the rest of the Task (API calls, computing) is counted as measured. Wait states cost
 * no Lambda time and are not counted (their waits are compressed alike).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Context } from 'aws-lambda';
import { StateMachine, type RunOptions, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { planRegion } from '../../shared/app/remediator.js';
import { createCoordinationTable } from '../../test/support/coordination-table.js';
import { lambdaContext } from '../../test/support/lambda-context.js';
import type { Measure } from './context.js';
import { EMULATOR_EC2_DEFAULTS } from './aws-shape-apply.js';
import { ms, progress, Report, seconds, timed } from './output.js';
import { applicableActions } from './plan-figures.js';
import { resolvePackagedTemplate, stateMachineDefinition, STAND_IN_ACCOUNT } from './packaged-values.js';
import { AWS_ENDPOINT_PENDING_SECONDS, REPAIR_SPEED } from './repair.js';

export const LAMBDA_WAIT_VPCS = 5;
/** The function whose environment the in-process handlers get (the one that waits for endpoints). */
const HANDLER_FUNCTION = 'RunbookChangesLambdaFunction';
const TASK_FUNCTIONS = {
  RunbookTasksLambdaFunction: 'tasks',
  RunbookChangesLambdaFunction: 'changes',
} as const;

type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;
type LocalHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
interface StateDefinition {
  Type: string;
  Seconds?: number;
  ItemProcessor?: { States: Record<string, StateDefinition> };
}

interface TaskTime {
  wallMs: number;
  timerMs: number;
}

/** Sums, per Task invocation, the delays of the timers that fired inside it. */
function timerMeter() {
  const current = new AsyncLocalStorage<TaskTime>();
  const original = globalThis.setTimeout;
  const patched = ((callback: (...args: unknown[]) => void, delay?: number, ...args: unknown[]) => {
    const task = current.getStore();
    if (!task) return original(callback, delay, ...args);
    return original(
      (...a: unknown[]) => {
        task.timerMs += Math.max(1, delay ?? 0);
        callback(...a);
      },
      delay,
      ...args,
    );
  }) as typeof setTimeout;
  return {
    install: () => void (globalThis.setTimeout = patched),
    uninstall: () => void (globalThis.setTimeout = original),
    run: async <T>(work: () => Promise<T>): Promise<{ value: T; time: TaskTime }> => {
      const time: TaskTime = { wallMs: 0, timerMs: 0 };
      const started = performance.now();
      try {
        return { value: await current.run(time, work), time };
      } finally {
        time.wallMs = performance.now() - started;
      }
    },
  };
}

export const lambdaWait: Measure = {
  name: 'lambda-wait',
  description: `Lambda time waiting on AWS per repaired VPC: the packaged runbook on ${LAMBDA_WAIT_VPCS} drifted VPCs`,
  async run(ctx) {
    const packaged = await ctx.packaged();
    const resolved = resolvePackagedTemplate(packaged.template, {
      region: ctx.region,
      accountId: STAND_IN_ACCOUNT,
    });
    const definition = stateMachineDefinition(resolved) as { States: Record<string, StateDefinition> };
    const functionEnv = (
      resolved.Resources[HANDLER_FUNCTION]?.Properties?.Environment as {
        Variables: Record<string, string>;
      }
    ).Variables;
    const emulator = await ctx.emulator();
    await emulator.account(LAMBDA_WAIT_VPCS, { readOnly: false });
    // The stack's coordination table (VPC leases) under the name CloudFormation would generate.
    const table = await createCoordinationTable(emulator.endpoint, {
      region: ctx.region,
      accountId: STAND_IN_ACCOUNT,
    });

    // The handlers' cold start reads the environment: set it before importing them.
    // Restored after the run (the SDK reads credentials from it at the first call, not at import).
    const { SLACK_SECRET_NAME: _noSlack, ...deployed } = functionEnv;
    const handlerEnv: Record<string, string> = {
      ...deployed,
      // One run may repair every VPC (the bench lifts the change cap, as its other apply measures do).
      MAX_CHANGES: '1000',
      // The handlers' EC2 pacing refills as fast as the emulator's buckets do (the deployed share).
      EC2_REFILL_FACTOR: String(REPAIR_SPEED),
      COORDINATION_TABLE_NAME: table.tableName,
      AWS_REGION: ctx.region,
      AWS_ENDPOINT_URL: emulator.endpoint,
      AWS_ACCESS_KEY_ID: 'test',
      AWS_SECRET_ACCESS_KEY: 'test',
      POWERTOOLS_LOG_LEVEL: 'SILENT',
      POWERTOOLS_METRICS_DISABLED: 'true',
      POWERTOOLS_TRACE_ENABLED: 'false',
    };
    const previousEnv = Object.fromEntries(Object.keys(handlerEnv).map((key) => [key, process.env[key]]));
    Object.assign(process.env, handlerEnv);
    const module = (await import('../../functions/runbook/handler.js')) as unknown as Record<
      string,
      LambdaHandler
    >;
    const byName = new Map<string, LambdaHandler>();
    for (const [logicalId, exported] of Object.entries(TASK_FUNCTIONS)) {
      const name = resolved.Resources[logicalId]?.Properties?.FunctionName;
      const handler = module[exported];
      if (typeof name !== 'string' || !handler)
        throw new Error(`no ${logicalId} in the package or handler module`);
      byName.set(name, handler);
    }

    const meter = timerMeter();
    const tasks: { state: string; time: TaskTime }[] = [];
    const taskErrors: string[] = [];
    const handlers: Record<string, (input: Record<string, unknown>) => Promise<unknown>> = {};
    const waitOverrides: Record<string, number> = {};
    const visit = (states: Record<string, StateDefinition>) => {
      for (const [name, state] of Object.entries(states)) {
        if (state.ItemProcessor) visit(state.ItemProcessor.States);
        if (state.Type === 'Wait' && state.Seconds !== undefined) {
          waitOverrides[name] = (state.Seconds * 1000) / REPAIR_SPEED;
        }
        if (state.Type !== 'Task') continue;
        handlers[name] = async (input) => {
          const functionName = String(input.FunctionName).split(':').at(-1) ?? '';
          const fn = byName.get(functionName);
          if (!fn) throw new Error(`no local function for ${String(input.FunctionName)}`);
          let failure: unknown;
          const { value, time } = await meter.run(() =>
            fn(input.Payload, lambdaContext(functionName)).catch((error: unknown) => {
              failure = error;
              return undefined;
            }),
          );
          tasks.push({ state: name, time });
          if (failure !== undefined) {
            taskErrors.push(
              `${name}: ${failure instanceof Error ? `${failure.name}: ${failure.message}` : String(failure)}`,
            );
            throw failure;
          }
          return { StatusCode: 200, Payload: value };
        };
      }
    };
    visit(definition.States);

    const before = await planRegion(emulator.deps);
    await emulator.control('ec2', {
      endpointPendingSeconds: AWS_ENDPOINT_PENDING_SECONDS / REPAIR_SPEED,
      endpointPendingJitterSeconds: 0,
      throttle: 'aws',
      throttleSpeed: REPAIR_SPEED,
    });
    progress(`running the packaged runbook (mode apply) on ${LAMBDA_WAIT_VPCS} drifted VPC(s)…`);
    meter.install();
    let run: { value: { output?: unknown; error?: string }; ms: number };
    try {
      run = await timed(async () => {
        const execution = new StateMachine(definition as unknown as StateMachineDefinition).run(
          { mode: 'apply' },
          {
            overrides: {
              taskResourceLocalHandlers: handlers as unknown as LocalHandlers,
              waitTimeOverrides: waitOverrides,
            },
            context: {
              Execution: {
                Id: `arn:aws:states:${ctx.region}:${STAND_IN_ACCOUNT}:execution:bench:lambda-wait`,
                Name: 'lambda-wait',
              },
            },
          },
        );
        try {
          return { output: await execution.result };
        } catch (error) {
          return { error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) };
        }
      });
    } finally {
      meter.uninstall();
      for (const [key, value] of Object.entries(previousEnv)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      await emulator.control('ec2', EMULATOR_EC2_DEFAULTS);
    }
    const after = await planRegion(emulator.deps);
    const drifted = new Set(before.vpcs.filter((v) => v.actions.some((a) => a.apply)).map((v) => v.vpcId));
    const stillDrifted = new Set(
      after.vpcs.filter((v) => v.actions.some((a) => a.apply)).map((v) => v.vpcId),
    );
    const repaired = [...drifted].filter((id) => !stillDrifted.has(id)).length;

    const perState = new Map<string, { calls: number; wallMs: number; timerMs: number }>();
    for (const t of tasks) {
      const entry = perState.get(t.state) ?? { calls: 0, wallMs: 0, timerMs: 0 };
      entry.calls++;
      entry.wallMs += t.time.wallMs;
      entry.timerMs += t.time.timerMs;
      perState.set(t.state, entry);
    }
    const awsMs = (e: { wallMs: number; timerMs: number }) =>
      Math.min(e.timerMs, e.wallMs) * REPAIR_SPEED + Math.max(0, e.wallMs - e.timerMs);
    const totalWallMs = tasks.reduce((s, t) => s + t.time.wallMs, 0);
    const totalAwsMs = tasks.reduce((s, t) => s + awsMs(t.time), 0);
    const waitStates =
      Object.entries(waitOverrides)
        .map(([name, wait]) => `${name} ${wait} ms`)
        .join(', ') || 'none';
    const perVpc = repaired > 0 ? Number((totalAwsMs / 1000 / repaired).toFixed(1)) : null;

    const report = new Report()
      .heading(
        `Lambda wait per repaired VPC: the packaged runbook on ${LAMBDA_WAIT_VPCS} drifted VPCs (x${REPAIR_SPEED})`,
      )
      .table(
        ['Task state', 'invocations', 'Lambda ms (measured)', 'of which timers ms', 'AWS-time s'],
        [...perState].map(([state, e]) => [state, e.calls, ms(e.wallMs), ms(e.timerMs), seconds(awsMs(e))]),
      )
      .line(
        `\nexecution: ${run.value.error ? `failed (${run.value.error}${taskErrors.length ? `; ${taskErrors.join('; ')}` : ''})` : 'succeeded'} in ${seconds(run.ms)} s wall;` +
          ` ${applicableActions(before)} applicable action(s) before, ${applicableActions(after)} after;` +
          ` ${repaired}/${drifted.size} VPC(s) repaired`,
      )
      .line(
        `Task time ${seconds(totalWallMs)} s measured, ${seconds(totalAwsMs)} s at AWS's pace (timers x ${REPAIR_SPEED});` +
          ` Wait states cost no Lambda time and are not counted (compressed alike: ${waitStates})`,
      )
      .line(
        `lambdaWaitSecondsPerRepairedVpc: ${perVpc ?? '-'} (target < 5 s)` +
          (perVpc === null ? ': no VPC was repaired' : ''),
      );
    return {
      report,
      json: {
        lambdaWaitSecondsPerRepairedVpc: perVpc,
        lambdaWait: {
          vpcs: LAMBDA_WAIT_VPCS,
          repairedVpcs: repaired,
          executionSeconds: seconds(run.ms),
          executionError: run.value.error ?? null,
          taskSecondsMeasured: seconds(totalWallMs),
          taskSecondsAtAwsPace: seconds(totalAwsMs),
          perState: Object.fromEntries(
            [...perState].map(([state, e]) => [
              state,
              { invocations: e.calls, wallMs: ms(e.wallMs), timerMs: ms(e.timerMs) },
            ]),
          ),
        },
      },
    };
  },
};

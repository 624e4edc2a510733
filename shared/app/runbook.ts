/**
 * The runbook's tasks, one per Step Functions Task state (runbook/runbook.asl.yml): plan, request
 * approval, repair (in steps, Wait states between them), notify.
 *
 * Invariants:
 * - every task reads the live state again: nothing is trusted from an earlier state, which may be
 *   stale after an approval wait. The repair's first step re-plans; later steps re-read before each
 *   write (shared/apply/executor.ts). The execution state carries the normalised input, ids, the
 *   repair's progress and its report, bounded well under Step Functions' 256 KB payload limit (a
 *   scope too large for that is refused by `plan` or by the first repair step, before anything
 *   changes);
 * - apply never does more than plan showed: an action is applied only when its id is in the plan
 *   summary (and so in the approval message); anything new since is skipped until the next run;
 * - the repair is the one executor the CLI and the reconcile function run in process: the ECS trio
 *   one at a time, each available before the next; agent restarts in batches of 50 (SendCommand's
 *   limit) only behind available endpoints; the change cap; the VPC leases, taken at the first step,
 *   renewed at every step, released at the last;
 * - no task sleeps on AWS: a step that must wait returns how long, and a Wait state waits;
 * - notify never fails because Slack failed (the notifier logs and reports `delivered: false`).
 */
import { z } from 'zod';
import type { RemediatorConfig } from '../core/config.js';
import type { Action, ActionOutcome, ApplyReport, Plan, VpcPlan } from '../core/domain.js';
import type { RemediatorPorts } from '../core/ports.js';
import { REGION_HINT, REGION_PATTERN, VPC_ID_HINT, VPC_ID_PATTERN } from '../core/id-patterns.js';
import { hasDrift } from '../core/plan.js';
import {
  advanceRepair,
  realClock,
  repairReport,
  startRepair,
  type Clock,
  type RepairState,
} from '../apply/executor.js';
import {
  acquireVpcLeases,
  releaseVpcLeases,
  renewVpcLeases,
  yieldedOutcomes,
  type VpcLeasing,
  type YieldedVpc,
} from './vpc-leases.js';
import { errorMessage } from '../aws/aws-errors.js';
import { buildApprovalMessage, buildDriftMessage, type SlackMessage } from '../notify/slack-message.js';
import type { LogSink } from './observability.js';
import { planRegion } from './remediator.js';
import {
  executionConsoleUrl,
  failedMessage,
  noDriftMessage,
  rejectedMessage,
  summaryMessage,
} from './runbook-messages.js';

/** An error whose `name` the state machine sees as the task's error (Lambda's errorType). */
export class RunbookError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

/** Above this many agent restarts the batches would crowd the execution state: scope by VPC. */
export const MAX_RESTART_INSTANCES = 400;
/** Budget for the plan's action ids and for the apply result in the execution state (bytes of JSON). */
export const PLANNED_IDS_BUDGET = 64_000;
export const APPLY_RESULT_BUDGET = 160_000;
/** Budget for the repair's state carried between steps (its plan, progress and leases). */
export const REPAIR_STATE_BUDGET = 160_000;

/** The execution input. Unknown keys are refused: a typo must not silently mean "no approval". */
export const runbookInputSchema = z.strictObject({
  region: z.string().regex(REGION_PATTERN, `region must be ${REGION_HINT}`).optional(),
  vpcIds: z
    .array(z.string().regex(VPC_ID_PATTERN, `every VPC id must be ${VPC_ID_HINT}`))
    .min(1)
    .max(200)
    .optional(),
  mode: z.enum(['plan', 'apply']).default('plan'),
  requireApproval: z.boolean().default(false),
});

export interface RunbookInput {
  readonly region: string;
  readonly vpcIds?: readonly string[];
  readonly mode: 'plan' | 'apply';
  readonly requireApproval: boolean;
}

/** The normalised input, as later tasks receive it from the state. */
const normalizedInputSchema = z.object({
  region: z.string().regex(REGION_PATTERN),
  vpcIds: z.array(z.string().regex(VPC_ID_PATTERN)).optional(),
  mode: z.enum(['plan', 'apply']),
  requireApproval: z.boolean(),
});

/**
 * Validates the execution input (null or absent means `{}`); throws `InvalidRunbookInput`.
 * `stackRegion` is the Region the stack is deployed in: the runbook's roles, the restart document and
 * its reads exist only there, so an execution for another Region would end in AccessDenied half-way.
 * Another Region is refused here, before anything is read.
 */
export function parseRunbookInput(raw: unknown, stackRegion: string): RunbookInput {
  const parsed = runbookInputSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    throw new RunbookError('InvalidRunbookInput', `invalid runbook input: ${z.prettifyError(parsed.error)}`);
  }
  const { region, vpcIds, mode, requireApproval } = parsed.data;
  if (region !== undefined && region !== stackRegion) {
    throw new RunbookError(
      'InvalidRunbookInput',
      `invalid runbook input: region ${region} is not this stack's Region (${stackRegion}); ` +
        `the runbook acts only in ${stackRegion}: start the runbook of the stack deployed in ${region}, ` +
        'or leave region out (multi-Region operation is not supported yet)',
    );
  }
  return {
    region: stackRegion,
    ...(vpcIds ? { vpcIds: [...new Set(vpcIds)] } : {}),
    mode,
    requireApproval,
  };
}

export interface RunbookDeps {
  /** Ports for a Region (only the stack's own Region passes input validation). */
  readonly portsFor: (region: string) => RemediatorPorts;
  readonly config: RemediatorConfig;
  readonly defaultRegion: string;
  readonly clock?: Clock;
  readonly log?: LogSink;
  /** Posts to Slack and says whether it was delivered; never throws. Absent: Slack not configured. */
  readonly post?: (message: SlackMessage) => Promise<boolean>;
  /**
   * One writer per VPC: the network repair holds each VPC's lease, as `runbook:<execution ARN>`, while
   * it writes (absent: no other writer is expected). Agent restarts are not leased: a second
   * restart of an agent is harmless, and the reconcile function restarts only behind its own repair.
   */
  readonly leasing?: Omit<VpcLeasing, 'owner'>;
}

function scopeOf(input: RunbookInput): { vpcIds?: readonly string[] } {
  return input.vpcIds ? { vpcIds: input.vpcIds } : {};
}

function livePlan(deps: RunbookDeps, input: RunbookInput): Promise<Plan> {
  return planRegion(
    { ports: deps.portsFor(input.region), config: deps.config, ...(deps.clock ? { clock: deps.clock } : {}) },
    scopeOf(input),
  );
}

/** Actions the runbook carries out: enforce VPCs, `apply: true`; agent updates are the reconcile's job. */
function runbookActions(vpc: VpcPlan): Action[] {
  if (vpc.mode !== 'enforce') return [];
  return vpc.actions.filter((a) => a.apply && a.kind !== 'UpdateContainerAgent');
}

// ------------------------------------------------------------------------------------------- plan

export interface PlanSummary {
  readonly input: RunbookInput;
  readonly drift: boolean;
  readonly vpcs: number;
  readonly vpcsWithDrift: number;
  readonly findings: number;
  readonly actions: number;
  /** Actions this execution may apply (enforce VPCs); apply does at most these. */
  readonly applicable: number;
  readonly plannedActionIds: readonly string[];
  readonly restartInstances: number;
  readonly estimatedMonthlyCostUsd: number;
}

export async function planTask(deps: RunbookDeps, rawInput: unknown): Promise<PlanSummary> {
  const input = parseRunbookInput(rawInput, deps.defaultRegion);
  const plan = await livePlan(deps, input);
  const planned = plan.vpcs.flatMap(runbookActions);
  const plannedActionIds = planned.map((a) => a.id);
  const restartInstances = planned.reduce(
    (n, a) => n + (a.kind === 'RestartEcsAgent' ? a.instances.length : 0),
    0,
  );
  if (
    JSON.stringify(plannedActionIds).length > PLANNED_IDS_BUDGET ||
    restartInstances > MAX_RESTART_INSTANCES
  ) {
    throw new RunbookError(
      'RunbookScopeTooLarge',
      `the plan has ${planned.length} action(s) and ${restartInstances} agent restart(s), more than one execution carries; ` +
        'start executions scoped to fewer VPCs (vpcIds)',
    );
  }
  const summary: PlanSummary = {
    input,
    drift: hasDrift(plan),
    vpcs: plan.vpcs.length,
    vpcsWithDrift: plan.vpcs.filter((v) => v.findings.length > 0 || v.actions.length > 0).length,
    findings: plan.vpcs.reduce((n, v) => n + v.findings.length, 0),
    actions: plan.vpcs.reduce((n, v) => n + v.actions.length, 0),
    applicable: planned.length,
    plannedActionIds,
    restartInstances,
    estimatedMonthlyCostUsd: plan.estimatedMonthlyCostUsd,
  };
  deps.log?.info('runbook planned', { ...summary, plannedActionIds: plannedActionIds.length });
  return summary;
}

// ------------------------------------------------------------------------------- request approval

const approvalTaskSchema = z.object({
  input: normalizedInputSchema,
  plannedActionIds: z.array(z.string()),
  taskToken: z.string().min(1),
  executionArn: z.string().min(1),
});

/** Restricts a live plan to the planned actions (and the VPCs that have some). */
function restrictToPlanned(plan: Plan, planned: ReadonlySet<string>): Plan {
  const vpcs = plan.vpcs
    .map((vpc) => ({ ...vpc, actions: vpc.actions.filter((a) => planned.has(a.id)) }))
    .filter((vpc) => vpc.actions.length > 0);
  return {
    ...plan,
    vpcs,
    estimatedMonthlyCostUsd: vpcs.reduce((n, v) => n + v.estimatedMonthlyCostUsd, 0),
  };
}

/**
 * Posts the approval request with the task token in its buttons. The message lists the planned
 * actions still pending in the live state. An undelivered request fails the task (nobody could
 * answer it); the token is never logged nor put in an error.
 */
export async function requestApprovalTask(deps: RunbookDeps, payload: unknown): Promise<{ requested: true }> {
  const { input, plannedActionIds, taskToken, executionArn } = parseTask(approvalTaskSchema, payload);
  const plan = restrictToPlanned(await livePlan(deps, input), new Set(plannedActionIds));
  if (!deps.post) {
    throw new RunbookError(
      'ApprovalNotDelivered',
      'approval required but Slack is not configured (SLACK_SECRET_NAME)',
    );
  }
  const delivered = await deps.post(buildApprovalMessage({ plan, taskToken, executionArn }));
  if (!delivered) {
    throw new RunbookError('ApprovalNotDelivered', 'the approval request could not be posted to Slack');
  }
  deps.log?.info('approval requested', { executionArn, actions: plannedActionIds.length });
  return { requested: true };
}

// ----------------------------------------------------------------------------------------- repair

export interface OutcomeCounts {
  readonly applied: number;
  readonly skipped: number;
  readonly failed: number;
}

/** The agents of the restarts, summed (what a report too large for the state still says). */
export interface AgentCounts {
  readonly restarted: number;
  readonly reconnected: number;
  readonly total: number;
}

/** The repair as the state carries it; `plan`/`outcomes` are dropped when too large. */
export interface NetworkReport {
  readonly region: string;
  readonly converged: boolean;
  readonly stoppedAtMaxChanges: boolean;
  readonly writeCalls: number;
  /** Throttled EC2 requests retried during the repair (absent in states from before it). */
  readonly throttledRetries?: number;
  readonly counts: OutcomeCounts;
  readonly agents?: AgentCounts;
  readonly plan?: Plan;
  readonly outcomes?: readonly ActionOutcome[];
}

/** What the workflow carries from one Repair step to the next. */
export interface RepairCarry {
  readonly state: RepairState;
  /** Outcomes decided before the first step (not planned, left to the reconcile, yielded VPCs). */
  readonly extra: readonly ActionOutcome[];
  /** VPC leases this execution holds (renewed each step, released at the end). */
  readonly held: readonly string[];
  readonly yielded: readonly YieldedVpc[];
  /** Steps taken so far (logged with the report). */
  readonly steps: number;
}

export interface RepairStepResult {
  readonly done: boolean;
  /** Seconds the Wait state waits before the next step (0 when done). */
  readonly waitSeconds: number;
  /** The state of the next step (null when done). */
  readonly carry: RepairCarry | null;
  /** The final report (null until done). */
  readonly report: NetworkReport | null;
}

const repairTaskSchema = z.object({
  input: normalizedInputSchema,
  plannedActionIds: z.array(z.string()),
  executionArn: z.string().min(1).optional(),
  // The carry is ours (built by the previous step); only its envelope is checked here.
  carry: z
    .looseObject({
      state: z.looseObject({ version: z.literal(1), vpcs: z.array(z.unknown()) }),
      extra: z.array(z.unknown()),
      held: z.array(z.string()),
      yielded: z.array(z.unknown()),
      steps: z.number().int().min(0),
    })
    .nullable()
    .optional(),
});

function skipped(action: Action, why: string): ActionOutcome {
  return { status: 'skipped', actionId: action.id, kind: action.kind, vpcId: action.vpcId, why };
}

function countOutcomes(outcomes: readonly ActionOutcome[]): OutcomeCounts {
  return {
    applied: outcomes.filter((o) => o.status === 'applied').length,
    skipped: outcomes.filter((o) => o.status === 'skipped').length,
    failed: outcomes.filter((o) => o.status === 'failed').length,
  };
}

/** An endpoint write further away than this ends the step: the Wait state waits for the token. */
const PACING_YIELD_MS = 0;
/** A step starts no new round of work after this long: it ends well inside the 300 s timeout. */
const STEP_BUDGET_MS = 60_000;
/** The longest Wait between two steps (the executor's backoff caps at 30 s). */
const MAX_WAIT_SECONDS = 60;

/**
 * The live plan restricted to what the execution showed, as the repair's first state: actions the
 * plan did not show, agent updates (the reconcile's job) and VPCs another writer holds are skipped
 * with why, before anything is written.
 */
async function firstCarry(
  deps: RunbookDeps,
  input: RunbookInput,
  planned: ReadonlySet<string>,
  owner: string,
): Promise<RepairCarry> {
  const live = await livePlan(deps, input);
  const inScope = live.vpcs.filter(
    (vpc) => vpc.mode === 'enforce' && vpc.actions.some((a) => planned.has(a.id)),
  );
  const extra: ActionOutcome[] = [];
  const execPlan: Plan = {
    ...live,
    vpcs: inScope.map((vpc) => ({
      ...vpc,
      actions: vpc.actions.filter((a) => {
        if (a.kind === 'UpdateContainerAgent') {
          if (a.apply) extra.push(skipped(a, 'agent updates are left to the reconcile function'));
          return false;
        }
        if (!planned.has(a.id)) {
          if (a.apply) extra.push(skipped(a, 'not in the plan this execution showed: the next run plans it'));
          return false;
        }
        return true;
      }),
    })),
  };
  const fitted = fitPlan(execPlan);
  const leasing = deps.leasing ? { ...deps.leasing, owner } : undefined;
  const { held, yielded } = leasing
    ? await acquireVpcLeases(fitted, leasing, (deps.clock ?? realClock).now())
    : { held: [], yielded: [] };
  // A VPC another writer holds is over before it starts: every action skipped, naming the holder.
  const state = startRepair(fitted);
  for (const y of yielded) {
    const vpc = state.vpcs.find((v) => v.vpcId === y.vpcId);
    const vpcPlan = fitted.vpcs.find((v) => v.vpcId === y.vpcId);
    if (!vpc || !vpcPlan) continue;
    vpc.phase = 'done';
    vpc.outcomes = yieldedOutcomes(vpcPlan, y.holder, y.untilMs);
  }
  return { state, extra, held, yielded, steps: 0 };
}

/** The plan as the state can carry it: findings dropped when too large; refused when still too large. */
function fitPlan(plan: Plan): Plan {
  const size = (p: Plan) => JSON.stringify(startRepair(p)).length;
  if (size(plan) <= REPAIR_STATE_BUDGET) return plan;
  const lean = { ...plan, vpcs: plan.vpcs.map((v) => ({ ...v, findings: [] })) };
  if (size(lean) <= REPAIR_STATE_BUDGET) return lean;
  throw new RunbookError(
    'RunbookScopeTooLarge',
    `the repair of ${plan.vpcs.length} VPC(s) is more than one execution carries; nothing was changed: ` +
      'start executions scoped to fewer VPCs (vpcIds)',
  );
}

/** The agents of every restart the repair finished, from its outcomes' details. */
function agentCounts(plan: Plan, outcomes: readonly ActionOutcome[]): AgentCounts {
  let restarted = 0;
  let reconnected = 0;
  let total = 0;
  const restarts = new Map(
    plan.vpcs.flatMap((v) => v.actions.filter((a) => a.kind === 'RestartEcsAgent')).map((a) => [a.id, a]),
  );
  for (const o of outcomes) {
    const action = restarts.get(o.actionId);
    if (!action || action.kind !== 'RestartEcsAgent' || o.status === 'skipped') continue;
    total += action.instances.length;
    const text = o.status === 'applied' ? (o.detail ?? '') : o.error;
    const counted = /^(\d+)\/\d+ restarted, (\d+) reconnected/.exec(text);
    restarted += Number(counted?.[1] ?? 0);
    reconnected += Number(counted?.[2] ?? 0);
  }
  return { restarted, reconnected, total };
}

/**
 * One step of the repair (the Repair Task state): the first step plans from the live state and
 * takes the VPC leases; every step then writes what it can without waiting (shared/apply/executor.ts)
 * and says how long the Wait state waits before the next. A step retried from the same carry
 * re-reads before each write, so it never writes twice. The last step releases the leases and
 * returns the report.
 */
export async function repairTask(deps: RunbookDeps, payload: unknown): Promise<RepairStepResult> {
  const { input, plannedActionIds, executionArn, carry: previous } = parseTask(repairTaskSchema, payload);
  const owner = `runbook:${executionArn ?? 'unnamed execution'}`;
  const clock = deps.clock ?? realClock;
  const leasing = deps.leasing ? { ...deps.leasing, owner } : undefined;
  const carry = previous
    ? (previous as unknown as RepairCarry)
    : await firstCarry(deps, input, new Set(plannedActionIds), owner);
  if (previous && leasing) await renewVpcLeases(carry.held, leasing, clock.now());
  const step = await advanceRepair(carry.state, {
    ports: deps.portsFor(input.region),
    config: deps.config,
    clock,
    yieldToPacingOverMs: PACING_YIELD_MS,
    stepBudgetMs: STEP_BUDGET_MS,
    ...(deps.log ? { progress: (line: string) => deps.log?.info(line) } : {}),
  });
  if (!step.done) {
    return {
      done: false,
      waitSeconds: Math.min(MAX_WAIT_SECONDS, Math.max(1, Math.ceil(step.waitMs / 1000))),
      carry: { ...carry, state: step.state, steps: carry.steps + 1 },
      report: null,
    };
  }
  if (leasing) await releaseVpcLeases(carry.held, leasing);
  const report = repairReport(step.state);
  const outcomes = [...report.outcomes, ...carry.extra];
  // A yielded VPC's drift is still there: the repair has not converged.
  const converged = report.converged && carry.yielded.length === 0;
  const networkReport = fitReport(
    {
      region: report.region,
      converged,
      stoppedAtMaxChanges: report.stoppedAtMaxChanges,
      writeCalls: report.writeCalls,
      throttledRetries: report.throttledRetries,
      counts: countOutcomes(outcomes),
      agents: agentCounts(report.plan, outcomes),
      plan: report.plan,
      outcomes,
    },
    APPLY_RESULT_BUDGET,
  );
  deps.log?.info('runbook repair done', {
    ...networkReport.counts,
    converged,
    writeCalls: report.writeCalls,
    steps: carry.steps + 1,
  });
  return { done: true, waitSeconds: 0, carry: null, report: networkReport };
}

/** Drops findings, then the plan and outcomes, until the report fits `budget` bytes of JSON. */
export function fitReport(report: NetworkReport, budget: number): NetworkReport {
  if (JSON.stringify(report).length <= budget) return report;
  if (report.plan) {
    const lean = {
      ...report,
      plan: { ...report.plan, vpcs: report.plan.vpcs.map((v) => ({ ...v, findings: [] })) },
    };
    if (JSON.stringify(lean).length <= budget) return lean;
  }
  const { plan: _plan, outcomes: _outcomes, ...counts } = report;
  return counts;
}

// ----------------------------------------------------------------------------------------- notify

const errorOutputSchema = z.object({ Error: z.string(), Cause: z.string().optional() });

const countsSchema = z.object({ applied: z.number(), skipped: z.number(), failed: z.number() });

const notifyTaskSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('plan'), input: normalizedInputSchema, executionArn: z.string().optional() }),
  z.object({
    kind: z.literal('applied'),
    input: normalizedInputSchema,
    // The report is ours (built by the last Repair step); only its envelope is checked here.
    report: z.looseObject({ converged: z.boolean(), counts: countsSchema }),
    executionArn: z.string().optional(),
  }),
  z.object({
    kind: z.literal('rejected'),
    input: normalizedInputSchema,
    error: errorOutputSchema,
    executionArn: z.string().optional(),
  }),
  z.object({
    kind: z.literal('failed'),
    state: z.unknown(),
    executionInput: z.unknown(),
    executionArn: z.string().optional(),
  }),
]);

export type NotifyOutcome = 'no-drift' | 'drift' | 'applied' | 'needs-attention' | 'rejected' | 'failed';

export interface NotifyResult {
  readonly outcome: NotifyOutcome;
  readonly converged: boolean;
  readonly delivered: boolean;
}

export async function notifyTask(deps: RunbookDeps, payload: unknown): Promise<NotifyResult> {
  const task = parseTask(notifyTaskSchema, payload);
  const executionUrl = executionConsoleUrl(task.executionArn);
  const url = executionUrl ? { executionUrl } : {};
  let outcome: NotifyOutcome;
  let converged = true;
  let message: SlackMessage;
  switch (task.kind) {
    case 'plan': {
      const plan = await livePlan(deps, task.input);
      outcome = hasDrift(plan) ? 'drift' : 'no-drift';
      message =
        outcome === 'drift'
          ? buildDriftMessage({ report: undefined, plan, ...url })
          : noDriftMessage(task.input, executionUrl);
      break;
    }
    case 'applied': {
      const report = task.report as unknown as NetworkReport;
      converged = report.converged;
      outcome = converged ? 'applied' : 'needs-attention';
      const { plan, outcomes } = report;
      message =
        plan && outcomes
          ? buildDriftMessage({ report: reportOf(report, plan, outcomes), plan, ...url })
          : summaryMessage({
              scope: task.input,
              converged,
              counts: report.counts,
              agents: report.agents ?? { restarted: 0, reconnected: 0, total: 0 },
              ...url,
            });
      break;
    }
    case 'rejected':
      outcome = 'rejected';
      message = rejectedMessage({
        scope: task.input,
        error: task.error.Error,
        ...(task.error.Cause ? { cause: task.error.Cause } : {}),
        ...url,
      });
      break;
    case 'failed': {
      outcome = 'failed';
      converged = false;
      message = failedMessage(
        describeFailure(task.state, task.executionInput, deps.defaultRegion, executionUrl),
      );
      break;
    }
  }
  const delivered = deps.post ? await deps.post(message) : false;
  if (!deps.post)
    deps.log?.warn('Slack is not configured (SLACK_SECRET_NAME): outcome not posted', { outcome });
  deps.log?.info('runbook outcome', { outcome, converged, delivered });
  return { outcome, converged, delivered };
}

/** The report as the Slack message takes it (only when the state kept the plan and outcomes). */
function reportOf(report: NetworkReport, plan: Plan, outcomes: readonly ActionOutcome[]): ApplyReport {
  return {
    region: report.region,
    plan,
    outcomes,
    writeCalls: report.writeCalls,
    throttledRetries: report.throttledRetries ?? 0,
    stoppedAtMaxChanges: report.stoppedAtMaxChanges,
    converged: report.converged,
  };
}

/** Lambda errors reach the state as `{Error, Cause}` with Cause a JSON document; keep its message only. */
export function describeCause(error: string, cause: string | undefined): string {
  if (!cause) return error;
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (typeof parsed.errorMessage === 'string') return parsed.errorMessage.slice(0, 500);
  } catch {
    // Not JSON: a cause set by the state machine itself.
  }
  return cause.slice(0, 500);
}

const failureStateSchema = z.looseObject({
  error: errorOutputSchema.optional(),
  plan: z.looseObject({ input: normalizedInputSchema }).optional(),
  repair: z.looseObject({ report: z.looseObject({ counts: countsSchema }).nullable().optional() }).optional(),
});

function describeFailure(
  state: unknown,
  executionInput: unknown,
  defaultRegion: string,
  executionUrl: string | undefined,
) {
  const parsed = failureStateSchema.safeParse(state);
  const s = parsed.success ? parsed.data : {};
  const input = s.plan?.input ?? safeInput(executionInput, defaultRegion);
  const cause = describeCause(s.error?.Error ?? 'Unknown', s.error?.Cause);
  const applied = s.repair?.report?.counts;
  return {
    scope: input,
    error: s.error?.Error ?? 'Unknown',
    cause,
    ...(applied ? { applied } : {}),
    ...(executionUrl ? { executionUrl } : {}),
  };
}

/** The scope for a failure message even when the input itself was the problem. */
function safeInput(raw: unknown, defaultRegion: string): { region: string; vpcIds?: readonly string[] } {
  try {
    return parseRunbookInput(raw, defaultRegion);
  } catch {
    return { region: defaultRegion };
  }
}

// -------------------------------------------------------------------------------------- dispatch

function parseTask<T>(schema: z.ZodType<T>, payload: unknown): T {
  const parsed = schema.safeParse(payload);
  if (!parsed.success) {
    throw new RunbookError('InvalidTaskInput', `invalid task payload: ${z.prettifyError(parsed.error)}`);
  }
  return parsed.data;
}

export const RUNBOOK_TASKS = ['plan', 'requestApproval', 'repair', 'notify'] as const;
export type RunbookTaskName = (typeof RUNBOOK_TASKS)[number];

const envelopeSchema = z.looseObject({ task: z.enum(RUNBOOK_TASKS), executionArn: z.string().optional() });

/** The task named in the payload, if this function may run it. */
export function taskOf(payload: unknown, allowed: readonly RunbookTaskName[]): RunbookTaskName {
  const { task } = parseTask(envelopeSchema, payload);
  if (!allowed.includes(task)) {
    throw new RunbookError('InvalidTaskInput', `task ${task} does not run in this function`);
  }
  return task;
}

export async function runTask(deps: RunbookDeps, task: RunbookTaskName, payload: unknown): Promise<unknown> {
  const body = payload as Record<string, unknown>;
  try {
    switch (task) {
      case 'plan':
        return await planTask(deps, body.input);
      case 'requestApproval':
        return await requestApprovalTask(deps, payload);
      case 'repair':
        return await repairTask(deps, payload);
      case 'notify':
        return await notifyTask(deps, payload);
    }
  } catch (error) {
    if (error instanceof RunbookError) throw error;
    // AWS errors keep their name (the state machine can tell them apart); the message is one line.
    const wrapped = new RunbookError(error instanceof Error ? error.name : 'Error', errorMessage(error));
    throw wrapped;
  }
}

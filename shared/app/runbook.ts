/**
 * The runbook's tasks, one per Step Functions Task state (runbook/runbook.asl.yml): plan, request
 * approval, repair the network, check the endpoints, restart agents in batches, verify them, notify.
 *
 * Invariants:
 * - every task reads the live state again: nothing is trusted from an earlier state, which may be
 *   stale after an approval wait. The execution state carries only the normalised input, ids, counts,
 *   outcomes and restart batches, bounded well under Step Functions' 256 KB payload limit (a scope too
 *   large for that is refused by `plan`, before anything changes);
 * - apply never does more than plan showed: an action is applied only when its id is in the plan
 *   summary (and so in the approval message); anything new since is skipped until the next run;
 * - restarts are handed out only for VPCs whose network repair had no failure and did not stop at
 *   the change cap, at most 50 instances per batch (SendCommand's limit), and the state machine runs
 *   them only after every endpoint the repair touched is available;
 * - notify never fails because Slack failed (the notifier logs and reports `delivered: false`).
 */
import { z } from 'zod';
import type { RemediatorConfig } from '../core/config.js';
import type {
  Action,
  ActionOutcome,
  ApplyReport,
  ContainerInstanceRef,
  Plan,
  VpcPlan,
} from '../core/domain.js';
import type { RemediatorPorts } from '../core/ports.js';
import { REGION_HINT, REGION_PATTERN, VPC_ID_HINT, VPC_ID_PATTERN } from '../core/id-patterns.js';
import { hasDrift } from '../core/plan.js';
import { applyPlan, realClock, type Clock } from '../apply/executor.js';
import { applyWithVpcLeases, type VpcLeasing } from './vpc-leases.js';
import { pollInvocations, restartCommand } from '../apply/agent-restart.js';
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

/** SendCommand's limit on instance ids per call. */
export const RESTART_BATCH_SIZE = 50;
/** Above this many agent restarts the batches would crowd the execution state: scope by VPC. */
export const MAX_RESTART_INSTANCES = 400;
/** Budget for the plan's action ids and for the apply result in the execution state (bytes of JSON). */
export const PLANNED_IDS_BUDGET = 64_000;
export const APPLY_RESULT_BUDGET = 160_000;

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

const isAgentWork = (a: Action) => a.kind === 'RestartEcsAgent' || a.kind === 'UpdateContainerAgent';

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

// --------------------------------------------------------------------------------- apply network

const instanceRefSchema = z.object({
  clusterArn: z.string(),
  containerInstanceArn: z.string(),
  ec2InstanceId: z.string(),
  platform: z.enum(['linux', 'linux-arm64', 'bottlerocket', 'windows', 'unknown']),
});

const restartBatchSchema = z.object({
  actionId: z.string(),
  vpcId: z.string(),
  reason: z.string(),
  index: z.number().int().min(0),
  instances: z.array(instanceRefSchema).min(1).max(RESTART_BATCH_SIZE),
});
export type RestartBatch = z.infer<typeof restartBatchSchema>;

const touchedSchema = z.object({ vpcId: z.string(), endpointId: z.string() });
export type TouchedEndpoint = z.infer<typeof touchedSchema>;

export interface OutcomeCounts {
  readonly applied: number;
  readonly skipped: number;
  readonly failed: number;
}

/** The network repair as the state carries it; `plan`/`outcomes` are dropped when too large. */
export interface NetworkReport {
  readonly region: string;
  readonly converged: boolean;
  readonly stoppedAtMaxChanges: boolean;
  readonly writeCalls: number;
  /** Throttled EC2 requests retried during the network repair (absent in states from before it). */
  readonly throttledRetries?: number;
  readonly counts: OutcomeCounts;
  readonly plan?: Plan;
  readonly outcomes?: readonly ActionOutcome[];
}

export interface ApplyNetworkResult {
  readonly report: NetworkReport;
  readonly touched: readonly TouchedEndpoint[];
  readonly batches: readonly RestartBatch[];
}

const applyTaskSchema = z.object({
  input: normalizedInputSchema,
  plannedActionIds: z.array(z.string()),
  executionArn: z.string().min(1).optional(),
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

const ENDPOINT_KINDS = new Set(['CreateVpcEndpoint', 'ModifyVpcEndpoint', 'AddGatewayRoutes']);

export async function applyNetworkTask(deps: RunbookDeps, payload: unknown): Promise<ApplyNetworkResult> {
  const { input, plannedActionIds, executionArn } = parseTask(applyTaskSchema, payload);
  const planned = new Set(plannedActionIds);
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
        if (isAgentWork(a)) {
          if (a.kind === 'UpdateContainerAgent' && a.apply) {
            extra.push(skipped(a, 'agent updates are left to the reconcile function'));
          }
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
  const apply = (p: Plan) =>
    applyPlan(p, {
      ports: deps.portsFor(input.region),
      config: deps.config,
      ...(deps.clock ? { clock: deps.clock } : {}),
      ...(deps.log ? { progress: (line: string) => deps.log?.info(line) } : {}),
    });
  const report: ApplyReport = deps.leasing
    ? await applyWithVpcLeases(
        execPlan,
        { ...deps.leasing, owner: `runbook:${executionArn ?? 'unnamed execution'}` },
        deps.clock ?? realClock,
        apply,
      )
    : await apply(execPlan);

  const batches: RestartBatch[] = [];
  for (const vpc of inScope) {
    const networkFailed = report.outcomes.some((o) => o.vpcId === vpc.vpcId && o.status === 'failed');
    const yieldedTo = report.yielded?.find((y) => y.vpcId === vpc.vpcId)?.holder;
    for (const action of vpc.actions) {
      if (action.kind !== 'RestartEcsAgent') continue;
      if (!planned.has(action.id)) {
        extra.push(skipped(action, 'not in the plan this execution showed: the next run plans it'));
      } else if (yieldedTo !== undefined) {
        extra.push(skipped(action, `not restarted: another writer (${yieldedTo}) holds this VPC's lease`));
      } else if (networkFailed || report.stoppedAtMaxChanges) {
        extra.push(
          skipped(
            action,
            report.stoppedAtMaxChanges
              ? 'not restarted: the change cap stopped the network repair'
              : 'not restarted behind a network repair that failed in this VPC',
          ),
        );
      } else {
        for (let i = 0; i < action.instances.length; i += RESTART_BATCH_SIZE) {
          batches.push({
            actionId: action.id,
            vpcId: action.vpcId,
            reason: action.reason,
            index: i / RESTART_BATCH_SIZE,
            instances: action.instances.slice(i, i + RESTART_BATCH_SIZE).map((r) => ({ ...r })),
          });
        }
      }
    }
  }
  const outcomes = [...report.outcomes, ...extra];
  const touched = report.outcomes.flatMap((o) =>
    o.status === 'applied' && ENDPOINT_KINDS.has(o.kind) && o.resourceId?.startsWith('vpce-')
      ? [{ vpcId: o.vpcId, endpointId: o.resourceId }]
      : [],
  );
  const networkReport = fitReport(
    {
      region: report.region,
      converged: report.converged,
      stoppedAtMaxChanges: report.stoppedAtMaxChanges,
      writeCalls: report.writeCalls,
      throttledRetries: report.throttledRetries,
      counts: countOutcomes(outcomes),
      plan: { ...live, vpcs: inScope },
      outcomes,
    },
    APPLY_RESULT_BUDGET - JSON.stringify({ touched, batches }).length,
  );
  deps.log?.info('runbook network repair done', {
    ...networkReport.counts,
    converged: report.converged,
    writeCalls: report.writeCalls,
    batches: batches.length,
  });
  return { report: networkReport, touched, batches };
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

// ------------------------------------------------------------------------------- check endpoints

const checkTaskSchema = z.object({
  input: normalizedInputSchema,
  touched: z.array(touchedSchema),
  attempts: z.number().int().min(0),
});

export interface EndpointCheck {
  readonly attempts: number;
  readonly allAvailable: boolean;
  readonly failedCount: number;
  readonly failed: readonly { vpcId: string; endpointId: string; state: string }[];
  readonly pending: readonly { vpcId: string; endpointId: string; state: string }[];
}

const BROKEN = new Set(['failed', 'rejected', 'expired', 'deleted', 'deleting']);

/** One look at the endpoints the repair touched; the state machine waits and asks again. */
export async function checkEndpointsTask(deps: RunbookDeps, payload: unknown): Promise<EndpointCheck> {
  const { input, touched, attempts } = parseTask(checkTaskSchema, payload);
  const ec2 = deps.portsFor(input.region).ec2;
  const failed: { vpcId: string; endpointId: string; state: string }[] = [];
  const pending: { vpcId: string; endpointId: string; state: string }[] = [];
  for (const vpcId of [...new Set(touched.map((t) => t.vpcId))]) {
    const mine = touched.filter((x) => x.vpcId === vpcId);
    const described = await ec2.describeVpcEndpoints(
      vpcId,
      mine.map((t) => t.endpointId),
    );
    const states = new Map(described.map((e) => [e.endpointId, e.state]));
    for (const t of mine) {
      // The adapter leaves deleted endpoints out: one that is gone is broken, not pending.
      const state = states.get(t.endpointId) ?? 'deleted';
      if (state === 'available') continue;
      (BROKEN.has(state) ? failed : pending).push({ ...t, state });
    }
  }
  return {
    attempts: attempts + 1,
    allAvailable: failed.length === 0 && pending.length === 0,
    failedCount: failed.length,
    failed,
    pending,
  };
}

// --------------------------------------------------------------------------------- restart batch

const restartTaskSchema = z.object({ input: normalizedInputSchema, batch: restartBatchSchema });

export interface BatchResult {
  readonly actionId: string;
  readonly index: number;
  readonly commandId?: string;
  readonly results: readonly { instanceId: string; status: string }[];
}

/** One SendCommand with the tool's document for ≤ 50 instances, then bounded polling of its invocations. */
export async function restartBatchTask(deps: RunbookDeps, payload: unknown): Promise<BatchResult> {
  const { input, batch } = parseTask(restartTaskSchema, payload);
  const { config } = deps;
  const ssm = deps.portsFor(input.region).ssm;
  const clock = deps.clock ?? realClock;
  const started = clock.now();
  const instanceIds = batch.instances.map((i) => i.ec2InstanceId);
  const commandId = await ssm.sendCommand(restartCommand(config, batch.vpcId, batch.reason, instanceIds));
  const done = await pollInvocations(ssm, commandId, batch.instances, {
    clock,
    deadline: started + config.agentWaitTimeoutSeconds * 1000,
  });
  const results = batch.instances.map((ref) => ({
    instanceId: ref.ec2InstanceId,
    status: done.get(ref.ec2InstanceId)?.status ?? 'TimedOut',
  }));
  deps.log?.info('agent restart batch done', {
    actionId: batch.actionId,
    index: batch.index,
    commandId,
    succeeded: results.filter((r) => r.status === 'Success').length,
    of: results.length,
  });
  return { actionId: batch.actionId, index: batch.index, commandId, results };
}

// --------------------------------------------------------------------------------- verify agents

const batchResultSchema = z.object({
  actionId: z.string(),
  index: z.number(),
  commandId: z.string().optional(),
  results: z.array(z.object({ instanceId: z.string(), status: z.string() })),
  error: z.object({ Error: z.string(), Cause: z.string().optional() }).optional(),
});

const verifyTaskSchema = z.object({
  input: normalizedInputSchema,
  batches: z.array(restartBatchSchema),
  restarts: z.array(batchResultSchema),
});

export interface AgentVerification {
  readonly reconnected: readonly string[];
  readonly notReconnected: readonly string[];
}

/** Confirms through ECS (bounded polling) that each successfully restarted agent is connected again. */
export async function verifyAgentsTask(deps: RunbookDeps, payload: unknown): Promise<AgentVerification> {
  const { input, batches, restarts } = parseTask(verifyTaskSchema, payload);
  const succeeded = new Set(
    restarts.flatMap((r) => r.results.filter((x) => x.status === 'Success').map((x) => x.instanceId)),
  );
  let waiting: ContainerInstanceRef[] = batches
    .flatMap((b) => b.instances)
    .filter((ref) => succeeded.has(ref.ec2InstanceId));
  if (waiting.length === 0) return { reconnected: [], notReconnected: [] };
  const ecs = deps.portsFor(input.region).ecs;
  const clock = deps.clock ?? realClock;
  const deadline = clock.now() + deps.config.agentWaitTimeoutSeconds * 1000;
  const reconnected: string[] = [];
  let delay = 1000;
  for (;;) {
    const byCluster = new Map<string, ContainerInstanceRef[]>();
    for (const ref of waiting) byCluster.set(ref.clusterArn, [...(byCluster.get(ref.clusterArn) ?? []), ref]);
    const connected = new Set<string>();
    for (const [cluster, refs] of byCluster) {
      const states = await ecs.describeContainerInstances(
        cluster,
        refs.map((r) => r.containerInstanceArn),
      );
      for (const s of states) if (s.agentConnected) connected.add(s.containerInstanceArn);
    }
    reconnected.push(
      ...waiting.filter((r) => connected.has(r.containerInstanceArn)).map((r) => r.ec2InstanceId),
    );
    waiting = waiting.filter((r) => !connected.has(r.containerInstanceArn));
    if (waiting.length === 0 || clock.now() >= deadline) break;
    await clock.sleep(Math.min(delay, Math.max(0, deadline - clock.now())));
    delay = Math.min(delay * 2, 15_000);
  }
  return { reconnected, notReconnected: waiting.map((r) => r.ec2InstanceId) };
}

// ----------------------------------------------------------------------------------------- notify

const errorOutputSchema = z.object({ Error: z.string(), Cause: z.string().optional() });

const countsSchema = z.object({ applied: z.number(), skipped: z.number(), failed: z.number() });

const notifyTaskSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('plan'), input: normalizedInputSchema, executionArn: z.string().optional() }),
  z.object({
    kind: z.literal('applied'),
    input: normalizedInputSchema,
    apply: z.object({
      // The report is ours (built by applyNetworkTask); only its envelope is checked here.
      report: z.looseObject({ converged: z.boolean(), counts: countsSchema }),
      batches: z.array(restartBatchSchema),
    }),
    restarts: z.array(batchResultSchema),
    verify: z.object({ reconnected: z.array(z.string()), notReconnected: z.array(z.string()) }),
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
      const composed = composeFinalReport(
        task.apply.report as unknown as NetworkReport,
        task.apply.batches,
        task.restarts,
        task.verify,
      );
      converged = composed.converged;
      outcome = converged ? 'applied' : 'needs-attention';
      message = composed.report
        ? buildDriftMessage({ report: composed.report, plan: composed.report.plan, ...url })
        : summaryMessage({
            scope: task.input,
            converged,
            counts: composed.counts,
            agents: composed.agents,
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

/** Adds one outcome per agent restart action (from the batches, their results and the ECS check). */
export function composeFinalReport(
  network: NetworkReport,
  batches: readonly RestartBatch[],
  restarts: readonly z.infer<typeof batchResultSchema>[],
  verify: AgentVerification,
): {
  report?: ApplyReport;
  converged: boolean;
  counts: OutcomeCounts;
  agents: { restarted: number; reconnected: number; total: number };
} {
  const status = new Map<string, string>();
  const batchErrors = new Map<string, string>();
  for (const r of restarts) {
    for (const x of r.results) status.set(x.instanceId, x.status);
    if (r.error) batchErrors.set(`${r.actionId}#${r.index}`, describeCause(r.error.Error, r.error.Cause));
  }
  const reconnected = new Set(verify.reconnected);
  const agentOutcomes: ActionOutcome[] = [];
  const actionIds = [...new Set(batches.map((b) => b.actionId))];
  let restartedTotal = 0;
  let total = 0;
  for (const actionId of actionIds) {
    const own = batches.filter((b) => b.actionId === actionId);
    const instances = own.flatMap((b) => b.instances.map((i) => i.ec2InstanceId));
    const restarted = instances.filter((id) => status.get(id) === 'Success');
    const back = restarted.filter((id) => reconnected.has(id));
    restartedTotal += restarted.length;
    total += instances.length;
    const problems = [
      ...own.flatMap((b) => {
        const error = batchErrors.get(`${actionId}#${b.index}`);
        return error ? [`batch ${b.index + 1}: ${error}`] : [];
      }),
      ...instances
        .filter((id) => status.has(id) && status.get(id) !== 'Success')
        .map((id) => `${id}: command ${status.get(id)}`),
      ...restarted.filter((id) => !reconnected.has(id)).map((id) => `${id}: agent not reconnected`),
    ];
    const detail = `${restarted.length}/${instances.length} restarted, ${back.length} reconnected`;
    const vpcId = own[0]?.vpcId ?? '';
    agentOutcomes.push(
      problems.length > 0
        ? {
            status: 'failed',
            actionId,
            kind: 'RestartEcsAgent',
            vpcId,
            error: `${detail}; ${problems.join('; ')}`,
          }
        : { status: 'applied', actionId, kind: 'RestartEcsAgent', vpcId, detail },
    );
  }
  const agentCounts = countOutcomes(agentOutcomes);
  const counts = {
    applied: network.counts.applied + agentCounts.applied,
    skipped: network.counts.skipped,
    failed: network.counts.failed + agentCounts.failed,
  };
  const converged = network.converged && agentCounts.failed === 0;
  const agents = { restarted: restartedTotal, reconnected: reconnected.size, total };
  if (!network.plan || !network.outcomes) return { converged, counts, agents };
  const outcomes = [
    ...network.outcomes.filter((o) => o.kind !== 'RestartEcsAgent' || o.status !== 'applied'),
    ...agentOutcomes,
  ];
  return {
    report: {
      region: network.region,
      plan: network.plan,
      outcomes,
      writeCalls: network.writeCalls + batches.length,
      throttledRetries: network.throttledRetries ?? 0,
      stoppedAtMaxChanges: network.stoppedAtMaxChanges,
      converged,
    },
    converged,
    counts,
    agents,
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
  apply: z.looseObject({ report: z.looseObject({ counts: countsSchema }) }).optional(),
  check: z
    .looseObject({ failed: z.array(touchedSchema.extend({ state: z.string() })).optional() })
    .optional(),
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
  const failedEndpoints = s.check?.failed ?? [];
  const cause =
    describeCause(s.error?.Error ?? 'Unknown', s.error?.Cause) +
    (failedEndpoints.length > 0
      ? ` (${failedEndpoints.map((f) => `${f.endpointId} ${f.state}`).join(', ')})`
      : '');
  return {
    scope: input,
    error: s.error?.Error ?? 'Unknown',
    cause,
    ...(s.apply ? { applied: s.apply.report.counts } : {}),
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

export const RUNBOOK_TASKS = [
  'plan',
  'requestApproval',
  'applyNetwork',
  'checkEndpoints',
  'restartBatch',
  'verifyAgents',
  'notify',
] as const;
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
      case 'applyNetwork':
        return await applyNetworkTask(deps, payload);
      case 'checkEndpoints':
        return await checkEndpointsTask(deps, payload);
      case 'restartBatch':
        return await restartBatchTask(deps, payload);
      case 'verifyAgents':
        return await verifyAgentsTask(deps, payload);
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

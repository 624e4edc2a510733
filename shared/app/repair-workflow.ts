/**
 * The event path's repair in the deployment: the reconcile function plans, and hands each enforce
 * VPC's repair to the runbook state machine (runbook/runbook.asl.yml, mode apply, no approval)
 * instead of applying it in the reconcile Lambda, so no Lambda waits on AWS provisioning. The
 * workflow runs the same executor's steps as the CLI (shared/apply/executor.ts), takes the VPC
 * leases, and posts its result to Slack.
 *
 * Invariants:
 * - only this account's VPCs are handed over (the runbook acts in the stack's account); a member
 *   account's repair stays in the reconcile function, through the member role;
 * - agent updates (UpdateContainerAgent: one write, no wait) stay in the reconcile function, as
 *   the runbook leaves them to it;
 * - an execution's name is derived from the batch's events and VPCs, so a redelivered batch names
 *   the same execution and never starts a second repair (StartExecution: same name and input is
 *   idempotent while it runs; a closed one answers ExecutionAlreadyExists, which is taken as done);
 * - at most `REPAIR_VPCS_PER_EXECUTION` VPCs per execution, so its state stays within 256 KB.
 */
import { createHash } from 'node:crypto';
import type { Action, ActionOutcome, ApplyReport, Plan } from '../core/domain.js';

export const REPAIR_VPCS_PER_EXECUTION = 10;

/** The runbook input of a handed-over repair (its schema: shared/app/runbook.ts). */
export interface RepairExecutionInput {
  readonly region: string;
  readonly vpcIds: readonly string[];
  readonly mode: 'apply';
  readonly requireApproval: false;
}

export interface RepairWorkflow {
  /** Starts the execution (or finds it, by name); returns its ARN and whether this call started it. */
  start(name: string, input: RepairExecutionInput): Promise<{ executionArn: string; started: boolean }>;
}

/** Actions the workflow carries out (the runbook's own rule): everything applicable but agent updates. */
const isHandedOver = (action: Action) => action.apply && action.kind !== 'UpdateContainerAgent';

/** Execution names: 1-80 of letters, digits, - and _ (StartExecution's `name`). */
export function repairExecutionName(correlationId: string, vpcIds: readonly string[]): string {
  const digest = createHash('sha256')
    .update(`${correlationId}\n${vpcIds.join(',')}`, 'utf8')
    .digest('hex');
  return `reconcile-${digest.slice(0, 40)}`;
}

export interface Handover {
  /** What the reconcile function still applies itself (audit VPCs' skips, agent updates). */
  readonly inline: Plan;
  /** The handed-over actions, skipped here with the execution that carries them out. */
  readonly outcomes: readonly ActionOutcome[];
  readonly executions: readonly { readonly executionArn: string; readonly vpcIds: readonly string[] }[];
}

/** Starts the repair workflow for the plan's enforce VPCs; returns what stays inline. */
export async function handOverRepairs(
  workflow: RepairWorkflow,
  plan: Plan,
  correlationId: string,
): Promise<Handover> {
  const handed = plan.vpcs
    .filter((v) => v.mode === 'enforce' && v.actions.some(isHandedOver))
    .map((v) => v.vpcId);
  if (handed.length === 0) return { inline: plan, outcomes: [], executions: [] };
  const executions: { executionArn: string; vpcIds: readonly string[] }[] = [];
  for (let i = 0; i < handed.length; i += REPAIR_VPCS_PER_EXECUTION) {
    const vpcIds = handed.slice(i, i + REPAIR_VPCS_PER_EXECUTION);
    const input: RepairExecutionInput = {
      region: plan.region,
      vpcIds,
      mode: 'apply',
      requireApproval: false,
    };
    const { executionArn } = await workflow.start(repairExecutionName(correlationId, vpcIds), input);
    executions.push({ executionArn, vpcIds });
  }
  const executionOf = new Map(executions.flatMap((e) => e.vpcIds.map((id) => [id, e.executionArn])));
  const outcomes: ActionOutcome[] = [];
  const inline: Plan = {
    ...plan,
    vpcs: plan.vpcs.map((vpc) => {
      const executionArn = executionOf.get(vpc.vpcId);
      if (!executionArn) return vpc;
      for (const action of vpc.actions.filter(isHandedOver)) {
        outcomes.push({
          status: 'skipped',
          actionId: action.id,
          kind: action.kind,
          vpcId: action.vpcId,
          why: `handed to the repair workflow (${executionArn}): it re-reads the VPC, applies this and reports`,
        });
      }
      return { ...vpc, actions: vpc.actions.filter((a) => !isHandedOver(a)) };
    }),
  };
  return { inline, outcomes, executions };
}

/** The reconcile's report: the inline apply's outcomes with the handed-over ones, in the plan's order. */
export function withHandover(plan: Plan, inline: ApplyReport, handover: Handover): ApplyReport {
  if (handover.outcomes.length === 0) return inline;
  const byId = new Map([...inline.outcomes, ...handover.outcomes].map((o) => [o.actionId, o]));
  const ordered = plan.vpcs.flatMap((v) => v.actions.flatMap((a) => byId.get(a.id) ?? []));
  const rest = [...byId.values()].filter((o) => !ordered.includes(o));
  return {
    ...inline,
    plan,
    outcomes: [...ordered, ...rest],
    // The drift is still there until the workflow repairs it; its own report says when.
    converged: false,
  };
}

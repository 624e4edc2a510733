/**
 * The event path's hand-over to the repair workflow (shared/app/repair-workflow.ts): which VPCs and
 * actions go to the runbook state machine, what stays in the reconcile function, the executions'
 * names and sizes, and the reconcile's report.
 */
import {
  REPAIR_VPCS_PER_EXECUTION,
  handOverRepairs,
  repairExecutionName,
  withHandover,
  type RepairExecutionInput,
} from '../../shared/app/repair-workflow.js';
import type { Action, ApplyReport, Plan, VpcPlan } from '../../shared/core/domain.js';

const create = (vpcId: string, service: 'ecs-agent' | 'logs'): Action =>
  ({
    kind: 'CreateVpcEndpoint',
    id: `${vpcId}:CreateVpcEndpoint:${service}`,
    vpcId,
    apply: true,
    service,
  }) as unknown as Action;
const agentUpdate = (vpcId: string): Action =>
  ({
    kind: 'UpdateContainerAgent',
    id: `${vpcId}:UpdateContainerAgent:i-1`,
    vpcId,
    apply: true,
  }) as unknown as Action;
const vpc = (vpcId: string, mode: VpcPlan['mode'], actions: Action[]): VpcPlan => ({
  vpcId,
  mode,
  findings: [],
  actions,
  estimatedMonthlyCostUsd: 0,
});
const planOf = (vpcs: VpcPlan[]): Plan => ({
  region: 'us-east-1',
  vpcs,
  estimatedMonthlyCostUsd: 0,
  warnings: [],
});

function recordingWorkflow() {
  const started: { name: string; input: RepairExecutionInput }[] = [];
  return {
    started,
    workflow: {
      start: async (name: string, input: RepairExecutionInput) => {
        started.push({ name, input });
        return {
          executionArn: `arn:aws:states:us-east-1:123456789012:execution:runbook:${name}`,
          started: true,
        };
      },
    },
  };
}

describe('handOverRepairs', () => {
  it('hands enforce VPCs to the workflow; audit VPCs and agent updates stay with the reconcile function', async () => {
    const p = planOf([
      vpc('vpc-enforce', 'enforce', [create('vpc-enforce', 'ecs-agent'), agentUpdate('vpc-enforce')]),
      vpc('vpc-audit', 'audit', [create('vpc-audit', 'logs')]),
      vpc('vpc-updates-only', 'enforce', [agentUpdate('vpc-updates-only')]),
    ]);
    const { workflow, started } = recordingWorkflow();
    const handover = await handOverRepairs(workflow, p, 'event-1');
    expect(started.map((s) => s.input)).toEqual([
      { region: 'us-east-1', vpcIds: ['vpc-enforce'], mode: 'apply', requireApproval: false },
    ]);
    expect(handover.inline.vpcs.map((v) => [v.vpcId, v.actions.map((a) => a.kind)])).toEqual([
      ['vpc-enforce', ['UpdateContainerAgent']],
      ['vpc-audit', ['CreateVpcEndpoint']],
      ['vpc-updates-only', ['UpdateContainerAgent']],
    ]);
    expect(handover.outcomes).toEqual([
      {
        status: 'skipped',
        actionId: 'vpc-enforce:CreateVpcEndpoint:ecs-agent',
        kind: 'CreateVpcEndpoint',
        vpcId: 'vpc-enforce',
        why: `handed to the repair workflow (${handover.executions[0]?.executionArn}): it re-reads the VPC, applies this and reports`,
      },
    ]);
  });

  it('nothing to hand over: no execution, the plan stays whole', async () => {
    const p = planOf([vpc('vpc-audit', 'audit', [create('vpc-audit', 'logs')])]);
    const { workflow, started } = recordingWorkflow();
    const handover = await handOverRepairs(workflow, p, 'event-1');
    expect({ started, inline: handover.inline, outcomes: handover.outcomes }).toEqual({
      started: [],
      inline: p,
      outcomes: [],
    });
  });

  it(`starts one execution per ${REPAIR_VPCS_PER_EXECUTION} VPCs, in the plan's order`, async () => {
    const ids = Array.from({ length: 23 }, (_, i) => `vpc-${String(i).padStart(2, '0')}`);
    const p = planOf(ids.map((id) => vpc(id, 'enforce', [create(id, 'logs')])));
    const { workflow, started } = recordingWorkflow();
    await handOverRepairs(workflow, p, 'sweep');
    expect(started.map((s) => s.input.vpcIds.length)).toEqual([10, 10, 3]);
    expect(started.flatMap((s) => s.input.vpcIds)).toEqual(ids);
    expect(new Set(started.map((s) => s.name)).size).toBe(3);
  });
});

describe('repairExecutionName', () => {
  it.each([
    [
      'the same events and VPCs: the same name (a redelivered batch)',
      ['e-1', ['vpc-1']],
      ['e-1', ['vpc-1']],
      true,
    ],
    ['other events', ['e-1', ['vpc-1']], ['e-2', ['vpc-1']], false],
    ['other VPCs', ['e-1', ['vpc-1']], ['e-1', ['vpc-1', 'vpc-2']], false],
  ] as const)('%s', (_what, [c1, v1], [c2, v2], same) => {
    const a = repairExecutionName(c1, v1);
    const b = repairExecutionName(c2, v2);
    expect(a === b).toBe(same);
    // StartExecution's name: 1-80 characters, none of whitespace, brackets, wildcards or : , ; / etc.
    for (const name of [a, b]) expect(name).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
  });
});

describe('withHandover', () => {
  it('merges the outcomes in the plan order, and the drift handed over is not converged yet', () => {
    const p = planOf([
      vpc('vpc-a', 'enforce', [create('vpc-a', 'ecs-agent'), agentUpdate('vpc-a')]),
      vpc('vpc-b', 'audit', [create('vpc-b', 'logs')]),
    ]);
    const inline: ApplyReport = {
      region: 'us-east-1',
      plan: p,
      outcomes: [
        {
          status: 'applied',
          actionId: 'vpc-a:UpdateContainerAgent:i-1',
          kind: 'UpdateContainerAgent',
          vpcId: 'vpc-a',
        },
        {
          status: 'skipped',
          actionId: 'vpc-b:CreateVpcEndpoint:logs',
          kind: 'CreateVpcEndpoint',
          vpcId: 'vpc-b',
          why: 'audit VPC: report only',
        },
      ],
      writeCalls: 1,
      throttledRetries: 0,
      stoppedAtMaxChanges: false,
      converged: true,
    };
    const handed = {
      inline: p,
      executions: [],
      outcomes: [
        {
          status: 'skipped' as const,
          actionId: 'vpc-a:CreateVpcEndpoint:ecs-agent',
          kind: 'CreateVpcEndpoint' as const,
          vpcId: 'vpc-a',
          why: 'handed',
        },
      ],
    };
    const report = withHandover(p, inline, handed);
    expect(report.outcomes.map((o) => o.actionId)).toEqual([
      'vpc-a:CreateVpcEndpoint:ecs-agent',
      'vpc-a:UpdateContainerAgent:i-1',
      'vpc-b:CreateVpcEndpoint:logs',
    ]);
    expect({ converged: report.converged, writeCalls: report.writeCalls }).toEqual({
      converged: false,
      writeCalls: 1,
    });
    expect(withHandover(p, inline, { ...handed, outcomes: [] })).toBe(inline);
  });
});

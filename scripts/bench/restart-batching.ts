/** 3. Restart of 1,000 container instances through the executor with fake ports and a fake clock. */
import { applyPlan } from '../../shared/apply/executor.js';
import type { Action, ContainerInstanceRef, Plan } from '../../shared/core/domain.js';
import { fakeClock } from '../../test/support/fake-clock.js';
import {
  connectedEcs,
  countingEc2,
  DESCRIBE_CONTAINER_INSTANCES_MAX,
  healthySsm,
} from '../../test/support/fake-agent-ports.js';
import type { Measure } from './context.js';
import { ms, progress, Report, timed } from './output.js';

export const RESTART_INSTANCES = 1000;
/** Clusters the 1,000 restarted instances belong to (the executor checks reconnection per cluster). */
const RESTART_CLUSTERS = 4;
/** SSM SendCommand takes at most 50 instance ids. */
const SEND_COMMAND_MAX_IDS = 50;

function restartPlanFor(region: string): Plan {
  const vpcId = 'vpc-0bench00000000001';
  const instances: ContainerInstanceRef[] = Array.from({ length: RESTART_INSTANCES }, (_, i) => {
    const cluster = `arn:aws:ecs:${region}:123456789012:cluster/bench-${i % RESTART_CLUSTERS}`;
    return {
      clusterArn: cluster,
      containerInstanceArn: `${cluster.replace(':cluster/', ':container-instance/')}/${i.toString(16).padStart(32, '0')}`,
      ec2InstanceId: `i-${i.toString(16).padStart(17, '0')}`,
      platform: 'linux',
    };
  });
  const action: Action = {
    kind: 'RestartEcsAgent',
    id: `${vpcId}:RestartEcsAgent:agents`,
    vpcId,
    reason: 'ECS endpoints repaired: restart the agents so they reconnect through them',
    apply: true,
    dependsOn: [],
    instances,
  };
  return {
    region,
    vpcs: [{ vpcId, mode: 'enforce', findings: [], actions: [action], estimatedMonthlyCostUsd: 0 }],
    estimatedMonthlyCostUsd: 0,
    warnings: [],
  };
}

export const restartBatching: Measure = {
  name: 'restart',
  description: `restart plan for ${RESTART_INSTANCES} container instances (fake ports, fake clock)`,
  async run(ctx) {
    const ssm = healthySsm();
    const ecs = connectedEcs();
    const ec2 = countingEc2();
    // Time passes only when the executor sleeps: nothing waits for real.
    const clock = fakeClock();
    const clockStart = clock.now();
    progress(`restarting ${RESTART_INSTANCES} container instances through fake ports…`);
    const { value: report, ms: wallMs } = await timed(() =>
      applyPlan(restartPlanFor(ctx.region), { ports: { ssm, ecs, ec2 }, config: ctx.config, clock }),
    );
    const outcome = report.outcomes[0];
    const figure = {
      sendCommand: ssm.sent.length,
      largestBatch: Math.max(0, ...ssm.sent.map((r) => r.instanceIds.length)),
      listInvocations: ssm.listInvocationsApiCalls,
      describePortCalls: ecs.describeCalls,
      describeApiCalls: ecs.describeApiCalls,
      ec2Calls: ec2.calls,
      wallMs: ms(wallMs),
      fakeClockMs: clock.now() - clockStart,
      outcome: outcome
        ? `${outcome.status}${outcome.status === 'applied' && outcome.detail ? `: ${outcome.detail}` : ''}`
        : 'none',
    };
    const limit = Math.ceil(RESTART_INSTANCES / SEND_COMMAND_MAX_IDS);
    const printed = new Report()
      .heading(
        `3. Restart plan for ${RESTART_INSTANCES.toLocaleString('en')} container instances (${RESTART_CLUSTERS} clusters; fake ports, fake clock)`,
      )
      .table(
        [
          'SendCommand',
          'largest batch',
          'ListCommandInvocations',
          'DescribeContainerInstances (port / API)',
          'EC2 calls',
          'wall ms',
          'fake clock ms',
        ],
        [
          [
            figure.sendCommand,
            figure.largestBatch,
            figure.listInvocations,
            `${figure.describePortCalls} / ${figure.describeApiCalls}`,
            figure.ec2Calls,
            figure.wallMs,
            figure.fakeClockMs,
          ],
        ],
      )
      .line(
        `outcome: ${figure.outcome}\nSendCommand calls ${figure.sendCommand} ${figure.sendCommand <= limit ? '<=' : '>'} ${limit} (batches of at most ${SEND_COMMAND_MAX_IDS} instance ids)` +
          `\nDescribeContainerInstances: the executor asks once per cluster; the adapter sends ${DESCRIBE_CONTAINER_INSTANCES_MAX} ARNs per API call`,
      );
    return { report: printed, json: { restart: { instances: RESTART_INSTANCES, ...figure } } };
  },
};

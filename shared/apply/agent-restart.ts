/**
 * One agent-restart batch: SendCommand with the tool's SSM document for at most 50 instances, and
 * what a look at its invocations says. The executor's restart steps use them.
 */
import type { RemediatorConfig } from '../core/config.js';
import type { ContainerInstanceRef, Platform } from '../core/domain.js';
import { assertNever } from '../core/domain.js';
import type {
  CommandInvocation,
  CommandInvocationDetail,
  CommandStepResult,
  InvocationStatus,
  SendCommandRequest,
  SsmCommander,
} from '../core/ports.js';

export const SSM_BATCH = 50;

const TERMINAL: ReadonlySet<InvocationStatus> = new Set<InvocationStatus>([
  'Success',
  'Cancelled',
  'TimedOut',
  'Failed',
  'Undeliverable',
  'Terminated',
]);

/**
 * The restart document's steps (documents/restart-ecs-agent.yml), by the `platformType` their
 * precondition requires; test/document checks these names against the document.
 */
export const RESTART_STEPS = { Linux: 'restartEcsAgentLinux', Windows: 'restartEcsAgentWindows' } as const;

/**
 * How SSM reports a step its precondition skipped: status Success and an output that starts with this
 * (Run Command, "Understanding command statuses" and the `precondition` of schema 2.2 documents).
 * Such a step did nothing: it is never the result of the restart.
 */
export const SKIPPED_STEP_OUTPUT = 'Step execution skipped due to unsatisfied preconditions';

/** The SSM `platformType` an instance of this platform reports; undefined when not known. */
export function ssmPlatformType(platform: Platform): keyof typeof RESTART_STEPS | undefined {
  switch (platform) {
    case 'linux':
    case 'linux-arm64':
    case 'bottlerocket': // SSM runs in the control container, a Linux host container
      return 'Linux';
    case 'windows':
      return 'Windows';
    case 'unknown':
      return undefined;
    default:
      return assertNever(platform, 'platform');
  }
}

function isSkipped(step: CommandStepResult): boolean {
  return step.status === 'Success' && (step.output ?? '').trimStart().startsWith(SKIPPED_STEP_OUTPUT);
}

/**
 * What one instance's invocation says about the restart. The step that ran decides: a step skipped
 * by its precondition never counts (not even as Success); every step skipped means the restart did
 * not run, a failure. The instance's platform, where known, picks the step when several are not (yet)
 * skipped; otherwise a single step left decides, and with several the restart is still running until
 * every one is final (the first that did not succeed then decides). Pure.
 */
export function restartResult(detail: CommandInvocationDetail, platform: Platform): CommandInvocation {
  const { instanceId } = detail;
  const invocationFinal = (): CommandInvocation => ({ instanceId, status: detail.status });
  if (detail.steps.length === 0) return invocationFinal();
  const ran = detail.steps.filter((step) => !isSkipped(step));
  if (ran.length === 0) {
    const why = detail.steps.map((s) => `${s.name}: ${s.output ?? ''}`.trim()).join('; ');
    return {
      instanceId,
      status: 'Failed',
      output: `the restart did not run: every step of the document was skipped by its precondition (${why})`,
    };
  }
  const type = ssmPlatformType(platform);
  const expected = type ? ran.find((step) => step.name === RESTART_STEPS[type]) : undefined;
  const deciding: CommandStepResult | undefined =
    expected ??
    (ran.length === 1
      ? ran[0]
      : ran.every((s) => TERMINAL.has(s.status))
        ? (ran.find((s) => s.status !== 'Success') ?? ran[0])
        : undefined);
  if (deciding === undefined || !TERMINAL.has(deciding.status)) {
    // The step has not finished; an invocation that ended anyway (delivery timed out, cancelled,
    // undeliverable) ends the wait with its own status.
    if (TERMINAL.has(detail.status)) return invocationFinal();
    return { instanceId, status: deciding?.status ?? 'InProgress' };
  }
  return {
    instanceId,
    status: deciding.status,
    ...(deciding.output ? { output: deciding.output } : {}),
  };
}

export interface Clock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/** SSM parameters must match the document's allowedPattern; reasons are free text. */
export function restartReasonParameter(reason: string): string {
  const cleaned = reason
    .replace(/[^A-Za-z0-9 ._,:/+-]/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  const start = cleaned.replace(/^[^A-Za-z0-9]+/, '');
  return (start || 'endpoint repaired').slice(0, 128);
}

export function restartCommand(
  config: Pick<
    RemediatorConfig,
    'restartDocumentName' | 'ssmMaxConcurrency' | 'ssmMaxErrors' | 'agentWaitTimeoutSeconds'
  >,
  vpcId: string,
  reason: string,
  instanceIds: readonly string[],
): SendCommandRequest {
  return {
    documentName: config.restartDocumentName,
    instanceIds,
    parameters: { restartReason: [restartReasonParameter(reason)], introspectionTimeoutSeconds: ['120'] },
    maxConcurrency: config.ssmMaxConcurrency,
    maxErrors: config.ssmMaxErrors,
    comment: `ecs-endpoint-remediator ${vpcId}`.slice(0, 100),
    timeoutSeconds: Math.max(30, config.agentWaitTimeoutSeconds),
  };
}

/**
 * One look at the command's invocations (one ListCommandInvocations round, paginated): the instances
 * whose result is final. At or past `deadline`, the ones still running count as TimedOut. An instance
 * SSM has not registered yet is still pending.
 */
export async function pollInvocationsOnce(
  ssm: SsmCommander,
  commandId: string,
  instances: readonly Pick<ContainerInstanceRef, 'ec2InstanceId' | 'platform'>[],
  options: { now: number; deadline: number },
): Promise<Map<string, CommandInvocation>> {
  const done = new Map<string, CommandInvocation>();
  const details = new Map((await ssm.listInvocations(commandId)).map((d) => [d.instanceId, d]));
  for (const { ec2InstanceId, platform } of instances) {
    const detail = details.get(ec2InstanceId);
    if (!detail) continue;
    const result = restartResult(detail, platform);
    if (TERMINAL.has(result.status)) done.set(ec2InstanceId, result);
  }
  if (done.size < instances.length && options.now >= options.deadline) {
    for (const { ec2InstanceId } of instances) {
      if (!done.has(ec2InstanceId))
        done.set(ec2InstanceId, { instanceId: ec2InstanceId, status: 'TimedOut' });
    }
  }
  return done;
}

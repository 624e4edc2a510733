/**
 * One agent-restart batch: SendCommand with the tool's SSM document for at most 50 instances, then
 * bounded polling of the invocations. Shared by the executor and the runbook's Map iterations.
 */
import type { RemediatorConfig } from '../core/config.js';
import type { CommandInvocation, SendCommandRequest, SsmCommander } from '../core/ports.js';

export const SSM_BATCH = 50;

const TERMINAL = new Set(['Success', 'Cancelled', 'TimedOut', 'Failed', 'Undeliverable', 'Terminated']);

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
 * Polls each instance's invocation with backoff until all are final or `deadline` passes; the ones
 * still running then count as TimedOut.
 */
export async function pollInvocations(
  ssm: SsmCommander,
  commandId: string,
  instanceIds: readonly string[],
  options: { clock: Clock; deadline: number; progress?: (line: string) => void },
): Promise<Map<string, CommandInvocation>> {
  const { clock, deadline } = options;
  const started = clock.now();
  const done = new Map<string, CommandInvocation>();
  let delay = 1000;
  for (;;) {
    for (const instanceId of instanceIds) {
      if (done.has(instanceId)) continue;
      const invocation = await ssm.getInvocation(commandId, instanceId);
      if (TERMINAL.has(invocation.status)) done.set(instanceId, invocation);
    }
    if (done.size === instanceIds.length) return done;
    if (clock.now() >= deadline) {
      for (const instanceId of instanceIds) {
        if (!done.has(instanceId)) done.set(instanceId, { instanceId, status: 'TimedOut' });
      }
      return done;
    }
    options.progress?.(
      `command ${commandId}: ${done.size}/${instanceIds.length} finished… ${Math.round((clock.now() - started) / 1000)} s`,
    );
    await clock.sleep(Math.min(delay, Math.max(0, deadline - clock.now())));
    delay = Math.min(delay * 2, 15000);
  }
}

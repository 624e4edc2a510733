import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { runTask, taskOf, type RunbookTaskName } from '../../shared/app/runbook.js';
import { atColdStart, createObservability } from '../lambda-runtime.js';
import { composeRunbook } from './composition.js';
import { parseRunbookEnvironment } from './environment.js';

/**
 * The runbook's Lambda tasks. One file, two functions: `tasks` (plan, approval request and reports;
 * no write permission) and `changes` (the repair's steps: network repair and agent restarts; the
 * change policy). Each refuses the other's tasks, so a mis-wired state machine fails instead of
 * running with the wrong role.
 */
const observability = createObservability('runbook');
const deps = atColdStart(observability.logger, () =>
  composeRunbook(parseRunbookEnvironment(process.env), observability),
);

function dispatcher(allowed: readonly RunbookTaskName[]) {
  return middy(async (event: unknown) => {
    const task = taskOf(event, allowed);
    const executionArn = (event as { executionArn?: unknown }).executionArn;
    if (typeof executionArn === 'string') observability.logger.setCorrelationId(executionArn);
    observability.logger.appendKeys({ task });
    observability.metrics.addMetric(`RunbookTask_${task}`, MetricUnit.Count, 1);
    return runTask(deps, task, event);
  })
    .use(injectLambdaContext(observability.logger, { resetKeys: true, logEvent: false }))
    .use(captureLambdaHandler(observability.tracer))
    .use(logMetrics(observability.metrics, { captureColdStartMetric: true }));
}

export const tasks = dispatcher(['plan', 'requestApproval', 'notify']);
export const changes = dispatcher(['repair']);

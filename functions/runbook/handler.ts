import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { createCoreClients } from '../../shared/aws/core-clients.js';
import { createRemediatorPorts } from '../../shared/app/ports.js';
import type { RemediatorPorts } from '../../shared/core/ports.js';
import { runTask, taskOf, type RunbookDeps, type RunbookTaskName } from '../../shared/app/runbook.js';
import { SlackNotifier, webhookUrlFromSecretsManager } from '../../shared/notify/slack-notifier.js';
import { coordinationFromEnvironment, vpcLeasing } from '../coordination.js';
import { createLambdaRuntime, logSink } from '../lambda-runtime.js';

/**
 * The runbook's Lambda tasks. One file, two functions: `tasks` (reads, waits and reports; no write
 * permission) and `changes` (network repair and agent restarts; the change policy). Each refuses the
 * other's tasks, so a mis-wired state machine fails instead of running with the wrong role.
 */
const runtime = createLambdaRuntime('runbook');
const env = process.env;

/** Ports per Region, built once per container (the function's own Region comes from the runtime). */
const portsByRegion = new Map<string, RemediatorPorts>([[runtime.deps.region, runtime.deps.ports]]);
function portsFor(region: string): RemediatorPorts {
  let ports = portsByRegion.get(region);
  if (!ports) {
    const clients = createCoreClients({ env, region });
    for (const client of [clients.ec2, clients.ecs, clients.ssm]) runtime.tracer.captureAWSv3Client(client);
    ports = createRemediatorPorts(clients);
    portsByRegion.set(region, ports);
  }
  return ports;
}

const log = logSink(runtime.logger);
const notifier = env.SLACK_SECRET_NAME
  ? new SlackNotifier({ webhookUrl: webhookUrlFromSecretsManager(env.SLACK_SECRET_NAME), logger: log })
  : undefined;

const leasing = vpcLeasing(coordinationFromEnvironment(env, runtime.deps.region), (event) =>
  event.kind === 'yielded'
    ? log.warn('VPC left to another writer that holds its lease', {
        vpcId: event.vpcId,
        holder: event.holder,
        until: new Date(event.untilMs).toISOString(),
      })
    : log.error(`VPC lease ${event.kind}`, { ...event }),
);

const deps: RunbookDeps = {
  portsFor,
  config: runtime.deps.config,
  defaultRegion: runtime.deps.region,
  log,
  ...(leasing ? { leasing } : {}),
  ...(notifier ? { post: async (message) => (await notifier.post(message)).delivered } : {}),
};

function dispatcher(allowed: readonly RunbookTaskName[]) {
  return middy(async (event: unknown) => {
    const task = taskOf(event, allowed);
    const executionArn = (event as { executionArn?: unknown }).executionArn;
    if (typeof executionArn === 'string') runtime.logger.setCorrelationId(executionArn);
    runtime.logger.appendKeys({ task });
    runtime.metrics.addMetric(`RunbookTask_${task}`, MetricUnit.Count, 1);
    return runTask(deps, task, event);
  })
    .use(injectLambdaContext(runtime.logger, { resetKeys: true, logEvent: false }))
    .use(captureLambdaHandler(runtime.tracer))
    .use(logMetrics(runtime.metrics, { captureColdStartMetric: true }));
}

export const tasks = dispatcher(['plan', 'requestApproval', 'checkEndpoints', 'verifyAgents', 'notify']);
export const changes = dispatcher(['applyNetwork', 'restartBatch']);

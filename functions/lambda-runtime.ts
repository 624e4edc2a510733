/**
 * Cold start: everything a function needs is built once here (config parsed with zod, SDK clients,
 * ports, Slack reporter) and handed to the app layer. A bad configuration fails the cold start with
 * a logged, named error instead of changing anything.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { configFromEnvironment } from '../shared/core/config.js';
import { createCoreClients } from '../shared/aws/core-clients.js';
import { errorMessage } from '../shared/aws/aws-errors.js';
import { createRemediatorPorts } from '../shared/app/ports.js';
import type { ReconcileDeps } from '../shared/app/reconcile-batch.js';
import type { LogSink } from '../shared/app/observability.js';
import { slackReporter } from '../shared/app/slack-reporter.js';
import { DriftAnnouncements } from '../shared/notify/dedupe.js';
import { announcementStore, coordinationFromEnvironment, vpcLeasing } from './coordination.js';
import { SlackNotifier, webhookUrlFromSecretsManager } from '../shared/notify/slack-notifier.js';

export interface LambdaRuntime {
  readonly logger: Logger;
  readonly tracer: Tracer;
  readonly metrics: Metrics;
  readonly deps: ReconcileDeps;
}

const SERVICE = 'ecs-endpoint-remediator';

export function logSink(logger: Logger): LogSink {
  return {
    info: (message, extra) => logger.info(message, extra ?? {}),
    warn: (message, extra) => logger.warn(message, extra ?? {}),
    error: (message, extra) => logger.error(message, extra ?? {}),
  };
}

export function createLambdaRuntime(
  functionName: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): LambdaRuntime {
  const logger = new Logger({ serviceName: SERVICE });
  const tracer = new Tracer({ serviceName: SERVICE });
  const metrics = new Metrics({ namespace: 'EcsEndpointRemediator', serviceName: SERVICE });
  metrics.addDimension('function', functionName);
  try {
    const config = configFromEnvironment(env);
    const clients = createCoreClients({ env });
    for (const client of [clients.ec2, clients.ecs, clients.ssm]) tracer.captureAWSv3Client(client);
    const log = logSink(logger);
    const coordination = coordinationFromEnvironment(env, clients.region);
    if (coordination.table) tracer.captureAWSv3Client(coordination.table.dynamodb);
    const leasing = vpcLeasing(coordination, (event) => {
      if (event.kind === 'yielded') {
        log.warn('VPC left to another writer that holds its lease', {
          vpcId: event.vpcId,
          holder: event.holder,
          until: new Date(event.untilMs).toISOString(),
        });
        metrics.addMetric('VpcLeaseYielded', MetricUnit.Count, 1);
      } else {
        log.error(`VPC lease ${event.kind}`, { ...event });
      }
    });
    const announceWindowMs = Number(env.SLACK_DEDUPE_WINDOW_SECONDS ?? '3600') * 1000;
    const report = env.SLACK_SECRET_NAME
      ? slackReporter(
          new SlackNotifier({ webhookUrl: webhookUrlFromSecretsManager(env.SLACK_SECRET_NAME), logger: log }),
          new DriftAnnouncements(announcementStore(coordination), announceWindowMs),
        )
      : undefined;
    return {
      logger,
      tracer,
      metrics,
      deps: {
        ports: createRemediatorPorts(clients),
        config,
        region: clients.region,
        selfRoleArns: (env.SELF_ROLE_ARNS ?? '')
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
        log,
        metrics: { count: (name, value = 1) => metrics.addMetric(name, MetricUnit.Count, value) },
        // One container at a time drains the queue; its log stream names it to other writers.
        ...(leasing
          ? {
              leasing: {
                ...leasing,
                owner: `${functionName}:${env.AWS_LAMBDA_LOG_STREAM_NAME ?? process.pid}`,
              },
            }
          : {}),
        ...(report ? { report } : {}),
      },
    };
  } catch (error) {
    logger.error('invalid configuration: the function changes nothing until it is fixed', {
      error: errorMessage(error),
    });
    throw error;
  }
}

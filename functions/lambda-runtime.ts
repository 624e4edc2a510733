/**
 * What every function's cold start shares: Powertools observability (one logger, tracer and metrics
 * per function), the log sink the app layer writes to, and `atColdStart`, which turns a bad
 * environment into one logged, named error before anything is built or written.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { createSecretsManagerClient } from '../shared/aws/clients.js';
import { errorMessage } from '../shared/aws/aws-errors.js';
import type { LogSink } from '../shared/app/observability.js';
import { SlackNotifier, webhookUrlFromSecretsManager } from '../shared/notify/slack-notifier.js';

export interface Observability {
  readonly logger: Logger;
  readonly tracer: Tracer;
  readonly metrics: Metrics;
}

const SERVICE = 'ecs-endpoint-remediator';

export function createObservability(functionName: string): Observability {
  const logger = new Logger({ serviceName: SERVICE });
  const tracer = new Tracer({ serviceName: SERVICE });
  const metrics = new Metrics({ namespace: 'EcsEndpointRemediator', serviceName: SERVICE });
  metrics.addDimension('function', functionName);
  return { logger, tracer, metrics };
}

export function logSink(logger: Logger): LogSink {
  return {
    info: (message, extra) => logger.info(message, extra ?? {}),
    warn: (message, extra) => logger.warn(message, extra ?? {}),
    error: (message, extra) => logger.error(message, extra ?? {}),
  };
}

/** The app layer's metric counter, on the function's Powertools metrics. */
export function countMetric(metrics: Metrics) {
  return (name: string, value = 1) => metrics.addMetric(name, MetricUnit.Count, value);
}

/**
 * Runs a function's cold start (`build`: parse the environment, then compose). When it throws, the
 * error is logged once, naming what is wrong, and rethrown: Lambda reports the init error and the
 * function changes nothing until its configuration is fixed.
 */
export function atColdStart<T>(logger: Pick<Logger, 'error'>, build: () => T): T {
  try {
    return build();
  } catch (error) {
    logger.error('invalid configuration: the function changes nothing until it is fixed', {
      error: errorMessage(error),
    });
    throw error;
  }
}

/**
 * The Slack notifier of a function that posts to Slack: the webhook URL is read from Secrets Manager
 * (through Powertools, cached 5 minutes) with a traced client of the function's Region.
 */
export function slackNotifier(
  secretName: string,
  region: string,
  observability: Observability,
): SlackNotifier {
  const secretsManager = observability.tracer.captureAWSv3Client(createSecretsManagerClient({ region }));
  const provider = new SecretsProvider({ awsSdkV3Client: secretsManager });
  return new SlackNotifier({
    webhookUrl: webhookUrlFromSecretsManager(secretName, { provider }),
    logger: logSink(observability.logger),
  });
}

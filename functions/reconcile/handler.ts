import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { SqsSchema } from '@aws-lambda-powertools/parser/schemas/sqs';
import type { SqsEvent } from '@aws-lambda-powertools/parser/types';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { correlationIdOf, reconcileBatch } from '../../shared/app/reconcile-batch.js';
import { atColdStart, createObservability } from '../lambda-runtime.js';
import { composeReconcile } from './composition.js';
import { parseReconcileEnvironment } from './environment.js';

const observability = createObservability('reconcile');
const deps = atColdStart(observability.logger, () =>
  composeReconcile(parseReconcileEnvironment(process.env), observability),
);

/** Queued EventBridge events → one reconcile per region; failed reconciles retry only their records. */
export const handler = middy(async (event: SqsEvent) => {
  const records = event.Records.map((r) => ({ messageId: r.messageId, body: r.body }));
  observability.logger.setCorrelationId(correlationIdOf(records));
  const { batchItemFailures } = await reconcileBatch(deps, records);
  return { batchItemFailures };
})
  .use(injectLambdaContext(observability.logger, { resetKeys: true }))
  .use(captureLambdaHandler(observability.tracer))
  .use(logMetrics(observability.metrics, { captureColdStartMetric: true }))
  .use(parser({ schema: SqsSchema }));

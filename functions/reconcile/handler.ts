import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { SqsSchema } from '@aws-lambda-powertools/parser/schemas/sqs';
import type { SqsEvent } from '@aws-lambda-powertools/parser/types';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { correlationIdOf, reconcileBatch } from '../../shared/app/reconcile-batch.js';
import { createLambdaRuntime } from '../lambda-runtime.js';

const runtime = createLambdaRuntime('reconcile');

/** Queued EventBridge events → one reconcile per region; failed reconciles retry only their records. */
export const handler = middy(async (event: SqsEvent) => {
  const records = event.Records.map((r) => ({ messageId: r.messageId, body: r.body }));
  runtime.logger.setCorrelationId(correlationIdOf(records));
  const { batchItemFailures } = await reconcileBatch(runtime.deps, records);
  return { batchItemFailures };
})
  .use(injectLambdaContext(runtime.logger, { resetKeys: true }))
  .use(captureLambdaHandler(runtime.tracer))
  .use(logMetrics(runtime.metrics, { captureColdStartMetric: true }))
  .use(parser({ schema: SqsSchema }));

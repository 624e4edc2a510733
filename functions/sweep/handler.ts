import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import type { EventBridgeEvent } from '@aws-lambda-powertools/parser/types';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { sweep } from '../../shared/app/reconcile-batch.js';
import { createLambdaRuntime } from '../lambda-runtime.js';

const runtime = createLambdaRuntime('sweep');

/** The scheduled sweep: reconcile the whole region, catching whatever the events missed. */
export const handler = middy(async (event: EventBridgeEvent) => {
  runtime.logger.setCorrelationId(event.id);
  const report = await sweep(runtime.deps);
  return { converged: report.converged, writeCalls: report.writeCalls, vpcs: report.plan.vpcs.length };
})
  .use(injectLambdaContext(runtime.logger, { resetKeys: true }))
  .use(captureLambdaHandler(runtime.tracer))
  .use(logMetrics(runtime.metrics, { captureColdStartMetric: true }))
  .use(parser({ schema: EventBridgeSchema }));

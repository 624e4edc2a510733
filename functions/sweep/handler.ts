import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import type { EventBridgeEvent } from '@aws-lambda-powertools/parser/types';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { sweepRequests } from '../../shared/events/index.js';
import { atColdStart, createObservability } from '../lambda-runtime.js';
import { composeSweep } from './composition.js';
import { parseSweepEnvironment } from './environment.js';

const observability = createObservability('sweep');
const deps = atColdStart(observability.logger, () =>
  composeSweep(parseSweepEnvironment(process.env), observability),
);

/**
 * The scheduled sweep puts a whole-region request (one per account: the hub's members too) on the
 * event queue instead of reconciling itself:
 * the one reconcile function (reserved concurrency 1) stays the only writer, so runs never race.
 */
export const handler = middy(async (event: EventBridgeEvent) => {
  observability.logger.setCorrelationId(event.id);
  const requests = sweepRequests({
    id: event.id,
    account: event.account,
    region: deps.region,
    time: event.time,
    memberAccountIds: deps.memberAccountIds,
  });
  const messageIds: (string | undefined)[] = [];
  for (const request of requests) messageIds.push(await deps.enqueue(request));
  observability.logger.info('sweep requested', {
    messageIds,
    accounts: requests.map((r) => r.account),
  });
  return { queued: messageIds[0], members: requests.length - 1 };
})
  .use(injectLambdaContext(observability.logger, { resetKeys: true }))
  .use(captureLambdaHandler(observability.tracer))
  .use(parser({ schema: EventBridgeSchema }));

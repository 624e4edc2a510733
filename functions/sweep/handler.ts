import middy from '@middy/core';
import { SQSClient, SendMessageCommand } from '@aws-sdk/client-sqs';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { parser } from '@aws-lambda-powertools/parser/middleware';
import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import type { EventBridgeEvent } from '@aws-lambda-powertools/parser/types';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { z } from 'zod';
import { sweepRequest } from '../../shared/events/index.js';

const env = z.object({ EVENT_QUEUE_URL: z.string().url(), AWS_REGION: z.string().min(1) }).parse(process.env);
const logger = new Logger({ serviceName: 'ecs-endpoint-remediator' });
const tracer = new Tracer({ serviceName: 'ecs-endpoint-remediator' });
const sqs = tracer.captureAWSv3Client(new SQSClient({ region: env.AWS_REGION }));

/**
 * The scheduled sweep puts a whole-region request on the event queue instead of reconciling itself:
 * the one reconcile function (reserved concurrency 1) stays the only writer, so runs never race.
 */
export const handler = middy(async (event: EventBridgeEvent) => {
  logger.setCorrelationId(event.id);
  const request = sweepRequest({
    id: event.id,
    account: event.account,
    region: env.AWS_REGION,
    time: event.time,
  });
  const { MessageId } = await sqs.send(
    new SendMessageCommand({ QueueUrl: env.EVENT_QUEUE_URL, MessageBody: JSON.stringify(request) }),
  );
  logger.info('sweep requested', { messageId: MessageId });
  return { queued: MessageId };
})
  .use(injectLambdaContext(logger, { resetKeys: true }))
  .use(captureLambdaHandler(tracer))
  .use(parser({ schema: EventBridgeSchema }));

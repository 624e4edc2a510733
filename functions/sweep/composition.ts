/**
 * The sweep function's composition root: exactly the client it uses, SQS (SendMessage to the event
 * queue), built once per container and traced.
 */
import { SendMessageCommand } from '@aws-sdk/client-sqs';
import { createSqsClient } from '../../shared/aws/clients.js';
import type { Observability } from '../lambda-runtime.js';
import type { SweepEnvironment } from './environment.js';

export interface SweepDeps {
  readonly region: string;
  /** The organisation hub's member accounts, swept too. */
  readonly memberAccountIds: readonly string[];
  /** Puts the request (JSON) on the event queue; the queue's message id. */
  readonly enqueue: (request: object) => Promise<string | undefined>;
}

export function composeSweep(environment: SweepEnvironment, observability: Observability): SweepDeps {
  const sqs = observability.tracer.captureAWSv3Client(createSqsClient({ region: environment.region }));
  return {
    region: environment.region,
    memberAccountIds: environment.memberAccountIds,
    enqueue: async (request) =>
      (
        await sqs.send(
          new SendMessageCommand({
            QueueUrl: environment.eventQueueUrl,
            MessageBody: JSON.stringify(request),
          }),
        )
      ).MessageId,
  };
}

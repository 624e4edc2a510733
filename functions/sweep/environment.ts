/** The sweep function's environment, parsed once at cold start. */
import { parseEnvironment, regionVariable, type Environment } from '../environment.js';
import { z } from 'zod';

const shape = {
  AWS_REGION: regionVariable,
  /** The event queue the reconcile function drains (serverless.yml: Ref EventQueue, its URL). */
  EVENT_QUEUE_URL: z.url({
    protocol: /^https?$/,
    error: 'must be the URL of the event queue (https://sqs.<region>.amazonaws.com/<account>/<name>)',
  }),
};

export interface SweepEnvironment {
  readonly region: string;
  readonly eventQueueUrl: string;
}

/** Throws EnvironmentError naming every variable that is wrong. */
export function parseSweepEnvironment(env: Environment): SweepEnvironment {
  const parsed = parseEnvironment('sweep', shape, env);
  return Object.freeze({ region: parsed.AWS_REGION, eventQueueUrl: parsed.EVENT_QUEUE_URL });
}

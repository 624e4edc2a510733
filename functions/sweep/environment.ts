/** The sweep function's environment, parsed once at cold start. */
import { listVariable, parseEnvironment, regionVariable, type Environment } from '../environment.js';
import { ACCOUNT_ID_HINT, ACCOUNT_ID_PATTERN } from '../../shared/core/id-patterns.js';
import { z } from 'zod';

const shape = {
  AWS_REGION: regionVariable,
  /** The event queue the reconcile function drains (serverless.yml: Ref EventQueue, its URL). */
  EVENT_QUEUE_URL: z.url({
    protocol: /^https?$/,
    error: 'must be the URL of the event queue (https://sqs.<region>.amazonaws.com/<account>/<name>)',
  }),
  /** The organisation hub shape: member accounts swept too (comma-separated; unset: none). */
  MEMBER_ACCOUNT_IDS: listVariable(ACCOUNT_ID_PATTERN, ACCOUNT_ID_HINT),
};

export interface SweepEnvironment {
  readonly region: string;
  readonly eventQueueUrl: string;
  readonly memberAccountIds: readonly string[];
}

/** Throws EnvironmentError naming every variable that is wrong. */
export function parseSweepEnvironment(env: Environment): SweepEnvironment {
  const parsed = parseEnvironment('sweep', shape, env);
  return Object.freeze({
    region: parsed.AWS_REGION,
    eventQueueUrl: parsed.EVENT_QUEUE_URL,
    memberAccountIds: parsed.MEMBER_ACCOUNT_IDS,
  });
}

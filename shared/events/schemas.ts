/**
 * Shapes of what EventBridge delivers. Only the fields the intake reads are constrained; everything
 * else passes through (`looseObject`), because AWS adds fields over time.
 */
import { z } from 'zod';
import { ACCOUNT_ID_HINT, ACCOUNT_ID_PATTERN, REGION_HINT, REGION_PATTERN } from '../core/id-patterns.js';

export const eventBridgeEnvelopeSchema = z.looseObject({
  version: z.string(),
  id: z.string().min(1),
  'detail-type': z.string().min(1),
  source: z.string().min(1),
  account: z.string().regex(ACCOUNT_ID_PATTERN, `expected ${ACCOUNT_ID_HINT}`),
  time: z.iso.datetime({ offset: true }),
  region: z.string().regex(REGION_PATTERN, `expected ${REGION_HINT}`),
  resources: z.array(z.string()),
  detail: z.record(z.string(), z.unknown()),
});
export type EventBridgeEnvelope = z.infer<typeof eventBridgeEnvelopeSchema>;

/** Present for assumed roles (including AWS service-linked roles); absent for root and IAM users. */
const sessionContextSchema = z.looseObject({
  sessionIssuer: z.looseObject({ arn: z.string().optional() }).optional(),
});

export const userIdentitySchema = z.looseObject({
  type: z.string().min(1),
  /** Absent when an AWS service acts on its own (type AWSService). */
  arn: z.string().optional(),
  principalId: z.string().optional(),
  invokedBy: z.string().optional(),
  sessionContext: sessionContextSchema.optional(),
});
export type UserIdentity = z.infer<typeof userIdentitySchema>;

const parametersSchema = z.record(z.string(), z.unknown()).nullable().optional();

export const cloudTrailDetailSchema = z.looseObject({
  eventName: z.string().min(1),
  eventSource: z.string().min(1),
  awsRegion: z.string().min(1),
  eventID: z.string().min(1),
  eventTime: z.string().optional(),
  userIdentity: userIdentitySchema,
  sourceIPAddress: z.string().optional(),
  requestParameters: parametersSchema,
  responseElements: parametersSchema,
  errorCode: z.string().optional(),
  errorMessage: z.string().optional(),
});
export type CloudTrailDetail = z.infer<typeof cloudTrailDetailSchema>;

export const ecsContainerInstanceStateChangeSchema = z.looseObject({
  agentConnected: z.boolean(),
  containerInstanceArn: z.string().regex(/^arn:aws[a-z-]*:ecs:/, 'expected an ECS container instance ARN'),
  clusterArn: z.string().regex(/^arn:aws[a-z-]*:ecs:/, 'expected an ECS cluster ARN'),
  /** EC2 instance id; ECS Anywhere instances carry a managed-instance id (mi-…) instead. */
  ec2InstanceId: z.string().optional(),
  status: z.string().optional(),
});
export type EcsContainerInstanceStateChange = z.infer<typeof ecsContainerInstanceStateChangeSchema>;

/** One line for logs and the rejected result: the first issue with its path, and how many more. */
export function summarizeZodError(error: z.ZodError): string {
  const [first, ...rest] = error.issues;
  if (!first) return 'invalid input';
  const path = first.path.length > 0 ? first.path.map(String).join('.') : '(root)';
  const more = rest.length > 0 ? ` (+${rest.length} more issue${rest.length === 1 ? '' : 's'})` : '';
  return `${path}: ${first.message}${more}`;
}

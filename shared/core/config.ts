import { z } from 'zod';
import { MODES, SERVICE_NAMES } from './domain.js';

/**
 * SendCommand's rate controls, as the SSM API reference ("SendCommand", MaxConcurrency and MaxErrors)
 * and its service model define them: 1-7 characters; MaxConcurrency a positive number without
 * leading zeros or a percentage from 1% to 100%; MaxErrors the same or 0 (and 0%). SSM refuses the
 * command otherwise, so a bad value is refused when the configuration is read, not at the restart.
 */
export const SEND_COMMAND_MAX_CONCURRENCY = /^([1-9][0-9]*|[1-9][0-9]%|[1-9]%|100%)$/;
export const SEND_COMMAND_MAX_ERRORS = /^([1-9][0-9]*|[0]|[1-9][0-9]%|[0-9]%|100%)$/;

const SSM_RATE_MESSAGES = {
  maxConcurrency:
    'SSM_MAX_CONCURRENCY (ssmMaxConcurrency) must be a positive number without leading zeros or a percentage from 1% to 100%, at most 7 characters (SendCommand MaxConcurrency)',
  maxErrors:
    'SSM_MAX_ERRORS (ssmMaxErrors) must be 0, a positive number without leading zeros or a percentage from 0% to 100%, at most 7 characters (SendCommand MaxErrors)',
} as const;

/**
 * The client-side pacing of EC2 requests (shared/aws/ec2-pacing.ts). EC2's buckets are per account
 * and Region and shared with every other tool of the account ("Request throttling for the Amazon EC2
 * API", https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html): the remediator
 * keeps to `ec2RateShare` of each bucket's capacity and refill (default one half, the rest left to
 * the others). `ec2RefillFactor` multiplies the published refill rates: 1 for AWS; a test endpoint
 * that refills its buckets faster than AWS is paced with the same factor.
 */
const ec2PacingShape = {
  ec2RateShare: z
    .number()
    .gt(0, 'EC2_RATE_SHARE (ec2RateShare) must be > 0 and <= 1')
    .max(1, 'EC2_RATE_SHARE (ec2RateShare) must be > 0 and <= 1')
    .default(0.5),
  ec2RefillFactor: z
    .number()
    .gt(0, 'EC2_REFILL_FACTOR (ec2RefillFactor) must be > 0 and <= 1000')
    .max(1000, 'EC2_REFILL_FACTOR (ec2RefillFactor) must be > 0 and <= 1000')
    .default(1),
};

export const ec2PacingSchema = z.object(ec2PacingShape);
export type Ec2PacingConfig = z.infer<typeof ec2PacingSchema>;

const numberFrom = (value: string | undefined) =>
  value === undefined || value === '' ? undefined : Number(value);

/**
 * The pacing settings of the environment (EC2_RATE_SHARE, EC2_REFILL_FACTOR); undefined when neither
 * is set, so the client builder can tell "not configured" from the defaults. Throws on a bad value.
 */
export function ec2PacingFromEnvironment(
  env: Readonly<Record<string, string | undefined>>,
): Ec2PacingConfig | undefined {
  if (!env.EC2_RATE_SHARE && !env.EC2_REFILL_FACTOR) return undefined;
  return ec2PacingSchema.parse({
    ec2RateShare: numberFrom(env.EC2_RATE_SHARE),
    ec2RefillFactor: numberFrom(env.EC2_REFILL_FACTOR),
  });
}

/** Settings a user changes; every one has a default. Parsed once (CLI start or Lambda cold start). */
export const remediatorConfigSchema = z.object({
  defaultMode: z.enum(MODES as ['enforce', 'audit', 'off']).default('audit'),
  modeTagKey: z.string().min(1).default('ecs-endpoint-remediator:mode'),
  managedTagKey: z.string().min(1).default('ecs-endpoint-remediator:managed'),
  addServices: z.array(z.enum(SERVICE_NAMES)).default([]),
  excludeServices: z.array(z.enum(SERVICE_NAMES)).default([]),
  maxChanges: z.number().int().min(0).max(1000).default(20),
  endpointSecurityGroupName: z.string().min(1).default('ecs-endpoint-remediator-endpoints'),
  restartDocumentName: z.string().min(1).default('EcsEndpointRemediator-RestartEcsAgent'),
  ssmMaxConcurrency: z
    .string()
    .max(7, SSM_RATE_MESSAGES.maxConcurrency)
    .regex(SEND_COMMAND_MAX_CONCURRENCY, SSM_RATE_MESSAGES.maxConcurrency)
    .default('10%'),
  ssmMaxErrors: z
    .string()
    .max(7, SSM_RATE_MESSAGES.maxErrors)
    .regex(SEND_COMMAND_MAX_ERRORS, SSM_RATE_MESSAGES.maxErrors)
    .default('10%'),
  endpointWaitTimeoutSeconds: z.number().int().min(1).max(3600).default(600),
  agentWaitTimeoutSeconds: z.number().int().min(1).max(3600).default(300),
  /** Agents older than 1.25.1 get UpdateContainerAgent where supported; false reports them only. */
  updateOldAgents: z.boolean().default(true),
  /** VPCs applied at the same time; each VPC's own steps stay in order. */
  maxParallelVpcs: z.number().int().min(1).max(50).default(10),
  ...ec2PacingShape,
});

export type RemediatorConfig = z.infer<typeof remediatorConfigSchema>;

export const defaultConfig: RemediatorConfig = remediatorConfigSchema.parse({});

/**
 * The environment variable behind each setting (serverless.yml sets them; README documents them).
 * Typed over every key of the configuration: a new setting does not compile without its variable.
 */
export const CONFIG_VARIABLES = {
  defaultMode: 'DEFAULT_MODE',
  modeTagKey: 'MODE_TAG_KEY',
  managedTagKey: 'MANAGED_TAG_KEY',
  addServices: 'ADD_SERVICES',
  excludeServices: 'EXCLUDE_SERVICES',
  maxChanges: 'MAX_CHANGES',
  endpointSecurityGroupName: 'ENDPOINT_SECURITY_GROUP_NAME',
  restartDocumentName: 'RESTART_DOCUMENT_NAME',
  ssmMaxConcurrency: 'SSM_MAX_CONCURRENCY',
  ssmMaxErrors: 'SSM_MAX_ERRORS',
  endpointWaitTimeoutSeconds: 'ENDPOINT_WAIT_TIMEOUT_SECONDS',
  agentWaitTimeoutSeconds: 'AGENT_WAIT_TIMEOUT_SECONDS',
  updateOldAgents: 'UPDATE_OLD_AGENTS',
  maxParallelVpcs: 'MAX_PARALLEL_VPCS',
  ec2RateShare: 'EC2_RATE_SHARE',
  ec2RefillFactor: 'EC2_REFILL_FACTOR',
} as const satisfies Record<keyof RemediatorConfig, string>;

/** A configuration that cannot be used; `problems` name each variable and what is wrong with it. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: readonly string[]) {
    super(`invalid configuration: ${problems.join('; ')}`);
  }
}

/** `VARIABLE: what is wrong (got "value")` for one issue of the schema, the variable named once. */
function configProblem(issue: z.core.$ZodIssue, env: Readonly<Record<string, string | undefined>>): string {
  const key = issue.path[0];
  const variable =
    typeof key === 'string' && key in CONFIG_VARIABLES
      ? CONFIG_VARIABLES[key as keyof RemediatorConfig]
      : issue.path.join('.');
  const what = issue.message.startsWith(variable) ? issue.message : `${variable}: ${issue.message}`;
  const value = env[variable];
  return value === undefined ? what : `${what} (got ${JSON.stringify(value)})`;
}

/**
 * Environment variables the Lambda functions and the CLI read (documented in serverless.yml and
 * README). Throws ConfigError naming every variable that is wrong.
 */
export function configFromEnvironment(env: Readonly<Record<string, string | undefined>>): RemediatorConfig {
  const list = (value: string | undefined) =>
    value
      ? value
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : undefined;
  const boolean = (value: string | undefined) => {
    if (value === undefined || value === '') return undefined;
    if (/^(true|1|yes)$/i.test(value)) return true;
    if (/^(false|0|no)$/i.test(value)) return false;
    return value; // zod reports it
  };
  const number = numberFrom;
  const parsed = remediatorConfigSchema.safeParse({
    defaultMode: env.DEFAULT_MODE || undefined,
    modeTagKey: env.MODE_TAG_KEY || undefined,
    managedTagKey: env.MANAGED_TAG_KEY || undefined,
    addServices: list(env.ADD_SERVICES),
    excludeServices: list(env.EXCLUDE_SERVICES),
    maxChanges: number(env.MAX_CHANGES),
    endpointSecurityGroupName: env.ENDPOINT_SECURITY_GROUP_NAME || undefined,
    restartDocumentName: env.RESTART_DOCUMENT_NAME || undefined,
    ssmMaxConcurrency: env.SSM_MAX_CONCURRENCY || undefined,
    ssmMaxErrors: env.SSM_MAX_ERRORS || undefined,
    endpointWaitTimeoutSeconds: number(env.ENDPOINT_WAIT_TIMEOUT_SECONDS),
    agentWaitTimeoutSeconds: number(env.AGENT_WAIT_TIMEOUT_SECONDS),
    updateOldAgents: boolean(env.UPDATE_OLD_AGENTS),
    maxParallelVpcs: number(env.MAX_PARALLEL_VPCS),
    ec2RateShare: number(env.EC2_RATE_SHARE),
    ec2RefillFactor: number(env.EC2_REFILL_FACTOR),
  });
  if (!parsed.success) throw new ConfigError(parsed.error.issues.map((issue) => configProblem(issue, env)));
  return parsed.data;
}

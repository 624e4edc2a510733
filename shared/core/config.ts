import { z } from 'zod';
import { MODES, SERVICE_NAMES } from './domain.js';

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
    .regex(/^\d+%?$/)
    .default('10%'),
  ssmMaxErrors: z
    .string()
    .regex(/^\d+%?$/)
    .default('10%'),
  endpointWaitTimeoutSeconds: z.number().int().min(1).max(3600).default(600),
  agentWaitTimeoutSeconds: z.number().int().min(1).max(3600).default(300),
  /** Agents older than 1.25.1 get UpdateContainerAgent where supported; false reports them only. */
  updateOldAgents: z.boolean().default(true),
});

export type RemediatorConfig = z.infer<typeof remediatorConfigSchema>;

export const defaultConfig: RemediatorConfig = remediatorConfigSchema.parse({});

/** Environment variables the Lambda functions read (documented in serverless.yml and README). */
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
  const number = (value: string | undefined) =>
    value === undefined || value === '' ? undefined : Number(value);
  return remediatorConfigSchema.parse({
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
  });
}

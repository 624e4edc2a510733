import type { RemediatorConfig } from '../../shared/core/config.js';

/**
 * The default configuration as a plain literal, so planner tests do not load zod (they run once per
 * mutant under Stryker). test/unit/core/config-bounds.test.ts checks it equals `defaultConfig`.
 */
export const CORE_DEFAULTS: RemediatorConfig = {
  defaultMode: 'audit',
  modeTagKey: 'ecs-endpoint-remediator:mode',
  managedTagKey: 'ecs-endpoint-remediator:managed',
  addServices: [],
  excludeServices: [],
  maxChanges: 20,
  endpointSecurityGroupName: 'ecs-endpoint-remediator-endpoints',
  restartDocumentName: 'EcsEndpointRemediator-RestartEcsAgent',
  ssmMaxConcurrency: '10%',
  ssmMaxErrors: '10%',
  endpointWaitTimeoutSeconds: 600,
  agentWaitTimeoutSeconds: 300,
  updateOldAgents: true,
  maxParallelVpcs: 10,
  ec2RateShare: 0.5,
  ec2RefillFactor: 1,
};

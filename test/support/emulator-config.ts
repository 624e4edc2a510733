import { defaultConfig, type RemediatorConfig } from '../../shared/core/config.js';

/**
 * The configuration emulator-backed apply tests share: no agent updates, no practical change cap,
 * and waits short enough that a stuck endpoint or agent fails the test within seconds.
 */
export const EMULATOR_APPLY_CONFIG: RemediatorConfig = {
  ...defaultConfig,
  updateOldAgents: false,
  maxChanges: 1000,
  endpointWaitTimeoutSeconds: 30,
  agentWaitTimeoutSeconds: 30,
};

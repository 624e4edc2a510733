/** The runbook functions' environment (tasks and changes share it), parsed once at cold start. */
import { optionalNameVariable, parseEnvironment, regionVariable, type Environment } from '../environment.js';
import { configFromEnvironment, type RemediatorConfig } from '../../shared/core/config.js';
import { coordinationSettings, coordinationShape, type CoordinationSettings } from '../coordination.js';

const shape = {
  AWS_REGION: regionVariable,
  /** Secrets Manager secret holding the Slack webhook; unset or blank: no Slack messages. */
  SLACK_SECRET_NAME: optionalNameVariable,
  ...coordinationShape,
};

export interface RunbookEnvironment {
  /** The stack's Region: the only one the runbook acts in. */
  readonly region: string;
  readonly config: RemediatorConfig;
  /** Absent: Slack is not configured. */
  readonly slackSecretName?: string;
  /** The changes function's VPC leases (the tasks function has no table). */
  readonly coordination: CoordinationSettings;
}

/** Throws EnvironmentError naming every variable that is wrong. */
export function parseRunbookEnvironment(env: Environment): RunbookEnvironment {
  const parsed = parseEnvironment('runbook', shape, env, { config: configFromEnvironment });
  return Object.freeze({
    region: parsed.AWS_REGION,
    config: parsed.config,
    coordination: coordinationSettings('runbook', parsed),
    ...(parsed.SLACK_SECRET_NAME ? { slackSecretName: parsed.SLACK_SECRET_NAME } : {}),
  });
}

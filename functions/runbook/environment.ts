/** The runbook functions' environment (tasks and changes share it), parsed once at cold start. */
import { optionalNameVariable, parseEnvironment, regionVariable, type Environment } from '../environment.js';
import { configFromEnvironment, type RemediatorConfig } from '../../shared/core/config.js';

const shape = {
  AWS_REGION: regionVariable,
  /** Secrets Manager secret holding the Slack webhook; unset or blank: no Slack messages. */
  SLACK_SECRET_NAME: optionalNameVariable,
};

export interface RunbookEnvironment {
  /** The stack's Region: the only one the runbook acts in. */
  readonly region: string;
  readonly config: RemediatorConfig;
  /** Absent: Slack is not configured. */
  readonly slackSecretName?: string;
}

/** Throws EnvironmentError naming every variable that is wrong. */
export function parseRunbookEnvironment(env: Environment): RunbookEnvironment {
  const parsed = parseEnvironment('runbook', shape, env, { config: configFromEnvironment });
  return Object.freeze({
    region: parsed.AWS_REGION,
    config: parsed.config,
    ...(parsed.SLACK_SECRET_NAME ? { slackSecretName: parsed.SLACK_SECRET_NAME } : {}),
  });
}

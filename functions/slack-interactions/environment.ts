/** The Slack interactions function's environment, parsed once at cold start. */
import {
  listVariable,
  parseEnvironment,
  patternVariable,
  regionVariable,
  requiredVariable,
  type Environment,
} from '../environment.js';
import { STATE_MACHINE_ARN_HINT, STATE_MACHINE_ARN_PATTERN } from '../../shared/core/id-patterns.js';
import { coordinationSettings, coordinationShape, type CoordinationSettings } from '../coordination.js';

/**
 * A Slack user id, compared as given: one word, no white space. Slack ids usually begin with U or W,
 * but Slack asks apps not to assume which characters make up an id ("Some user ID strings are
 * changing", https://api.slack.com/changelog/2016-08-11-user-id-format-changes), so only a value
 * that cannot be one id (a name with a space, e.g.) is refused.
 */
const SLACK_USER_ID = /^\S+$/;

const shape = {
  AWS_REGION: regionVariable,
  /** Secrets Manager secret holding the Slack app's signing secret (name, not ARN). */
  SLACK_SIGNING_SECRET_NAME: requiredVariable('the name of the secret holding the Slack signing secret'),
  /** Who may approve or reject; unset or blank: nobody (every click is refused). */
  SLACK_APPROVER_IDS: listVariable(SLACK_USER_ID, 'a Slack user id such as U0123ABCD (one word)'),
  /** Only executions of this state machine are resumed. */
  RUNBOOK_STATE_MACHINE_ARN: patternVariable(STATE_MACHINE_ARN_PATTERN, STATE_MACHINE_ARN_HINT),
  ...coordinationShape,
};

export interface SlackInteractionsEnvironment {
  readonly region: string;
  readonly signingSecretName: string;
  readonly approverIds: readonly string[];
  readonly stateMachineArn: string;
  /** The replay cache's table (absent: a per-container cache). */
  readonly coordination: CoordinationSettings;
}

/** Throws EnvironmentError naming every variable that is wrong. */
export function parseSlackInteractionsEnvironment(env: Environment): SlackInteractionsEnvironment {
  const parsed = parseEnvironment('slack-interactions', shape, env);
  return Object.freeze({
    region: parsed.AWS_REGION,
    signingSecretName: parsed.SLACK_SIGNING_SECRET_NAME,
    approverIds: parsed.SLACK_APPROVER_IDS,
    stateMachineArn: parsed.RUNBOOK_STATE_MACHINE_ARN,
    coordination: coordinationSettings('slack-interactions', parsed),
  });
}

/** The reconcile function's environment, parsed once at cold start. */
import {
  booleanVariable,
  integerVariable,
  listVariable,
  optionalNameVariable,
  optionalPatternVariable,
  parseEnvironment,
  regionVariable,
} from '../environment.js';
import { EnvironmentError, type Environment } from '../environment.js';
import { configFromEnvironment, type RemediatorConfig } from '../../shared/core/config.js';
import { coordinationSettings, coordinationShape, type CoordinationSettings } from '../coordination.js';
import {
  IAM_ROLE_ARN_HINT,
  IAM_ROLE_ARN_PATTERN,
  STATE_MACHINE_ARN_HINT,
  STATE_MACHINE_ARN_PATTERN,
} from '../../shared/core/id-patterns.js';

/** One week: a drift still there after that is announced again. */
const MAX_DEDUPE_WINDOW_SECONDS = 7 * 24 * 3600;

const shape = {
  AWS_REGION: regionVariable,
  /** The remediator's own roles: events they cause are ignored (loop guard). */
  SELF_ROLE_ARNS: listVariable(IAM_ROLE_ARN_PATTERN, IAM_ROLE_ARN_HINT),
  /** Secrets Manager secret holding the Slack webhook; unset or blank: no Slack. */
  SLACK_SECRET_NAME: optionalNameVariable,
  /** One drift message per VPC and fingerprint within this window; 0 announces every run. */
  SLACK_DEDUPE_WINDOW_SECONDS: integerVariable(0, MAX_DEDUPE_WINDOW_SECONDS, 3600),
  /** Lambda's log stream of this container: names this writer to the others (VPC leases). */
  AWS_LAMBDA_LOG_STREAM_NAME: optionalNameVariable,
  /** The organisation hub shape: the role it assumes in member accounts; unset or blank: none. */
  MEMBER_ROLE_NAME: optionalPatternVariable(/^[\w+=,.@-]{1,64}$/, 'an IAM role name'),
  /** After each reconcile, write its plan's findings to Security Hub (the stack's SecurityHubExport). */
  SECURITY_HUB_EXPORT: booleanVariable(false),
  /** The runbook state machine: this account's repairs run there, in steps; unset: in process. */
  REPAIR_STATE_MACHINE_ARN: optionalPatternVariable(STATE_MACHINE_ARN_PATTERN, STATE_MACHINE_ARN_HINT),
  ...coordinationShape,
};

export interface ReconcileEnvironment {
  readonly region: string;
  readonly config: RemediatorConfig;
  readonly selfRoleArns: readonly string[];
  /** Absent: Slack is not configured. */
  readonly slack?: { readonly secretName: string; readonly dedupeWindowSeconds: number };
  readonly coordination: CoordinationSettings;
  /** How this container names itself as a writer (its log stream, when Lambda gives one). */
  readonly writerName: string;
  /** The account the stack is in (STACK_ACCOUNT_ID), when given. */
  readonly accountId?: string;
  /** The member role's name in the organisation hub shape. */
  readonly memberRoleName?: string;
  /** Present (true) when each reconcile's findings go to Security Hub. */
  readonly securityHubExport?: true;
  /** The state machine this account's repairs are handed to; absent: they run in process. */
  readonly repairStateMachineArn?: string;
}

/** Throws EnvironmentError naming every variable that is wrong. */
export function parseReconcileEnvironment(env: Environment): ReconcileEnvironment {
  const parsed = parseEnvironment('reconcile', shape, env, { config: configFromEnvironment });
  if (parsed.MEMBER_ROLE_NAME && !parsed.STACK_ACCOUNT_ID) {
    throw new EnvironmentError('reconcile', [
      'STACK_ACCOUNT_ID: is not set (required with MEMBER_ROLE_NAME: member events are told apart by account)',
    ]);
  }
  return Object.freeze({
    region: parsed.AWS_REGION,
    config: parsed.config,
    selfRoleArns: parsed.SELF_ROLE_ARNS,
    coordination: coordinationSettings('reconcile', parsed),
    writerName: `reconcile:${parsed.AWS_LAMBDA_LOG_STREAM_NAME ?? 'local'}`,
    ...(parsed.STACK_ACCOUNT_ID ? { accountId: parsed.STACK_ACCOUNT_ID } : {}),
    ...(parsed.MEMBER_ROLE_NAME ? { memberRoleName: parsed.MEMBER_ROLE_NAME } : {}),
    ...(parsed.SECURITY_HUB_EXPORT ? { securityHubExport: true as const } : {}),
    ...(parsed.REPAIR_STATE_MACHINE_ARN ? { repairStateMachineArn: parsed.REPAIR_STATE_MACHINE_ARN } : {}),
    ...(parsed.SLACK_SECRET_NAME
      ? {
          slack: Object.freeze({
            secretName: parsed.SLACK_SECRET_NAME,
            dedupeWindowSeconds: parsed.SLACK_DEDUPE_WINDOW_SECONDS,
          }),
        }
      : {}),
  });
}

/**
 * Each function's environment, parsed once at cold start: a valid one gives the typed, frozen
 * object the composition root uses; every missing or invalid variable gives an EnvironmentError
 * naming it and what is wrong, and the composition (the only place clients are built) never runs.
 */
import { EnvironmentError, type Environment } from '../../functions/environment.js';
import { atColdStart } from '../../functions/lambda-runtime.js';
import { parseReconcileEnvironment } from '../../functions/reconcile/environment.js';
import { parseRunbookEnvironment } from '../../functions/runbook/environment.js';
import { parseSlackInteractionsEnvironment } from '../../functions/slack-interactions/environment.js';
import { parseSweepEnvironment } from '../../functions/sweep/environment.js';
import { defaultConfig } from '../../shared/core/config.js';

const ROLE = 'arn:aws:iam::123456789012:role/ecs-endpoint-remediator-dev-us-east-1-reconcile';
const STATE_MACHINE =
  'arn:aws:states:us-east-1:123456789012:stateMachine:ecs-endpoint-remediator-dev-runbook';
const QUEUE = 'https://sqs.us-east-1.amazonaws.com/123456789012/ecs-endpoint-remediator-dev-events';

/** The problems an environment has, or [] when it parses. */
function problemsOf(parse: (env: Environment) => unknown, env: Environment): readonly string[] {
  try {
    parse(env);
    return [];
  } catch (error) {
    if (error instanceof EnvironmentError) return error.problems;
    throw error;
  }
}

describe('the reconcile function’s environment', () => {
  const valid = {
    AWS_REGION: 'us-east-1',
    SELF_ROLE_ARNS: `${ROLE}, arn:aws:iam::123456789012:role/sweep`,
    SLACK_SECRET_NAME: 'ecs-endpoint-remediator/slack',
    SLACK_DEDUPE_WINDOW_SECONDS: '600',
    MAX_CHANGES: '40',
    UNRELATED: 'ignored',
  };

  it('parses into a typed, frozen object', () => {
    const environment = parseReconcileEnvironment(valid);
    expect(environment).toEqual({
      region: 'us-east-1',
      config: { ...defaultConfig, maxChanges: 40 },
      selfRoleArns: [ROLE, 'arn:aws:iam::123456789012:role/sweep'],
      slack: { secretName: 'ecs-endpoint-remediator/slack', dedupeWindowSeconds: 600 },
      coordination: { leaseMs: 300_000 },
      writerName: 'reconcile:local',
    });
    expect([Object.isFrozen(environment), Object.isFrozen(environment.slack)]).toEqual([true, true]);
  });

  it('takes the organisation hub’s member role name only with the stack’s account', () => {
    expect(
      parseReconcileEnvironment({
        AWS_REGION: 'us-east-1',
        STACK_ACCOUNT_ID: '123456789012',
        MEMBER_ROLE_NAME: 'ecs-endpoint-remediator-member-us-east-1',
      }),
    ).toMatchObject({
      accountId: '123456789012',
      memberRoleName: 'ecs-endpoint-remediator-member-us-east-1',
    });
    expect(parseReconcileEnvironment({ AWS_REGION: 'us-east-1', MEMBER_ROLE_NAME: '' })).not.toHaveProperty(
      'memberRoleName',
    );
    expect(
      problemsOf(parseReconcileEnvironment, { AWS_REGION: 'us-east-1', MEMBER_ROLE_NAME: 'member' }),
    ).toEqual([
      'STACK_ACCOUNT_ID: is not set (required with MEMBER_ROLE_NAME: member events are told apart by account)',
    ]);
    expect(
      problemsOf(parseReconcileEnvironment, {
        AWS_REGION: 'us-east-1',
        STACK_ACCOUNT_ID: '123456789012',
        MEMBER_ROLE_NAME: 'role/with/slash',
      }),
    ).toEqual([expect.stringMatching(/^MEMBER_ROLE_NAME: must be an IAM role name/)]);
  });

  it('defaults the optional variables: no Slack when its secret is unset or blank, a one-hour window', () => {
    expect(parseReconcileEnvironment({ AWS_REGION: 'cn-north-1' })).toEqual({
      region: 'cn-north-1',
      config: defaultConfig,
      selfRoleArns: [],
      coordination: { leaseMs: 300_000 },
      writerName: 'reconcile:local',
    });
    expect(
      parseReconcileEnvironment({
        AWS_REGION: 'us-gov-west-1',
        SLACK_SECRET_NAME: 's',
        SLACK_DEDUPE_WINDOW_SECONDS: '',
      }).slack,
    ).toEqual({ secretName: 's', dedupeWindowSeconds: 3600 });
    expect(
      parseReconcileEnvironment({ AWS_REGION: 'us-east-1', SLACK_SECRET_NAME: '  ' }).slack,
    ).toBeUndefined();
  });

  it.each([
    ['AWS_REGION', undefined, /^AWS_REGION: is not set/],
    ['AWS_REGION', 'US-EAST-1', /^AWS_REGION: must be a Region code .*\(got "US-EAST-1"\)$/],
    [
      'SELF_ROLE_ARNS',
      `${ROLE},reconcile`,
      /^SELF_ROLE_ARNS: each comma-separated item must be an IAM role ARN/,
    ],
    [
      'SLACK_DEDUPE_WINDOW_SECONDS',
      'abc',
      /^SLACK_DEDUPE_WINDOW_SECONDS: must be a whole number from 0 to 604800 \(got "abc"\)$/,
    ],
    ['SLACK_DEDUPE_WINDOW_SECONDS', '1.5', /^SLACK_DEDUPE_WINDOW_SECONDS: must be a whole number/],
    ['SLACK_DEDUPE_WINDOW_SECONDS', '-1', /^SLACK_DEDUPE_WINDOW_SECONDS: must be a whole number/],
    ['SLACK_DEDUPE_WINDOW_SECONDS', '604801', /^SLACK_DEDUPE_WINDOW_SECONDS: must be a whole number/],
    ['MAX_CHANGES', 'lots', /^MAX_CHANGES: .*\(got "lots"\)$/],
    ['UPDATE_OLD_AGENTS', 'maybe', /^UPDATE_OLD_AGENTS: .*\(got "maybe"\)$/],
  ])('%s=%j is refused, naming the variable', (name, value, problem) => {
    const problems = problemsOf(parseReconcileEnvironment, { ...valid, [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
  });

  it('reports every problem at once, in one message naming the function', () => {
    const env = { AWS_REGION: 'mars', SLACK_DEDUPE_WINDOW_SECONDS: 'x', MAX_CHANGES: '-1' };
    expect(problemsOf(parseReconcileEnvironment, env).map((p) => p.split(':')[0])).toEqual([
      'AWS_REGION',
      'SLACK_DEDUPE_WINDOW_SECONDS',
      'MAX_CHANGES',
    ]);
    expect(() => parseReconcileEnvironment(env)).toThrow(
      /^invalid environment of the reconcile function: AWS_REGION: .*; SLACK_DEDUPE_WINDOW_SECONDS: .*; MAX_CHANGES: /,
    );
  });
});

describe('the runbook functions’ environment', () => {
  it('parses into a typed, frozen object', () => {
    const environment = parseRunbookEnvironment({
      AWS_REGION: 'eu-west-1',
      SLACK_SECRET_NAME: 'runbook/slack',
      ENDPOINT_WAIT_TIMEOUT_SECONDS: '480',
    });
    expect(environment).toEqual({
      region: 'eu-west-1',
      config: { ...defaultConfig, endpointWaitTimeoutSeconds: 480 },
      slackSecretName: 'runbook/slack',
      coordination: { leaseMs: 300_000 },
    });
    expect(Object.isFrozen(environment)).toBe(true);
    expect(parseRunbookEnvironment({ AWS_REGION: 'eu-west-1', SLACK_SECRET_NAME: '' })).toEqual({
      region: 'eu-west-1',
      config: defaultConfig,
      coordination: { leaseMs: 300_000 },
    });
  });

  it.each([
    ['AWS_REGION', undefined, /^AWS_REGION: is not set/],
    ['AWS_REGION', 'eu west 1', /^AWS_REGION: must be a Region code/],
    ['ENDPOINT_WAIT_TIMEOUT_SECONDS', '0', /^ENDPOINT_WAIT_TIMEOUT_SECONDS: .*\(got "0"\)$/],
    ['SSM_MAX_ERRORS', 'ten', /^SSM_MAX_ERRORS .*SendCommand MaxErrors.*\(got "ten"\)$/],
    ['DEFAULT_MODE', 'Enforce', /^DEFAULT_MODE: .*\(got "Enforce"\)$/],
  ])('%s=%j is refused, naming the variable', (name, value, problem) => {
    const problems = problemsOf(parseRunbookEnvironment, { AWS_REGION: 'eu-west-1', [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
  });
});

describe('the Slack interactions function’s environment', () => {
  const valid = {
    AWS_REGION: 'us-east-1',
    SLACK_SIGNING_SECRET_NAME: 'ecs-endpoint-remediator/slack-signing-secret',
    SLACK_APPROVER_IDS: ' U0APPROVER, W0OTHER ,',
    RUNBOOK_STATE_MACHINE_ARN: STATE_MACHINE,
  };

  it('parses into a typed, frozen object', () => {
    const environment = parseSlackInteractionsEnvironment(valid);
    expect(environment).toEqual({
      region: 'us-east-1',
      signingSecretName: 'ecs-endpoint-remediator/slack-signing-secret',
      approverIds: ['U0APPROVER', 'W0OTHER'],
      stateMachineArn: STATE_MACHINE,
      coordination: { leaseMs: 300_000 },
    });
    expect(Object.isFrozen(environment)).toBe(true);
    // No approvers (the template's default): parses, and every click is refused later.
    expect(parseSlackInteractionsEnvironment({ ...valid, SLACK_APPROVER_IDS: '' }).approverIds).toEqual([]);
  });

  it.each([
    ['AWS_REGION', undefined, /^AWS_REGION: is not set/],
    ['SLACK_SIGNING_SECRET_NAME', undefined, /^SLACK_SIGNING_SECRET_NAME: is not set/],
    ['SLACK_SIGNING_SECRET_NAME', ' ', /^SLACK_SIGNING_SECRET_NAME: is not set/],
    [
      'SLACK_APPROVER_IDS',
      'U0APPROVER,Alice Smith',
      /^SLACK_APPROVER_IDS: each comma-separated item must be a Slack user id/,
    ],
    ['RUNBOOK_STATE_MACHINE_ARN', undefined, /^RUNBOOK_STATE_MACHINE_ARN: is not set/],
    [
      'RUNBOOK_STATE_MACHINE_ARN',
      'runbook',
      /^RUNBOOK_STATE_MACHINE_ARN: must be a state machine ARN .*\(got "runbook"\)$/,
    ],
  ])('%s=%j is refused, naming the variable', (name, value, problem) => {
    const problems = problemsOf(parseSlackInteractionsEnvironment, { ...valid, [name]: value });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
  });
});

describe('the sweep function’s environment', () => {
  it('parses into a typed, frozen object', () => {
    const environment = parseSweepEnvironment({ AWS_REGION: 'ap-southeast-2', EVENT_QUEUE_URL: QUEUE });
    expect(environment).toEqual({ region: 'ap-southeast-2', eventQueueUrl: QUEUE, memberAccountIds: [] });
    expect(
      parseSweepEnvironment({
        AWS_REGION: 'ap-southeast-2',
        EVENT_QUEUE_URL: QUEUE,
        MEMBER_ACCOUNT_IDS: '111111111111, 222222222222',
      }).memberAccountIds,
    ).toEqual(['111111111111', '222222222222']);
    expect(Object.isFrozen(environment)).toBe(true);
  });

  it.each([
    ['AWS_REGION', undefined, /^AWS_REGION: is not set/],
    ['EVENT_QUEUE_URL', undefined, /^EVENT_QUEUE_URL: must be the URL of the event queue/],
    ['EVENT_QUEUE_URL', 'events', /^EVENT_QUEUE_URL: must be the URL of the event queue.*\(got "events"\)$/],
    ['EVENT_QUEUE_URL', 'ftp://sqs.us-east-1.amazonaws.com/1/q', /^EVENT_QUEUE_URL: must be the URL/],
    [
      'MEMBER_ACCOUNT_IDS',
      '111111111111,12345',
      /^MEMBER_ACCOUNT_IDS: each comma-separated item must be a 12-digit/,
    ],
  ])('%s=%j is refused, naming the variable', (name, value, problem) => {
    const problems = problemsOf(parseSweepEnvironment, {
      AWS_REGION: 'ap-southeast-2',
      EVENT_QUEUE_URL: QUEUE,
      [name]: value,
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(problem);
  });
});

describe('a bad environment at cold start', () => {
  it.each([
    [
      'reconcile',
      () => parseReconcileEnvironment({ AWS_REGION: 'us-east-1', SLACK_DEDUPE_WINDOW_SECONDS: 'soon' }),
    ],
    ['runbook', () => parseRunbookEnvironment({ AWS_REGION: 'us-east-1', MAX_CHANGES: '1.5' })],
    ['slack-interactions', () => parseSlackInteractionsEnvironment({ AWS_REGION: 'us-east-1' })],
    ['sweep', () => parseSweepEnvironment({ AWS_REGION: 'us-east-1' })],
  ])('of the %s function is logged once, names the variable, and nothing is composed', (name, parse) => {
    const logged: { message: string; extra: unknown }[] = [];
    const logger = { error: (message: string, extra: unknown) => logged.push({ message, extra }) };
    let composed = 0;
    const start = () =>
      atColdStart(logger as never, () => {
        parse();
        composed += 1; // the composition root would run here
      });
    expect(start).toThrow(EnvironmentError);
    expect(composed).toBe(0);
    expect(logged).toEqual([
      {
        message: 'invalid configuration: the function changes nothing until it is fixed',
        extra: {
          error: expect.stringMatching(new RegExp(`invalid environment of the ${name} function: [A-Z_]+: `)),
        },
      },
    ]);
  });
});

describe('the reconcile function’s Security Hub switch (SECURITY_HUB_EXPORT)', () => {
  const base = { AWS_REGION: 'us-east-1', SELF_ROLE_ARNS: ROLE };

  it.each([
    [undefined, undefined],
    ['', undefined],
    ['false', undefined],
    ['true', true],
  ])('%j gives securityHubExport %j', (value, expected) => {
    const env = value === undefined ? base : { ...base, SECURITY_HUB_EXPORT: value };
    expect(parseReconcileEnvironment(env).securityHubExport).toBe(expected);
  });

  it('refuses anything but true or false, naming the variable', () => {
    expect(problemsOf(parseReconcileEnvironment, { ...base, SECURITY_HUB_EXPORT: 'yes' })).toEqual([
      'SECURITY_HUB_EXPORT: must be true or false (got "yes")',
    ]);
  });
});

describe('the reconcile function’s repair workflow (REPAIR_STATE_MACHINE_ARN)', () => {
  const base = { AWS_REGION: 'us-east-1', SELF_ROLE_ARNS: ROLE };
  const MACHINE = 'arn:aws:states:us-east-1:123456789012:stateMachine:ecs-endpoint-remediator-dev-runbook';

  it.each([
    [undefined, undefined],
    ['', undefined],
    [MACHINE, MACHINE],
  ])('%j: repairs handed to %j', (value, expected) => {
    const env = value === undefined ? base : { ...base, REPAIR_STATE_MACHINE_ARN: value };
    expect(parseReconcileEnvironment(env).repairStateMachineArn).toBe(expected);
  });

  it('refuses what is not a state machine ARN, naming the variable', () => {
    const problems = problemsOf(parseReconcileEnvironment, {
      ...base,
      REPAIR_STATE_MACHINE_ARN: 'arn:aws:lambda:us-east-1:123456789012:function:runbook',
    });
    expect(problems).toEqual([expect.stringMatching(/^REPAIR_STATE_MACHINE_ARN: /)]);
  });
});

import {
  ACCOUNT_ID_PATTERN,
  IAM_ROLE_ARN_PATTERN,
  REGION_PATTERN,
  STATE_MACHINE_ARN_PATTERN,
  VPC_ID_PATTERN,
} from '../../../shared/core/id-patterns.js';

/** Each value with whether the pattern accepts it: the table prints the values that disagree. */
const verdicts = (pattern: RegExp, values: readonly string[]) =>
  values.map((value) => ({ value, accepted: pattern.test(value) }));
const expectAll = (pattern: RegExp, values: readonly string[], accepted: boolean) =>
  expect(verdicts(pattern, values)).toEqual(values.map((value) => ({ value, accepted })));

describe('REGION_PATTERN', () => {
  it('accepts the Region codes of every partition', () => {
    expectAll(
      REGION_PATTERN,
      [
        'us-east-1',
        'eu-central-2',
        'ap-southeast-7',
        'il-central-1',
        'mx-central-1',
        'cn-north-1',
        'cn-northwest-1',
        'us-gov-west-1',
        'us-gov-east-1',
        'us-iso-east-1',
        'us-isob-east-1',
        'eu-isoe-west-1',
        'us-isof-south-1',
        'eusc-de-east-1',
      ],
      true,
    );
  });

  it('refuses what is not a Region code', () => {
    expectAll(
      REGION_PATTERN,
      [
        '',
        'US-EAST-1',
        'us-east',
        'us-east-',
        'useast1',
        'us_east_1',
        'mars-central',
        'us-east-123',
        'us-east-1a',
        ' us-east-1',
        'us-east-1\n',
        'usa-east-1',
        'us-foo-bar-1',
      ],
      false,
    );
  });
});

describe('VPC_ID_PATTERN', () => {
  it('accepts vpc- and 8 or 17 hex digits', () => {
    expectAll(VPC_ID_PATTERN, ['vpc-0123abcd', 'vpc-0123456789abcdef0', 'vpc-ffffffff'], true);
  });

  it('refuses other prefixes, cases, alphabets and lengths', () => {
    expectAll(
      VPC_ID_PATTERN,
      [
        'VPC-1',
        'vpc-xyz',
        'vpc-',
        'vpc-1',
        'vpc-0123abc',
        'vpc-0123abcde',
        'vpc-0123456789abcdef',
        'vpc-0123456789abcdef01',
        'vpc-0123ABCD',
        'vpc-0123abcg',
        'subnet-0123abcd',
        'my-vpc',
        ' vpc-0123abcd',
      ],
      false,
    );
  });
});

describe('ACCOUNT_ID_PATTERN', () => {
  it('accepts exactly 12 digits, leading zeros included', () => {
    expectAll(ACCOUNT_ID_PATTERN, ['123456789012', '000000000001'], true);
    expectAll(
      ACCOUNT_ID_PATTERN,
      ['12345678901', '1234567890123', '12345678901a', '', '1234-5678-9012'],
      false,
    );
  });
});

describe('ARN patterns', () => {
  it('IAM role ARNs of any partition, with or without a path', () => {
    expectAll(
      IAM_ROLE_ARN_PATTERN,
      [
        'arn:aws:iam::123456789012:role/reconcile',
        'arn:aws-cn:iam::123456789012:role/service-role/reconcile',
        'arn:aws-us-gov:iam::123456789012:role/a+b=c,d.e@f-g_h',
      ],
      true,
    );
    expectAll(
      IAM_ROLE_ARN_PATTERN,
      [
        'arn:aws:iam::123456789012:user/alice',
        'arn:aws:iam:us-east-1:123456789012:role/x',
        'arn:aws:iam::12345:role/x',
        'arn:aws:iam::123456789012:role/',
        'reconcile',
      ],
      false,
    );
  });

  it('state machine ARNs', () => {
    expectAll(
      STATE_MACHINE_ARN_PATTERN,
      [
        'arn:aws:states:us-east-1:123456789012:stateMachine:ecs-endpoint-remediator-dev-runbook',
        'arn:aws-cn:states:cn-north-1:123456789012:stateMachine:runbook',
      ],
      true,
    );
    expectAll(
      STATE_MACHINE_ARN_PATTERN,
      [
        'arn:aws:states:us-east-1:123456789012:execution:runbook:run-1',
        'arn:aws:states:us-east-1:123456789012:stateMachine:',
        'arn:aws:states:us-east-1:123456789012:stateMachine:has space',
        `arn:aws:states:us-east-1:123456789012:stateMachine:${'x'.repeat(81)}`,
        'runbook',
      ],
      false,
    );
  });
});

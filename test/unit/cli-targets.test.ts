import { parseTargets, targetPairs, type TargetFlags } from '../../functions/cli/targets.js';
import { roleArnFor } from '../../shared/core/service-names.js';

const flags = (overrides: Partial<TargetFlags>): TargetFlags => ({
  regions: [],
  allRegions: false,
  accounts: [],
  org: false,
  roleName: undefined,
  ...overrides,
});

describe('parseTargets: the account × Region flags', () => {
  it.each([
    [
      'one Region, the caller',
      { regions: ['eu-west-1'] },
      { kind: 'listed', regions: ['eu-west-1'] },
      { kind: 'caller' },
    ],
    [
      'repeated and comma-separated Regions, sorted and once each',
      { regions: ['us-east-1,eu-west-1', 'eu-west-1'] },
      { kind: 'listed', regions: ['eu-west-1', 'us-east-1'] },
      { kind: 'caller' },
    ],
    ['--all-regions', { allRegions: true }, { kind: 'all-enabled' }, { kind: 'caller' }],
    [
      '--accounts with --role-name',
      { regions: ['us-east-1'], accounts: ['222222222222,111111111111'], roleName: 'EndpointRemediator' },
      { kind: 'listed', regions: ['us-east-1'] },
      { kind: 'listed', accountIds: ['111111111111', '222222222222'], roleName: 'EndpointRemediator' },
    ],
    [
      '--org with --role-name',
      { allRegions: true, org: true, roleName: 'R' },
      { kind: 'all-enabled' },
      { kind: 'organization', roleName: 'R' },
    ],
  ])('accepts %s', (_name, given, regions, accounts) => {
    expect(parseTargets(flags(given))).toEqual({ ok: true, selection: { regions, accounts } });
  });

  it.each([
    ['no Region at all', {}, 'give --region REGION[,REGION...] or --all-regions'],
    ['an unknown Region', { regions: ['us-east-1,mars-1'] }, '--region: "mars-1" is not'],
    ['an empty list item', { regions: ['us-east-1,'] }, '--region: "" is not'],
    ['--region with --all-regions', { regions: ['us-east-1'], allRegions: true }, 'cannot be combined'],
    [
      '--accounts without --role-name',
      { regions: ['us-east-1'], accounts: ['111111111111'] },
      '--accounts needs --role-name',
    ],
    ['--org without --role-name', { regions: ['us-east-1'], org: true }, '--org needs --role-name'],
    [
      'a bad account id',
      { regions: ['us-east-1'], accounts: ['12345'], roleName: 'R' },
      '"12345" is not a 12-digit',
    ],
    [
      '--accounts with --org',
      { regions: ['us-east-1'], accounts: ['111111111111'], org: true, roleName: 'R' },
      '--accounts and --org',
    ],
    ['a bad role name', { regions: ['us-east-1'], org: true, roleName: 'a/b' }, '--role-name: "a/b" is not'],
    ['--role-name alone', { regions: ['us-east-1'], roleName: 'R' }, '--role-name needs --accounts or --org'],
  ])('rejects %s', (_name, given, message) => {
    const parsed = parseTargets(flags(given));
    expect(parsed.ok).toBe(false);
    const errors = parsed.ok ? [] : parsed.errors;
    expect(errors.join('\n')).toContain(message);
  });

  it('reports every problem at once', () => {
    const parsed = parseTargets(flags({ regions: ['bogus'], accounts: ['x'] }));
    expect(parsed.ok ? [] : parsed.errors).toHaveLength(3);
  });
});

describe('targetPairs and roleArnFor', () => {
  it.each([
    ['us-east-1', 'arn:aws:iam::111111111111:role/R'],
    ['cn-north-1', 'arn:aws-cn:iam::111111111111:role/R'],
    ['us-gov-west-1', 'arn:aws-us-gov:iam::111111111111:role/R'],
  ])('the role ARN in %s is %s', (region, arn) => {
    expect(roleArnFor('111111111111', 'R', region)).toBe(arn);
  });

  it('groups by account then Region and uses the caller account directly', () => {
    expect(
      targetPairs('111111111111', ['222222222222', '111111111111'], ['us-east-1', 'eu-west-1'], 'R'),
    ).toEqual([
      { accountId: '111111111111', region: 'eu-west-1', roleArn: undefined },
      { accountId: '111111111111', region: 'us-east-1', roleArn: undefined },
      { accountId: '222222222222', region: 'eu-west-1', roleArn: 'arn:aws:iam::222222222222:role/R' },
      { accountId: '222222222222', region: 'us-east-1', roleArn: 'arn:aws:iam::222222222222:role/R' },
    ]);
  });

  it('with no accounts listed plans the caller alone', () => {
    expect(targetPairs('111111111111', [], ['us-east-1'], undefined)).toEqual([
      { accountId: '111111111111', region: 'us-east-1', roleArn: undefined },
    ]);
  });
});

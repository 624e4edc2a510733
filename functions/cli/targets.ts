/**
 * Which account × Region pairs a CLI run plans (issue #13 §2). Pure: flag values in, a target
 * selection or a list of errors out; no SDK, no I/O. The CLI resolves `--all-regions` (EC2
 * DescribeRegions) and `--org` (Organizations ListAccounts) later, through adapters.
 *
 * Invariants: a valid selection has at least one Region source and names each Region and account
 * once, sorted; `--accounts`/`--org` always come with `--role-name`; role ARNs use the partition of
 * the Region they are assumed for ("IAM identifiers",
 * https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_identifiers.html).
 */
import { ACCOUNT_ID_HINT, REGION_HINT, isAccountId, isRegion } from '../../shared/core/id-patterns.js';
import { roleArnFor } from '../../shared/core/service-names.js';

/** The raw flag values: `--region` and `--accounts` may repeat and each may hold a comma list. */
export interface TargetFlags {
  readonly regions: readonly string[];
  readonly allRegions: boolean;
  readonly accounts: readonly string[];
  readonly org: boolean;
  readonly roleName: string | undefined;
}

export type RegionSelection =
  { readonly kind: 'listed'; readonly regions: readonly string[] } | { readonly kind: 'all-enabled' };

export type AccountSelection =
  | { readonly kind: 'caller' }
  | { readonly kind: 'listed'; readonly accountIds: readonly string[]; readonly roleName: string }
  | { readonly kind: 'organization'; readonly roleName: string };

export interface TargetSelection {
  readonly regions: RegionSelection;
  readonly accounts: AccountSelection;
}

export type TargetParse =
  | { readonly ok: true; readonly selection: TargetSelection }
  | { readonly ok: false; readonly errors: readonly string[] };

/** IAM role names: 1–64 of `[\w+=,.@-]` ("IAM object quotas" / CreateRole RoleName). */
const ROLE_NAME_PATTERN = /^[\w+=,.@-]{1,64}$/;

const splitList = (values: readonly string[]): string[] =>
  values.flatMap((value) => value.split(',')).map((item) => item.trim());

const sortedOnce = (values: readonly string[]): string[] => [...new Set(values)].sort();

/** Parses the target flags; every problem is reported, not only the first. */
export function parseTargets(flags: TargetFlags): TargetParse {
  const errors: string[] = [];
  const regions = splitList(flags.regions);
  const accounts = splitList(flags.accounts);

  for (const region of regions) {
    if (!isRegion(region)) errors.push(`--region: "${region}" is not ${REGION_HINT}`);
  }
  if (flags.allRegions && regions.length > 0) errors.push('--region and --all-regions cannot be combined');
  if (!flags.allRegions && regions.length === 0)
    errors.push('give --region REGION[,REGION...] or --all-regions');

  for (const account of accounts) {
    if (!isAccountId(account)) errors.push(`--accounts: "${account}" is not ${ACCOUNT_ID_HINT}`);
  }
  if (flags.org && accounts.length > 0) errors.push('--accounts and --org cannot be combined');
  const crossAccount = flags.org || accounts.length > 0;
  if (crossAccount && flags.roleName === undefined) {
    errors.push(
      `${flags.org ? '--org' : '--accounts'} needs --role-name NAME (the role assumed in each account)`,
    );
  }
  if (flags.roleName !== undefined && !ROLE_NAME_PATTERN.test(flags.roleName)) {
    errors.push(
      `--role-name: "${flags.roleName}" is not an IAM role name (1-64 of letters, digits and +=,.@_-)`,
    );
  }
  if (flags.roleName !== undefined && !crossAccount) errors.push('--role-name needs --accounts or --org');
  if (errors.length > 0) return { ok: false, errors };

  const regionSelection: RegionSelection = flags.allRegions
    ? { kind: 'all-enabled' }
    : { kind: 'listed', regions: sortedOnce(regions) };
  const roleName = flags.roleName ?? '';
  const accountSelection: AccountSelection = flags.org
    ? { kind: 'organization', roleName }
    : accounts.length > 0
      ? { kind: 'listed', accountIds: sortedOnce(accounts), roleName }
      : { kind: 'caller' };
  return { ok: true, selection: { regions: regionSelection, accounts: accountSelection } };
}

/** One account × Region pair to plan; `roleArn` is absent for the caller's own account. */
export interface TargetPair {
  readonly accountId: string;
  readonly region: string;
  readonly roleArn: string | undefined;
}

/**
 * Every pair, grouped by account then Region (the order human output uses). The caller's own
 * account is used directly (no AssumeRole), even when it is listed or in the organisation.
 */
export function targetPairs(
  callerAccountId: string,
  accountIds: readonly string[],
  regions: readonly string[],
  roleName: string | undefined,
): TargetPair[] {
  const accounts = sortedOnce(accountIds.length > 0 ? accountIds : [callerAccountId]);
  return accounts.flatMap((accountId) =>
    sortedOnce(regions).map((region) => ({
      accountId,
      region,
      roleArn:
        accountId === callerAccountId || roleName === undefined
          ? undefined
          : roleArnFor(accountId, roleName, region),
    })),
  );
}

/**
 * The organisation's accounts for `--org` (issue #13 §2): Organizations `ListAccounts`, every page,
 * keeping the accounts whose `Status` is `ACTIVE` (SUSPENDED and PENDING_CLOSURE accounts cannot be
 * worked in; "ListAccounts", AWS Organizations API reference). Callable only from the management
 * account or a delegated administrator.
 */
import { paginateListAccounts, type OrganizationsClient } from '@aws-sdk/client-organizations';
import { collectPages } from './collect-pages.js';

/** The ACTIVE accounts' ids, sorted and once each. */
export async function readActiveAccountIds(organizations: OrganizationsClient): Promise<string[]> {
  const accounts = await collectPages(
    paginateListAccounts({ client: organizations }, {}),
    (page) => page.Accounts,
  );
  const ids = accounts.flatMap((account) =>
    account.Status === 'ACTIVE' && account.Id !== undefined ? [account.Id] : [],
  );
  return [...new Set(ids)].sort();
}

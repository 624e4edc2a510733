/**
 * The organisation's accounts for `--org` (issue #13 §2): Organizations `ListAccounts`, every page,
 * keeping the accounts whose `State` is `ACTIVE` (PENDING_ACTIVATION, SUSPENDED, PENDING_CLOSURE and
 * CLOSED accounts cannot be worked in; "Account", AWS Organizations API reference). The older
 * `Status` field was retired on 9 September 2026 and is not read. Callable only from the management
 * account or a delegated administrator ("ListAccounts").
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
    account.State === 'ACTIVE' && account.Id !== undefined ? [account.Id] : [],
  );
  return [...new Set(ids)].sort();
}

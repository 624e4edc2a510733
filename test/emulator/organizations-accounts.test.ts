/**
 * The emulator describes Organizations accounts as AWS has since 9 September 2026: `State`, and no
 * retired `Status` field ("Account", AWS Organizations API reference).
 */
import {
  CloseAccountCommand,
  CreateAccountCommand,
  CreateOrganizationCommand,
  DescribeAccountCommand,
  ListAccountsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { resetEmulator } from '../support/emulator.js';

let organizations: OrganizationsClient;

beforeEach(async () => {
  const endpoint = await resetEmulator();
  organizations = new OrganizationsClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
});

describe('Organizations account descriptions', () => {
  it('carry State and not the retired Status, in ListAccounts and DescribeAccount', async () => {
    await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const { CreateAccountStatus } = await organizations.send(
      new CreateAccountCommand({ AccountName: 'member', Email: 'member@example.com' }),
    );
    const id = CreateAccountStatus!.AccountId!;
    const listed = (await organizations.send(new ListAccountsCommand({}))).Accounts ?? [];
    expect(listed.map((a) => ({ state: a.State, status: a.Status }))).toEqual([
      { state: 'ACTIVE', status: undefined },
      { state: 'ACTIVE', status: undefined },
    ]);
    await organizations.send(new CloseAccountCommand({ AccountId: id }));
    const { Account } = await organizations.send(new DescribeAccountCommand({ AccountId: id }));
    expect({ state: Account?.State, status: Account?.Status }).toEqual({
      state: 'SUSPENDED',
      status: undefined,
    });
  });
});

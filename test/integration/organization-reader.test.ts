/** `--org`: the organisation's ACTIVE accounts through Organizations ListAccounts on the emulator. */
import {
  CloseAccountCommand,
  CreateAccountCommand,
  CreateOrganizationCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { readActiveAccountIds } from '../../shared/aws/organization-reader.js';
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

describe('readActiveAccountIds', () => {
  it('lists the management account and every created member, sorted', async () => {
    const { Organization } = await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const created: string[] = [];
    for (const name of ['alpha', 'beta']) {
      const { CreateAccountStatus } = await organizations.send(
        new CreateAccountCommand({ AccountName: name, Email: `${name}@example.com` }),
      );
      created.push(CreateAccountStatus!.AccountId!);
    }
    const ids = await readActiveAccountIds(organizations);
    expect(ids).toEqual([Organization!.MasterAccountId!, ...created].sort());
  });

  it('leaves out an account being closed (not ACTIVE)', async () => {
    const { Organization } = await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    const { CreateAccountStatus } = await organizations.send(
      new CreateAccountCommand({ AccountName: 'gone', Email: 'gone@example.com' }),
    );
    await organizations.send(new CloseAccountCommand({ AccountId: CreateAccountStatus!.AccountId! }));
    expect(await readActiveAccountIds(organizations)).toEqual([Organization!.MasterAccountId!]);
  });
});

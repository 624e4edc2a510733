/**
 * STS: the account the credentials belong to. GetCallerIdentity needs no permission (AWS STS API
 * Reference, "GetCallerIdentity": no permissions are required to perform this operation).
 */
import { GetCallerIdentityCommand, type STSClient } from '@aws-sdk/client-sts';

export async function readAccountId(sts: STSClient): Promise<string> {
  const { Account } = await sts.send(new GetCallerIdentityCommand({}));
  if (!Account) throw new Error('STS GetCallerIdentity returned no account');
  return Account;
}

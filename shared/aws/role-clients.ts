/**
 * Client options acting in another account through a role (STS AssumeRole). The role is assumed
 * before the options are returned, so a role that cannot be assumed fails here, before any read or
 * write ("AssumeRole", AWS STS API reference). Clients built from them each get their own EC2 pacer:
 * EC2's request buckets are per account and Region ("Request throttling for the Amazon EC2 API").
 */
import type { STSClient } from '@aws-sdk/client-sts';
import { assumedRoleCredentials } from './assumed-role-credentials.js';
import type { AwsClientOptions } from './core-clients.js';

export interface RoleSession {
  readonly sts: STSClient;
  readonly roleArn: string;
  /** Names the session in the target account's CloudTrail. */
  readonly sessionName: string;
}

/**
 * The options of clients acting through the role, once the role is assumed: every client built
 * with them (the core ones, Security Hub's) shares one set of refreshed credentials.
 */
export async function roleClientOptions(
  session: RoleSession,
  options: Omit<AwsClientOptions, 'credentials'>,
): Promise<AwsClientOptions> {
  const credentials = assumedRoleCredentials(session.sts, session.roleArn, session.sessionName);
  await credentials();
  return { ...options, credentials };
}

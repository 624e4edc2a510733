/**
 * The clients of one account × Region pair (issue #13 §2): the caller's own account through the
 * default credentials, another account through its role (STS AssumeRole, a session name that
 * names the tool so CloudTrail shows who acted). Each pair gets its own clients and so its own EC2
 * pacer: EC2's request buckets are per account and Region ("Request throttling for the Amazon EC2
 * API"). The role is assumed before the clients are returned, so a role that cannot be assumed
 * fails the pair before any read or write.
 */
import type { STSClient } from '@aws-sdk/client-sts';
import { assumedRoleCredentials } from '../../shared/aws/assumed-role-credentials.js';
import { createCoreClients, type AwsClientOptions, type CoreClients } from '../../shared/aws/core-clients.js';
import type { TargetPair } from './targets.js';

export const SESSION_NAME = 'ecs-endpoint-remediator';

export async function pairClients(
  pair: TargetPair,
  base: AwsClientOptions,
  sts: STSClient,
): Promise<CoreClients> {
  if (pair.roleArn === undefined) return createCoreClients({ ...base, region: pair.region });
  const credentials = assumedRoleCredentials(sts, pair.roleArn, SESSION_NAME);
  await credentials();
  return createCoreClients({ ...base, region: pair.region, credentials });
}

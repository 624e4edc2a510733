/**
 * The clients of one account × Region pair (issue #13 §2): the caller's own account through the
 * default credentials, another account through its role, with a session name that names the tool
 * so CloudTrail shows who acted. Each pair gets its own clients and so its own EC2 pacer.
 */
import type { STSClient } from '@aws-sdk/client-sts';
import { roleClientOptions } from '../../shared/aws/role-clients.js';
import type { AwsClientOptions } from '../../shared/aws/core-clients.js';
import type { TargetPair } from './targets.js';

export const SESSION_NAME = 'ecs-endpoint-remediator';

/** The client options of one pair (its Region; another account's role, assumed here). */
export async function pairClientOptions(
  pair: TargetPair,
  base: AwsClientOptions,
  sts: STSClient,
): Promise<AwsClientOptions> {
  const options = { ...base, region: pair.region };
  if (pair.roleArn === undefined) return options;
  return roleClientOptions({ sts, roleArn: pair.roleArn, sessionName: SESSION_NAME }, options);
}

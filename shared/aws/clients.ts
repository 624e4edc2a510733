/**
 * The full composition root (CLI, scripts, tests, runbook approvals): the core clients plus Secrets
 * Manager, Step Functions and STS. Lambda functions that need only the core import core-clients.ts, so
 * their bundles do not carry these clients.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { clientConfig, createCoreClients, type AwsClientOptions, type CoreClients } from './core-clients.js';

export {
  emulatorCredentials,
  resolveRegion,
  type AwsClientOptions,
  type CoreClients,
} from './core-clients.js';

export interface AwsClients extends CoreClients {
  readonly secretsManager: SecretsManagerClient;
  readonly sfn: SFNClient;
  /** The CLI's account check of a saved plan (GetCallerIdentity). */
  readonly sts: STSClient;
  /** The CLI's VPC leases (`apply --lock-table`). */
  readonly dynamodb: DynamoDBClient;
}

export function createAwsClients(options: AwsClientOptions = {}): AwsClients {
  const config = clientConfig(options);
  return {
    ...createCoreClients(options),
    secretsManager: new SecretsManagerClient(config),
    sfn: new SFNClient(config),
    sts: new STSClient(config),
    dynamodb: new DynamoDBClient(config),
  };
}

/**
 * Client builders beyond the core three (core-clients.ts): Secrets Manager, Step Functions, SQS,
 * STS, DynamoDB and Security Hub, each built with the same shared configuration (clientConfig). A Lambda function's
 * composition root calls only the builders of the clients it uses; `createAwsClients` builds them
 * all, for the CLI, scripts and tests.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
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

/** Secrets Manager: the Slack webhook and signing secrets. */
export const createSecretsManagerClient = (options: AwsClientOptions = {}) =>
  new SecretsManagerClient(clientConfig(options));

/** Step Functions: the approval callbacks (SendTaskSuccess / SendTaskFailure). */
export const createSfnClient = (options: AwsClientOptions = {}) => new SFNClient(clientConfig(options));

/** DynamoDB: the coordination table (VPC leases, the Slack dedupe and replay cache). */
export const createDynamoDbClient = (options: AwsClientOptions = {}) =>
  new DynamoDBClient(clientConfig(options));

/** SQS: the sweep's whole-Region request on the event queue. */
export const createSqsClient = (options: AwsClientOptions = {}) => new SQSClient(clientConfig(options));

/** Security Hub: the findings export (one client per account and Region, like the findings). */
export const createSecurityHubClient = (options: AwsClientOptions = {}) =>
  new SecurityHubClient(clientConfig(options));

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

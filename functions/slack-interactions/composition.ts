/**
 * The Slack interactions function's composition root: exactly the clients it uses, Secrets Manager
 * (the signing secret, through Powertools with a 5-minute cache) and Step Functions (the callbacks),
 * built once per container and traced; DynamoDB for the replay cache when the stack gives the
 * coordination table.
 */
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { createSecretsManagerClient, createSfnClient } from '../../shared/aws/clients.js';
import { parseSigningSecret, type SlackApprovalDeps } from '../../shared/app/slack-approvals.js';
import { coordinationTable, replayCache } from '../coordination.js';
import { logSink, type Observability } from '../lambda-runtime.js';
import type { SlackInteractionsEnvironment } from './environment.js';

export interface SlackInteractionsOverrides {
  /** Replaces the Step Functions client (tests hand in a mocked one). */
  readonly sfn?: SFNClient;
  readonly nowSeconds?: () => number;
}

export function composeSlackInteractions(
  environment: SlackInteractionsEnvironment,
  observability: Observability,
  overrides: SlackInteractionsOverrides = {},
): SlackApprovalDeps {
  const { region, signingSecretName } = environment;
  const { tracer } = observability;
  const secretsManager = tracer.captureAWSv3Client(createSecretsManagerClient({ region }));
  const sfn = overrides.sfn ?? tracer.captureAWSv3Client(createSfnClient({ region }));
  const secrets = new SecretsProvider({ awsSdkV3Client: secretsManager });
  return {
    signingSecret: async () =>
      parseSigningSecret(signingSecretName, await secrets.get(signingSecretName, { maxAge: 300 })),
    approverIds: environment.approverIds,
    stateMachineArn: environment.stateMachineArn,
    replay: replayCache(coordinationTable(environment.coordination, region, observability)),
    callbacks: {
      succeed: async (taskToken, output) => {
        await sfn.send(new SendTaskSuccessCommand({ taskToken, output }));
      },
      fail: async (taskToken, error, cause) => {
        await sfn.send(new SendTaskFailureCommand({ taskToken, error, cause }));
      },
    },
    nowSeconds: overrides.nowSeconds ?? (() => Math.floor(Date.now() / 1000)),
    log: logSink(observability.logger),
  };
}

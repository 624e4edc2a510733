import middy from '@middy/core';
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { Tracer } from '@aws-lambda-powertools/tracer';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import { SendTaskFailureCommand, SendTaskSuccessCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createAwsClients } from '../../shared/aws/clients.js';
import { handleSlackInteraction, parseSigningSecret } from '../../shared/app/slack-approvals.js';
import { coordinationFromEnvironment, replayCache } from '../coordination.js';
import { logSink } from '../lambda-runtime.js';

const SERVICE = 'ecs-endpoint-remediator';

export interface SlackInteractionsOptions {
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Replaces the SFN client of the composition root (tests hand in a mocked one). */
  readonly sfn?: SFNClient;
  readonly nowSeconds?: () => number;
}

/**
 * POST /slack/interactions (HTTP API): the Approve/Reject buttons of the runbook's approval message.
 * Built once per container; the signing secret is read through Powertools with a 5-minute cache.
 */
export function createSlackInteractionsHandler(options: SlackInteractionsOptions = {}) {
  const env = options.env ?? process.env;
  const logger = new Logger({ serviceName: SERVICE });
  const tracer = new Tracer({ serviceName: SERVICE });
  const secretName = env.SLACK_SIGNING_SECRET_NAME;
  const stateMachineArn = env.RUNBOOK_STATE_MACHINE_ARN ?? '';
  if (!secretName) throw new Error('SLACK_SIGNING_SECRET_NAME is not set');
  const clients = createAwsClients({ env });
  tracer.captureAWSv3Client(clients.secretsManager);
  const sfn = options.sfn ?? tracer.captureAWSv3Client(clients.sfn);
  const secrets = new SecretsProvider({ awsSdkV3Client: clients.secretsManager });
  const coordination = coordinationFromEnvironment(env, clients.region);
  if (coordination.table) tracer.captureAWSv3Client(coordination.table.dynamodb);
  const approverIds = (env.SLACK_APPROVER_IDS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const deps = {
    signingSecret: async () => parseSigningSecret(secretName, await secrets.get(secretName, { maxAge: 300 })),
    approverIds,
    stateMachineArn,
    replay: replayCache(coordination),
    callbacks: {
      succeed: async (taskToken: string, output: string) => {
        await sfn.send(new SendTaskSuccessCommand({ taskToken, output }));
      },
      fail: async (taskToken: string, error: string, cause: string) => {
        await sfn.send(new SendTaskFailureCommand({ taskToken, error, cause }));
      },
    },
    nowSeconds: options.nowSeconds ?? (() => Math.floor(Date.now() / 1000)),
    log: logSink(logger),
  };
  return middy(async (event: APIGatewayProxyEventV2) => handleSlackInteraction(deps, event))
    .use(injectLambdaContext(logger, { resetKeys: true, logEvent: false }))
    .use(captureLambdaHandler(tracer));
}

export const handler = createSlackInteractionsHandler();

import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { captureLambdaHandler } from '@aws-lambda-powertools/tracer/middleware';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { handleSlackInteraction } from '../../shared/app/slack-approvals.js';
import { atColdStart, createObservability, type Observability } from '../lambda-runtime.js';
import type { Environment } from '../environment.js';
import { composeSlackInteractions, type SlackInteractionsOverrides } from './composition.js';
import { parseSlackInteractionsEnvironment } from './environment.js';

export interface SlackInteractionsOptions extends SlackInteractionsOverrides {
  readonly env?: Environment;
}

/**
 * POST /slack/interactions (HTTP API): the Approve/Reject buttons of the runbook's approval message.
 * Built once per container.
 */
export function createSlackInteractionsHandler(options: SlackInteractionsOptions = {}) {
  const observability: Observability = createObservability('slack-interactions');
  const deps = atColdStart(observability.logger, () =>
    composeSlackInteractions(
      parseSlackInteractionsEnvironment(options.env ?? process.env),
      observability,
      options,
    ),
  );
  return middy(async (event: APIGatewayProxyEventV2) => handleSlackInteraction(deps, event))
    .use(injectLambdaContext(observability.logger, { resetKeys: true, logEvent: false }))
    .use(captureLambdaHandler(observability.tracer));
}

export const handler = createSlackInteractionsHandler();

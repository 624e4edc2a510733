import { CreateTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { clientConfig } from '../../shared/aws/core-clients.js';
import type { CoordinationTable } from '../../shared/aws/coordination-table.js';

/** The key schema and TTL attribute `serverless.yml` deploys (test/infra/template.test.ts pins both). */
export const COORDINATION_KEY = 'pk';
export const COORDINATION_TTL_ATTRIBUTE = 'expiresAt';

let tables = 0;

/** A fresh coordination table on the emulator, created as the stack creates it. */
export async function createCoordinationTable(
  endpointUrl: string,
  scope: { accountId?: string; region?: string } = {},
): Promise<CoordinationTable> {
  const region = scope.region ?? 'us-east-1';
  const dynamodb = new DynamoDBClient(clientConfig({ endpointUrl, region }));
  const tableName = `coordination-${process.pid}-${++tables}`;
  await dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [{ AttributeName: COORDINATION_KEY, AttributeType: 'S' }],
      KeySchema: [{ AttributeName: COORDINATION_KEY, KeyType: 'HASH' }],
    }),
  );
  return { dynamodb, tableName, accountId: scope.accountId ?? '123456789012', region };
}

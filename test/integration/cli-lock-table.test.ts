/**
 * `apply --lock-table NAME`: the CLI writes a VPC only while it holds the VPC's lease in the
 * coordination table (the emulator's DynamoDB), skips and names on stderr a VPC another writer holds,
 * and frees its leases when done.
 */
import { DescribeVpcEndpointsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { runCli } from '../support/cli-run.js';
import { DynamoDbVpcLeaseStore, type CoordinationTable } from '../../shared/aws/coordination-table.js';
import { createAwsClients } from '../../shared/aws/clients.js';
import { readAccountId } from '../../shared/aws/sts-adapter.js';
import { seedDemoAccount, type DemoAccount } from '../../scripts/seed/demo-account.js';
import { createCoordinationTable } from '../support/coordination-table.js';
import { resetEmulator } from '../support/emulator.js';

const cli = (args: string[]) => runCli(args);

let endpoint: string;
let account: DemoAccount;
let ec2: EC2Client;
let table: CoordinationTable;

beforeEach(async () => {
  endpoint = await resetEmulator();
  const clients = createAwsClients({ region: 'us-east-1', endpointUrl: endpoint });
  account = await seedDemoAccount(clients);
  ec2 = clients.ec2;
  // The leases are keyed by the account the CLI's credentials are for, as the stack's functions key theirs.
  table = await createCoordinationTable(endpoint, { accountId: await readAccountId(clients.sts) });
}, 120_000);

async function endpointCount(vpcId: string): Promise<number> {
  const { VpcEndpoints = [] } = await ec2.send(
    new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }),
  );
  return VpcEndpoints.filter((e) => !['deleted', 'deleting'].includes(String(e.State).toLowerCase())).length;
}

it('skips a VPC another writer holds, names the writer, writes nothing there and exits 1', async () => {
  const vpcId = account.vpcIds.payments;
  const before = await endpointCount(vpcId);
  const until = Date.now() + 10 * 60_000;
  await new DynamoDbVpcLeaseStore(table).acquire(
    vpcId,
    'runbook:arn:aws:states:us-east-1:1:execution:rb:e1',
    Date.now(),
    10 * 60_000,
  );
  const run = await cli([
    'apply',
    '--yes',
    '--region',
    'us-east-1',
    '--endpoint-url',
    endpoint,
    '--lock-table',
    table.tableName,
  ]);
  const line = run.stderr.split('\n').find((l) => l.includes(`${vpcId} not applied`));
  expect({ code: run.code, line, endpointsAfter: await endpointCount(vpcId) }).toEqual({
    code: 1,
    line: expect.stringMatching(
      new RegExp(
        `^ecs-endpoint-remediator: ${vpcId} not applied: another writer \\(runbook:arn:aws:states:us-east-1:1:execution:rb:e1\\) holds its lease until \\d{4}-`,
      ),
    ),
    endpointsAfter: before,
  });
  expect(Date.parse(line?.split('until ')[1] ?? '')).toBeGreaterThanOrEqual(until - 5_000);
});

it('with the VPC free: takes the lease, repairs, and frees it for the next writer', async () => {
  const vpcId = account.vpcIds.payments;
  const before = await endpointCount(vpcId);
  const run = await cli([
    'apply',
    '--yes',
    '--region',
    'us-east-1',
    '--endpoint-url',
    endpoint,
    '--lock-table',
    table.tableName,
  ]);
  expect({
    code: run.code,
    stderrLeaseLines: run.stderr.split('\n').filter((l) => l.includes('lease')),
  }).toEqual({
    code: 0,
    stderrLeaseLines: [],
  });
  expect(await endpointCount(vpcId)).toBeGreaterThan(before);
  expect((await new DynamoDbVpcLeaseStore(table).acquire(vpcId, 'next', Date.now(), 60_000)).kind).toBe(
    'acquired',
  );
});

it('refuses a --lock-table that is not a DynamoDB table name, before any call', async () => {
  const run = await cli(['apply', '--yes', '--endpoint-url', endpoint, '--lock-table', 'no spaces!']);
  expect({ code: run.code, stderr: run.stderr }).toEqual({
    code: 1,
    stderr: expect.stringContaining('--lock-table takes a DynamoDB table name, got "no spaces!"'),
  });
});

it('a table that does not exist is a clear error and nothing is written', async () => {
  const vpcId = account.vpcIds.payments;
  const before = await endpointCount(vpcId);
  const run = await cli([
    'apply',
    '--yes',
    '--region',
    'us-east-1',
    '--endpoint-url',
    endpoint,
    '--lock-table',
    'no-such-table',
  ]);
  expect({ code: run.code, endpointsAfter: await endpointCount(vpcId) }).toEqual({
    code: 1,
    endpointsAfter: before,
  });
  expect(run.stderr).toMatch(/ecs-endpoint-remediator: .*(not found|ResourceNotFound|non-existent table)/i);
});

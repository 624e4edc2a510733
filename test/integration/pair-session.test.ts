/** One pair's clients: another account's role assumed up front, clients in the pair's Region. */
import { DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { pairClientOptions } from '../../functions/cli/pair-session.js';
import { createCoreClients } from '../../shared/aws/core-clients.js';
import { resetEmulator } from '../support/emulator.js';

const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };
let endpoint: string;
let sts: STSClient;

beforeEach(async () => {
  endpoint = await resetEmulator();
  sts = new STSClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
});

describe('pairClientOptions', () => {
  it('an existing role gives clients in the pair’s Region that can read', async () => {
    const caller = (await sts.send(new GetCallerIdentityCommand({}))).Account!;
    const iam = new IAMClient({ endpoint, region: 'us-east-1', credentials, maxAttempts: 1 });
    const trust = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }],
    });
    const { Role } = await iam.send(
      new CreateRoleCommand({ RoleName: 'Remediator', AssumeRolePolicyDocument: trust }),
    );
    const clients = createCoreClients(
      await pairClientOptions(
        { accountId: caller, region: 'eu-west-1', roleArn: Role!.Arn! },
        { endpointUrl: endpoint, maxAttempts: 1 },
        sts,
      ),
    );
    expect(clients.region).toBe('eu-west-1');
    const { Vpcs = [] } = await clients.ec2.send(new DescribeVpcsCommand({}));
    expect(Vpcs.length).toBeGreaterThan(0); // moto's default VPC in eu-west-1
  });
});

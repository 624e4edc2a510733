/** The emulator's STS AssumeRole: a role that does not exist is AccessDenied, as on AWS. */
import { CreateRoleCommand, IAMClient } from '@aws-sdk/client-iam';
import { AssumeRoleCommand, GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { resetEmulator } from '../support/emulator.js';

const config = (endpoint: string, credentials = { accessKeyId: 'test', secretAccessKey: 'test' }) => ({
  endpoint,
  region: 'us-east-1',
  credentials,
  maxAttempts: 1,
});

const TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: '*' }, Action: 'sts:AssumeRole' }],
});

describe('AssumeRole', () => {
  let endpoint: string;
  beforeEach(async () => {
    endpoint = await resetEmulator();
  });

  it('refuses a role that does not exist with AccessDenied (403) naming the role', async () => {
    const sts = new STSClient(config(endpoint));
    const arn = 'arn:aws:iam::222222222222:role/Missing';
    const failure = await sts
      .send(new AssumeRoleCommand({ RoleArn: arn, RoleSessionName: 'ecs-endpoint-remediator' }))
      .then(
        () => undefined,
        (error: unknown) =>
          error as { name: string; message: string; $metadata: { httpStatusCode?: number } },
      );
    expect(failure?.name).toBe('AccessDenied');
    expect(failure?.$metadata.httpStatusCode).toBe(403);
    expect(failure?.message).toContain(`sts:AssumeRole on resource: ${arn}`);
  });

  it('assumes a role that exists in the target account and names the assumed role', async () => {
    const sts = new STSClient(config(endpoint));
    const callerAccount = (await sts.send(new GetCallerIdentityCommand({}))).Account!;
    const iam = new IAMClient(config(endpoint));
    const { Role } = await iam.send(
      new CreateRoleCommand({ RoleName: 'Remediator', AssumeRolePolicyDocument: TRUST }),
    );
    const own = await sts.send(new AssumeRoleCommand({ RoleArn: Role!.Arn!, RoleSessionName: 'remediator' }));
    expect(own.AssumedRoleUser?.Arn).toContain(`${callerAccount}:assumed-role/Remediator/remediator`);
  });
});

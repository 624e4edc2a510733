/**
 * The call counter (SDK middleware on every client) and the composition root it wraps, against the
 * emulator: the middleware runs inside the real SDK stack, which a mocked `send` would bypass.
 */
import {
  CreateVpcCommand,
  DescribeSubnetsCommand,
  DescribeVpcsCommand,
  paginateDescribeVpcs,
} from '@aws-sdk/client-ec2';
import { ListClustersCommand } from '@aws-sdk/client-ecs';
import { DescribeInstanceInformationCommand, GetParameterCommand } from '@aws-sdk/client-ssm';
import { ListSecretsCommand } from '@aws-sdk/client-secrets-manager';
import { ListStateMachinesCommand } from '@aws-sdk/client-sfn';
import { countCalls, isReadOperation } from '../../shared/aws/call-counter.js';
import { createAwsClients, resolveRegion } from '../../shared/aws/clients.js';
import { markDeliberate, unmarkDeliberate } from '../support/deliberate.js';
import { resetEmulator } from '../support/emulator.js';

describe('countCalls', () => {
  it('counts each call per service and operation, across every client, failed calls included', async () => {
    const clients = createAwsClients({ region: 'us-east-1', endpointUrl: await resetEmulator(), env: {} });
    const counter = countCalls(clients);
    await clients.ec2.send(new DescribeVpcsCommand({}));
    await clients.ec2.send(new DescribeVpcsCommand({}));
    await clients.ec2.send(new DescribeSubnetsCommand({}));
    await clients.ec2.send(new CreateVpcCommand({ CidrBlock: '10.1.0.0/16' }));
    await clients.ecs.send(new ListClustersCommand({}));
    await clients.secretsManager.send(new ListSecretsCommand({}));
    await clients.sfn.send(new ListStateMachinesCommand({}));
    await expect(clients.ssm.send(new GetParameterCommand({ Name: '/missing' }))).rejects.toThrow();
    // MaxResults is 5-50: SSM (and the emulator) refuse 4. Sent invalid on purpose (the guard's marker).
    markDeliberate(clients.ssm, 'call-counter test: a failed call, MaxResults below the minimum 5');
    await expect(
      clients.ssm.send(new DescribeInstanceInformationCommand({ MaxResults: 4 })),
    ).rejects.toThrow();
    unmarkDeliberate(clients.ssm);

    expect(counter.counts()).toEqual({
      'EC2:CreateVpc': 1,
      'EC2:DescribeSubnets': 1,
      'EC2:DescribeVpcs': 2,
      'ECS:ListClusters': 1,
      'SecretsManager:ListSecrets': 1,
      'SFN:ListStateMachines': 1,
      'SSM:DescribeInstanceInformation': 1,
      'SSM:GetParameter': 1,
    });
    expect(counter.total()).toBe(9);
    expect(counter.writes()).toBe(1);

    counter.reset();
    expect(counter.counts()).toEqual({});
    expect(counter.total()).toBe(0);
    for await (const page of paginateDescribeVpcs({ client: clients.ec2, pageSize: 5 }, {})) void page;
    expect(counter.counts()['EC2:DescribeVpcs']).toBeGreaterThanOrEqual(1);
  });

  it('two counters on the same clients count independently', async () => {
    const clients = createAwsClients({ region: 'us-east-1', endpointUrl: await resetEmulator(), env: {} });
    const first = countCalls(clients);
    await clients.ec2.send(new DescribeVpcsCommand({}));
    const second = countCalls(clients);
    await clients.ec2.send(new DescribeVpcsCommand({}));
    expect(first.total()).toBe(2);
    expect(second.total()).toBe(1);
  });

  it('tells reads from writes by the operation name', () => {
    expect(['DescribeVpcs', 'ListClusters', 'GetParameter'].filter((op) => !isReadOperation(op))).toEqual([]);
    expect(
      ['CreateVpcEndpoint', 'ModifyVpcAttribute', 'SendCommand', 'UpdateContainerAgent'].filter(
        isReadOperation,
      ),
    ).toEqual([]);
  });
});

describe('createAwsClients and resolveRegion', () => {
  it('takes the region from the option, else AWS_REGION, else AWS_DEFAULT_REGION, else throws', () => {
    expect(resolveRegion('eu-west-1', { AWS_REGION: 'us-east-1' })).toBe('eu-west-1');
    expect(resolveRegion(undefined, { AWS_REGION: 'us-east-2', AWS_DEFAULT_REGION: 'us-west-2' })).toBe(
      'us-east-2',
    );
    expect(resolveRegion(undefined, { AWS_DEFAULT_REGION: 'us-west-2' })).toBe('us-west-2');
    expect(resolveRegion('  ', { AWS_REGION: '', AWS_DEFAULT_REGION: 'ap-south-1' })).toBe('ap-south-1');
    expect(() => resolveRegion(undefined, {})).toThrow('no AWS region: pass --region or set AWS_REGION');
    expect(() => createAwsClients({ env: {} })).toThrow('no AWS region');
  });

  it('real AWS: region everywhere, 3 attempts in adaptive mode', async () => {
    const clients = createAwsClients({ env: { AWS_REGION: 'eu-central-1' } });
    expect(clients.region).toBe('eu-central-1');
    for (const client of [clients.ec2, clients.ecs, clients.ssm, clients.secretsManager, clients.sfn]) {
      expect(await client.config.region()).toBe('eu-central-1');
      expect(await client.config.maxAttempts()).toBe(3);
      expect(((await client.config.retryStrategy()) as { mode?: string }).mode).toBe('adaptive');
      expect(client.config.endpoint).toBeUndefined();
    }
    expect(
      await createAwsClients({ region: 'eu-central-1', maxAttempts: 5, env: {} }).ec2.config.maxAttempts(),
    ).toBe(5);
  });

  it('emulator: every client on the endpoint, the same 3 adaptive attempts unless given, test credentials only when none are set', async () => {
    const endpointUrl = 'http://127.0.0.1:5999';
    const clients = createAwsClients({ region: 'us-east-1', endpointUrl, env: {} });
    for (const client of [clients.ec2, clients.ecs, clients.ssm, clients.secretsManager, clients.sfn]) {
      const endpoint = await client.config.endpoint!();
      expect(`${endpoint.protocol}//${endpoint.hostname}:${endpoint.port}`).toBe(endpointUrl);
      expect(await client.config.maxAttempts()).toBe(3);
      expect(((await client.config.retryStrategy()) as { mode?: string }).mode).toBe('adaptive');
      expect(await client.config.credentials()).toMatchObject({
        accessKeyId: 'test',
        secretAccessKey: 'test',
      });
    }
    expect(
      await createAwsClients({
        region: 'us-east-1',
        endpointUrl,
        maxAttempts: 2,
        env: {},
      }).ssm.config.maxAttempts(),
    ).toBe(2);
    expect(() => createAwsClients({ region: 'us-east-1', maxAttempts: 0, env: {} })).toThrow('maxAttempts');
  });

  it('uses the standard chain (here: environment keys) and no test keys when credentials are configured', async () => {
    const saved = { id: process.env.AWS_ACCESS_KEY_ID, secret: process.env.AWS_SECRET_ACCESS_KEY };
    process.env.AWS_ACCESS_KEY_ID = 'AKIDFROMENVIRONMENT';
    process.env.AWS_SECRET_ACCESS_KEY = 'not-a-real-secret';
    try {
      for (const endpointUrl of [undefined, 'http://127.0.0.1:5999']) {
        const clients = createAwsClients({ region: 'us-east-1', ...(endpointUrl ? { endpointUrl } : {}) });
        expect(await clients.ec2.config.credentials()).toMatchObject({ accessKeyId: 'AKIDFROMENVIRONMENT' });
      }
    } finally {
      if (saved.id === undefined) delete process.env.AWS_ACCESS_KEY_ID;
      else process.env.AWS_ACCESS_KEY_ID = saved.id;
      if (saved.secret === undefined) delete process.env.AWS_SECRET_ACCESS_KEY;
      else process.env.AWS_SECRET_ACCESS_KEY = saved.secret;
    }
  });
});

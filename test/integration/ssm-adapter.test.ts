import {
  CreateDocumentCommand,
  DescribeInstanceInformationCommand,
  GetCommandInvocationCommand,
  ListCommandInvocationsCommand,
  ListCommandsCommand,
  SSMClient,
  SendCommandCommand,
} from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import type { SendCommandRequest } from '../../shared/core/ports.js';
import {
  MAX_OUTPUT_BYTES,
  SsmCommanderAdapter,
  readManagedInstanceIds,
  truncateUtf8,
} from '../../shared/aws/ssm-adapter.js';
import {
  SSM_SERVICES,
  addEndpoints,
  advance,
  createWorld,
  launch,
  type World,
} from '../support/emulator-world.js';

function clientConfig(endpoint: string) {
  return {
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  };
}

function offlineSsm(): SSMClient {
  return new SSMClient(clientConfig('http://127.0.0.1:9'));
}

const DOCUMENT = 'Test-SingleStepRestart';

function request(instanceIds: readonly string[]): SendCommandRequest {
  return {
    documentName: DOCUMENT,
    instanceIds,
    parameters: { platform: ['linux'] },
    maxConcurrency: '10%',
    maxErrors: '1',
    comment: 'restart ECS agent after endpoint repair',
    timeoutSeconds: 600,
  };
}

describe('SsmCommanderAdapter against the emulator', () => {
  let world: World;
  let targeted: string[];
  let bystander: string;

  beforeEach(async () => {
    world = await createWorld();
    await addEndpoints(world, SSM_SERVICES);
    targeted = [
      (await launch(world, { ssmManaged: true })).instanceId,
      (await launch(world, { ssmManaged: true, subnetIndex: 1 })).instanceId,
    ];
    bystander = (await launch(world, { ssmManaged: true })).instanceId;
    await world.ssm.send(
      new CreateDocumentCommand({
        Name: DOCUMENT,
        DocumentType: 'Command',
        DocumentFormat: 'JSON',
        Content: JSON.stringify({
          schemaVersion: '2.2',
          description: 'Restart the ECS agent',
          parameters: { platform: { type: 'String', default: 'linux' } },
          mainSteps: [
            {
              action: 'aws:runShellScript',
              name: 'restart',
              inputs: { runCommand: ['systemctl restart ecs && echo "restarted on {{ platform }}"'] },
            },
          ],
        }),
      }),
    );
  });

  it('sends the command by instance id with rate controls, and reads the invocations as they progress', async () => {
    const sent: Record<string, unknown>[] = [];
    world.ssm.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'SendCommandCommand') sent.push(args.input as Record<string, unknown>);
        return next(args);
      },
      { step: 'initialize', name: 'recordSendCommand' },
    );
    const adapter = new SsmCommanderAdapter(world.ssm);
    const commandId = await adapter.sendCommand(request(targeted));
    expect(commandId).toMatch(/\S+/);

    // What went over the wire: the ids asked for, never Targets.
    expect(sent).toHaveLength(1);
    expect(sent[0]?.InstanceIds).toEqual(targeted);
    expect(sent[0]?.Targets).toBeUndefined();

    // SSM targets exactly those instances: the other managed instance is not in the command.
    const { Commands } = await world.ssm.send(new ListCommandsCommand({ CommandId: commandId }));
    const command = Commands?.[0];
    expect([...(command?.InstanceIds ?? [])].sort()).toEqual([...targeted].sort());
    expect(command?.InstanceIds).not.toContain(bystander);
    expect(command).toMatchObject({
      DocumentName: DOCUMENT,
      Comment: 'restart ECS agent after endpoint repair',
      MaxConcurrency: '10%',
      MaxErrors: '1',
      Parameters: { platform: ['linux'] },
    });

    const pending = await adapter.listInvocations(commandId);
    expect(pending.map((d) => d.status)).toEqual(['Pending', 'Pending']);
    await advance(world, 10);
    const done = await adapter.listInvocations(commandId);
    // SSM lists exactly the targeted instances, each with the one step's real output.
    expect(done.map((d) => d.instanceId).sort()).toEqual([...targeted].sort());
    for (const detail of done) {
      expect(detail).toMatchObject({
        status: 'Success',
        steps: [{ name: 'restart', status: 'Success', output: 'restarted on linux\n' }],
      });
    }
  });
});

describe('SsmCommanderAdapter limits and mapping', () => {
  it('rejects more than 50 instance ids without calling SSM', async () => {
    const ssm = offlineSsm();
    const mock = mockClient(ssm);
    const ids = Array.from({ length: 51 }, (_, i) => `i-${String(i).padStart(17, '0')}`);
    await expect(new SsmCommanderAdapter(ssm).sendCommand(request(ids))).rejects.toThrow(/at most 50/);
    await expect(new SsmCommanderAdapter(ssm).sendCommand(request([]))).rejects.toThrow(/at least one/);
    expect(mock.calls()).toHaveLength(0);
  });

  it('accepts exactly 50 ids and never sends Targets', async () => {
    const ssm = offlineSsm();
    const mock = mockClient(ssm);
    mock.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-50' } });
    const ids = Array.from({ length: 50 }, (_, i) => `i-${String(i).padStart(17, '0')}`);
    expect(await new SsmCommanderAdapter(ssm).sendCommand(request(ids))).toBe('cmd-50');
    const input = mock.commandCalls(SendCommandCommand)[0]?.args[0].input;
    expect(input?.InstanceIds).toEqual(ids);
    expect(input?.Targets).toBeUndefined();
    expect(input?.TimeoutSeconds).toBe(600);
  });

  it('fails when SSM returns no command id', async () => {
    const ssm = offlineSsm();
    mockClient(ssm).on(SendCommandCommand).resolves({});
    await expect(new SsmCommanderAdapter(ssm).sendCommand(request(['i-1']))).rejects.toThrow(/no CommandId/);
  });
});

// ListCommandInvocations as the SSM API reference documents it: Details returns CommandPlugins, one per
// document step, named after the step; MaxResults is 1-50 with NextToken paging. The emulator cannot
// show it yet (moto does not implement ListCommandInvocations), so these run against AWS's shapes.
describe('SsmCommanderAdapter.listInvocations (AWS ListCommandInvocations; not yet on the emulator)', () => {
  const skipped = 'Step execution skipped due to unsatisfied preconditions: platformType is Linux';

  it('reads every page of one command with details at the largest page size', async () => {
    const ssm = offlineSsm();
    const mock = mockClient(ssm);
    mock
      .on(ListCommandInvocationsCommand)
      .resolvesOnce({
        CommandInvocations: [
          {
            CommandId: 'cmd',
            InstanceId: 'i-1',
            Status: 'Success',
            CommandPlugins: [
              { Name: 'restartEcsAgentLinux', Status: 'Success', Output: 'agent version: 1.90.0' },
              { Name: 'restartEcsAgentWindows', Status: 'Success', Output: skipped },
            ],
          },
        ],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        CommandInvocations: [
          { CommandId: 'cmd', InstanceId: 'i-2', Status: 'Pending', CommandPlugins: [] },
          {
            CommandId: 'cmd',
            InstanceId: 'i-3',
            Status: 'Failed',
            CommandPlugins: [{ Name: 'restartEcsAgentLinux', Status: 'Failed', Output: 'é'.repeat(2000) }],
          },
          { CommandId: 'cmd', Status: 'Success' },
        ],
      });
    const details = await new SsmCommanderAdapter(ssm).listInvocations('cmd');
    expect(details.map((d) => d.instanceId)).toEqual(['i-1', 'i-2', 'i-3']);
    expect(details[0]).toEqual({
      instanceId: 'i-1',
      status: 'Success',
      steps: [
        { name: 'restartEcsAgentLinux', status: 'Success', output: 'agent version: 1.90.0' },
        { name: 'restartEcsAgentWindows', status: 'Success', output: skipped },
      ],
    });
    expect(details[1]).toEqual({ instanceId: 'i-2', status: 'Pending', steps: [] });
    const long = details[2]?.steps[0]?.output ?? '';
    expect(new TextEncoder().encode(long).length).toBeLessThanOrEqual(MAX_OUTPUT_BYTES);
    expect(long).toMatch(/é…$/);

    const inputs = mock.commandCalls(ListCommandInvocationsCommand).map((c) => c.args[0].input);
    // (The SDK's paginator reuses one input object, so only the last NextToken can be seen.)
    expect(inputs).toHaveLength(2);
    for (const input of inputs)
      expect(input).toMatchObject({ CommandId: 'cmd', Details: true, MaxResults: 50 });
    expect(inputs[1]?.NextToken).toBe('page-2');
    // Never one GetCommandInvocation per instance: it needs PluginName for a two-step document.
    expect(mock.commandCalls(GetCommandInvocationCommand)).toHaveLength(0);
  });

  it.each([
    ['Failed', 'Failed'],
    ['TimedOut', 'TimedOut'],
    ['InProgress', 'InProgress'],
    ['Cancelled', 'Cancelled'],
    ['SomethingNew', 'Unknown'],
  ])('maps step status %s to %s', async (status, expected) => {
    const ssm = offlineSsm();
    mockClient(ssm)
      .on(ListCommandInvocationsCommand)
      .resolves({
        CommandInvocations: [
          {
            InstanceId: 'i-1',
            Status: status as 'Failed',
            CommandPlugins: [{ Name: 'restartEcsAgentLinux', Status: status as 'Failed' }],
          },
        ],
      });
    expect(await new SsmCommanderAdapter(ssm).listInvocations('cmd')).toEqual([
      { instanceId: 'i-1', status: expected, steps: [{ name: 'restartEcsAgentLinux', status: expected }] },
    ]);
  });

  it('passes errors on', async () => {
    const ssm = offlineSsm();
    mockClient(ssm)
      .on(ListCommandInvocationsCommand)
      .rejects(Object.assign(new Error('bad command'), { name: 'InvalidCommandId' }));
    await expect(new SsmCommanderAdapter(ssm).listInvocations('cmd')).rejects.toThrow('bad command');
  });
});

describe('truncateUtf8', () => {
  it('keeps short text and never splits a multi-byte character', () => {
    expect(truncateUtf8('short', 10)).toBe('short');
    expect(truncateUtf8('abcdefghij', 10)).toBe('abcdefghij');
    expect(truncateUtf8('abcdefghijk', 10)).toBe('abcdefg…');
    // 'é' is two bytes: 7 bytes of room hold three of them, not three and a half.
    expect(truncateUtf8('éééééé', 10)).toBe('ééé…');
  });
});

describe('readManagedInstanceIds', () => {
  it('collects Online and ConnectionLost instances over every page', async () => {
    const ssm = offlineSsm();
    const mock = mockClient(ssm);
    mock
      .on(DescribeInstanceInformationCommand)
      .resolvesOnce({
        InstanceInformationList: [
          { InstanceId: 'i-online-1', PingStatus: 'Online' },
          { InstanceId: 'i-lost', PingStatus: 'ConnectionLost' },
        ],
        NextToken: 'page-2',
      })
      .resolvesOnce({
        InstanceInformationList: [
          { InstanceId: 'i-inactive', PingStatus: 'Inactive' },
          { InstanceId: 'i-online-2', PingStatus: 'Online' },
          { PingStatus: 'Online' },
        ],
      });
    const ids = await readManagedInstanceIds(ssm);
    // ConnectionLost is managed but unreachable; Inactive (deprecated) and id-less entries are not counted.
    expect([...ids].sort()).toEqual(['i-lost', 'i-online-1', 'i-online-2']);
    const calls = mock.commandCalls(DescribeInstanceInformationCommand).map((call) => call.args[0].input);
    expect(calls).toHaveLength(2);
    expect(calls[1]?.NextToken).toBe('page-2');
  });

  it('throws a clear error when the inventory cannot be read', async () => {
    const ssm = offlineSsm();
    mockClient(ssm)
      .on(DescribeInstanceInformationCommand)
      .rejects(Object.assign(new Error('User is not authorized'), { name: 'AccessDeniedException' }));
    await expect(readManagedInstanceIds(ssm)).rejects.toThrow(
      /SSM managed instances could not be read.*AccessDeniedException: User is not authorized/,
    );
  });
});

/**
 * The emulator's Run Command through the SDK: what SendCommand accepts, how invocations move over
 * the emulator's clock, and that the restart document's shell step really runs on a fake host.
 */
import {
  GetCommandInvocationCommand,
  ListCommandInvocationsCommand,
  ListCommandsCommand,
  SendCommandCommand,
  type CommandInvocation,
  type SendCommandCommandInput,
} from '@aws-sdk/client-ssm';
import {
  RESTART_DOCUMENT,
  SSM_SERVICES,
  addEndpoints,
  advance,
  createWorld,
  launch,
  type World,
} from '../support/emulator-world.js';
import { markDeliberate, unmarkDeliberate } from '../support/deliberate.js';

let world: World;

beforeEach(async () => {
  world = await createWorld();
});

async function send(input: Partial<SendCommandCommandInput> & { InstanceIds: string[] }): Promise<string> {
  const { Command } = await world.ssm.send(
    new SendCommandCommand({ DocumentName: RESTART_DOCUMENT, TimeoutSeconds: 600, ...input }),
  );
  if (!Command?.CommandId) throw new Error('no command id');
  return Command.CommandId;
}

async function invocations(commandId: string, details = true): Promise<CommandInvocation[]> {
  const { CommandInvocations = [] } = await world.ssm.send(
    new ListCommandInvocationsCommand({ CommandId: commandId, Details: details }),
  );
  return CommandInvocations;
}

/** Online instances: the SSM endpoints serve both subnets. */
async function onlineInstances(count: number, spec: Parameters<typeof launch>[1] = {}): Promise<string[]> {
  await addEndpoints(world, SSM_SERVICES);
  const ids: string[] = [];
  for (let i = 0; i < count; i++) ids.push((await launch(world, { ssmManaged: true, ...spec })).instanceId);
  return ids;
}

describe('SendCommand', () => {
  it('targets exactly the InstanceIds asked for', async () => {
    const [one, two, three] = await onlineInstances(3);
    const commandId = await send({ InstanceIds: [one ?? '', two ?? ''] });
    const { Commands = [] } = await world.ssm.send(new ListCommandsCommand({ CommandId: commandId }));
    expect(Commands[0]?.InstanceIds?.sort()).toEqual([one, two].sort());
    expect((await invocations(commandId)).map((i) => i.InstanceId).sort()).toEqual([one, two].sort());
    expect(three).toBeDefined();
  });

  it('refuses unmanaged instances, unknown documents, bad parameters and rate controls outside their patterns', async () => {
    const [managed] = await onlineInstances(1);
    const unmanaged = (await launch(world, { ssmManaged: false })).instanceId;
    const id = managed ?? '';
    await expect(send({ InstanceIds: [id, unmanaged] })).rejects.toMatchObject({ name: 'InvalidInstanceId' });
    await expect(send({ InstanceIds: [id], DocumentName: 'No-Such-Document' })).rejects.toMatchObject({
      name: 'InvalidDocument',
    });
    await expect(
      send({ InstanceIds: [id], Parameters: { restartReason: ['$(reboot)'] } }),
    ).rejects.toMatchObject({ name: 'InvalidParameters' });
    await expect(send({ InstanceIds: [id], Parameters: { unknown: ['x'] } })).rejects.toMatchObject({
      name: 'InvalidParameters',
    });
    // Sent invalid on purpose: the fidelity guard counts these apart (test/support/deliberate.ts).
    markDeliberate(world.ssm, 'emulator test: rate controls outside their patterns are refused');
    for (const MaxConcurrency of ['0', '0%', '101%', '05', 'ten']) {
      await expect(send({ InstanceIds: [id], MaxConcurrency })).rejects.toMatchObject({
        name: 'ValidationException',
      });
    }
    for (const MaxErrors of ['-1', '101%', '01']) {
      await expect(send({ InstanceIds: [id], MaxErrors })).rejects.toMatchObject({
        name: 'ValidationException',
      });
    }
    unmarkDeliberate(world.ssm);
    // The forms the API allows are accepted.
    for (const [MaxConcurrency, MaxErrors] of [
      ['10%', '0'],
      ['1', '100%'],
      ['50', '5'],
    ] as const) {
      await expect(send({ InstanceIds: [id], MaxConcurrency, MaxErrors })).resolves.toMatch(
        /^[0-9a-f-]{36}$/,
      );
    }
  });
});

describe('invocations of the restart document', () => {
  it('move Pending -> InProgress -> Success over emulator time and carry the Linux step output', async () => {
    const [instanceId = ''] = await onlineInstances(1);
    const commandId = await send({ InstanceIds: [instanceId], Parameters: { restartReason: ['test run'] } });
    expect((await invocations(commandId))[0]?.Status).toBe('Pending');
    await advance(world, 1);
    expect((await invocations(commandId))[0]?.Status).toBe('InProgress');
    await advance(world, 2);
    const [done] = await invocations(commandId);
    expect(done?.Status).toBe('Success');
    const [linux, windows] = done?.CommandPlugins ?? [];
    expect(linux).toMatchObject({ Name: 'restartEcsAgentLinux', Status: 'Success', ResponseCode: 0 });
    // The document's script ran: its own messages, the reason given, the agent the fake host reports.
    expect(linux?.Output).toContain('restarting the ECS agent: test run');
    expect(linux?.Output).toContain('restart method: systemd (systemctl restart ecs)');
    expect(linux?.Output).toContain('agent version: 1.90.0');
    expect(windows).toMatchObject({ Name: 'restartEcsAgentWindows', Status: 'Success' });
    expect(windows?.Output).toMatch(/^Step execution skipped due to unsatisfied preconditions/);
    // Without Details, no plugins.
    expect((await invocations(commandId, false))[0]?.CommandPlugins).toEqual([]);
  });

  it('GetCommandInvocation requires PluginName for the two-step document', async () => {
    const [instanceId = ''] = await onlineInstances(1);
    const commandId = await send({ InstanceIds: [instanceId] });
    await advance(world, 5);
    await expect(
      world.ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId })),
    ).rejects.toMatchObject({ name: 'InvalidPluginName' });
    const linux = await world.ssm.send(
      new GetCommandInvocationCommand({
        CommandId: commandId,
        InstanceId: instanceId,
        PluginName: 'restartEcsAgentLinux',
      }),
    );
    expect(linux).toMatchObject({ Status: 'Success', ResponseCode: 0 });
    expect(linux.StandardOutputContent).toContain('restart method: systemd');
    await expect(
      world.ssm.send(
        new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId, PluginName: 'nope' }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidPluginName' });
  });

  it("fails with the script's exit code and message on a host without an agent", async () => {
    const [instanceId = ''] = await onlineInstances(1, { host: 'no-agent' });
    const commandId = await send({ InstanceIds: [instanceId] });
    await advance(world, 5);
    const [done] = await invocations(commandId);
    expect(done?.Status).toBe('Failed');
    const linux = done?.CommandPlugins?.[0];
    expect(linux).toMatchObject({ Status: 'Failed', ResponseCode: 1 });
    expect(linux?.Output).toContain('ecs agent restart failed: no ECS agent found');
  });

  it('restarts by docker on a hand-run agent, and skips the Linux step on Windows', async () => {
    const [docker = ''] = await onlineInstances(1, { host: 'docker-agent' });
    const windows = (await launch(world, { ssmManaged: true, platform: 'windows' })).instanceId;
    const commandId = await send({ InstanceIds: [docker, windows] });
    await advance(world, 10);
    const byId = new Map((await invocations(commandId)).map((i) => [i.InstanceId, i]));
    expect(byId.get(docker)?.CommandPlugins?.[0]?.Output).toContain(
      'restart method: docker (docker restart ecs-agent)',
    );
    const [linuxStep, windowsStep] = byId.get(windows)?.CommandPlugins ?? [];
    expect(linuxStep?.Output).toMatch(/^Step execution skipped due to unsatisfied preconditions/);
    expect(windowsStep?.Output).toContain('restart method: windows (Restart-Service AmazonECS)');
    expect(byId.get(windows)?.Status).toBe('Success');
  });

  it('stays Pending while the instance is ConnectionLost, then ends TimedOut after the delivery timeout', async () => {
    const { instanceId } = await launch(world, { ssmManaged: true });
    const commandId = await send({ InstanceIds: [instanceId], TimeoutSeconds: 60 });
    await advance(world, 30);
    expect((await invocations(commandId))[0]?.Status).toBe('Pending');
    await advance(world, 31);
    expect((await invocations(commandId))[0]).toMatchObject({
      Status: 'TimedOut',
      StatusDetails: 'DeliveryTimedOut',
    });
  });

  it('runs at most MaxConcurrency at once and cancels the rest after MaxErrors failures', async () => {
    const ids = await onlineInstances(3, { host: 'no-agent' });
    const commandId = await send({ InstanceIds: ids, MaxConcurrency: '1', MaxErrors: '0' });
    await advance(world, 1);
    const statuses = (await invocations(commandId)).map((i) => i.Status).sort();
    expect(statuses).toEqual(['InProgress', 'Pending', 'Pending']);
    await advance(world, 2);
    const after = (await invocations(commandId)).map((i) => i.Status).sort();
    expect(after).toEqual(['Cancelled', 'Cancelled', 'Failed']);
  });

  it('ListCommandInvocations pages and filters by status', async () => {
    const ids = await onlineInstances(3);
    const commandId = await send({ InstanceIds: ids });
    const first = await world.ssm.send(
      new ListCommandInvocationsCommand({ CommandId: commandId, MaxResults: 2 }),
    );
    expect(first.CommandInvocations).toHaveLength(2);
    const second = await world.ssm.send(
      new ListCommandInvocationsCommand({ CommandId: commandId, MaxResults: 2, NextToken: first.NextToken }),
    );
    expect(second.CommandInvocations).toHaveLength(1);
    expect(second.NextToken).toBeUndefined();
    await advance(world, 5);
    const success = await world.ssm.send(
      new ListCommandInvocationsCommand({
        CommandId: commandId,
        Filters: [{ key: 'Status', value: 'Success' }],
      }),
    );
    expect(success.CommandInvocations).toHaveLength(3);
    const byInstance = await world.ssm.send(
      new ListCommandInvocationsCommand({ CommandId: commandId, InstanceId: ids[0] }),
    );
    expect(byInstance.CommandInvocations?.map((i) => i.InstanceId)).toEqual([ids[0]]);
  });
});

import {
  SendCommandCommand,
  paginateDescribeInstanceInformation,
  paginateListCommandInvocations,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import type {
  CommandInvocationDetail,
  InvocationStatus,
  SendCommandRequest,
  SsmCommander,
} from '../core/ports.js';

/** SendCommand's limit on InstanceIds per call. */
export const MAX_INSTANCE_IDS_PER_COMMAND = 50;
/** Command output kept per invocation, in UTF-8 bytes. */
export const MAX_OUTPUT_BYTES = 2048;

/**
 * SSM PingStatus values of a managed node that SSM still knows ("DescribeInstanceInformation",
 * Systems Manager API reference): `ConnectionLost` is a managed instance that cannot reach Systems
 * Manager right now (for example, no ssm/ssmmessages/ec2messages endpoints yet), which is exactly
 * the instance whose restart waits for the SSM endpoints. `Inactive` is deprecated and not counted.
 */
const MANAGED_PING_STATUSES: ReadonlySet<string> = new Set(['Online', 'ConnectionLost']);

/** Instance ids per DescribeInstanceInformation `InstanceIds` filter (the API takes up to 100). */
export const INSTANCE_IDS_PER_INFORMATION_FILTER = 50;

/**
 * EC2 instance ids SSM manages (Online or ConnectionLost); with `instanceIds`, asked only about
 * those, through the `InstanceIds` filter ("DescribeInstanceInformation", Systems Manager API
 * reference, https://docs.aws.amazon.com/systems-manager/latest/APIReference/API_DescribeInstanceInformation.html).
 * Throws when the inventory cannot be read, so the caller can tell "not managed" from "unknown".
 */
export async function readManagedInstanceIds(
  ssm: SSMClient,
  instanceIds?: readonly string[],
): Promise<ReadonlySet<string>> {
  const managed = new Set<string>();
  const unique = instanceIds ? [...new Set(instanceIds)].sort() : undefined;
  const inputs = unique
    ? Array.from({ length: Math.ceil(unique.length / INSTANCE_IDS_PER_INFORMATION_FILTER) }, (_, i) => ({
        Filters: [
          {
            Key: 'InstanceIds',
            Values: unique.slice(
              i * INSTANCE_IDS_PER_INFORMATION_FILTER,
              (i + 1) * INSTANCE_IDS_PER_INFORMATION_FILTER,
            ),
          },
        ],
      }))
    : [{}];
  try {
    for (const input of inputs) {
      for await (const page of paginateDescribeInstanceInformation({ client: ssm, pageSize: 50 }, input)) {
        for (const info of page.InstanceInformationList ?? []) {
          if (info.InstanceId && info.PingStatus && MANAGED_PING_STATUSES.has(info.PingStatus)) {
            managed.add(info.InstanceId);
          }
        }
      }
    }
  } catch (error) {
    const reason = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    throw new Error(`SSM managed instances could not be read (DescribeInstanceInformation): ${reason}`, {
      cause: error,
    });
  }
  return managed;
}

const INVOCATION_STATUSES: ReadonlySet<string> = new Set<InvocationStatus>([
  'Pending',
  'InProgress',
  'Delayed',
  'Success',
  'Cancelled',
  'TimedOut',
  'Failed',
  'Cancelling',
  'Undeliverable',
  'Terminated',
]);

function toInvocationStatus(status: string | undefined): InvocationStatus {
  return status !== undefined && INVOCATION_STATUSES.has(status) ? (status as InvocationStatus) : 'Unknown';
}

/** Cuts text to at most `maxBytes` UTF-8 bytes without splitting a character; marks the cut with '…'. */
export function truncateUtf8(text: string, maxBytes: number): string {
  const encoded = new TextEncoder().encode(text);
  if (encoded.length <= maxBytes) return text;
  const marker = '…';
  const room = maxBytes - new TextEncoder().encode(marker).length;
  const head = new TextDecoder('utf-8').decode(encoded.subarray(0, Math.max(0, room)));
  return head.replace(/\uFFFD+$/, '') + marker;
}

/** Run Command by explicit instance ids only (Targets would widen the blast radius). */
export class SsmCommanderAdapter implements SsmCommander {
  constructor(private readonly ssm: SSMClient) {}

  async sendCommand(request: SendCommandRequest): Promise<string> {
    const count = request.instanceIds.length;
    if (count === 0) throw new Error('SendCommand needs at least one instance id');
    if (count > MAX_INSTANCE_IDS_PER_COMMAND) {
      throw new Error(
        `SendCommand takes at most ${MAX_INSTANCE_IDS_PER_COMMAND} instance ids per call, got ${count}`,
      );
    }
    const parameters: Record<string, string[]> = {};
    for (const [name, values] of Object.entries(request.parameters)) parameters[name] = [...values];
    const { Command } = await this.ssm.send(
      new SendCommandCommand({
        DocumentName: request.documentName,
        InstanceIds: [...request.instanceIds],
        Parameters: parameters,
        MaxConcurrency: request.maxConcurrency,
        MaxErrors: request.maxErrors,
        Comment: request.comment,
        TimeoutSeconds: request.timeoutSeconds,
      }),
    );
    if (!Command?.CommandId) throw new Error(`SendCommand for ${request.documentName} returned no CommandId`);
    return Command.CommandId;
  }

  /**
   * ListCommandInvocations with `Details: true`, all pages at the largest page size (MaxResults is
   * 1-50): one call per page for the whole command instead of one GetCommandInvocation per instance.
   * GetCommandInvocation cannot serve here: for a document with more than one step it needs the step
   * name (PluginName), and the restart document has one step per platform (SSM API reference,
   * "GetCommandInvocation" and "ListCommandInvocations"). Each plugin of `CommandPlugins` is a step:
   * its Name is the step name; Output holds up to 2500 characters of its output.
   */
  async listInvocations(commandId: string): Promise<readonly CommandInvocationDetail[]> {
    const details: CommandInvocationDetail[] = [];
    for await (const page of paginateListCommandInvocations(
      { client: this.ssm, pageSize: 50 },
      { CommandId: commandId, Details: true },
    )) {
      for (const invocation of page.CommandInvocations ?? []) {
        if (!invocation.InstanceId) continue;
        details.push({
          instanceId: invocation.InstanceId,
          status: toInvocationStatus(invocation.Status),
          steps: (invocation.CommandPlugins ?? []).map((plugin) => ({
            name: plugin.Name ?? '',
            status: toInvocationStatus(plugin.Status),
            ...(plugin.Output ? { output: truncateUtf8(plugin.Output, MAX_OUTPUT_BYTES) } : {}),
          })),
        });
      }
    }
    return details;
  }
}

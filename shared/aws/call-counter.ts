/**
 * Counts the AWS calls made through a set of clients, per service and operation ("EC2:DescribeVpcs").
 * One count per command sent (a paginator's pages are separate commands; SDK retries of one command
 * are not). Used by the CLI's progress line (calls so far), the benchmark and the call-count tests;
 * the apply report's write count is the executor's own (shared/apply/executor.ts), not this one.
 */
import type { AwsClients } from './clients.js';
import { aroundEveryCommand } from './command-middleware.js';

export interface CallCounter {
  /** Calls per "Service:Operation". */
  counts(): Record<string, number>;
  total(): number;
  /** Calls whose operation does not start with Describe, List or Get. */
  writes(): number;
  reset(): void;
}

type ClientKey = Exclude<keyof AwsClients, 'region' | 'ec2Pacer'>;

const SERVICE_LABELS: Readonly<Record<ClientKey, string>> = {
  ec2: 'EC2',
  ecs: 'ECS',
  ssm: 'SSM',
  secretsManager: 'SecretsManager',
  sfn: 'SFN',
  sts: 'STS',
  dynamodb: 'DynamoDB',
  route53: 'Route53',
  resolver: 'Route53Resolver',
};

const READ_PREFIXES = ['Describe', 'List', 'Get'];

export function isReadOperation(operation: string): boolean {
  return READ_PREFIXES.some((prefix) => operation.startsWith(prefix));
}

let counterSequence = 0;

export function countCalls(clients: AwsClients): CallCounter {
  const tally = new Map<string, number>();
  const name = `ecsEndpointRemediatorCallCounter${++counterSequence}`;
  for (const key of Object.keys(SERVICE_LABELS) as ClientKey[]) {
    const service = SERVICE_LABELS[key];
    const client = clients[key];
    if (client === undefined) continue;
    aroundEveryCommand(client, name, (operation, send) => {
      const label = `${service}:${operation}`;
      tally.set(label, (tally.get(label) ?? 0) + 1);
      return send();
    });
  }
  const sum = (filter: (label: string) => boolean) =>
    [...tally].filter(([label]) => filter(label)).reduce((total, [, count]) => total + count, 0);
  return {
    counts: () => Object.fromEntries([...tally].sort(([a], [b]) => a.localeCompare(b))),
    total: () => sum(() => true),
    writes: () => sum((label) => !isReadOperation(label.slice(label.indexOf(':') + 1))),
    reset: () => tally.clear(),
  };
}

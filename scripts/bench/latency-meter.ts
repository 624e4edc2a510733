/** Summed latency per "Service:Operation" of the emulator-backed clients (calls overlap, so the sum can exceed the wall time). */
import type { AwsClients } from '../../shared/aws/clients.js';
import { aroundEveryCommand } from '../../shared/aws/command-middleware.js';
import { ms, Report } from './output.js';

export interface LatencyEntry {
  api: string;
  calls: number;
  ms: number;
}

export interface LatencyMeter {
  summary(): LatencyEntry[];
  reset(): void;
}

export function measureLatency(clients: AwsClients): LatencyMeter {
  const tally = new Map<string, { calls: number; ms: number }>();
  const services = { ec2: 'EC2', ecs: 'ECS', ssm: 'SSM' } as const;
  for (const [key, service] of Object.entries(services) as [keyof typeof services, string][]) {
    aroundEveryCommand(clients[key], 'benchLatencyMeter', async (operation, send) => {
      const started = performance.now();
      try {
        return await send();
      } finally {
        const api = `${service}:${operation}`;
        const entry = tally.get(api) ?? { calls: 0, ms: 0 };
        entry.calls++;
        entry.ms += performance.now() - started;
        tally.set(api, entry);
      }
    });
  }
  return {
    summary: () => [...tally].map(([api, e]) => ({ api, ...e })).sort((a, b) => b.ms - a.ms),
    reset: () => tally.clear(),
  };
}

export function latencyTable(
  report: Report,
  title: string,
  summary: readonly LatencyEntry[],
  top: number,
): void {
  report.line(`\n${title}`);
  report.table(
    ['API', 'calls', 'summed ms', 'ms/call'],
    summary.slice(0, top).map((e) => [e.api, e.calls, ms(e.ms), Number((e.ms / e.calls).toFixed(1))]),
  );
}

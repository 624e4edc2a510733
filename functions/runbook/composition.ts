/**
 * The runbook functions' composition root (tasks and changes share the handler file): EC2, ECS and
 * SSM clients per Region, built once per container and traced (the stack's Region at cold start,
 * the only one input validation lets through), and the Slack notifier when Slack is configured.
 */
import { createCoreClients } from '../../shared/aws/core-clients.js';
import { createRemediatorPorts } from '../../shared/app/ports.js';
import type { RunbookDeps } from '../../shared/app/runbook.js';
import type { RemediatorPorts } from '../../shared/core/ports.js';
import { logSink, slackNotifier, type Observability } from '../lambda-runtime.js';
import { coordinationTable, vpcLeasing } from '../coordination.js';
import type { RunbookEnvironment } from './environment.js';

export function composeRunbook(environment: RunbookEnvironment, observability: Observability): RunbookDeps {
  const portsByRegion = new Map<string, RemediatorPorts>();
  const portsFor = (region: string): RemediatorPorts => {
    let ports = portsByRegion.get(region);
    if (!ports) {
      const clients = createCoreClients({ region });
      for (const client of [clients.ec2, clients.ecs, clients.ssm])
        observability.tracer.captureAWSv3Client(client);
      ports = createRemediatorPorts(clients);
      portsByRegion.set(region, ports);
    }
    return ports;
  };
  portsFor(environment.region);
  const notifier = environment.slackSecretName
    ? slackNotifier(environment.slackSecretName, environment.region, observability)
    : undefined;
  const leasing = vpcLeasing(
    coordinationTable(environment.coordination, environment.region, observability),
    environment.coordination,
    observability,
  );
  return {
    portsFor,
    config: environment.config,
    defaultRegion: environment.region,
    log: logSink(observability.logger),
    ...(leasing ? { leasing } : {}),
    ...(notifier ? { post: async (message) => (await notifier.post(message)).delivered } : {}),
  };
}

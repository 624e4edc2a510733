import type { RemediatorPorts, ThrottleCounter } from '../core/ports.js';
import type { CoreClients } from '../aws/core-clients.js';
import type { Ec2Pacer } from '../aws/ec2-pacing.js';
import { Ec2WriterAdapter } from '../aws/ec2-writer.js';
import { EcsAgentControlAdapter } from '../aws/ecs-adapter.js';
import { SsmCommanderAdapter } from '../aws/ssm-adapter.js';
import { RegionStateReader } from '../aws/state-reader.js';
import { Route53WriterAdapter } from '../aws/route53-writer.js';

function throttleCounter(pacer: Ec2Pacer): ThrottleCounter {
  return { throttledRetries: () => pacer.stats().throttledRetries };
}

/** The one place SDK clients become ports: every entry point (CLI, handlers, demo, bench) calls this. */
export function createRemediatorPorts(clients: CoreClients): RemediatorPorts {
  return {
    reader: new RegionStateReader({
      ec2: clients.ec2,
      ecs: clients.ecs,
      ssm: clients.ssm,
      region: clients.region,
      ...(clients.route53 ? { route53: clients.route53 } : {}),
      ...(clients.resolver ? { resolver: clients.resolver } : {}),
    }),
    ec2: new Ec2WriterAdapter(clients.ec2),
    ...(clients.route53 ? { dns: new Route53WriterAdapter(clients.route53) } : {}),
    ssm: new SsmCommanderAdapter(clients.ssm),
    ecs: new EcsAgentControlAdapter(clients.ecs),
    ...(clients.ec2Pacer ? { throttle: throttleCounter(clients.ec2Pacer), pacing: clients.ec2Pacer } : {}),
  };
}

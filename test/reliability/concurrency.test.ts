/**
 * Concurrency and bursts. What is true, and tested as such:
 * - Production: one reconcile function with reserved concurrency 1 drains one queue (serverless.yml),
 *   so reconciles of an account and Region never overlap; a batch becomes at most one reconcile per
 *   Region. (a) On the emulator, 50 reconcile events for one drifted VPC — in one burst, and as
 *   consecutive batches the single consumer takes one after the other — leave exactly one live
 *   endpoint per service.
 * - Truly concurrent applies are safe only where EC2 honours ClientToken: (b) 50 concurrent applies
 *   of one plan against a fake EC2 that honours it (like AWS) create one endpoint per service, while
 *   the same against a fake that ignores it (as plain moto did before the project's emulator honoured it) duplicates — which is why the
 *   single consumer, not the token, is the guarantee the design relies on.
 * - (c) 1,000 events in one batch: one state read (one reconcile) for the function's Region.
 */
import { readFileSync } from 'node:fs';
import { DescribeVpcEndpointsCommand } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { createRemediatorPorts } from '../../shared/app/ports.js';
import { reconcileBatch, type QueueRecord, type ReconcileDeps } from '../../shared/app/reconcile-batch.js';
import { planRegion } from '../../shared/app/remediator.js';
import { applyPlan } from '../../shared/apply/executor.js';
import { createAwsClients, type AwsClients } from '../../shared/aws/clients.js';
import { Ec2WriterAdapter } from '../../shared/aws/ec2-writer.js';
import { EcsAgentControlAdapter } from '../../shared/aws/ecs-adapter.js';
import { SsmCommanderAdapter } from '../../shared/aws/ssm-adapter.js';
import type { RemediatorPorts } from '../../shared/core/ports.js';
import { resetEmulator } from '../support/emulator.js';
import { concurrentApplyCase, concurrentEc2Fake as fakeEc2 } from '../support/concurrent-ec2-fake.js';
import { healthyVpc, locateIn, region } from '../support/fixtures.js';
import { randomVpcSpec, seedRandomVpc } from '../support/random-vpc.js';
import { publishRestartDocument } from '../../scripts/seed/builders.js';
import { EMULATOR_APPLY_CONFIG } from '../support/emulator-config.js';

const EVENTS = new URL('../../events/', import.meta.url);
const config = EMULATOR_APPLY_CONFIG;
const quiet = { info: () => undefined, warn: () => undefined, error: () => undefined };

function sample(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(name, EVENTS), 'utf8')) as Record<string, unknown>;
}

/** A ModifyVpcAttribute event naming `vpcId`, with its own event id. */
function eventFor(vpcId: string, n: number, regionName = 'us-east-1'): QueueRecord {
  const event = structuredClone(sample('ec2-modify-vpc-attribute.json')) as {
    id: string;
    region: string;
    detail: { eventID: string; awsRegion: string; requestParameters: Record<string, unknown> };
  };
  event.id = `burst-${n}`;
  event.region = regionName;
  event.detail.awsRegion = regionName;
  event.detail.eventID = `ct-burst-${n}`;
  event.detail.requestParameters.vpcId = vpcId;
  return { messageId: `m-${n}`, body: JSON.stringify(event) };
}

async function liveByService(clients: AwsClients, vpcId: string): Promise<Record<string, number>> {
  const { VpcEndpoints = [] } = await clients.ec2.send(
    new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }),
  );
  const counts: Record<string, number> = {};
  for (const e of VpcEndpoints) {
    if (['deleted', 'deleting'].includes(String(e.State).toLowerCase())) continue;
    const service = String(e.ServiceName).replace(/^com\.amazonaws\.[a-z0-9-]+\./, '');
    counts[service] = (counts[service] ?? 0) + 1;
  }
  return counts;
}

function emulatorDeps(clients: AwsClients, reads: { n: number }): ReconcileDeps {
  const ports = createRemediatorPorts(clients);
  return {
    ports: {
      ...ports,
      reader: {
        readRegion: (options) => {
          reads.n++;
          return ports.reader.readRegion(options);
        },
        locate: (refs) => ports.reader.locate(refs),
      },
    },
    config,
    region: 'us-east-1',
    selfRoleArns: [],
    log: quiet,
    metrics: { count: () => undefined },
  };
}

describe('(a) the single consumer on the emulator: 50 reconciles of one drifted VPC', () => {
  it('one burst of 50 events is one reconcile, and leaves exactly one live endpoint per service', async () => {
    const endpointUrl = await resetEmulator();
    const clients = createAwsClients({ region: 'us-east-1', endpointUrl });
    const { vpcId } = await seedRandomVpc(clients, randomVpcSpec(303));
    // As a deployment does: the document the agent restarts run.
    await publishRestartDocument(clients.ssm, config.restartDocumentName);
    const reads = { n: 0 };
    const result = await reconcileBatch(
      emulatorDeps(clients, reads),
      Array.from({ length: 50 }, (_, i) => eventFor(vpcId, i)),
    );
    expect(reads.n).toBe(1);
    expect(result.reports).toHaveLength(1);
    const failed = (result.reports[0]?.outcomes ?? []).filter((o) => o.status === 'failed');
    expect({ converged: result.reports[0]?.converged, failed }).toEqual({ converged: true, failed: [] });
    expect(result.reports[0]?.writeCalls).toBeGreaterThan(0);
    const live = await liveByService(clients, vpcId);
    expect(Object.keys(live).length).toBeGreaterThan(2);
    expect(Object.entries(live).filter(([, n]) => n !== 1)).toEqual([]);
  });

  it('50 events as ten consecutive batches (how the one consumer takes them): the first repairs, the rest write nothing', async () => {
    const endpointUrl = await resetEmulator();
    const clients = createAwsClients({ region: 'us-east-1', endpointUrl });
    const { vpcId } = await seedRandomVpc(clients, randomVpcSpec(606));
    await publishRestartDocument(clients.ssm, config.restartDocumentName);
    const before = await planRegion({ ports: createRemediatorPorts(clients), config }, { vpcIds: [vpcId] });
    const creates = before.vpcs[0]?.actions.filter((a) => a.kind === 'CreateVpcEndpoint').length ?? 0;
    expect(creates).toBeGreaterThan(0);
    const writes: number[] = [];
    for (let batch = 0; batch < 10; batch++) {
      const reads = { n: 0 };
      const result = await reconcileBatch(
        emulatorDeps(clients, reads),
        Array.from({ length: 5 }, (_, i) => eventFor(vpcId, batch * 5 + i)),
      );
      expect(reads.n).toBe(1);
      expect(result.batchItemFailures).toEqual([]);
      writes.push(result.reports[0]?.writeCalls ?? -1);
    }
    expect(writes[0]).toBeGreaterThanOrEqual(creates);
    expect(writes.slice(1)).toEqual(Array.from({ length: 9 }, () => 0));
    const live = await liveByService(clients, vpcId);
    expect(Object.entries(live).filter(([, n]) => n !== 1)).toEqual([]);
  });
});

describe('(b) 50 truly concurrent applies of one plan', () => {
  // Three ECS endpoints and logs missing; agents not SSM-managed, so the plan holds no restart.
  const { vpc, plan: p } = concurrentApplyCase(config);
  const creates = p.vpcs[0]?.actions.filter((a) => a.kind === 'CreateVpcEndpoint') ?? [];

  async function fifty(honourToken: boolean) {
    const ec2 = fakeEc2(vpc, honourToken, config.endpointSecurityGroupName);
    const ports: Pick<RemediatorPorts, 'ec2' | 'ssm' | 'ecs'> = {
      ec2: new Ec2WriterAdapter(ec2.client),
      ssm: new SsmCommanderAdapter(new SSMClient({ region: 'us-east-1' })),
      ecs: new EcsAgentControlAdapter(new ECSClient({ region: 'us-east-1' })),
    };
    const reports = await Promise.all(Array.from({ length: 50 }, () => applyPlan(p, { ports, config })));
    const perService = new Map<string, Set<string>>();
    for (const e of ec2.created) {
      const ids = perService.get(e.ServiceName ?? '') ?? new Set<string>();
      ids.add(e.VpcEndpointId ?? '');
      perService.set(e.ServiceName ?? '', ids);
    }
    return { reports, perService };
  }

  it('where EC2 honours ClientToken (AWS): one endpoint per service, because all 50 send the same token', async () => {
    expect(creates.map((a) => ('service' in a ? a.service : ''))).toEqual([
      'ecs-agent',
      'ecs-telemetry',
      'ecs',
      'logs',
    ]);
    const { reports, perService } = await fifty(true);
    expect(reports.map((r) => r.converged)).toEqual(reports.map(() => true));
    expect([...perService.values()].map((ids) => ids.size)).toEqual([1, 1, 1, 1]);
  });

  it('where an EC2 ignored ClientToken (a fake): concurrent applies duplicate — the single consumer is the guarantee', async () => {
    const { perService } = await fifty(false);
    // The most endpoints any one service got: more than one is the duplicate.
    expect(Math.max(0, ...[...perService.values()].map((ids) => ids.size))).toBeGreaterThan(1);
  });
});

describe('(c) a burst of 1,000 events', () => {
  it('is one reconcile (one state read) for the function’s Region, whatever the mix', async () => {
    let reads = 0;
    const refuse = (): never => {
      throw new Error('write attempted');
    };
    const deps: ReconcileDeps = {
      ports: {
        reader: {
          readRegion: async () => {
            reads++;
            return region([healthyVpc(1)]);
          },
          locate: async (refs) => locateIn(region([healthyVpc(1)]), refs),
        },
        ec2: {
          enableVpcDnsAttribute: refuse,
          findDedicatedSecurityGroup: refuse,
          createSecurityGroup: refuse,
          authorizeHttpsIngress: refuse,
          createVpcEndpoint: refuse,
          modifyVpcEndpoint: refuse,
          describeVpcEndpoints: refuse,
        },
        ssm: { sendCommand: refuse, listInvocations: refuse },
        ecs: { describeContainerInstances: refuse, updateContainerAgent: refuse },
      },
      config,
      region: 'us-east-1',
      selfRoleArns: [],
      log: quiet,
      metrics: { count: () => undefined },
    };
    const kinds = [
      (n: number) => eventFor('vpc-0a1b2c3d4e5f60718', n),
      (n: number) => eventFor('vpc-0a1b2c3d4e5f60718', n, 'eu-west-1'),
      (n: number) => eventFor('vpc-0a1b2c3d4e5f60718', n % 7), // duplicates
      (n: number): QueueRecord => ({ messageId: `m-${n}`, body: '{not json' }),
      (n: number): QueueRecord => ({
        messageId: `m-${n}`,
        body: JSON.stringify(sample('sweep-request.json')),
      }),
    ];
    const records = Array.from({ length: 1000 }, (_, n) =>
      (kinds[n % kinds.length] as (n: number) => QueueRecord)(n),
    );
    const result = await reconcileBatch(deps, records);
    expect(reads).toBe(1);
    expect(result.reports).toHaveLength(1);
    expect(result.batchItemFailures).toEqual([]);
    expect(result.rejected).toBe(200);
  });
});

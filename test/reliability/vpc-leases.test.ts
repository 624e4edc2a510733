/**
 * One writer per VPC (issue 12, item 5): every writer takes the VPC's lease in the coordination table
 * before writing, so two writers on one VPC never both write.
 * - (a) 50 truly concurrent applies of one plan, through the lease on the emulator's DynamoDB, against
 *   an EC2 that ignores ClientToken (the case the token cannot save): one endpoint per service, one
 *   writer wrote, 49 yielded and say who holds the VPC.
 * - (b) Two reconciles of one drifted VPC on the emulator at once (the event path and the runbook):
 *   one repairs, the other writes nothing and names the first; the VPC ends with one endpoint per
 *   service.
 * - (c) A crashed writer's lease expires and the next writer repairs.
 */
import { DescribeVpcEndpointsCommand } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SSMClient } from '@aws-sdk/client-ssm';
import { createRemediatorPorts } from '../../shared/app/ports.js';
import { applyRegionPlan, planRegion, reconcileRegion } from '../../shared/app/remediator.js';
import { type VpcLeasing, type LeaseEvent } from '../../shared/app/vpc-leases.js';
import { applyPlan } from '../../shared/apply/executor.js';
import { DynamoDbVpcLeaseStore } from '../../shared/aws/coordination-table.js';
import { createAwsClients } from '../../shared/aws/clients.js';
import { Ec2WriterAdapter } from '../../shared/aws/ec2-writer.js';
import { EcsAgentControlAdapter } from '../../shared/aws/ecs-adapter.js';
import { SsmCommanderAdapter } from '../../shared/aws/ssm-adapter.js';
import type { ApplyReport } from '../../shared/core/domain.js';
import { publishRestartDocument } from '../../scripts/seed/builders.js';
import { concurrentApplyCase, concurrentEc2Fake } from '../support/concurrent-ec2-fake.js';
import { createCoordinationTable } from '../support/coordination-table.js';
import { resetEmulator } from '../support/emulator.js';
import { locateIn } from '../support/fixtures.js';
import { randomVpcSpec, seedRandomVpc } from '../support/random-vpc.js';
import { EMULATOR_APPLY_CONFIG } from '../support/emulator-config.js';

const config = EMULATOR_APPLY_CONFIG;

function leasing(store: DynamoDbVpcLeaseStore, owner: string, events: LeaseEvent[] = []): VpcLeasing {
  return { store, owner, durationMs: 120_000, onEvent: (e) => events.push(e) };
}

const statuses = (r: ApplyReport) => r.outcomes.map((o) => o.status);

describe('(a) 50 concurrent applies through the lease, against an EC2 that ignores ClientToken', () => {
  const { vpc, observed, plan: p } = concurrentApplyCase(config);

  it('one writer writes, one endpoint per service; the 49 others yield and name it', async () => {
    const table = await createCoordinationTable(await resetEmulator());
    const store = new DynamoDbVpcLeaseStore(table);
    const ec2 = concurrentEc2Fake(vpc, false, config.endpointSecurityGroupName);
    const ports = {
      reader: {
        readRegion: async () => observed,
        locate: async (refs: Parameters<typeof locateIn>[1]) => locateIn(observed, refs),
      },
      ec2: new Ec2WriterAdapter(ec2.client),
      ssm: new SsmCommanderAdapter(new SSMClient({ region: 'us-east-1' })),
      ecs: new EcsAgentControlAdapter(new ECSClient({ region: 'us-east-1' })),
    };
    const reports = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        applyRegionPlan({ ports, config, leasing: leasing(store, `writer-${i}`) }, p),
      ),
    );
    const wrote = reports.filter((r) => r.writeCalls > 0);
    const yielded = reports.filter((r) => r.outcomes.every((o) => o.status === 'skipped'));
    const perService = new Map<string, number>();
    for (const e of ec2.created)
      perService.set(e.ServiceName ?? '', (perService.get(e.ServiceName ?? '') ?? 0) + 1);
    expect({
      wrote: wrote.length,
      wroteConverged: wrote[0]?.converged,
      yielded: yielded.length,
      perService: [...perService.values()],
    }).toEqual({ wrote: 1, wroteConverged: true, yielded: 49, perService: [1, 1, 1, 1] });
    const why = yielded[0]?.outcomes[0]?.status === 'skipped' ? yielded[0].outcomes[0].why : '';
    expect(why).toMatch(/^not applied: another writer \(writer-\d+\) holds this VPC's lease until \d{4}-/);
    // The same plan without the lease duplicates (test/reliability/concurrency.test.ts (b)): the
    // lease, not the token, is what makes this safe.
    const unleased = concurrentEc2Fake(vpc, false, config.endpointSecurityGroupName);
    await Promise.all(
      Array.from({ length: 5 }, () =>
        applyPlan(p, { ports: { ...ports, ec2: new Ec2WriterAdapter(unleased.client) }, config }),
      ),
    );
    expect(unleased.created.length).toBeGreaterThan(4);
  });
});

describe('(b) two writers on one drifted VPC on the emulator', () => {
  it('the event path and the runbook at once: one repairs, the other yields and says who holds it', async () => {
    const endpointUrl = await resetEmulator();
    const clients = createAwsClients({ region: 'us-east-1', endpointUrl });
    const { vpcId } = await seedRandomVpc(clients, randomVpcSpec(303));
    await publishRestartDocument(clients.ssm, config.restartDocumentName);
    const table = await createCoordinationTable(endpointUrl);
    const store = new DynamoDbVpcLeaseStore(table);
    const events: LeaseEvent[] = [];
    const ports = createRemediatorPorts(clients);
    const [eventPath, runbook] = await Promise.all([
      reconcileRegion(
        { ports, config, leasing: leasing(store, 'reconcile:req-1', events) },
        { vpcIds: [vpcId] },
      ),
      reconcileRegion(
        { ports, config, leasing: leasing(store, 'runbook:exec-1', events) },
        { vpcIds: [vpcId] },
      ),
    ]);
    const [winner, loser] = eventPath.writeCalls > 0 ? [eventPath, runbook] : [runbook, eventPath];
    const winnerName = winner === eventPath ? 'reconcile:req-1' : 'runbook:exec-1';
    expect({
      winnerConverged: winner.converged,
      winnerFailed: winner.outcomes.filter((o) => o.status === 'failed'),
      loserWrites: loser.writeCalls,
      loserStatuses: [...new Set(statuses(loser))],
      loserConverged: loser.converged,
      events: events.map((e) =>
        e.kind === 'yielded' ? { kind: e.kind, vpcId: e.vpcId, holder: e.holder } : e,
      ),
    }).toEqual({
      winnerConverged: true,
      winnerFailed: [],
      loserWrites: 0,
      loserStatuses: ['skipped'],
      loserConverged: false,
      events: [{ kind: 'yielded', vpcId, holder: winnerName }],
    });
    const { VpcEndpoints = [] } = await clients.ec2.send(
      new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }),
    );
    const live = VpcEndpoints.filter((e) => !['deleted', 'deleting'].includes(String(e.State).toLowerCase()));
    const services = live.map((e) => e.ServiceName);
    expect(services.length).toBeGreaterThan(2);
    expect(services.filter((s, i) => services.indexOf(s) !== i)).toEqual([]);
    // The winner released its lease: the loser's retry now plans nothing left to do and writes nothing.
    const again = await planRegion({ ports, config }, { vpcIds: [vpcId] });
    expect(again.vpcs[0]?.actions.filter((a) => a.apply && a.kind === 'CreateVpcEndpoint')).toEqual([]);
  });

  it("(c) a crashed writer's lease expires: the next writer then repairs", async () => {
    const endpointUrl = await resetEmulator();
    const clients = createAwsClients({ region: 'us-east-1', endpointUrl });
    const { vpcId } = await seedRandomVpc(clients, randomVpcSpec(606));
    await publishRestartDocument(clients.ssm, config.restartDocumentName);
    const store = new DynamoDbVpcLeaseStore(await createCoordinationTable(endpointUrl));
    const now = Date.now();
    // A writer took the lease a minute ago for 30 s and died without releasing it.
    await store.acquire(vpcId, 'crashed-writer', now - 60_000, 30_000);
    const ports = createRemediatorPorts(clients);
    const report = await reconcileRegion(
      { ports, config, leasing: leasing(store, 'reconcile:req-2') },
      { vpcIds: [vpcId] },
    );
    expect({ converged: report.converged, wrote: report.writeCalls > 0 }).toEqual({
      converged: true,
      wrote: true,
    });
    // And released afterwards: a third writer gets it at once.
    expect((await store.acquire(vpcId, 'third', Date.now(), 30_000)).kind).toBe('acquired');
  });

  it('an audit VPC never touches the lease table', async () => {
    const endpointUrl = await resetEmulator();
    const clients = createAwsClients({ region: 'us-east-1', endpointUrl });
    const { vpcId } = await seedRandomVpc(clients, randomVpcSpec(303, 'audit'));
    const calls: string[] = [];
    const recording = {
      acquire: async () => {
        calls.push('acquire');
        return { kind: 'acquired' as const, untilMs: 0 };
      },
      renew: async () => true,
      release: async () => void calls.push('release'),
    };
    const report = await reconcileRegion(
      {
        ports: createRemediatorPorts(clients),
        config,
        leasing: { store: recording, owner: 'x', durationMs: 60_000 },
      },
      { vpcIds: [vpcId] },
    );
    expect({ calls, writes: report.writeCalls }).toEqual({ calls: [], writes: 0 });
  });
});

/**
 * VPCs applied side by side (shared/apply/executor.ts, MAX_PARALLEL_VPCS), on the emulator with
 * endpoints pending for a second before they are available. The EC2 port is the real adapter
 * wrapped in a recorder (every create, and every endpoint seen available, in order). What must hold:
 * - at most maxParallelVpcs VPCs are in progress at once, and with 2 allowed, two VPCs interleave;
 * - inside each VPC, ecs-agent → ecs-telemetry → ecs are created in that order, each only after the
 *   previous one was seen available (the AWS page's order);
 * - outcomes come back in the plan's VPC order; the run converges, no duplicate endpoint.
 */
import { createRemediatorPorts } from '../../shared/app/ports.js';
import { applyRegionPlan, planRegion, type RemediatorDeps } from '../../shared/app/remediator.js';
import { createAwsClients } from '../../shared/aws/clients.js';
import { defaultConfig } from '../../shared/core/config.js';
import type { Ec2Writer } from '../../shared/core/ports.js';
import { seedBenchAccount } from '../../scripts/seed/bench-account.js';
import { setEc2 } from '../emulator/ec2-control.js';
import { resetEmulator } from '../support/emulator.js';

const REGION = 'us-east-1';
const TRIO = ['ecs-agent', 'ecs-telemetry', 'ecs'] as const;

interface Event {
  readonly seq: number;
  readonly vpcId: string;
  readonly kind: 'create' | 'created' | 'available' | 'call';
  readonly service?: string;
  readonly endpointId?: string;
}

/** The adapter, every call recorded in the order it happened. */
function recorded(ec2: Ec2Writer, events: Event[]): Ec2Writer {
  let seq = 0;
  const log = (e: Omit<Event, 'seq'>) => events.push({ seq: seq++, ...e });
  const short = (serviceName: string) => serviceName.replace(`com.amazonaws.${REGION}.`, '');
  return {
    enableVpcDnsAttribute: async (vpcId, attribute) => {
      log({ vpcId, kind: 'call' });
      return ec2.enableVpcDnsAttribute(vpcId, attribute);
    },
    findDedicatedSecurityGroup: (vpcId, name) => ec2.findDedicatedSecurityGroup(vpcId, name),
    createSecurityGroup: async (vpcId, ...rest) => {
      log({ vpcId, kind: 'call' });
      return ec2.createSecurityGroup(vpcId, ...rest);
    },
    authorizeHttpsIngress: (groupId, cidrs, description) =>
      ec2.authorizeHttpsIngress(groupId, cidrs, description),
    createVpcEndpoint: async (request) => {
      const service = short(request.serviceName);
      log({ vpcId: request.vpcId, kind: 'create', service });
      const endpointId = await ec2.createVpcEndpoint(request);
      log({ vpcId: request.vpcId, kind: 'created', service, endpointId });
      return endpointId;
    },
    modifyVpcEndpoint: (request) => ec2.modifyVpcEndpoint(request),
    describeVpcEndpoints: async (vpcId, ids) => {
      const endpoints = await ec2.describeVpcEndpoints(vpcId, ids);
      for (const e of endpoints)
        if (e.state === 'available') log({ vpcId, kind: 'available', endpointId: e.endpointId });
      return endpoints;
    },
  };
}

/** The most VPCs whose first and last recorded event overlap at any point. */
function mostAtOnce(events: readonly Event[]): number {
  const spans = new Map<string, [number, number]>();
  for (const e of events) {
    const span = spans.get(e.vpcId);
    spans.set(e.vpcId, span ? [span[0], e.seq] : [e.seq, e.seq]);
  }
  return Math.max(
    ...events.map((e) => [...spans.values()].filter(([from, to]) => from <= e.seq && e.seq <= to).length),
  );
}

describe('VPCs in parallel, each VPC’s ECS trio in order', () => {
  it('3 drifted VPCs, at most 2 at once: they interleave, each trio ordered and available before the next, converges', async () => {
    const endpoint = await resetEmulator();
    const clients = createAwsClients({ region: REGION, endpointUrl: endpoint });
    const { vpcIds } = await seedBenchAccount(clients, { vpcCount: 3, mode: 'enforce' });
    await setEc2(endpoint, { endpointPendingSeconds: 1 });
    const events: Event[] = [];
    const ports = createRemediatorPorts(clients);
    const deps: RemediatorDeps = {
      ports: { ...ports, ec2: recorded(ports.ec2, events) },
      config: { ...defaultConfig, updateOldAgents: false, maxChanges: 1000, maxParallelVpcs: 2 },
    };
    const plan = await planRegion(deps);
    const started = Date.now();
    const report = await applyRegionPlan(deps, plan);
    const elapsed = Date.now() - started;

    const creates = events.filter((e) => e.kind === 'create');
    const order = creates.map((e) => `${vpcIds.indexOf(e.vpcId)}:${e.service}`);
    console.log(
      `parallel apply, 3 VPCs, maxParallelVpcs 2, endpoints pending 1 s: ${elapsed} ms, ` +
        `${creates.length} creates, at most ${mostAtOnce(events)} VPCs at once; create order ${order.join(' ')}`,
    );

    expect(mostAtOnce(events)).toBe(2);
    // Interleaved: some VPC creates an endpoint between two creates of another VPC.
    const interleaved = creates.some((e, i) => {
      const next = creates.slice(i + 1);
      const other = next.findIndex((n) => n.vpcId !== e.vpcId);
      return other >= 0 && next.slice(other + 1).some((n) => n.vpcId === e.vpcId);
    });
    expect(interleaved).toBe(true);

    for (const vpcId of vpcIds) {
      const mine = events.filter((e) => e.vpcId === vpcId);
      const createdAt = (service: string) => mine.find((e) => e.kind === 'create' && e.service === service);
      const trio = TRIO.map((service) => createdAt(service));
      expect({ vpcId, trio: trio.map((e) => e?.service) }).toEqual({ vpcId, trio: [...TRIO] });
      for (let i = 1; i < TRIO.length; i++) {
        const previousId = mine.find((e) => e.kind === 'created' && e.service === TRIO[i - 1])?.endpointId;
        const seenAvailable = mine.find((e) => e.kind === 'available' && e.endpointId === previousId);
        const next = trio[i]!;
        expect({
          vpcId,
          service: next.service,
          previousAvailableFirst: (seenAvailable?.seq ?? Infinity) < next.seq,
        }).toEqual({ vpcId, service: next.service, previousAvailableFirst: true });
      }
    }

    // Outcomes in the plan's VPC order, whatever order the VPCs finished in.
    const vpcOrder = [...new Set(report.outcomes.map((o) => o.vpcId))];
    expect(vpcOrder).toEqual(plan.vpcs.filter((v) => v.actions.length > 0).map((v) => v.vpcId));
    expect(report.outcomes.filter((o) => o.status === 'failed')).toEqual([]);
    expect(report.converged).toBe(true);
    const again = await planRegion(deps);
    expect(again.vpcs.flatMap((v) => v.actions.filter((a) => a.apply).map((a) => a.id))).toEqual([]);
  }, 120000);

  it('the change cap is one for the whole run: 3 VPCs at once stop together at 7 writes', async () => {
    const endpoint = await resetEmulator();
    const clients = createAwsClients({ region: REGION, endpointUrl: endpoint });
    await seedBenchAccount(clients, { vpcCount: 3, mode: 'enforce' });
    const deps: RemediatorDeps = {
      ports: createRemediatorPorts(clients),
      config: { ...defaultConfig, updateOldAgents: false, maxChanges: 7, maxParallelVpcs: 3 },
    };
    const report = await applyRegionPlan(deps, await planRegion(deps));
    const applied = report.outcomes.filter((o) => o.status === 'applied');
    const capped = report.outcomes.filter((o) => o.status === 'skipped' && /change cap/.test(o.why));
    console.log(
      `parallel apply under the change cap (7): ${report.writeCalls} writes, ${applied.length} applied, ` +
        `${capped.length} skipped for the cap, in ${new Set(capped.map((o) => o.vpcId)).size} VPCs`,
    );
    expect(report.writeCalls).toBe(7);
    expect(applied.length).toBeLessThanOrEqual(7);
    expect(report.stoppedAtMaxChanges).toBe(true);
    expect(report.converged).toBe(false);
    expect(new Set(capped.map((o) => o.vpcId)).size).toBe(3);
    expect(report.outcomes.filter((o) => o.status === 'failed')).toEqual([]);
  }, 120000);
});

/**
 * Fault injection, continued (see fault-injection.test.ts for the EC2 calls of apply and what every
 * case must show): the SSM and ECS calls of the agent update and restart, and every read the state
 * reader makes at the start of a reconcile.
 *
 * For the reads the VPC is converged first, so a reconcile only reads and plans: a retried read must
 * give exactly the state a clean read gives; a read that fails for good must fail the reconcile
 * (its records go back to the queue, nothing is written) — except SSM's inventory, whose loss only
 * degrades the plan (a warning; no agent restart) by design.
 */
import { createAwsClients } from '../../shared/aws/clients.js';
import { reconcileBatch } from '../../shared/app/reconcile-batch.js';
import type { ObservedRegion } from '../../shared/core/domain.js';
import { resetEmulator } from '../support/emulator.js';
import {
  FAULT_KINDS,
  RETRYABLE,
  faultErrorName,
  type FaultKind,
  type ServiceLabel,
} from '../support/fault-injection.js';
import {
  APPLY_CALLS,
  REGION,
  allCases,
  applyCase,
  clientsWith,
  createRestartDocument,
  deps,
  eventFor,
  seedFaultVpc,
  snapshot,
  table,
  type Captured,
  type FaultVpc,
} from '../support/fault-scenario.js';

afterAll(() => console.log(`fault-injection outcomes (agents, reads):\n${table.join('\n')}`));

describe('faults in apply, SSM and ECS calls: five faults per call, side by side on five drifted VPCs', () => {
  it.each(APPLY_CALLS.filter((c) => c.service !== 'EC2'))('$service:$operation', async (op) => {
    const endpointUrl = await resetEmulator();
    const clients = createAwsClients({ region: REGION, endpointUrl });
    await createRestartDocument(clients);
    const vpcs = await Promise.all(FAULT_KINDS.map((_, i) => seedFaultVpc(clients, i)));
    await allCases(
      FAULT_KINDS.map((fault, i) => () => applyCase(endpointUrl, vpcs[i] as FaultVpc, op, fault)),
    );
  });
});

interface ReadCall {
  service: ServiceLabel;
  operation: string;
  /** Losing this read degrades the plan instead of failing the reconcile. */
  degrades?: string;
}

/** Every call RegionStateReader.readRegion makes (checked against a call count below). */
const READ_CALLS: readonly ReadCall[] = [
  ...[
    'DescribeVpcs',
    'DescribeSubnets',
    'DescribeRouteTables',
    'DescribeNetworkAcls',
    'DescribeSecurityGroups',
    'DescribeVpcEndpoints',
    'DescribeVpcEndpointServices',
    'DescribeInstances',
    'DescribeDhcpOptions',
    'DescribeVpcAttribute',
  ].map((operation) => ({ service: 'EC2' as const, operation })),
  ...[
    'ListClusters',
    'ListContainerInstances',
    'DescribeContainerInstances',
    'ListServices',
    'DescribeServices',
    'DescribeTaskDefinition',
  ].map((operation) => ({ service: 'ECS' as const, operation })),
  {
    service: 'SSM',
    operation: 'DescribeInstanceInformation',
    degrades: 'SSM status unknown: a plan warning, no agent restart',
  },
];

describe('faults in the state reader (a converged VPC: the reconcile only reads)', () => {
  let endpointUrl: string;
  let vpc: FaultVpc;
  let baseline: string;
  let sequence = 0;

  const vpcState = (observed: ObservedRegion | undefined) =>
    JSON.stringify([observed?.vpcs.filter((v) => v.vpcId === vpc.vpcId), observed?.endpointServices]);

  beforeAll(async () => {
    endpointUrl = await resetEmulator();
    const { clients, injector } = clientsWith(endpointUrl);
    await createRestartDocument(clients);
    vpc = await seedFaultVpc(clients, 0, true);
    const first = await reconcileBatch(deps(clients, [], undefined, { updateOldAgents: false }), [
      eventFor(vpc.vpcId, 0),
    ]);
    expect(first.reports[0]?.converged).toBe(true);
    let observed: ObservedRegion | undefined;
    injector.resetCounts();
    await reconcileBatch(
      deps(clients, [], (o) => (observed = o), { updateOldAgents: false }),
      [eventFor(vpc.vpcId, 0)],
    );
    baseline = vpcState(observed);
    // The table names every read the reader makes, and only those (plus apply's nothing-to-do).
    const reads = [...injector.calls.keys()].sort();
    expect(reads).toEqual(READ_CALLS.map((c) => `${c.service}:${c.operation}`).sort());
  });

  async function readCase(op: ReadCall, fault: FaultKind): Promise<void> {
    const label = `${op.service}:${op.operation} ${fault}`;
    const name = faultErrorName(op.service, op.operation, fault);
    const retryable = RETRYABLE.has(fault);
    const { clients, injector } = clientsWith(endpointUrl);
    const clean = clientsWith(endpointUrl).clients;
    injector.set([{ ...op, fault, times: retryable ? 2 : fault === 'accessDenied' ? Infinity : 1 }]);
    const before = await snapshot(clean, vpc.vpcId);
    const lines: Captured[] = [];
    let observed: ObservedRegion | undefined;
    const record = eventFor(vpc.vpcId, ++sequence);
    const result = await reconcileBatch(
      deps(clients, lines, (o) => (observed = o), { updateOldAgents: false }),
      [record],
    );
    injector.disarm();
    const after = await snapshot(clean, vpc.vpcId);
    expect({ label, injected: injector.injectedInto(op.service, op.operation) > 0 }).toEqual({
      label,
      injected: true,
    });
    // Nothing is written by a reconcile of a converged VPC, faults or not.
    expect({ label, after: [...after.endpoints, ...after.groups, after.dns] }).toEqual({
      label,
      after: [...before.endpoints, ...before.groups, before.dns],
    });
    const extra = injector.attemptsOf(op.service, op.operation) - injector.callsOf(op.service, op.operation);
    let held: string;
    if (retryable) {
      expect({ label, extra, failures: result.batchItemFailures }).toEqual({ label, extra: 2, failures: [] });
      // The retried read saw exactly what a clean read sees.
      expect({ label, same: vpcState(observed) === baseline }).toEqual({ label, same: true });
      held = 'retried ×2 by the SDK; the state read equals a clean read';
    } else if (op.degrades) {
      expect({ label, extra, failures: result.batchItemFailures }).toEqual({ label, extra: 0, failures: [] });
      expect({ label, warned: result.reports[0]?.plan.warnings.some((w) => w.includes(name)) }).toEqual({
        label,
        warned: true,
      });
      held = `not retried; degraded: ${op.degrades} (warning names ${name})`;
    } else {
      expect({ label, extra, failures: result.batchItemFailures }).toEqual({
        label,
        extra: 0,
        failures: [{ itemIdentifier: record.messageId }],
      });
      const logged = lines.some((l) => l.level === 'error' && JSON.stringify(l.extra).includes(name));
      expect({ label, logged }).toEqual({ label, logged: true });
      held = `not retried; reconcile failed naming ${name}, its record returned to the queue, nothing written`;
    }
    table.push(`| ${op.service}:${op.operation} (read) | ${fault} (${name}) | ${held} |`);
  }

  it.each(FAULT_KINDS)('%s on each of the reader’s calls', async (fault) => {
    await allCases(READ_CALLS.map((op) => () => readCase(op, fault)));
  });
});

/**
 * Fault injection on emulator-backed clients with the SDK's own retries (`maxAttempts: 3`), table-
 * driven: every EC2 call apply makes (writes and the re-reads before them) × throttling, HTTP 500, a
 * timeout, AccessDenied and not-found. The SSM/ECS calls and the state reader's reads are in
 * fault-injection-agents-and-reads.test.ts (split only to keep each file's runtime modest).
 *
 * What must hold for each case (test/support/fault-scenario.ts `applyCase`):
 * - throttling / 500 / timeout (failing the first two attempts) are retried by the SDK, and the run
 *   converges as if nothing had happened;
 * - AccessDenied (every attempt) and not-found (once) are not retried (one attempt per call) and
 *   surface as a `failed` outcome naming the error (or, where the adapter documents the error as
 *   benign, are absorbed);
 * - nothing changes beyond what the plan names, and never a second endpoint for a service;
 * - a run without faults afterwards converges, and a plan after it has nothing left to do.
 */
import { createAwsClients } from '../../shared/aws/clients.js';
import { resetEmulator } from '../support/emulator.js';
import { FAULT_KINDS } from '../support/fault-injection.js';
import {
  APPLY_CALLS,
  REGION,
  allCases,
  applyCase,
  createRestartDocument,
  seedFaultVpc,
  table,
  type FaultVpc,
} from '../support/fault-scenario.js';

describe('faults in apply, EC2 calls: five faults per call, side by side on five drifted VPCs', () => {
  afterAll(() => console.log(`fault-injection outcomes (EC2):\n${table.join('\n')}`));

  it.each(APPLY_CALLS.filter((c) => c.service === 'EC2'))('$service:$operation', async (op) => {
    const endpointUrl = await resetEmulator();
    const clients = createAwsClients({ region: REGION, endpointUrl });
    await createRestartDocument(clients);
    const vpcs = await Promise.all(FAULT_KINDS.map((_, i) => seedFaultVpc(clients, i)));
    await allCases(
      FAULT_KINDS.map((fault, i) => () => applyCase(endpointUrl, vpcs[i] as FaultVpc, op, fault)),
    );
  });
});

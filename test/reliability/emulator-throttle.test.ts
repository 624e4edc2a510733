/**
 * Apply under EC2's own throttling: the emulator's token buckets (emulator/ec2_throttle.py, the
 * sizes of "Request throttling for the Amazon EC2 API") switched on through `/_emulator/ec2`, with
 * the SDK's real retries (3 attempts, adaptive) — no fixed "fail twice" injection. The EC2 client is
 * unpaced (`ec2Pacing: 'off'`): this is the SDK alone, with nothing pacing or re-sending throttled
 * requests; test/reliability/throttle-storm.test.ts has the paced runs.
 *
 * Run 1, emulator clock frozen (no refill): the account's CreateVpcEndpoint bucket (4 tokens) is all
 * the run gets. What must hold: the writes the buckets allow are applied, every failure names
 * RequestLimitExceeded, never two live endpoints for one service in a VPC.
 * Run 2, buckets refilling (AWS's rates ×100, clock running): the next run converges and a plan
 * after it has nothing left; still one endpoint per service.
 */
import { DescribeVpcEndpointsCommand, type VpcEndpoint } from '@aws-sdk/client-ec2';
import { createRemediatorPorts } from '../../shared/app/ports.js';
import { applyRegionPlan, planRegion, type RemediatorDeps } from '../../shared/app/remediator.js';
import { createAwsClients, type AwsClients } from '../../shared/aws/clients.js';
import { defaultConfig } from '../../shared/core/config.js';
import type { Plan } from '../../shared/core/domain.js';
import { seedBenchAccount } from '../../scripts/seed/bench-account.js';
import { control, freezeClock, setEc2 } from '../emulator/ec2-control.js';
import { resetEmulator } from '../support/emulator.js';

const REGION = 'us-east-1';
const VPCS = 2;

const applicable = (plan: Plan) =>
  plan.vpcs
    .filter((v) => v.mode === 'enforce')
    .reduce((n, v) => n + v.actions.filter((a) => a.apply).length, 0);

async function liveEndpoints(clients: AwsClients): Promise<VpcEndpoint[]> {
  const { VpcEndpoints = [] } = await clients.ec2.send(new DescribeVpcEndpointsCommand({ MaxResults: 1000 }));
  return VpcEndpoints.filter((e) => !['deleted', 'deleting'].includes(String(e.State)));
}

function duplicates(endpoints: readonly VpcEndpoint[]): string[] {
  const seen = new Map<string, number>();
  for (const e of endpoints) {
    const key = `${e.VpcId} ${e.ServiceName}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  return [...seen].filter(([, n]) => n > 1).map(([key]) => key);
}

describe('apply on a few VPCs under the emulator’s EC2 token buckets', () => {
  it('applies what the buckets allow, fails the rest with RequestLimitExceeded, never duplicates, converges once they refill', async () => {
    const endpoint = await resetEmulator();
    const clients = createAwsClients({ region: REGION, endpointUrl: endpoint, ec2Pacing: 'off' });
    await seedBenchAccount(clients, { vpcCount: VPCS, mode: 'enforce' });
    const deps: RemediatorDeps = {
      ports: createRemediatorPorts(clients),
      config: { ...defaultConfig, updateOldAgents: false, maxChanges: 1000, endpointWaitTimeoutSeconds: 30 },
    };
    const plan = await planRegion(deps);
    const creates = plan.vpcs.flatMap((v) =>
      v.actions.filter((a) => a.apply && a.kind === 'CreateVpcEndpoint'),
    );
    expect(creates.length).toBeGreaterThan(4); // more endpoint creates than the bucket holds

    await setEc2(endpoint, { throttle: 'aws' });
    await freezeClock(endpoint);
    const first = await applyRegionPlan(deps, plan);
    const throttled = (await control(endpoint, 'ec2-throttle')).body.throttled as Record<string, number>;
    const failed = first.outcomes.filter((o) => o.status === 'failed');
    const createdFirst = first.outcomes.filter(
      (o) => o.status === 'applied' && o.actionId.includes(':CreateVpcEndpoint:'),
    ).length;

    await setEc2(endpoint, { throttle: 'off' });
    const afterFirst = await liveEndpoints(clients);
    await setEc2(endpoint, { throttle: 'aws', throttleSpeed: 100 });
    await control(endpoint, 'clock', { unfreeze: true });
    const secondPlan = await planRegion(deps);
    const second = await applyRegionPlan(deps, secondPlan);
    const finalPlan = await planRegion(deps);
    await setEc2(endpoint, { throttle: 'off' });
    const afterSecond = await liveEndpoints(clients);

    console.log(
      [
        `emulator-throttled apply on ${VPCS} VPCs (${applicable(plan)} applicable actions, ${creates.length} CreateVpcEndpoint):`,
        `run 1 (frozen clock): ${first.outcomes.filter((o) => o.status === 'applied').length} applied ` +
          `(${createdFirst} endpoint creates), ${failed.length} failed, converged ${first.converged}; ` +
          `RequestLimitExceeded answered ${JSON.stringify(throttled)}`,
        `run 2 (refill ×100): ${applicable(secondPlan)} actions left to apply, ` +
          `${second.outcomes.filter((o) => o.status === 'failed').length} failed, converged ${second.converged}; ` +
          `then ${applicable(finalPlan)} actions left`,
        `live endpoints: ${afterFirst.length} after run 1, ${afterSecond.length} after run 2; duplicates: ${duplicates(afterSecond).length}`,
      ].join('\n'),
    );

    // Run 1: exactly the bucket's 4 endpoint creates got through; every failure is the throttle's.
    expect(createdFirst).toBe(4);
    expect(failed.length).toBeGreaterThan(0);
    for (const o of failed) expect(o.status === 'failed' && o.error).toMatch(/RequestLimitExceeded/);
    expect(first.converged).toBe(false);
    expect(throttled.CreateVpcEndpoint).toBeGreaterThanOrEqual(failed.length);
    expect(duplicates(afterFirst)).toEqual([]);
    // Run 2: converges; nothing left; still one endpoint per service and VPC.
    expect(second.outcomes.filter((o) => o.status === 'failed')).toEqual([]);
    expect(second.converged).toBe(true);
    expect(applicable(finalPlan)).toBe(0);
    expect(duplicates(afterSecond)).toEqual([]);
    expect(afterSecond.length).toBeGreaterThan(afterFirst.length);
  }, 240000);
});

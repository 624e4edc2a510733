/**
 * A throttling storm (issue #12 item 7): 10 drifted enforce VPCs (100 endpoint creates) applied
 * under the emulator's EC2 token buckets (emulator/ec2_throttle.py, AWS's sizes, refill ×20 so the
 * test takes seconds, not minutes), while another tool of the account empties the CreateVpcEndpoint,
 * CreateSecurityGroup and AuthorizeSecurityGroupIngress buckets at the start and then, every 3 s,
 * the endpoint bucket again with a burst of 8. The remediator paces at EC2_RATE_SHARE 0.5 with the
 * same refill factor (ec2Pacing, as EC2_REFILL_FACTOR would set it).
 *
 * What must hold (paced): 0 failed outcomes, converged, the throttled requests retried and counted
 * in the report, a plan afterwards has nothing left, one endpoint per VPC and service.
 * Unpaced (pacing off, the SDK's 3 attempts alone) at AWS's own refill rate, one VPC under the same
 * storm fails endpoint creates: the contrast is measured, not claimed.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateVpcEndpointCommand,
  DescribeVpcEndpointsCommand,
  type EC2Client,
  type VpcEndpoint,
} from '@aws-sdk/client-ec2';
import { createRemediatorPorts } from '../../shared/app/ports.js';
import { applyRegionPlan, planRegion, type RemediatorDeps } from '../../shared/app/remediator.js';
import { errorNames } from '../../shared/aws/aws-errors.js';
import { createAwsClients, type AwsClients } from '../../shared/aws/clients.js';
import { defaultConfig } from '../../shared/core/config.js';
import type { ApplyReport, Plan } from '../../shared/core/domain.js';
import { seedBenchAccount } from '../../scripts/seed/bench-account.js';
import { createVpc } from '../../scripts/seed/builders.js';
import { MODE_TAG_KEY } from '../../scripts/seed/demo-account.js';
import { control, setEc2, singleAttemptEc2 } from '../emulator/ec2-control.js';
import { resetEmulator } from '../support/emulator.js';

const REGION = 'us-east-1';
const VPCS = 10;
const SPEED = 20;
const BOGUS_VPC = 'vpc-0000000000000000f';

type Call = (ec2: EC2Client) => Promise<unknown>;

let groups = 0;

/** The other tool's calls: each takes a token of its API's bucket (each API has its own). */
const callsOf = (otherVpcId: string): Readonly<Record<string, Call>> => ({
  CreateVpcEndpoint: (ec2) =>
    ec2.send(new CreateVpcEndpointCommand({ VpcId: BOGUS_VPC, ServiceName: `com.amazonaws.${REGION}.s3` })),
  // In the other tool's own VPC: moto creates a group even in a VPC that does not exist.
  CreateSecurityGroup: (ec2) =>
    ec2.send(
      new CreateSecurityGroupCommand({
        VpcId: otherVpcId,
        GroupName: `other-tool-${++groups}`,
        Description: 'x',
      }),
    ),
  AuthorizeSecurityGroupIngress: (ec2) =>
    ec2.send(
      new AuthorizeSecurityGroupIngressCommand({ GroupId: 'sg-0000000000000000f', IpPermissions: [] }),
    ),
});

async function answerOf(call: Call, ec2: EC2Client): Promise<string> {
  try {
    await call(ec2);
    return 'ok';
  } catch (error) {
    return errorNames(error)[0] ?? 'unknown';
  }
}

/** A parallel burst of `count` calls; the answers by name. */
async function burst(ec2: EC2Client, call: Call, count: number): Promise<Record<string, number>> {
  const answers = await Promise.all(Array.from({ length: count }, () => answerOf(call, ec2)));
  const tally: Record<string, number> = {};
  for (const a of answers) tally[a] = (tally[a] ?? 0) + 1;
  return tally;
}

/**
 * Another tool of the account (a deploy pipeline, say): empties the three buckets at the start, then
 * every `everySeconds` empties the endpoint bucket again with a burst larger than its capacity.
 */
async function stormOf(endpoint: string, otherVpcId: string, everySeconds: number) {
  const ec2 = singleAttemptEc2(endpoint, REGION);
  const calls = callsOf(otherVpcId);
  const first: Record<string, Record<string, number>> = {};
  for (const [name, call] of Object.entries(calls))
    first[name] = await burst(ec2, call, name === 'CreateVpcEndpoint' ? 8 : 60);
  let running = true;
  let bursts = 0;
  const loop = (async () => {
    while (running) {
      await new Promise((resolve) => setTimeout(resolve, everySeconds * 1000));
      if (!running) break;
      await burst(ec2, calls.CreateVpcEndpoint!, 8);
      bursts++;
    }
  })();
  return {
    first,
    stop: async () => {
      running = false;
      await loop;
      return bursts;
    },
  };
}

async function liveEndpoints(clients: AwsClients): Promise<VpcEndpoint[]> {
  const { VpcEndpoints = [] } = await clients.ec2.send(new DescribeVpcEndpointsCommand({ MaxResults: 1000 }));
  return VpcEndpoints.filter((e) => !['deleted', 'deleting'].includes(String(e.State)));
}

function duplicates(endpoints: readonly VpcEndpoint[]): string[] {
  const seen = new Map<string, number>();
  for (const e of endpoints)
    seen.set(`${e.VpcId} ${e.ServiceName}`, (seen.get(`${e.VpcId} ${e.ServiceName}`) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([key]) => key);
}

const applicable = (plan: Plan) =>
  plan.vpcs
    .filter((v) => v.mode === 'enforce')
    .reduce((n, v) => n + v.actions.filter((a) => a.apply).length, 0);

interface StormRun {
  readonly report: ApplyReport;
  readonly plan: Plan;
  readonly elapsedMs: number;
  readonly finalPlan: Plan;
  readonly live: VpcEndpoint[];
  readonly throttled: Record<string, number>;
  readonly drained: Record<string, Record<string, number>>;
  readonly otherBursts: number;
}

async function storm(paced: boolean, vpcs: number, speed: number): Promise<StormRun> {
  const endpoint = await resetEmulator();
  const clients = createAwsClients({
    region: REGION,
    endpointUrl: endpoint,
    ec2Pacing: paced ? { share: 0.5, refillFactor: speed } : 'off',
  });
  await seedBenchAccount(clients, { vpcCount: vpcs, mode: 'enforce' });
  // The other tool's VPC, out of the remediator's scope (mode off).
  const otherVpcId = await createVpc(clients.ec2, {
    name: 'other-tool',
    cidr: '10.200.0.0/16',
    tags: { [MODE_TAG_KEY]: 'off' },
  });
  const deps: RemediatorDeps = {
    ports: createRemediatorPorts(clients),
    config: { ...defaultConfig, updateOldAgents: false, maxChanges: 1000, endpointWaitTimeoutSeconds: 300 },
  };
  const plan = await planRegion(deps);
  await setEc2(endpoint, { throttle: 'aws', throttleSpeed: speed, endpointPendingSeconds: 1 });
  const other = await stormOf(endpoint, otherVpcId, 3);
  const started = Date.now();
  const report = await applyRegionPlan(deps, plan);
  const elapsedMs = Date.now() - started;
  const otherBursts = await other.stop();
  const throttled = (await control(endpoint, 'ec2-throttle')).body.throttled as Record<string, number>;
  await setEc2(endpoint, { throttle: 'off' });
  const finalPlan = await planRegion(deps);
  const live = await liveEndpoints(clients);
  return { report, plan, elapsedMs, finalPlan, live, throttled, drained: other.first, otherBursts };
}

function summary(label: string, vpcs: number, run: StormRun): string {
  const count = (status: string) => run.report.outcomes.filter((o) => o.status === status).length;
  return (
    `${label}: ${vpcs} VPCs, ${applicable(run.plan)} applicable actions, ${run.elapsedMs} ms; ` +
    `${count('applied')} applied, ${count('failed')} failed, ${count('skipped')} skipped, converged ${run.report.converged}; ` +
    `throttledRetries ${run.report.throttledRetries}; RequestLimitExceeded answered ${JSON.stringify(run.throttled)} ` +
    `(the other tool's first bursts ${JSON.stringify(run.drained)}, then ${run.otherBursts} endpoint bursts of 8); ` +
    `after: ${applicable(run.finalPlan)} actions left, ${run.live.length} live endpoints, ${duplicates(run.live).length} duplicates`
  );
}

describe('a throttling storm on the emulator’s EC2 token buckets', () => {
  it(`paced at one half, ${VPCS} VPCs, refill ×${SPEED}: 0 failed outcomes, converges, throttled requests retried and counted, no duplicate`, async () => {
    const run = await storm(true, VPCS, SPEED);
    console.log(summary(`storm, paced (share 0.5, refill ×${SPEED})`, VPCS, run));
    expect(run.report.outcomes.filter((o) => o.status === 'failed')).toEqual([]);
    expect(run.report.converged).toBe(true);
    expect(run.report.throttledRetries).toBeGreaterThan(0);
    expect(run.throttled.CreateVpcEndpoint).toBeGreaterThan(0);
    expect(applicable(run.finalPlan)).toBe(0);
    expect(duplicates(run.live)).toEqual([]);
    expect(run.live.length).toBe(VPCS * 10);
  }, 400000);

  it('unpaced (the SDK’s 3 attempts alone) at AWS’s own refill, one VPC under the same storm fails endpoint creates; none duplicated', async () => {
    const run = await storm(false, 1, 1);
    console.log(summary('storm, unpaced (refill ×1)', 1, run));
    const failed = run.report.outcomes.filter((o) => o.status === 'failed');
    expect(failed.length).toBeGreaterThan(0);
    for (const o of failed)
      expect(o.status === 'failed' && o.error).toMatch(/RequestLimitExceeded|not available/);
    expect(run.report.converged).toBe(false);
    expect(run.report.throttledRetries).toBe(0); // nothing counts them without the pacer
    expect(duplicates(run.live)).toEqual([]);
  }, 400000);
});

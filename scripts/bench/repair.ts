/**
 * Repair speed (issue #12 "Measure"): 1, 10 and 50 drifted VPCs (each missing the ECS trio, the SSM
 * trio and the ECR endpoints) repaired by one plan + apply on the emulator with AWS's shape on:
 * interface endpoints pending for a provisioning time and EC2's token buckets, both compressed by
 * the same speed factor so that 50 VPCs take minutes, not hours, and so are the executor's own waits
 * (its clock runs at that speed). The lower bound is computed from the same emulated parameters
 * (repair-lower-bound.ts).
 */
import type { Clock } from '../../shared/apply/executor.js';
import { createRemediatorPorts } from '../../shared/app/ports.js';
import { applyRegionPlan, planRegion } from '../../shared/app/remediator.js';
import { countCalls } from '../../shared/aws/call-counter.js';
import { createAwsClients } from '../../shared/aws/clients.js';
import { defaultConfig } from '../../shared/core/config.js';
import { EMULATED_SSM, type Measure } from './context.js';
import { EMULATOR_EC2_DEFAULTS } from './aws-shape-apply.js';
import { progress, Report, seconds, timed } from './output.js';
import { applicableActions, outcomeCounts, writesOf } from './plan-figures.js';
import { repairLowerBound, type EndpointWriteApi } from './repair-lower-bound.js';

export const REPAIR_SIZES = [1, 10, 50] as const;
/**
 * AWS documents the `pending` state, not its length; a minute is what new interface endpoints
 * typically take, and what the bench assumes AWS's provisioning time to be.
 */
export const AWS_ENDPOINT_PENDING_SECONDS = 60;
/** Provisioning time and bucket refill both run this many times faster than AWS's. */
export const REPAIR_SPEED = 60;
/**
 * The product's own pacing, as deployed: half of each EC2 bucket (the default EC2_RATE_SHARE), its
 * refill scaled by the same speed factor the emulator's buckets run at.
 */
const PACING = { share: defaultConfig.ec2RateShare, refillFactor: REPAIR_SPEED };
/** Repair is a target: seconds at most this many times the lower bound. */
const TARGET_RATIO = 1.3;

/**
 * The executor's clock at the same speed: its waits (the backoff between endpoint and command checks,
 * its wait budgets) are AWS-time, compressed alike; the work between them is not.
 */
export function compressedClock(speed: number): Clock {
  const origin = Date.now();
  return {
    now: () => origin + (Date.now() - origin) * speed,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms / speed)),
  };
}

const REPAIR_SHAPE = {
  endpointPendingSeconds: AWS_ENDPOINT_PENDING_SECONDS / REPAIR_SPEED,
  endpointPendingJitterSeconds: 0,
  throttle: 'aws',
  throttleSpeed: REPAIR_SPEED,
};

interface ThrottleState {
  throttled: Record<string, number>;
  buckets: { bucket: string; refillPerSecond: number }[];
  speed: number;
}

export interface RepairFigure {
  vpcs: number;
  seconds: number;
  lowerBoundSeconds: number;
  failedOutcomes: number;
  /** Commands the product re-sent after EC2 answered RequestLimitExceeded (its pacing keeps this low). */
  throttledRetries: number;
  /** RequestLimitExceeded answers the emulator's buckets gave. */
  requestLimitExceeded: number;
  planSeconds: number;
  applySeconds: number;
  chainSeconds: number;
  throughputSeconds: number;
  endpointWrites: Record<EndpointWriteApi, number>;
  writeCalls: number;
  applicableActions: number;
  outcomes: Record<string, number>;
  converged: boolean;
  ratio: number;
  failures: string[];
}

/**
 * The refill per second the product keeps to: the emulator's rate (the page's rate × the speed
 * factor) times the product's share of it.
 */
function pacedRefill(state: ThrottleState, api: EndpointWriteApi): number {
  const bucket = state.buckets.find((b) => b.bucket === api);
  // A bucket no request touched is absent; nothing was written through it, so its rate bounds nothing.
  return bucket ? bucket.refillPerSecond * state.speed * PACING.share : Number.POSITIVE_INFINITY;
}

export const repair: Measure = {
  name: 'repair',
  description: `repair time of ${REPAIR_SIZES.join(', ')} drifted VPCs at AWS's shape (x${REPAIR_SPEED}) against its lower bound`,
  async run(ctx) {
    const emulator = await ctx.emulator();
    // Clients paced as the deployment paces them (an emulator endpoint is unpaced unless asked).
    const clients = createAwsClients({
      region: emulator.clients.region,
      endpointUrl: emulator.endpoint,
      ec2Pacing: PACING,
    });
    const counter = countCalls(clients);
    const figures: RepairFigure[] = [];
    for (const vpcs of REPAIR_SIZES) {
      await emulator.account(vpcs, { readOnly: false });
      // After the reset: the paced clients' ports, with a reader that has read nothing yet.
      const deps = {
        ...emulator.deps,
        ports: createRemediatorPorts(clients),
        clock: compressedClock(REPAIR_SPEED),
      };
      // One untimed read first: the process's first calls (module loading, connections) are not
      // the repair's time. The reader then reads the Region again for the timed plan.
      if (vpcs === REPAIR_SIZES[0])
        await planRegion({ ...emulator.deps, ports: createRemediatorPorts(clients) });
      await emulator.control('ec2', REPAIR_SHAPE);
      counter.reset();
      progress(`repairing ${vpcs} drifted VPC(s) with endpoints pending and EC2 throttling on…`);
      const planned = await timed(() => planRegion(deps));
      const applied = await timed(() => applyRegionPlan(deps, planned.value));
      const state = (await emulator.control('ec2-throttle')) as ThrottleState;
      await emulator.control('ec2', EMULATOR_EC2_DEFAULTS);
      const bound = repairLowerBound(planned.value, {
        endpointPendingSeconds: REPAIR_SHAPE.endpointPendingSeconds,
        refillPerSecond: {
          CreateVpcEndpoint: pacedRefill(state, 'CreateVpcEndpoint'),
          ModifyVpcEndpoint: pacedRefill(state, 'ModifyVpcEndpoint'),
        },
        restartSeconds: EMULATED_SSM.deliverySeconds + EMULATED_SSM.runSeconds,
      });
      const totalMs = planned.ms + applied.ms;
      const outcomes = outcomeCounts(applied.value.outcomes);
      const figure: RepairFigure = {
        vpcs,
        seconds: seconds(totalMs),
        lowerBoundSeconds: Number(bound.seconds.toFixed(1)),
        failedOutcomes: outcomes.failed ?? 0,
        throttledRetries: applied.value.throttledRetries,
        requestLimitExceeded: Object.values(state.throttled).reduce((a, b) => a + b, 0),
        planSeconds: seconds(planned.ms),
        applySeconds: seconds(applied.ms),
        chainSeconds: Number(bound.chainSeconds.toFixed(1)),
        throughputSeconds: Number(bound.throughputSeconds.toFixed(1)),
        endpointWrites: { ...bound.endpointWrites },
        writeCalls: Object.values(writesOf(counter.counts())).reduce((a, b) => a + b, 0),
        applicableActions: applicableActions(planned.value),
        outcomes,
        converged: applied.value.converged,
        ratio: bound.seconds > 0 ? Number((totalMs / 1000 / bound.seconds).toFixed(2)) : 0,
        failures: applied.value.outcomes.flatMap((o) =>
          o.status === 'failed' ? [`${o.actionId}: ${o.error}`] : [],
        ),
      };
      progress(
        `${vpcs} VPC(s): ${figure.seconds} s (lower bound ${figure.lowerBoundSeconds} s), ${figure.failedOutcomes} failed, ${figure.requestLimitExceeded} RequestLimitExceeded, ${figure.throttledRetries} throttled retries`,
      );
      figures.push(figure);
    }
    const report = new Report()
      .heading(`Repair time: drifted VPCs at AWS's shape, x${REPAIR_SPEED} (one plan + apply)`)
      .line(
        `emulator: ${JSON.stringify(REPAIR_SHAPE)} (AWS: endpoints pending ~${AWS_ENDPOINT_PENDING_SECONDS} s, EC2 buckets at the page's rates);` +
          ` SSM delivery ${EMULATED_SSM.deliverySeconds} s + run ${EMULATED_SSM.runSeconds} s\n`,
      )
      .table(
        [
          'VPCs',
          'seconds',
          'lower bound s',
          'ratio',
          'plan s',
          'apply s',
          'chain s',
          'writes/refill s',
          'CreateVpcEndpoint',
          'write calls',
          'RequestLimitExceeded',
          'throttled retries',
          'applied',
          'failed',
          'converged',
        ],
        figures.map((f) => [
          f.vpcs,
          f.seconds,
          f.lowerBoundSeconds,
          f.ratio,
          f.planSeconds,
          f.applySeconds,
          f.chainSeconds,
          f.throughputSeconds,
          f.endpointWrites.CreateVpcEndpoint,
          f.writeCalls,
          f.requestLimitExceeded,
          f.throttledRetries,
          f.outcomes.applied ?? 0,
          f.failedOutcomes,
          String(f.converged),
        ]),
      )
      .line(
        `\nseconds: plan + apply, wall time (after one untimed warm-up read; the executor's clock at x${REPAIR_SPEED}); lower bound: max(longest per-VPC chain: ECS trio one at a time x pending time` +
          ` (+ SSM restart when planned), endpoint writes / paced refill rate per API: the emulated rate x the product's share, ${PACING.share}).` +
          `\ntarget: seconds <= ${TARGET_RATIO} x lower bound at every size and 0 failed outcomes: ` +
          (figures.every((f) => f.ratio <= TARGET_RATIO && f.failedOutcomes === 0) ? 'met' : 'not met'),
      );
    for (const f of figures)
      for (const failure of f.failures.slice(0, 5)) report.line(`failed (${f.vpcs} VPCs): ${failure}`);
    return {
      report,
      json: {
        repair: figures.map((f) => ({
          vpcs: f.vpcs,
          seconds: f.seconds,
          lowerBoundSeconds: f.lowerBoundSeconds,
          failedOutcomes: f.failedOutcomes,
          throttledRetries: f.throttledRetries,
          requestLimitExceeded: f.requestLimitExceeded,
          planSeconds: f.planSeconds,
          applySeconds: f.applySeconds,
          chainSeconds: f.chainSeconds,
          throughputSeconds: f.throughputSeconds,
          endpointWrites: f.endpointWrites,
          writeCalls: f.writeCalls,
          converged: f.converged,
        })),
        repairSettings: {
          ...REPAIR_SHAPE,
          awsEndpointPendingSeconds: AWS_ENDPOINT_PENDING_SECONDS,
          ssm: EMULATED_SSM,
        },
      },
    };
  },
};

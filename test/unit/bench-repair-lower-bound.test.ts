/**
 * The repair benchmark's lower bound (scripts/bench/repair-lower-bound.ts) on plans the real planner
 * makes from fixture VPCs: the per-VPC chain (ECS trio one at a time, then an agent restart) and the
 * endpoint writes over each bucket's paced refill rate.
 */
import { defaultConfig } from '../../shared/core/config.js';
import { deriveDesired } from '../../shared/core/desired.js';
import type { ObservedVpc, Plan, ServiceName } from '../../shared/core/domain.js';
import { plan } from '../../shared/core/plan.js';
import { repairLowerBound, type EmulatedAws } from '../../scripts/bench/repair-lower-bound.js';
import { healthyVpc, region } from '../support/fixtures.js';

const aws: EmulatedAws = {
  endpointPendingSeconds: 2,
  refillPerSecond: { CreateVpcEndpoint: 0.5, ModifyVpcEndpoint: 10 },
  restartSeconds: 3,
};

function without(vpc: ObservedVpc, services: readonly ServiceName[]): ObservedVpc {
  return { ...vpc, endpoints: vpc.endpoints.filter((e) => !services.includes(e.service as ServiceName)) };
}

function planFor(vpcs: ObservedVpc[]): Plan {
  const observed = region(vpcs);
  return plan(deriveDesired(observed, defaultConfig).vpcs, observed, {
    securityGroupName: defaultConfig.endpointSecurityGroupName,
    managedTagKey: defaultConfig.managedTagKey,
  });
}

const kinds = (p: Plan) =>
  p.vpcs.flatMap((v) => v.actions.map((a) => `${a.kind}:${'service' in a ? a.service : ''}`));

describe('repairLowerBound', () => {
  it('one VPC missing the ECS trio: three endpoints one after the other, then the agent restart', () => {
    const p = planFor([without(healthyVpc(1), ['ecs-agent', 'ecs-telemetry', 'ecs'])]);
    expect(kinds(p)).toEqual([
      'CreateVpcEndpoint:ecs-agent',
      'CreateVpcEndpoint:ecs-telemetry',
      'CreateVpcEndpoint:ecs',
      'RestartEcsAgent:',
    ]);
    expect(repairLowerBound(p, aws)).toEqual({
      seconds: 3 * 2 + 3,
      chainSeconds: 9,
      throughputSeconds: 3 / 0.5,
      endpointWrites: { CreateVpcEndpoint: 3, ModifyVpcEndpoint: 0 },
    });
  });

  it('endpoints outside the ECS trio overlap: one pending time, no restart', () => {
    const p = planFor([without(healthyVpc(1), ['logs', 'ecr.api'])]);
    expect(kinds(p)).toEqual(['CreateVpcEndpoint:ecr.api', 'CreateVpcEndpoint:logs']);
    expect(repairLowerBound(p, aws)).toMatchObject({ seconds: 4, chainSeconds: 2, throughputSeconds: 4 });
  });

  it('many VPCs: the writes over the paced refill rate bound it, not the chain of one VPC', () => {
    const vpcs = Array.from({ length: 10 }, (_, i) =>
      without(healthyVpc(i + 1), ['ecs-agent', 'ecs-telemetry', 'ecs']),
    );
    const bound = repairLowerBound(planFor(vpcs), aws);
    expect(bound).toEqual({
      seconds: 30 / 0.5,
      chainSeconds: 9,
      throughputSeconds: 60,
      endpointWrites: { CreateVpcEndpoint: 30, ModifyVpcEndpoint: 0 },
    });
  });

  it('counts only what the executor runs: audit VPCs and a healthy account bound nothing', () => {
    const audit = {
      ...without(healthyVpc(1), ['ecs-agent', 'ecs-telemetry', 'ecs']),
      tags: { 'ecs-endpoint-remediator:mode': 'audit' },
    };
    const p = planFor([audit, healthyVpc(2)]);
    expect(p.vpcs.find((v) => v.vpcId === audit.vpcId)?.actions.length).toBeGreaterThan(0);
    expect(repairLowerBound(p, aws)).toEqual({
      seconds: 0,
      chainSeconds: 0,
      throughputSeconds: 0,
      endpointWrites: { CreateVpcEndpoint: 0, ModifyVpcEndpoint: 0 },
    });
  });
});

import type { RemediatorConfig } from '../core/config.js';
import { deriveDesired } from '../core/desired.js';
import type { ApplyReport, ObservedRegion, Plan } from '../core/domain.js';
import { plan } from '../core/plan.js';
import type { RemediatorPorts } from '../core/ports.js';
import { applyPlan, type Clock } from '../apply/executor.js';

export interface RemediatorDeps {
  readonly ports: RemediatorPorts;
  readonly config: RemediatorConfig;
  readonly clock?: Clock;
  readonly progress?: (line: string) => void;
}

export interface Scope {
  /** Narrow to these VPCs; all VPCs of the region when absent. */
  readonly vpcIds?: readonly string[];
}

/** Reads the region again (never trusting an event) and plans every VPC in scope. */
export async function planRegion(deps: RemediatorDeps, scope: Scope = {}): Promise<Plan> {
  const observed = await deps.ports.reader.readRegion(scope.vpcIds ? { vpcIds: scope.vpcIds } : {});
  return planObserved(deps, observed);
}

/** Plans state already read (the event path reads once, then narrows to the VPCs the events name). */
export function planObserved(deps: Pick<RemediatorDeps, 'config' | 'clock'>, observed: ObservedRegion): Plan {
  const desired = deriveDesired(observed, deps.config);
  return plan(desired.vpcs, observed, {
    securityGroupName: deps.config.endpointSecurityGroupName,
    managedTagKey: deps.config.managedTagKey,
    updateOldAgents: deps.config.updateOldAgents,
    warnings: desired.warnings,
  });
}

/** Applies an already made plan (enforce VPCs only), bounded by the change cap. */
export function applyRegionPlan(deps: RemediatorDeps, p: Plan): Promise<ApplyReport> {
  return applyPlan(p, {
    ports: deps.ports,
    config: deps.config,
    ...(deps.clock ? { clock: deps.clock } : {}),
    ...(deps.progress ? { progress: deps.progress } : {}),
  });
}

/** Plan then apply: the reconcile of the event path and the sweep. */
export async function reconcileRegion(deps: RemediatorDeps, scope: Scope = {}): Promise<ApplyReport> {
  return applyRegionPlan(deps, await planRegion(deps, scope));
}

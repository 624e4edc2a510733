import type { RemediatorConfig } from '../core/config.js';
import { deriveDesired } from '../core/desired.js';
import type { Action, ApplyReport, ObservedRegion, Plan } from '../core/domain.js';
import { changedActions, planFingerprints, type FingerprintContext } from '../core/fingerprint.js';
import { plan } from '../core/plan.js';
import type { RemediatorPorts } from '../core/ports.js';
import { applyPlan, realClock, type Clock } from '../apply/executor.js';
import type { ProgressPort } from './progress.js';
import { applyWithVpcLeases, type VpcLeasing } from './vpc-leases.js';

export interface RemediatorDeps {
  readonly ports: RemediatorPorts;
  readonly config: RemediatorConfig;
  readonly clock?: Clock;
  /** Optional: long reads and applies report what they are doing (the CLI shows it on a terminal). */
  readonly progress?: ProgressPort;
  /** One writer per VPC: leases taken before writing (absent: this process is the only writer). */
  readonly leasing?: VpcLeasing;
}

export interface Scope {
  /** Narrow to these VPCs; all VPCs of the region when absent. */
  readonly vpcIds?: readonly string[];
}

async function readRegion(deps: RemediatorDeps, scope: Scope): Promise<ObservedRegion> {
  deps.progress?.report({ kind: 'reading' });
  const observed = await deps.ports.reader.readRegion(scope.vpcIds ? { vpcIds: scope.vpcIds } : {});
  deps.progress?.report({ kind: 'read', vpcs: observed.vpcs.length });
  return observed;
}

/** Reads the region again (never trusting an event) and plans every VPC in scope. */
export async function planRegion(deps: RemediatorDeps, scope: Scope = {}): Promise<Plan> {
  return planObserved(deps, await readRegion(deps, scope));
}

function fingerprintContext(
  deps: Pick<RemediatorDeps, 'config'>,
  observed: ObservedRegion,
): FingerprintContext {
  return { observed, desired: deriveDesired(observed, deps.config).vpcs };
}

/**
 * Plans and fingerprints, from one read, the state each action depends on: what a saved plan carries
 * so that `applySavedPlan` can tell whether that state is still the same.
 */
export async function planRegionForSaving(
  deps: RemediatorDeps,
  scope: Scope = {},
): Promise<{ plan: Plan; fingerprints: Record<string, string> }> {
  const observed = await readRegion(deps, scope);
  const p = planObserved(deps, observed);
  return { plan: p, fingerprints: planFingerprints(p, fingerprintContext(deps, observed)) };
}

/**
 * Re-reads the VPCs a saved plan changes and returns the applicable actions whose dependencies
 * changed (empty: the plan still holds). Reads only; writes nothing.
 */
export async function changedSinceSaved(
  deps: RemediatorDeps,
  saved: Plan,
  fingerprints: Readonly<Record<string, string>>,
): Promise<Action[]> {
  const actions = saved.vpcs.flatMap((v) => (v.mode === 'enforce' ? v.actions.filter((a) => a.apply) : []));
  if (actions.length === 0) return [];
  const vpcIds = [...new Set(actions.map((a) => a.vpcId))];
  const observed = await readRegion(deps, { vpcIds });
  return changedActions(actions, fingerprints, fingerprintContext(deps, observed));
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

/**
 * Applies an already made plan (enforce VPCs only), bounded by the change cap; with `leasing`, only
 * the VPCs whose lease this writer holds (the others are skipped, naming their writer).
 */
export async function applyRegionPlan(deps: RemediatorDeps, p: Plan): Promise<ApplyReport> {
  const { leasing } = deps;
  if (!leasing) return applyUnleased(deps, p);
  return applyWithVpcLeases(p, leasing, deps.clock ?? realClock, (mine) => applyUnleased(deps, mine));
}

async function applyUnleased(deps: RemediatorDeps, p: Plan): Promise<ApplyReport> {
  const { progress } = deps;
  progress?.report({ kind: 'applying', total: p.vpcs.reduce((n, v) => n + v.actions.length, 0) });
  try {
    return await applyPlan(p, {
      ports: deps.ports,
      config: deps.config,
      ...(deps.clock ? { clock: deps.clock } : {}),
      ...(progress
        ? {
            progress: (detail: string) => progress.report({ kind: 'waiting', detail }),
            onActionDone: (outcome) => progress.report({ kind: 'action-done', outcome }),
          }
        : {}),
    });
  } finally {
    progress?.report({ kind: 'finished' });
  }
}

/** Plan then apply: the reconcile of the event path and the sweep. */
export async function reconcileRegion(deps: RemediatorDeps, scope: Scope = {}): Promise<ApplyReport> {
  return applyRegionPlan(deps, await planRegion(deps, scope));
}

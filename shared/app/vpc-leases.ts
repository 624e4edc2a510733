/**
 * One writer per VPC. Every writer (the event path, the runbook's change steps, the CLI with
 * `--lock-table`) takes a lease on account/Region/VPC before it writes there, renews it while it
 * works and releases it when done. Invariants:
 * - a VPC whose lease another writer holds is not written: its actions are skipped with a reason
 *   that names the holder and when the lease ends (the writer yields; nothing is retried here);
 * - a crashed writer's lease ends by itself after its duration, so a VPC is never locked for good;
 * - leases are taken only for enforce VPCs with applicable actions, so audit runs never touch the
 *   table;
 * - a lease is released only by its holder (the store's conditional delete), never by another.
 */
import type { ActionOutcome, ApplyReport, Plan, VpcPlan } from '../core/domain.js';
import type { Clock } from '../apply/executor.js';

export type LeaseAcquisition =
  | { readonly kind: 'acquired'; readonly untilMs: number }
  | {
      readonly kind: 'held';
      /** Who holds it, as that writer described itself. */
      readonly holder: string;
      readonly untilMs: number;
    };

/** Where leases live (DynamoDB in the deployment): conditional writes, so two takers never both win. */
export interface VpcLeaseStore {
  /** Takes the lease unless another owner holds an unexpired one; the same owner re-takes it. */
  acquire(vpcId: string, owner: string, nowMs: number, durationMs: number): Promise<LeaseAcquisition>;
  /** Extends the owner's lease; false when the owner no longer holds it. */
  renew(vpcId: string, owner: string, nowMs: number, durationMs: number): Promise<boolean>;
  /** Ends the owner's lease; a lease someone else holds now is left alone. */
  release(vpcId: string, owner: string): Promise<void>;
}

export interface VpcLeasing {
  readonly store: VpcLeaseStore;
  /** Who this writer is, as other writers will be told (e.g. "reconcile:<request id>"). */
  readonly owner: string;
  /** How long a lease lasts without renewal; a crashed writer's lease ends after this. */
  readonly durationMs: number;
  /** Told when a VPC is yielded to another writer or a renewal is lost. */
  readonly onEvent?: (event: LeaseEvent) => void;
}

export type LeaseEvent =
  | { readonly kind: 'yielded'; readonly vpcId: string; readonly holder: string; readonly untilMs: number }
  | { readonly kind: 'renewal-lost'; readonly vpcId: string }
  | { readonly kind: 'release-failed'; readonly vpcId: string; readonly error: string };

/** The lease duration's bounds: long enough to renew comfortably, short enough to recover a crash. */
export const MIN_LEASE_SECONDS = 30;
export const MAX_LEASE_SECONDS = 3600;

/** VPCs of a plan that a run would write: enforce mode and at least one applicable action. */
export function vpcsToWrite(plan: Plan): string[] {
  return plan.vpcs.filter((v) => v.mode === 'enforce' && v.actions.some((a) => a.apply)).map((v) => v.vpcId);
}

/** The outcomes of a VPC left to the writer holding its lease. */
export function yieldedOutcomes(vpc: VpcPlan, holder: string, untilMs: number): ActionOutcome[] {
  const why = `not applied: another writer (${holder}) holds this VPC's lease until ${new Date(untilMs).toISOString()}; it re-reads the VPC itself, and the next event or sweep re-plans it`;
  return vpc.actions.map((a) => ({ status: 'skipped', actionId: a.id, kind: a.kind, vpcId: a.vpcId, why }));
}

export interface YieldedVpc {
  readonly vpcId: string;
  readonly holder: string;
  readonly untilMs: number;
}

/** Takes the lease of every VPC `plan` writes; the ones another writer holds are yielded (and told). */
export async function acquireVpcLeases(
  plan: Plan,
  leasing: VpcLeasing,
  nowMs: number,
): Promise<{ held: string[]; yielded: YieldedVpc[] }> {
  const held: string[] = [];
  const yielded: YieldedVpc[] = [];
  try {
    for (const vpcId of vpcsToWrite(plan)) {
      const got = await leasing.store.acquire(vpcId, leasing.owner, nowMs, leasing.durationMs);
      if (got.kind === 'acquired') {
        held.push(vpcId);
      } else {
        yielded.push({ vpcId, holder: got.holder, untilMs: got.untilMs });
        leasing.onEvent?.({ kind: 'yielded', vpcId, holder: got.holder, untilMs: got.untilMs });
      }
    }
  } catch (error) {
    // Nothing is written without every lease asked for: the ones taken so far are given back.
    await releaseVpcLeases(held, leasing);
    throw error;
  }
  return { held, yielded };
}

/** Extends the held leases; a lost one is told, not thrown (the writer finishes what it started). */
export async function renewVpcLeases(
  held: readonly string[],
  leasing: VpcLeasing,
  nowMs: number,
): Promise<void> {
  for (const vpcId of held) {
    try {
      const ok = await leasing.store.renew(vpcId, leasing.owner, nowMs, leasing.durationMs);
      if (!ok) leasing.onEvent?.({ kind: 'renewal-lost', vpcId });
    } catch {
      leasing.onEvent?.({ kind: 'renewal-lost', vpcId });
    }
  }
}

/** Ends the held leases; one that cannot be released ends by itself after its duration. */
export async function releaseVpcLeases(held: readonly string[], leasing: VpcLeasing): Promise<void> {
  for (const vpcId of held) {
    try {
      await leasing.store.release(vpcId, leasing.owner);
    } catch (error) {
      leasing.onEvent?.({ kind: 'release-failed', vpcId, error: String(error) });
    }
  }
}

/** The report of the writes done, with the yielded VPCs' actions skipped (so not converged). */
export function withYielded(plan: Plan, report: ApplyReport, yielded: readonly YieldedVpc[]): ApplyReport {
  if (yielded.length === 0) return report;
  const skipped = plan.vpcs.flatMap((v) => {
    const y = yielded.find((x) => x.vpcId === v.vpcId);
    return y ? yieldedOutcomes(v, y.holder, y.untilMs) : [];
  });
  return {
    ...report,
    plan,
    outcomes: [...report.outcomes, ...skipped],
    converged: false,
    yielded: [...yielded],
  };
}

/**
 * Applies `plan` through `apply` while holding the lease of every VPC it writes. VPCs another writer
 * holds are left out of what `apply` sees and reported as skipped; the report is then not converged,
 * because their drift is still there.
 */
export async function applyWithVpcLeases(
  plan: Plan,
  leasing: VpcLeasing,
  clock: Pick<Clock, 'now'>,
  apply: (p: Plan) => Promise<ApplyReport>,
): Promise<ApplyReport> {
  let held: string[] = [];
  let renewal: ReturnType<typeof setInterval> | undefined;
  try {
    const leases = await acquireVpcLeases(plan, leasing, clock.now());
    held = leases.held;
    if (held.length > 0) {
      // Renewed at a third of the duration: two renewals can fail before another writer may take over.
      renewal = setInterval(
        () => void renewVpcLeases(held, leasing, clock.now()),
        Math.max(1000, leasing.durationMs / 3),
      );
      renewal.unref?.();
    }
    const yieldedIds = new Set(leases.yielded.map((y) => y.vpcId));
    const mine: Plan = { ...plan, vpcs: plan.vpcs.filter((v) => !yieldedIds.has(v.vpcId)) };
    return withYielded(plan, await apply(mine), leases.yielded);
  } finally {
    if (renewal) clearInterval(renewal);
    await releaseVpcLeases(held, leasing);
  }
}

/** Leases kept in memory: one process's writers exclude each other (tests, a single CLI run). */
export class InMemoryVpcLeaseStore implements VpcLeaseStore {
  private readonly leases = new Map<string, { owner: string; untilMs: number }>();

  async acquire(vpcId: string, owner: string, nowMs: number, durationMs: number): Promise<LeaseAcquisition> {
    const current = this.leases.get(vpcId);
    if (current && current.owner !== owner && current.untilMs > nowMs) {
      return { kind: 'held', holder: current.owner, untilMs: current.untilMs };
    }
    this.leases.set(vpcId, { owner, untilMs: nowMs + durationMs });
    return { kind: 'acquired', untilMs: nowMs + durationMs };
  }

  async renew(vpcId: string, owner: string, nowMs: number, durationMs: number): Promise<boolean> {
    const current = this.leases.get(vpcId);
    if (current?.owner !== owner) return false;
    this.leases.set(vpcId, { owner, untilMs: nowMs + durationMs });
    return true;
  }

  async release(vpcId: string, owner: string): Promise<void> {
    if (this.leases.get(vpcId)?.owner === owner) this.leases.delete(vpcId);
  }
}

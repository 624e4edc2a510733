/**
 * Keeps the same drift from being announced over and over: CloudTrail delivers events late, twice
 * and in bursts, and each one re-plans the same VPC.
 */
import { createHash } from 'node:crypto';
import type { VpcPlan } from '../core/domain.js';

/**
 * Identifies a VPC's drift by what is wrong and where (finding code, service, resource), not by how
 * it is worded: reordering findings or rewording messages gives the same fingerprint; a new or
 * resolved finding gives another one.
 */
export function driftFingerprint(vpcPlan: VpcPlan): string {
  const entries = [
    ...new Set(
      vpcPlan.findings.map((finding) =>
        JSON.stringify([finding.code, finding.service ?? '', finding.resourceId ?? '']),
      ),
    ),
  ].sort();
  return createHash('sha256')
    .update(JSON.stringify([vpcPlan.vpcId, entries]))
    .digest('hex');
}

/**
 * Where announcements are recorded. `claim` is one atomic decision: true (and recorded) when the key
 * was not announced within the window, so two containers racing for the same drift never both post.
 * Implementations: in memory here (one container); DynamoDB in `shared/aws/coordination-table.ts`.
 */
export interface AnnouncementStore {
  claim(key: string, nowMs: number, windowMs: number): Promise<boolean>;
}

/**
 * Per-process store. A Lambda container keeps it between warm invocations only, so it suppresses
 * bursts, not repeats across containers: the deployment uses the DynamoDB store.
 */
export class InMemoryAnnouncementStore implements AnnouncementStore {
  private readonly entries = new Map<string, number>();

  async claim(key: string, nowMs: number, windowMs: number): Promise<boolean> {
    const last = this.entries.get(key);
    if (last !== undefined && nowMs - last < windowMs && nowMs >= last) return false;
    this.entries.set(key, nowMs);
    return true;
  }

  get size(): number {
    return this.entries.size;
  }
}

export class DriftAnnouncements {
  constructor(
    private readonly store: AnnouncementStore,
    private readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!Number.isFinite(windowMs) || windowMs < 0) {
      throw new RangeError(`windowMs must be a non-negative number, got ${windowMs}`);
    }
  }

  /** True at most once per VPC and fingerprint within the window, and records the announcement when true. */
  async shouldAnnounce(vpcId: string, fingerprint: string): Promise<boolean> {
    return this.store.claim(`${vpcId}#${fingerprint}`, this.now(), this.windowMs);
  }
}

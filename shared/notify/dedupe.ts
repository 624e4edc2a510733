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

/** When a drift was last announced, by key. Implementations: in memory here; DynamoDB elsewhere. */
export interface AnnouncementStore {
  get(key: string): Promise<number | undefined>;
  put(key: string, atMs: number): Promise<void>;
}

/**
 * Per-process store. A Lambda container keeps it between warm invocations only, so it suppresses
 * bursts, not repeats across containers.
 */
export class InMemoryAnnouncementStore implements AnnouncementStore {
  private readonly entries = new Map<string, number>();

  async get(key: string): Promise<number | undefined> {
    return this.entries.get(key);
  }

  async put(key: string, atMs: number): Promise<void> {
    this.entries.set(key, atMs);
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

  /**
   * True at most once per VPC and fingerprint within the window, and records the announcement when
   * true. Not atomic: two concurrent callers may both get true (a duplicate message, never a lost one).
   */
  async shouldAnnounce(vpcId: string, fingerprint: string): Promise<boolean> {
    const key = `${vpcId}#${fingerprint}`;
    const now = this.now();
    const last = await this.store.get(key);
    if (last !== undefined && now - last < this.windowMs && now >= last) return false;
    await this.store.put(key, now);
    return true;
  }
}

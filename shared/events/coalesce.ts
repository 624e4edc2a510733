/**
 * Folds a batch of classified events into one reconcile scope per account and Region. An event id seen twice
 * (EventBridge and CloudTrail may deliver twice) counts once.
 */
import { assertNever } from '../core/domain.js';
import { emptyHints, unique } from './classify.js';
import type { Classified, ScopeHints, TriggerInfo } from './classify.js';

export interface ReconcileScope {
  account: string;
  region: string;
  hints: ScopeHints;
  eventIds: string[];
  triggers: TriggerInfo[];
}

export type IgnoredEvent = Extract<Classified, { kind: 'ignored' }>;
export type RejectedEvent = Extract<Classified, { kind: 'rejected' }>;

export interface Coalesced {
  /** Sorted by account, then Region. */
  scopes: ReconcileScope[];
  ignored: IgnoredEvent[];
  rejected: RejectedEvent[];
  /** Reconcile events dropped because their id was already in the batch. */
  duplicates: number;
}

export function mergeHints(a: ScopeHints, b: ScopeHints): ScopeHints {
  return {
    vpcIds: unique([...a.vpcIds, ...b.vpcIds]),
    subnetIds: unique([...a.subnetIds, ...b.subnetIds]),
    securityGroupIds: unique([...a.securityGroupIds, ...b.securityGroupIds]),
    networkAclIds: unique([...a.networkAclIds, ...b.networkAclIds]),
    endpointIds: unique([...a.endpointIds, ...b.endpointIds]),
    instanceIds: unique([...a.instanceIds, ...b.instanceIds]),
    containerInstanceArns: unique([...a.containerInstanceArns, ...b.containerInstanceArns]),
    wholeRegion: a.wholeRegion || b.wholeRegion,
  };
}

export function coalesce(items: readonly Classified[]): Coalesced {
  const scopes = new Map<string, ReconcileScope>();
  const seen = new Set<string>();
  const ignoredIds = new Set<string>();
  const ignored: IgnoredEvent[] = [];
  const rejected: RejectedEvent[] = [];
  let duplicates = 0;
  for (const item of items) {
    switch (item.kind) {
      case 'reconcile': {
        const key = `${item.account}\u0000${item.region}\u0000${item.eventId}`;
        const scopeKey = `${item.account}\u0000${item.region}`;
        if (seen.has(key)) {
          duplicates += 1;
          break;
        }
        seen.add(key);
        const scope = scopes.get(scopeKey) ?? {
          account: item.account,
          region: item.region,
          hints: emptyHints(),
          eventIds: [],
          triggers: [],
        };
        scope.hints = mergeHints(scope.hints, item.hints);
        scope.eventIds.push(item.eventId);
        scope.triggers.push(item.trigger);
        scopes.set(scopeKey, scope);
        break;
      }
      case 'ignored':
        if (item.eventId !== undefined) {
          if (ignoredIds.has(item.eventId)) break;
          ignoredIds.add(item.eventId);
        }
        ignored.push(item);
        break;
      case 'rejected':
        rejected.push(item);
        break;
      default:
        assertNever(item, 'classified event');
    }
  }
  const sorted = [...scopes.values()].sort(
    (a, b) => a.account.localeCompare(b.account) || a.region.localeCompare(b.region),
  );
  return { scopes: sorted, ignored, rejected, duplicates };
}

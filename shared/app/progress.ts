/**
 * The progress port of the plan and apply flows: what long work is doing, as events. Optional and
 * injected; the flows never know how (or whether) it is shown. The CLI renders it on a terminal.
 */
import type { ActionOutcome } from '../core/domain.js';

export type ProgressEvent =
  /** Reading the Region's state (one large read). */
  | { readonly kind: 'reading' }
  | { readonly kind: 'read'; readonly vpcs: number }
  /** Apply starts: `total` actions the executor will try. */
  | { readonly kind: 'applying'; readonly total: number }
  /** One action has its outcome. */
  | { readonly kind: 'action-done'; readonly outcome: ActionOutcome }
  /** A bounded wait: endpoints pending, agent restarts running, agents reconnecting. */
  | { readonly kind: 'waiting'; readonly detail: string }
  | { readonly kind: 'finished' };

export interface ProgressPort {
  report(event: ProgressEvent): void;
}

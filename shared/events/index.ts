export {
  SELF_MADE_REASON,
  classifyEvent,
  classifyJson,
  emptyHints,
  isSelfMade,
  sweepRequest,
  sweepRequests,
} from './classify.js';
export type { ClassifyOptions, Classified, ScopeHints, TriggerInfo } from './classify.js';
export { coalesce, mergeHints } from './coalesce.js';
export type { Coalesced, IgnoredEvent, ReconcileScope, RejectedEvent } from './coalesce.js';
export {
  CLOUDTRAIL_DETAIL_TYPE,
  ECS_INSTANCE_STATE_CHANGE_DETAIL_TYPE,
  HANDLED_EVENT_NAMES,
  SWEEP_DETAIL_TYPE,
  SWEEP_SOURCE,
} from './handled-events.js';
export type { HandledEventName, HandledSource } from './handled-events.js';

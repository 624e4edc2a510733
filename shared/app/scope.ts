import type { ObservedRegion } from '../core/domain.js';
import type { ScopeHints } from '../events/classify.js';

export interface ResolvedScope {
  /** The VPCs to reconcile; undefined means every VPC of the region. */
  readonly vpcIds?: readonly string[];
  /** Ids the state no longer shows (deleted subnets, groups, endpoints): why the scope widened. */
  readonly unresolved: readonly string[];
}

/**
 * Maps the resource ids events name to VPCs using state read after the events. Anything that cannot
 * be placed (a deleted resource, an event naming nothing) widens the scope to the whole region.
 */
export function resolveScope(hints: ScopeHints, observed: ObservedRegion): ResolvedScope {
  if (hints.wholeRegion) return { unresolved: [] };
  const owner = new Map<string, string>();
  for (const vpc of observed.vpcs) {
    owner.set(vpc.vpcId, vpc.vpcId);
    for (const s of vpc.subnets) owner.set(s.subnetId, vpc.vpcId);
    for (const g of vpc.securityGroups) owner.set(g.groupId, vpc.vpcId);
    for (const n of vpc.networkAcls) owner.set(n.naclId, vpc.vpcId);
    for (const e of vpc.endpoints) owner.set(e.endpointId, vpc.vpcId);
    for (const ci of vpc.containerInstances) {
      owner.set(ci.ec2InstanceId, vpc.vpcId);
      owner.set(ci.containerInstanceArn, vpc.vpcId);
    }
  }
  const ids = [
    ...hints.vpcIds,
    ...hints.subnetIds,
    ...hints.securityGroupIds,
    ...hints.networkAclIds,
    ...hints.endpointIds,
    ...hints.instanceIds,
    ...hints.containerInstanceArns,
  ];
  // An instance that is not an ECS container instance (yet) says nothing about ECS: skip it when other ids place the event.
  const unresolved = ids.filter((id) => !owner.has(id) && !hints.instanceIds.includes(id));
  const vpcIds = [...new Set(ids.flatMap((id) => owner.get(id) ?? []))].sort();
  if (unresolved.length > 0 || vpcIds.length === 0) return { unresolved };
  return { vpcIds, unresolved };
}

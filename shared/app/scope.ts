import type { ResourceRefs } from '../core/ports.js';
import type { ScopeHints } from '../events/classify.js';

/**
 * What a batch's events let the reconcile read: some VPCs, or the whole Region (the events ask for
 * it, or name something that cannot be placed).
 */
export type ResolvedScope =
  | { readonly kind: 'vpcs'; readonly vpcIds: readonly string[] }
  | { readonly kind: 'region'; readonly reason: string; readonly unresolved: readonly string[] };

/** The ids to look up before reading: everything but the VPC ids, which place themselves. */
export function refsToLocate(hints: ScopeHints): ResourceRefs {
  return {
    vpcIds: [],
    subnetIds: hints.subnetIds,
    securityGroupIds: hints.securityGroupIds,
    networkAclIds: hints.networkAclIds,
    endpointIds: hints.endpointIds,
    instanceIds: hints.instanceIds,
  };
}

export function needsLookup(refs: ResourceRefs): boolean {
  return (
    refs.subnetIds.length +
      refs.securityGroupIds.length +
      refs.networkAclIds.length +
      refs.endpointIds.length +
      refs.instanceIds.length >
    0
  );
}

/**
 * Places the events' ids in VPCs, from a lookup made after the events (`placement`: id → VPC).
 * Named VPC ids are taken as they are (the scoped read tells which exist). A subnet, group, network
 * ACL or endpoint the lookup did not find (deleted since) cannot be placed: the scope widens to the
 * whole Region. An instance that is not found says nothing about ECS and is skipped; container
 * instance ARNs are placed through the EC2 instance their events also name. Pure.
 */
export function resolveScope(hints: ScopeHints, placement: ReadonlyMap<string, string>): ResolvedScope {
  if (hints.wholeRegion)
    return { kind: 'region', reason: 'the events ask for the whole Region', unresolved: [] };
  const placeable = [
    ...hints.subnetIds,
    ...hints.securityGroupIds,
    ...hints.networkAclIds,
    ...hints.endpointIds,
  ];
  const unresolved = placeable.filter((id) => !placement.has(id));
  if (unresolved.length > 0) {
    return { kind: 'region', reason: 'some named resources could not be placed in a VPC', unresolved };
  }
  const vpcIds = [
    ...new Set([
      ...hints.vpcIds,
      ...[...placeable, ...hints.instanceIds].flatMap((id) => {
        const vpcId = placement.get(id);
        return vpcId ? [vpcId] : [];
      }),
    ]),
  ].sort();
  if (vpcIds.length === 0) {
    return { kind: 'region', reason: 'the events name nothing that places them in a VPC', unresolved: [] };
  }
  return { kind: 'vpcs', vpcIds };
}

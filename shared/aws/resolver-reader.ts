/**
 * Route 53 Resolver rules associated with VPCs (issue #13 §1), mapped to `ObservedResolverRule`: a
 * FORWARD rule whose domain covers a service's name takes precedence over private hosted zones, an
 * endpoint's private DNS included ("Forwarding outbound DNS queries to your network", Route 53
 * Developer Guide).
 *
 * ListResolverRuleAssociations (every page; filtered by `VPCId` when asked for some VPCs), keeping the
 * associations in effect (Status COMPLETE; "ResolverRuleAssociation", Route 53 Resolver API
 * Reference); then ListResolverRules (every page) for the rules' domains and types, GetResolverRule
 * for an associated rule it did not list (a rule another account shares through AWS RAM).
 */
import {
  GetResolverRuleCommand,
  paginateListResolverRuleAssociations,
  paginateListResolverRules,
  type ResolverRule,
  type Route53ResolverClient,
} from '@aws-sdk/client-route53resolver';
import type { ObservedResolverRule } from '../core/domain.js';
import { collectPages } from './collect-pages.js';
import { dnsNameOf } from './route53-reader.js';

export interface ResolverRuleReadScope {
  /** Only these VPCs' associations; absent: every association in the Region. */
  readonly vpcIds?: readonly string[];
}

const RULE_TYPES = new Set(['FORWARD', 'SYSTEM', 'RECURSIVE']);

export async function readResolverRules(
  resolver: Route53ResolverClient,
  scope: ResolverRuleReadScope = {},
): Promise<ObservedResolverRule[]> {
  if (scope.vpcIds !== undefined && scope.vpcIds.length === 0) return [];
  const filters = scope.vpcIds ? [{ Name: 'VPCId', Values: [...new Set(scope.vpcIds)].sort() }] : undefined;
  const associations = (
    await collectPages(
      paginateListResolverRuleAssociations({ client: resolver }, filters ? { Filters: filters } : {}),
      (p) => p.ResolverRuleAssociations,
    )
  ).filter((a) => a.Status === 'COMPLETE' && a.ResolverRuleId && a.VPCId);
  if (associations.length === 0) return [];
  const vpcsByRule = new Map<string, Set<string>>();
  for (const a of associations) {
    const vpcs = vpcsByRule.get(a.ResolverRuleId ?? '') ?? new Set<string>();
    vpcs.add(a.VPCId ?? '');
    vpcsByRule.set(a.ResolverRuleId ?? '', vpcs);
  }
  const listed = await collectPages(
    paginateListResolverRules({ client: resolver }, {}),
    (p) => p.ResolverRules,
  );
  const byId = new Map(listed.flatMap((r) => (r.Id ? [[r.Id, r] as const] : [])));
  const rules: ObservedResolverRule[] = [];
  for (const [ruleId, vpcs] of [...vpcsByRule].sort(([a], [b]) => a.localeCompare(b))) {
    const rule =
      byId.get(ruleId) ??
      (await resolver.send(new GetResolverRuleCommand({ ResolverRuleId: ruleId }))).ResolverRule;
    const observed = rule ? toObserved(rule, [...vpcs].sort()) : undefined;
    if (observed) rules.push(observed);
  }
  return rules;
}

function toObserved(rule: ResolverRule, vpcIds: string[]): ObservedResolverRule | undefined {
  if (!rule.Id || !rule.RuleType || !RULE_TYPES.has(rule.RuleType)) return undefined;
  const domain = dnsNameOf(rule.DomainName ?? '');
  return {
    ruleId: rule.Id,
    ...(rule.Name ? { name: rule.Name } : {}),
    domainName: domain === '.' ? '' : domain,
    ruleType: rule.RuleType as ObservedResolverRule['ruleType'],
    vpcIds,
  };
}

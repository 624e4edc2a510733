import type { RuleFinding, RuleResult } from './rule.js';
import type { VpcView } from './vpc-view.js';

/**
 * Services whose name a Route 53 Resolver forwarding rule associated with the VPC covers
 * (serving.ts): the rule takes precedence over private hosted zones and an endpoint's private DNS
 * ("Forwarding outbound DNS queries to your network", Amazon Route 53 Developer Guide,
 * https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-forwarding-outbound-queries.html),
 * so a local endpoint would not help and none is created. What the forwarded-to resolvers answer
 * cannot be verified from here: one finding per service, naming the rule, with advice.
 */
export function resolverRulesRule(view: VpcView): RuleResult {
  return {
    findings: view.served.flatMap(({ service, serving }): RuleFinding[] =>
      serving.kind === 'delegated'
        ? [
            {
              code: 'DNS_FORWARDED_BY_RESOLVER_RULE',
              severity: 'medium',
              service,
              resourceId: serving.rule.ruleId,
              message: `${serving.dnsName} is forwarded by Resolver rule ${serving.rule.ruleId}${serving.rule.name ? ` (${serving.rule.name})` : ''} for '${serving.rule.domainName || '.'}': no local endpoint is created`,
              advice: `Check that the resolvers rule ${serving.rule.ruleId} forwards to answer ${serving.dnsName} with a reachable ${service} endpoint, or add a SYSTEM rule for the name to use a local endpoint`,
            },
          ]
        : [],
    ),
    drafts: [],
  };
}

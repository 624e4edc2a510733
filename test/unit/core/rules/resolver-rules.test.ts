/** The resolver-rules rule: a forwarding rule covering a service's name delegates it (a finding, no local endpoint). */
import type { ObservedResolverRule } from '../../../../shared/core/domain.js';
import { resolverRulesRule } from '../../../../shared/core/rules/resolver-rules.js';
import { codes, only, viewOf } from '../../../support/rule-view.js';
import { region, healthyVpc, MANAGED, SG_NAME } from '../../../support/fixtures.js';
import { vpcView } from '../../../../shared/core/rules/vpc-view.js';
import { desiredFor } from '../../../support/rule-view.js';

const rule = (
  domainName: string,
  ruleType: ObservedResolverRule['ruleType'] = 'FORWARD',
  vpcIds = ['vpc-1'],
) => ({
  ruleId: `rslvr-rr-${ruleType.toLowerCase()}-${domainName || 'root'}`,
  name: 'corp',
  domainName,
  ruleType,
  vpcIds,
});

function viewWith(rules: ObservedResolverRule[]) {
  const vpc = healthyVpc(1);
  return vpcView(
    desiredFor(vpc, only('ecs-agent', 'logs', 's3')),
    vpc,
    region([vpc], { resolverRules: rules }),
    {
      securityGroupName: SG_NAME,
      managedTagKey: MANAGED,
    },
  );
}

describe('resolver-rules rule', () => {
  it.each<[string, ObservedResolverRule[], string[], string[]]>([
    ['no rules: nothing, all local', [], [], ['ecs-agent', 'logs', 's3']],
    [
      'a forwarding rule for amazonaws.com: every interface service delegated, s3 (gateway) local',
      [rule('amazonaws.com')],
      ['DNS_FORWARDED_BY_RESOLVER_RULE:ecs-agent', 'DNS_FORWARDED_BY_RESOLVER_RULE:logs'],
      ['s3'],
    ],
    [
      'a root forwarding rule covers every name',
      [rule('')],
      ['DNS_FORWARDED_BY_RESOLVER_RULE:ecs-agent', 'DNS_FORWARDED_BY_RESOLVER_RULE:logs'],
      ['s3'],
    ],
    ['a rule for another domain: nothing', [rule('corp.example.com')], [], ['ecs-agent', 'logs', 's3']],
    [
      'a rule not associated with the VPC: nothing',
      [rule('amazonaws.com', 'FORWARD', ['vpc-9'])],
      [],
      ['ecs-agent', 'logs', 's3'],
    ],
    [
      'a more specific SYSTEM rule takes one name back',
      [rule('amazonaws.com'), rule('logs.us-east-1.amazonaws.com', 'SYSTEM')],
      ['DNS_FORWARDED_BY_RESOLVER_RULE:ecs-agent'],
      ['logs', 's3'],
    ],
    [
      'a name that only ends like the domain is not covered',
      [rule('zonaws.com')],
      [],
      ['ecs-agent', 'logs', 's3'],
    ],
  ])('%s', (_name, rules, expectedCodes, localServices) => {
    const view = viewWith(rules);
    const result = resolverRulesRule(view);
    expect({
      codes: codes(result),
      drafts: result.drafts,
      local: view.services.map((s) => s.service),
    }).toEqual({
      codes: expectedCodes,
      drafts: [],
      local: localServices,
    });
  });

  it('names the rule in the finding', () => {
    const result = resolverRulesRule(viewWith([rule('amazonaws.com')]));
    expect(result.findings[0]).toEqual({
      code: 'DNS_FORWARDED_BY_RESOLVER_RULE',
      severity: 'medium',
      service: 'ecs-agent',
      resourceId: 'rslvr-rr-forward-amazonaws.com',
      message:
        "ecs-agent.us-east-1.amazonaws.com is forwarded by Resolver rule rslvr-rr-forward-amazonaws.com (corp) for 'amazonaws.com': no local endpoint is created",
      advice:
        'Check that the resolvers rule rslvr-rr-forward-amazonaws.com forwards to answer ecs-agent.us-east-1.amazonaws.com with a reachable ecs-agent endpoint, or add a SYSTEM rule for the name to use a local endpoint',
    });
  });

  it('the default view (no rules read) is unchanged', () => {
    expect(viewOf().served).toEqual([]);
  });
});

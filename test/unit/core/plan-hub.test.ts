/**
 * The planner on a hub and spoke (serving.ts): a spoke fully served by the hub gets no
 * MISSING_ENDPOINT, no create and costs nothing; without the zones (as before central serving) it
 * would get every interface endpoint. The figures are printed by the assertions' objects.
 */
import type { ObservedRegion, Plan } from '../../../shared/core/domain.js';
import { deriveDesired } from '../../../shared/core/desired.js';
import { plan } from '../../../shared/core/plan.js';
import { CORE_DEFAULTS as cfg } from '../../support/core-config.js';
import { hubAndSpoke, hubZones } from '../../support/hub-and-spoke.js';

function planOf(observed: ObservedRegion): Plan {
  const desired = deriveDesired(observed, cfg);
  return plan(desired.vpcs, observed, {
    securityGroupName: cfg.endpointSecurityGroupName,
    managedTagKey: cfg.managedTagKey,
    warnings: desired.warnings,
  });
}

const summary = (p: Plan, vpcId: string) => {
  const v = p.vpcs.find((x) => x.vpcId === vpcId)!;
  return {
    missing: v.findings.filter((f) => f.code === 'MISSING_ENDPOINT').map((f) => f.service),
    creates: v.actions.filter((a) => a.kind === 'CreateVpcEndpoint').length,
    cost: v.estimatedMonthlyCostUsd,
    codes: [...new Set(v.findings.map((f) => f.code))],
  };
};

describe('plan on a hub and spoke', () => {
  it('a spoke fully served by the hub: no MISSING_ENDPOINT, no create, cost 0; the hub is clean too', () => {
    const p = planOf(hubAndSpoke());
    expect({
      spoke: summary(p, 'vpc-2'),
      hub: summary(p, 'vpc-1'),
      total: p.estimatedMonthlyCostUsd,
    }).toEqual({
      spoke: { missing: [], creates: 0, cost: 0, codes: [] },
      hub: { missing: [], creates: 0, cost: 0, codes: [] },
      total: 0,
    });
  });

  it('before central serving (zones not read) the spoke would get every interface endpoint', () => {
    const p = planOf(hubAndSpoke({ hostedZones: undefined }));
    const spoke = summary(p, 'vpc-2');
    expect({ missing: spoke.missing.length, creates: spoke.creates, cost: spoke.cost }).toEqual({
      missing: 10,
      creates: 10,
      cost: 219, // 10 interface endpoints x 3 AZs x USD 0.01 x 730 h (us-east-1)
    });
  });

  it('one zone not associated: a finding and no create for that service', () => {
    const zones = hubZones().map((z) => (z.name.startsWith('ecs.') ? { ...z, vpcIds: ['vpc-1'] } : z));
    const spoke = summary(planOf(hubAndSpoke({ zones })), 'vpc-2');
    expect(spoke).toEqual({ missing: [], creates: 0, cost: 0, codes: ['CENTRAL_ZONE_NOT_ASSOCIATED'] });
  });

  it('a forwarding rule for amazonaws.com: a finding per service naming the rule, no local endpoint', () => {
    const observed = hubAndSpoke({
      hostedZones: undefined,
      resolverRules: [
        { ruleId: 'rslvr-rr-1', domainName: 'amazonaws.com', ruleType: 'FORWARD', vpcIds: ['vpc-2'] },
      ],
    });
    const spoke = summary(planOf(observed), 'vpc-2');
    expect(spoke).toEqual({ missing: [], creates: 0, cost: 0, codes: ['DNS_FORWARDED_BY_RESOLVER_RULE'] });
  });
});

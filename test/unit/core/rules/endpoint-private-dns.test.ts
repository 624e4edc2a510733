/** The private DNS rule alone: a live interface endpoint with private DNS off gets it switched on. */
import { endpointPrivateDnsRule } from '../../../../shared/core/rules/endpoint-private-dns.js';
import type { RuleDraft } from '../../../../shared/core/rules/rule.js';
import { codes, endpointsWith, viewOf, type ViewTweak } from '../../../support/rule-view.js';

const dnsOff = (...services: ('ecs' | 'logs' | 's3')[]): ViewTweak => ({
  vpc: {
    endpoints: endpointsWith(...services.map((service) => ({ service, privateDnsEnabled: false }))),
  },
});
const enable = (service: string, endpointId: string): RuleDraft => ({
  kind: 'EndpointRepair',
  service: service as 'ecs',
  endpointId,
  enablePrivateDns: true,
  part: 'enable private DNS',
});

describe('endpoint-private-dns rule', () => {
  it.each<[string, ViewTweak, string[], RuleDraft[]]>([
    ['healthy VPC: nothing', {}, [], []],
    [
      'an ECS endpoint with private DNS off',
      dnsOff('ecs'),
      ['PRIVATE_DNS_DISABLED:ecs'],
      [enable('ecs', 'vpce-1ecs')],
    ],
    [
      'two endpoints: in service order',
      dnsOff('logs', 'ecs'),
      ['PRIVATE_DNS_DISABLED:ecs', 'PRIVATE_DNS_DISABLED:logs'],
      [enable('ecs', 'vpce-1ecs'), enable('logs', 'vpce-1logs')],
    ],
    ['a gateway endpoint has no private DNS to enable', dnsOff('s3'), [], []],
    [
      'a waiting endpoint is left alone',
      {
        vpc: {
          endpoints: endpointsWith({
            service: 'ecs',
            privateDnsEnabled: false,
            state: 'pending',
          }),
        },
      },
      [],
      [],
    ],
  ])('%s', (_name, tweak, expectedCodes, expectedDrafts) => {
    const result = endpointPrivateDnsRule(viewOf(tweak));
    expect({ codes: codes(result), drafts: result.drafts }).toEqual({
      codes: expectedCodes,
      drafts: expectedDrafts,
    });
  });

  it('is critical on the ECS endpoints, high elsewhere', () => {
    const result = endpointPrivateDnsRule(viewOf(dnsOff('ecs', 'logs')));
    expect(result.findings).toEqual([
      {
        code: 'PRIVATE_DNS_DISABLED',
        severity: 'critical',
        service: 'ecs',
        resourceId: 'vpce-1ecs',
        message: 'ecs endpoint vpce-1ecs has private DNS off: clients still resolve the public name',
      },
      {
        code: 'PRIVATE_DNS_DISABLED',
        severity: 'high',
        service: 'logs',
        resourceId: 'vpce-1logs',
        message: 'logs endpoint vpce-1logs has private DNS off: clients still resolve the public name',
      },
    ]);
  });
});

/**
 * The VPC DNS rule alone: both DNS attributes must be on for private DNS on interface endpoints
 * (support enabled first); custom DHCP DNS servers are reported, never changed; attributes not read
 * and VPCs that need only gateway endpoints give nothing.
 */
import type { RuleDraft } from '../../../../shared/core/rules/rule.js';
import { vpcDnsRule } from '../../../../shared/core/rules/vpc-dns.js';
import { codes, only, viewOf, type ViewTweak } from '../../../support/rule-view.js';

const SUPPORT: RuleDraft = {
  kind: 'EnableVpcDnsAttribute',
  attribute: 'enableDnsSupport',
  reason: 'interface endpoints need enableDnsSupport for private DNS',
};
const HOSTNAMES: RuleDraft = {
  kind: 'EnableVpcDnsAttribute',
  attribute: 'enableDnsHostnames',
  reason: 'interface endpoints need enableDnsHostnames for private DNS',
};

describe('vpc-dns rule', () => {
  it.each<[string, ViewTweak, string[], RuleDraft[]]>([
    ['healthy VPC: nothing', {}, [], []],
    ['DNS support off', { vpc: { enableDnsSupport: false } }, ['VPC_DNS_SUPPORT_DISABLED'], [SUPPORT]],
    [
      'DNS hostnames off',
      { vpc: { enableDnsHostnames: false } },
      ['VPC_DNS_HOSTNAMES_DISABLED'],
      [HOSTNAMES],
    ],
    [
      'both off: support first',
      { vpc: { enableDnsSupport: false, enableDnsHostnames: false } },
      ['VPC_DNS_SUPPORT_DISABLED', 'VPC_DNS_HOSTNAMES_DISABLED'],
      [SUPPORT, HOSTNAMES],
    ],
    [
      'attributes not read: nothing',
      { vpc: { enableDnsSupport: undefined, enableDnsHostnames: undefined } },
      [],
      [],
    ],
    [
      'custom DNS servers: reported only',
      { vpc: { domainNameServers: ['10.0.0.2'] } },
      ['CUSTOM_DNS_SERVERS'],
      [],
    ],
    ['no DNS servers in the DHCP options (AWS default): nothing', { vpc: { domainNameServers: [] } }, [], []],
    [
      'only gateway endpoints needed: the DNS attributes do not matter',
      {
        vpc: {
          enableDnsSupport: false,
          enableDnsHostnames: false,
          domainNameServers: ['10.0.0.2'],
        },
        desired: only('s3'),
      },
      [],
      [],
    ],
  ])('%s', (_name, tweak, expectedCodes, expectedDrafts) => {
    const result = vpcDnsRule(viewOf(tweak));
    expect({ codes: codes(result), drafts: result.drafts }).toEqual({
      codes: expectedCodes,
      drafts: expectedDrafts,
    });
  });

  it('explains each finding and names only the custom servers', () => {
    const view = viewOf({
      vpc: {
        enableDnsSupport: false,
        enableDnsHostnames: false,
        domainNameServers: ['10.0.0.2', 'AmazonProvidedDNS', '192.168.1.1'],
      },
    });
    expect(vpcDnsRule(view).findings).toEqual([
      {
        code: 'VPC_DNS_SUPPORT_DISABLED',
        severity: 'critical',
        resourceId: 'vpc-1',
        message: 'enableDnsSupport is off: private DNS names of interface endpoints cannot resolve',
      },
      {
        code: 'VPC_DNS_HOSTNAMES_DISABLED',
        severity: 'critical',
        resourceId: 'vpc-1',
        message: 'enableDnsHostnames is off: private DNS cannot be enabled on interface endpoints',
      },
      {
        code: 'CUSTOM_DNS_SERVERS',
        severity: 'high',
        resourceId: 'vpc-1',
        message:
          'DHCP options use custom DNS servers (10.0.0.2, 192.168.1.1): only Amazon-provided DNS resolves endpoint private names',
        advice:
          'Forward the AWS service domains to the VPC resolver with Route 53 Resolver rules (conditional forwarding); the tool does not change DHCP options',
      },
    ]);
  });
});

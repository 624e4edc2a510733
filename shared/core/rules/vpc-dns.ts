import type { RuleDraft, RuleFinding, RuleResult } from './rule.js';
import { NOTHING } from './rule.js';
import type { VpcView } from './vpc-view.js';

/**
 * VPC DNS attributes and DHCP options. Private DNS on an interface endpoint needs both
 * enableDnsSupport and enableDnsHostnames, and only the Amazon-provided DNS server resolves the
 * endpoints' private names ("DNS attributes for your VPC", Amazon VPC User Guide,
 * https://docs.aws.amazon.com/vpc/latest/userguide/AmazonDNS-concepts.html#vpc-dns-support).
 * Support is enabled before hostnames. An attribute not read (undefined) is no finding; DHCP
 * options are reported, never changed.
 */
export function vpcDnsRule(view: VpcView): RuleResult {
  if (!view.needsInterface) return NOTHING;
  const { vpc } = view;
  const findings: RuleFinding[] = [];
  const drafts: RuleDraft[] = [];
  if (vpc.enableDnsSupport === false) {
    findings.push({
      code: 'VPC_DNS_SUPPORT_DISABLED',
      severity: 'critical',
      resourceId: vpc.vpcId,
      message: 'enableDnsSupport is off: private DNS names of interface endpoints cannot resolve',
    });
    drafts.push({
      kind: 'EnableVpcDnsAttribute',
      attribute: 'enableDnsSupport',
      reason: 'interface endpoints need enableDnsSupport for private DNS',
    });
  }
  if (vpc.enableDnsHostnames === false) {
    findings.push({
      code: 'VPC_DNS_HOSTNAMES_DISABLED',
      severity: 'critical',
      resourceId: vpc.vpcId,
      message: 'enableDnsHostnames is off: private DNS cannot be enabled on interface endpoints',
    });
    drafts.push({
      kind: 'EnableVpcDnsAttribute',
      attribute: 'enableDnsHostnames',
      reason: 'interface endpoints need enableDnsHostnames for private DNS',
    });
  }
  const servers = vpc.domainNameServers.filter((s) => s !== 'AmazonProvidedDNS');
  if (servers.length > 0) {
    findings.push({
      code: 'CUSTOM_DNS_SERVERS',
      severity: 'high',
      resourceId: vpc.vpcId,
      message: `DHCP options use custom DNS servers (${servers.join(', ')}): only Amazon-provided DNS resolves endpoint private names`,
      advice:
        'Forward the AWS service domains to the VPC resolver with Route 53 Resolver rules (conditional forwarding); the tool does not change DHCP options',
    });
  }
  return { findings, drafts };
}

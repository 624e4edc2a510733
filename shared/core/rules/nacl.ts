import type { ObservedNetworkAcl, ObservedSubnet } from '../domain.js';
import { EPHEMERAL_SAMPLE_PORTS, naclAllows } from '../network.js';
import type { RuleFinding, RuleResult } from './rule.js';
import type { VpcView } from './vpc-view.js';

/**
 * Network ACLs are stateless: between a workload subnet and an endpoint subnet, 443 must be allowed
 * one way and the ephemeral ports back, on both subnets' ACLs ("Control subnet traffic with network
 * access control lists", Amazon VPC User Guide,
 * https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html). Reported once per ACL,
 * never changed.
 */
export function naclRule(view: VpcView): RuleResult {
  const naclsById = new Map(view.vpc.networkAcls.map((n) => [n.naclId, n]));
  const subnets = (ids: readonly string[]) => ids.flatMap((id) => view.subnetsById.get(id) ?? []);
  const nacl = (s: ObservedSubnet) => (s.networkAclId ? naclsById.get(s.networkAclId) : undefined);
  const problems = new Map<string, string[]>();
  const note = (naclId: string, text: string) =>
    problems.set(naclId, [...(problems.get(naclId) ?? []), text]);
  for (const endpoint of subnets(view.endpointSubnetIds)) {
    for (const client of subnets(view.vpc.workloads.subnetIds)) {
      const endpointNacl = nacl(endpoint);
      if (endpointNacl) checkEndpointSide(endpointNacl, endpoint, client, note);
      const clientNacl = nacl(client);
      if (clientNacl && client.subnetId !== endpoint.subnetId)
        checkClientSide(clientNacl, endpoint, client, note);
    }
  }
  const findings = [...problems.entries()].map(([naclId, texts]): RuleFinding => {
    const unique = [...new Set(texts)];
    return {
      code: 'NACL_BLOCKS_HTTPS',
      severity: 'critical',
      resourceId: naclId,
      message: `network ACL ${naclId} blocks ${unique.slice(0, 3).join('; ')}${unique.length > 3 ? ` (+${unique.length - 3} more)` : ''}`,
      advice:
        'Allow TCP 443 into the endpoint subnets and ephemeral ports 1024-65535 back; the tool never edits network ACLs',
    };
  });
  return { findings, drafts: [] };
}

type Note = (naclId: string, text: string) => void;

function checkEndpointSide(
  acl: ObservedNetworkAcl,
  endpoint: ObservedSubnet,
  client: ObservedSubnet,
  note: Note,
) {
  if (!naclAllows(acl, false, 443, client.cidrBlock))
    note(acl.naclId, `inbound 443 from ${client.cidrBlock} to ${endpoint.subnetId}`);
  if (!EPHEMERAL_SAMPLE_PORTS.every((p) => naclAllows(acl, true, p, client.cidrBlock)))
    note(acl.naclId, `outbound ephemeral ports to ${client.cidrBlock} from ${endpoint.subnetId}`);
}

function checkClientSide(
  acl: ObservedNetworkAcl,
  endpoint: ObservedSubnet,
  client: ObservedSubnet,
  note: Note,
) {
  if (!naclAllows(acl, true, 443, endpoint.cidrBlock))
    note(acl.naclId, `outbound 443 from ${client.subnetId} to ${endpoint.cidrBlock}`);
  if (!EPHEMERAL_SAMPLE_PORTS.every((p) => naclAllows(acl, false, p, endpoint.cidrBlock)))
    note(acl.naclId, `inbound ephemeral ports to ${client.subnetId} from ${endpoint.cidrBlock}`);
}

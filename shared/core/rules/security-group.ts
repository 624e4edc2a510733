import { groupsAllowHttpsFrom } from '../network.js';
import type { RuleDraft, RuleResult, ServiceFinding } from './rule.js';
import type { VpcView } from './vpc-view.js';

/**
 * Interface endpoints must accept HTTPS (TCP 443) from their clients through their security groups
 * ("Access an AWS service using an interface VPC endpoint", AWS PrivateLink Guide,
 * https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html). The tool uses
 * only its dedicated group, never the VPC's default group: it creates that group when an endpoint
 * is being created (an earlier rule's CreateVpcEndpoint carries it) or one blocks 443, opens 443 in
 * it to the VPC's CIDRs, and attaches it to a blocking endpoint. It only adds: no rule or group is
 * ever removed.
 */
export function securityGroupRule(view: VpcView, earlier: readonly RuleDraft[]): RuleResult<ServiceFinding> {
  const findings: ServiceFinding[] = [];
  const repairs: RuleDraft[] = [];
  const { dedicatedGroup, endpointGroup } = view;
  for (const { service, presence } of view.services) {
    if (presence.kind !== 'liveInterface') continue;
    const { endpointId, securityGroupIds } = presence.endpoint;
    const attached = securityGroupIds.flatMap((id) => view.groupsById.get(id) ?? []);
    const blocked = view.desired.clientCidrs.filter((cidr) => !groupsAllowHttpsFrom(attached, cidr));
    if (blocked.length === 0) continue;
    findings.push({
      code: 'ENDPOINT_SG_BLOCKS_HTTPS',
      severity: 'critical',
      service,
      resourceId: endpointId,
      message: `security group(s) of ${endpointId} do not allow TCP 443 from ${blocked.join(', ')}`,
    });
    if (dedicatedGroup === undefined || !securityGroupIds.includes(dedicatedGroup.groupId)) {
      repairs.push({
        kind: 'EndpointRepair',
        service,
        endpointId,
        addSecurityGroup: endpointGroup,
        part: 'attach the dedicated security group that allows 443',
      });
    }
  }
  const creating = earlier.some((d) => d.kind === 'CreateVpcEndpoint' && d.endpointType === 'Interface');
  if (!creating && findings.length === 0) return { findings, drafts: [] };
  return { findings, drafts: [...dedicatedGroupDrafts(view), ...repairs] };
}

/** The dedicated group (created when absent) with 443 open to every VPC CIDR it lacks. */
function dedicatedGroupDrafts(view: VpcView): RuleDraft[] {
  const { dedicatedGroup, endpointGroup, options } = view;
  const drafts: RuleDraft[] = [];
  if (!dedicatedGroup) {
    drafts.push({
      kind: 'CreateSecurityGroup',
      groupName: options.securityGroupName,
      description: 'ecs-endpoint-remediator: HTTPS from the VPC to its interface endpoints',
      reason: 'interface endpoints need a dedicated group allowing 443 (the default group is never used)',
    });
  }
  const missingCidrs = view.vpcCidrs.filter(
    (cidr) => !dedicatedGroup || !groupsAllowHttpsFrom([dedicatedGroup], cidr),
  );
  if (missingCidrs.length > 0) {
    drafts.push({
      kind: 'AuthorizeHttpsIngress',
      group: endpointGroup,
      cidrs: missingCidrs,
      reason: `endpoint clients in ${missingCidrs.join(', ')} must reach the endpoints on TCP 443`,
    });
  }
  return drafts;
}

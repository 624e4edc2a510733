import { assertNever } from '../domain.js';
import type { BrokenLink } from '../serving.js';
import { ECS_AGENT_SERVICES } from '../services.js';
import type { RuleDraft, RuleFinding, RuleResult } from './rule.js';
import type { ServedService, VpcView } from './vpc-view.js';

/**
 * Services a central (hub) endpoint serves through a Route 53 private hosted zone (serving.ts): each
 * link of the pattern that does not hold is its own finding (zone not associated, record pointing at
 * a missing or unavailable endpoint, no route to the hub VPC, the hub endpoint's group not admitting
 * this VPC on 443). No local endpoint is created for these services (private DNS fails where a zone
 * of the name is associated: "CreateVpcEndpoint", Amazon EC2 API Reference,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_CreateVpcEndpoint.html); the hub's
 * records, routes and groups belong to its owners and are advice. The one repair: associating the VPC
 * with a hub zone of the same account (AssociateVPCWithHostedZone).
 */
export function centralZoneRule(view: VpcView): RuleResult {
  return {
    findings: view.served.flatMap((s) => findingsOf(s)),
    drafts: view.served.flatMap((s) => associationOf(s)),
  };
}

/**
 * The one link the tool repairs: a hub zone of this account not associated with the VPC, everything
 * else of the pattern working (serving.ts counts nothing less as `notAssociated`). What the hub's
 * owners intend; a zone of another account needs its owner's authorization first, so it is advice.
 */
function associationOf(s: ServedService): RuleDraft[] {
  const { serving, service } = s;
  if (serving.kind !== 'zone' || serving.zone.ownerAccountId !== undefined) return [];
  if (!serving.broken.some((link) => link.kind === 'notAssociated')) return [];
  return [
    {
      kind: 'AssociateVpcWithHostedZone',
      service,
      zoneId: serving.zone.zoneId,
      zoneName: serving.zone.name,
      reason: `${serving.dnsName} is served by hub endpoint ${serving.hubEndpointId ?? '?'} through zone ${serving.zone.name} (${serving.zone.zoneId}), which this VPC is not associated with`,
    },
  ];
}

function findingsOf(s: ServedService): RuleFinding[] {
  const { serving, service } = s;
  if (serving.kind !== 'zone') return [];
  const severity = ECS_AGENT_SERVICES.includes(service) ? 'critical' : 'high';
  const zone = `${serving.zone.name} (${serving.zone.zoneId})`;
  if (serving.unverifiedOwner !== undefined) {
    return [
      {
        code: 'CENTRAL_ZONE_OTHER_ACCOUNT',
        severity: 'info',
        service,
        resourceId: serving.zone.zoneId,
        message: `${serving.dnsName} resolves through zone ${zone} of account ${serving.unverifiedOwner}, associated with this VPC; its record, endpoint, route and security group are not readable from this account`,
        advice: `Plan account ${serving.unverifiedOwner} too (--accounts) to check the hub side`,
      },
    ];
  }
  return serving.broken.map((link: BrokenLink): RuleFinding => {
    switch (link.kind) {
      case 'notAssociated':
        return {
          code: 'CENTRAL_ZONE_NOT_ASSOCIATED',
          severity,
          service,
          resourceId: serving.zone.zoneId,
          message: `${serving.dnsName} is served by hub endpoint ${serving.hubEndpointId ?? '?'} through zone ${zone}, which is not associated with this VPC`,
          advice: `Associate this VPC with hosted zone ${serving.zone.zoneId} (AssociateVPCWithHostedZone; from another account after CreateVPCAssociationAuthorization)`,
        };
      case 'noRecord':
        return {
          code: 'CENTRAL_ZONE_RECORD_BROKEN',
          severity,
          service,
          resourceId: serving.zone.zoneId,
          message: `zone ${zone} is associated with this VPC but has no alias record for ${serving.dnsName}`,
          advice: `Add an alias record ${serving.dnsName} to an available ${service} interface endpoint, or disassociate the zone`,
        };
      case 'endpointMissing':
        return {
          code: 'CENTRAL_ZONE_RECORD_BROKEN',
          severity,
          service,
          resourceId: serving.zone.zoneId,
          message: `${serving.dnsName} in zone ${zone} aliases ${link.target}, which is no ${service} endpoint in scope`,
          advice: `Point the record at an available ${service} interface endpoint`,
        };
      case 'endpointUnavailable':
        return {
          code: 'CENTRAL_ZONE_RECORD_BROKEN',
          severity,
          service,
          resourceId: link.endpointId,
          message: `${serving.dnsName} in zone ${zone} aliases hub endpoint ${link.endpointId}, which is ${link.state}`,
          advice: 'Repair the hub endpoint or point the record at an available one',
        };
      case 'noRoute':
        return {
          code: 'CENTRAL_ENDPOINT_NO_ROUTE',
          severity,
          service,
          resourceId: link.hubVpcId,
          message: `route table(s) ${link.routeTableIds.join(', ')} have no peering or transit gateway route to hub VPC ${link.hubVpcId} (${service} endpoint ${serving.hubEndpointId ?? '?'})`,
          advice: `Add a route to ${link.hubVpcId}'s CIDR through its peering connection or transit gateway`,
        };
      case 'groupBlocks':
        return {
          code: 'CENTRAL_ENDPOINT_SG_BLOCKS_HTTPS',
          severity,
          service,
          resourceId: link.endpointId,
          message: `security group(s) of hub endpoint ${link.endpointId} do not allow TCP 443 from ${link.cidrs.join(', ')}`,
          advice: `Allow TCP 443 from ${link.cidrs.join(', ')} in the hub endpoint's security group`,
        };
      default:
        return assertNever(link, 'broken link');
    }
  });
}

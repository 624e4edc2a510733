import { assertNever } from '../domain.js';
import { endpointClientToken } from '../client-token.js';
import { ECS_AGENT_SERVICES } from '../services.js';
import type { RuleResult, ServiceFinding } from './rule.js';
import { combine } from './rule.js';
import type { Presence, ServiceView, VpcView } from './vpc-view.js';

/**
 * Endpoint presence and state, service by service: a service the Region does not offer (at all, or
 * in a required AZ), a missing endpoint (created: interface endpoints with private DNS in one subnet
 * per required AZ, the gateway on the private route tables), an endpoint waiting or unusable
 * (reported: the tool never deletes what it did not create). Endpoint states: "VpcEndpoint", Amazon
 * EC2 API Reference, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_VpcEndpoint.html.
 */
export function endpointPresenceRule(view: VpcView): RuleResult<ServiceFinding> {
  return combine(view.services.map((s) => presenceOf(view, s)));
}

function presenceOf(view: VpcView, s: ServiceView): RuleResult<ServiceFinding> {
  const p = s.presence;
  switch (p.kind) {
    case 'notOffered':
      return {
        findings: [
          {
            code: 'SERVICE_NOT_OFFERED_IN_AZ',
            severity: 'high',
            service: s.service,
            resourceId: view.region,
            message: `${s.service} (${s.type}) is not offered in ${view.region}`,
            advice: 'Reach the service another way (NAT or a proxy); the tool cannot create this endpoint',
          },
        ],
        drafts: [],
      };
    case 'missing':
      return { findings: [...unoffered(s), missingFinding(s, p)], drafts: creation(view, s, p) };
    case 'waiting':
    case 'unusable':
      return {
        findings: [...unoffered(s), notAvailable(s, p.kind, p.endpoint.endpointId, p.endpoint.state)],
        drafts: [],
      };
    case 'liveInterface':
    case 'liveGateway':
      return { findings: unoffered(s), drafts: [] };
    default:
      return assertNever(p, 'presence');
  }
}

function unoffered(s: ServiceView): ServiceFinding[] {
  return s.unofferedAzs.map((az) => ({
    code: 'SERVICE_NOT_OFFERED_IN_AZ',
    severity: 'medium',
    service: s.service,
    resourceId: az,
    message: `${s.service} is not offered in ${az}: workloads there reach it across AZs`,
    advice: 'Keep workloads in AZs where the service is offered, or accept cross-AZ traffic',
  }));
}

function missingFinding(s: ServiceView, p: Extract<Presence, { kind: 'missing' }>): ServiceFinding {
  const gone = p.gone.length ? ` (${p.gone.map((e) => `${e.endpointId} ${e.state}`).join(', ')})` : '';
  return {
    code: 'MISSING_ENDPOINT',
    severity: ECS_AGENT_SERVICES.includes(s.service) ? 'critical' : 'high',
    service: s.service,
    message: `no ${s.type.toLowerCase()} endpoint for ${s.service}${gone}: ${s.reason}`,
  };
}

function notAvailable(
  s: ServiceView,
  kind: 'waiting' | 'unusable',
  endpointId: string,
  state: string,
): ServiceFinding {
  const waiting = kind === 'waiting';
  return {
    code: 'ENDPOINT_NOT_AVAILABLE',
    severity: waiting ? 'low' : 'high',
    service: s.service,
    resourceId: endpointId,
    message: `${s.service} endpoint ${endpointId} is ${state}`,
    advice: waiting
      ? 'Wait: new endpoints take minutes to become available; the next run checks again'
      : 'Delete this endpoint (the tool never deletes what it did not create); the next run creates a working one',
  };
}

/** The CreateVpcEndpoint of a missing endpoint; none for an interface endpoint with no subnet to go in. */
function creation(view: VpcView, s: ServiceView, p: Extract<Presence, { kind: 'missing' }>) {
  const { vpcId, endpoints } = view.vpc;
  if (s.type === 'Interface') {
    if (p.subnetIds.length === 0) return [];
    return [
      {
        kind: 'CreateVpcEndpoint' as const,
        service: s.service,
        serviceName: p.offer.serviceName,
        endpointType: s.type,
        subnetIds: p.subnetIds,
        securityGroup: view.endpointGroup,
        routeTableIds: [],
        privateDnsEnabled: true,
        clientToken: endpointClientToken(vpcId, s.service, p.subnetIds, endpoints),
        newEndpointAzs: p.subnetIds.length,
        reason: `${s.reason}; creating it in ${p.subnetIds.length} AZ(s) with private DNS`,
      },
    ];
  }
  const routeTableIds = [...view.privateRouteTableIds];
  return [
    {
      kind: 'CreateVpcEndpoint' as const,
      service: s.service,
      serviceName: p.offer.serviceName,
      endpointType: s.type,
      subnetIds: [],
      routeTableIds,
      privateDnsEnabled: false,
      clientToken: endpointClientToken(vpcId, s.service, routeTableIds, endpoints),
      newEndpointAzs: 0,
      reason: `${s.reason}; creating the gateway endpoint on ${routeTableIds.length} private route table(s)`,
    },
  ];
}

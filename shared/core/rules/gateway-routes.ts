import type { RuleResult, ServiceFinding } from './rule.js';
import { combine, NOTHING } from './rule.js';
import type { VpcView } from './vpc-view.js';

/**
 * Gateway endpoints (s3, for ECR's image layers) work only on the route tables they are associated
 * with ("Gateway endpoints", AWS PrivateLink Guide,
 * https://docs.aws.amazon.com/vpc/latest/privatelink/gateway-endpoints.html): a private route table
 * without the endpoint is added to it, never removed from it.
 */
export function gatewayRoutesRule(view: VpcView): RuleResult<ServiceFinding> {
  return combine(
    view.services.map(({ service, presence }): RuleResult<ServiceFinding> => {
      if (presence.kind !== 'liveGateway') return NOTHING;
      const { endpointId, routeTableIds } = presence.endpoint;
      const missing = view.privateRouteTableIds.filter((rt) => !routeTableIds.includes(rt));
      if (missing.length === 0) return NOTHING;
      return {
        findings: [
          {
            code: 'S3_GATEWAY_ROUTE_MISSING',
            severity: 'high',
            service,
            resourceId: endpointId,
            message: `gateway endpoint ${endpointId} is not on route table(s) ${missing.join(', ')} of private subnets`,
          },
        ],
        drafts: [
          {
            kind: 'AddGatewayRoutes',
            service,
            endpointId,
            routeTableIds: missing,
            reason: `private subnets behind ${missing.join(', ')} must route S3 (ECR layers) through the gateway endpoint`,
          },
        ],
      };
    }),
  );
}

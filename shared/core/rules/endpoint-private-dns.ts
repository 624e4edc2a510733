import { ECS_AGENT_SERVICES } from '../services.js';
import type { RuleResult, ServiceFinding } from './rule.js';
import { combine, NOTHING } from './rule.js';
import type { VpcView } from './vpc-view.js';

/**
 * With private DNS off, clients keep resolving the service's public name and bypass the interface
 * endpoint ("Private DNS", AWS PrivateLink Guide,
 * https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html#interface-endpoint-private-dns):
 * it is switched on. Critical for the ECS endpoints, whose agent connects by name.
 */
export function endpointPrivateDnsRule(view: VpcView): RuleResult<ServiceFinding> {
  return combine(
    view.services.map(({ service, presence }): RuleResult<ServiceFinding> => {
      if (presence.kind !== 'liveInterface' || presence.endpoint.privateDnsEnabled) return NOTHING;
      const { endpointId } = presence.endpoint;
      return {
        findings: [
          {
            code: 'PRIVATE_DNS_DISABLED',
            severity: ECS_AGENT_SERVICES.includes(service) ? 'critical' : 'high',
            service,
            resourceId: endpointId,
            message: `${service} endpoint ${endpointId} has private DNS off: clients still resolve the public name`,
          },
        ],
        drafts: [
          { kind: 'EndpointRepair', service, endpointId, enablePrivateDns: true, part: 'enable private DNS' },
        ],
      };
    }),
  );
}

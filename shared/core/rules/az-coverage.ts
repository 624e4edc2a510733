import type { RuleDraft, RuleResult, ServiceFinding } from './rule.js';
import { combine, NOTHING } from './rule.js';
import type { VpcView } from './vpc-view.js';

/**
 * An interface endpoint serves an AZ only through a subnet it has there ("Access an AWS service
 * using an interface VPC endpoint", AWS PrivateLink Guide,
 * https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html): each required
 * AZ where the service is offered and the endpoint has no subnet is a finding, and a subnet there
 * (when the VPC has one) is added, never one removed.
 */
export function azCoverageRule(view: VpcView): RuleResult<ServiceFinding> {
  return combine(
    view.services.map(({ service, presence }): RuleResult<ServiceFinding> => {
      if (presence.kind !== 'liveInterface' || presence.missingAzs.length === 0) return NOTHING;
      const { endpoint, missingAzs, addSubnetIds } = presence;
      const drafts: RuleDraft[] =
        addSubnetIds.length > 0
          ? [
              {
                kind: 'EndpointRepair',
                service,
                endpointId: endpoint.endpointId,
                addSubnetIds,
                part: `add subnets in ${missingAzs.join(', ')}`,
              },
            ]
          : [];
      return {
        findings: [
          {
            code: 'ENDPOINT_AZ_NOT_COVERED',
            severity: 'high',
            service,
            resourceId: endpoint.endpointId,
            message: `${service} endpoint ${endpoint.endpointId} has no subnet in ${missingAzs.join(', ')}`,
          },
        ],
        drafts,
      };
    }),
  );
}

import { POLICY_UNSUPPORTED } from '../services.js';
import type { RuleResult, ServiceFinding } from './rule.js';
import { combine, NOTHING } from './rule.js';
import type { VpcView } from './vpc-view.js';

/**
 * The ECS endpoints do not support endpoint policies ("Amazon ECS interface VPC endpoints (AWS
 * PrivateLink)", Amazon ECS Developer Guide,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/vpc-endpoints.html): a policy other
 * than the default full access is reported with advice, never reset by the tool.
 */
export function endpointPolicyRule(view: VpcView): RuleResult<ServiceFinding> {
  return combine(
    view.services.map(({ service, presence }): RuleResult<ServiceFinding> => {
      if (presence.kind !== 'liveInterface') return NOTHING;
      if (!POLICY_UNSUPPORTED.includes(service) || !isCustomPolicy(presence.endpoint.policyDocument))
        return NOTHING;
      const { endpointId } = presence.endpoint;
      return {
        findings: [
          {
            code: 'ENDPOINT_POLICY_UNSUPPORTED',
            severity: 'medium',
            service,
            resourceId: endpointId,
            message: `${service} endpoint ${endpointId} has a custom policy; ECS endpoints do not support endpoint policies`,
            advice:
              'Reset the endpoint policy to full access (ModifyVpcEndpoint --reset-policy); control access with IAM instead',
          },
        ],
        drafts: [],
      };
    }),
  );
}

/**
 * True unless the document is absent or the default full-access policy: one statement allowing
 * every action on every resource to every principal, without a condition
 * ("Control access to VPC endpoints using endpoint policies", AWS PrivateLink Guide,
 * https://docs.aws.amazon.com/vpc/latest/privatelink/vpc-endpoints-access.html). Unparsable: custom.
 */
export function isCustomPolicy(document: string | undefined): boolean {
  if (!document) return false;
  try {
    const policy = JSON.parse(document) as { Statement?: unknown };
    const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
    return !(
      statements.length === 1 &&
      // Stryker disable next-line MethodExpression: over exactly one statement, `some` and `every` agree
      statements.every((s) => {
        const st = s as Record<string, unknown>;
        const star = (v: unknown) => v === '*' || (Array.isArray(v) && v.length === 1 && v[0] === '*');
        const principal =
          st.Principal === '*' || star((st.Principal as Record<string, unknown> | undefined)?.AWS);
        return (
          st.Effect === 'Allow' &&
          star(st.Action) &&
          star(st.Resource) &&
          principal &&
          st.Condition === undefined
        );
      })
    );
  } catch {
    return true;
  }
}

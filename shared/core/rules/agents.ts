import type { ObservedContainerInstance } from '../domain.js';
import { isAgentTooOld, MIN_AGENT_VERSION } from '../version.js';
import type { RuleDraft, RuleFinding, RuleResult } from './rule.js';
import { changedServices, combine, instanceRef } from './rule.js';
import type { VpcView } from './vpc-view.js';

/**
 * The ECS agent on each container instance: disconnected agents are reported (the restart rule
 * reconnects them behind repaired endpoints), and agents older than the first version that works
 * through the endpoints are updated where UpdateContainerAgent supports the platform (Amazon Linux
 * only: "Updating the Amazon ECS container agent", Amazon ECS Developer Guide,
 * https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-agent-update.html) and updates
 * are switched on.
 */
export function agentsRule(view: VpcView, earlier: readonly RuleDraft[]): RuleResult {
  const endpointsChange = changedServices(view, earlier).size > 0;
  const updateOldAgents = view.options.updateOldAgents ?? true;
  return combine(
    view.vpc.containerInstances.map((ci) => ({
      findings: [
        ...(ci.agentConnected ? [] : [disconnected(ci, endpointsChange)]),
        ...(isAgentTooOld(ci.agentVersion) ? [tooOld(ci, updateOldAgents)] : []),
      ],
      drafts: isAgentTooOld(ci.agentVersion) && updatable(ci, updateOldAgents) ? [update(ci)] : [],
    })),
  );
}

const updatable = (ci: ObservedContainerInstance, updateOldAgents: boolean) =>
  ci.platform === 'linux' && updateOldAgents;

function disconnected(ci: ObservedContainerInstance, endpointsChange: boolean): RuleFinding {
  return {
    code: 'AGENT_DISCONNECTED',
    severity: 'high',
    resourceId: ci.containerInstanceArn,
    message: `ECS agent on ${ci.ec2InstanceId} is disconnected`,
    advice: endpointsChange ? undefined : 'Check the instance, its endpoints and its agent log',
  };
}

function tooOld(ci: ObservedContainerInstance, updateOldAgents: boolean): RuleFinding {
  const supported = ci.platform === 'linux';
  return {
    code: 'AGENT_TOO_OLD',
    severity: 'high',
    resourceId: ci.containerInstanceArn,
    message: `ECS agent ${ci.agentVersion} on ${ci.ec2InstanceId} is older than ${MIN_AGENT_VERSION}, the first that works through the endpoints`,
    ...(updatable(ci, updateOldAgents)
      ? {}
      : {
          advice: supported
            ? 'Agent updates are switched off (updateOldAgents: false): update the agent or replace the instance'
            : `UpdateContainerAgent does not support ${ci.platform} instances: replace the instance with a current ECS-optimized AMI`,
        }),
  };
}

function update(ci: ObservedContainerInstance): RuleDraft {
  return {
    kind: 'UpdateContainerAgent',
    instance: instanceRef(ci),
    reason: `agent ${ci.agentVersion} < ${MIN_AGENT_VERSION}: update it (the update restarts the agent)`,
  };
}

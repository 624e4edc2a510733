import type { ContainerInstanceRef, ObservedContainerInstance } from '../domain.js';
import { hasInternetPath, instanceAccess } from '../internet-path.js';
import { ECS_AGENT_SERVICES, SSM_PATH_SERVICES } from '../services.js';
import type { RuleDraft, RuleFinding, RuleResult } from './rule.js';
import { changedServices, instanceRef } from './rule.js';
import type { VpcView } from './vpc-view.js';

/**
 * Agents reconnect to changed ECS endpoints only after a restart, which the tool runs through SSM
 * Run Command; that needs the SSM agent's path to ssm, ssmmessages and ec2messages (an internet
 * path or their endpoints: "Use an interface VPC endpoint for Systems Manager", AWS Systems Manager
 * User Guide, https://docs.aws.amazon.com/systems-manager/latest/userguide/setup-create-vpc.html).
 * Only where an ECS endpoint changes (this plan, or an earlier run left it pending); instances this
 * plan updates are skipped (the update restarts the agent); instances SSM does not manage are
 * reported, never restarted.
 */
export function agentRestartRule(view: VpcView, earlier: readonly RuleDraft[]): RuleResult {
  const changed = changedServices(view, earlier);
  const ecsChanged = ECS_AGENT_SERVICES.filter((s) => changed.has(s));
  const updating = new Set(
    // Stryker disable next-line ArrayDeclaration: a made-up string in the set never equals an instance ARN
    earlier.flatMap((d) => (d.kind === 'UpdateContainerAgent' ? [d.instance.containerInstanceArn] : [])),
  );
  const candidates = view.vpc.containerInstances.filter((ci) => !updating.has(ci.containerInstanceArn));
  // No candidates needs no early return: the loop adds nothing, `every` over none is true, no draft.
  if (ecsChanged.length === 0) return { findings: [], drafts: [] };

  const { ssmLive, ssmPlanned } = ssmPath(view, earlier);
  const direct = (ci: ObservedContainerInstance) => hasInternetPath(instanceAccess(ci, view.subnetsById));
  const findings: RuleFinding[] = [];
  const restart: ContainerInstanceRef[] = [];
  for (const ci of candidates) {
    if (ci.ssmManaged !== true) findings.push(notManaged(ci));
    else if (direct(ci) || ssmLive || ssmPlanned) restart.push(instanceRef(ci));
  }
  // Counted over every candidate without an internet path, SSM-managed or not: none of them can be
  // reached by Run Command (an unmanaged one was reported above too).
  const pathless = candidates.filter((ci) => !direct(ci)).length;
  if (!(pathless === 0 || ssmLive)) findings.push(ssmPathMissing(ssmPlanned, pathless));
  if (restart.length === 0) return { findings, drafts: [] };
  const dependsOn = [...ecsChanged, ...(ssmLive ? [] : SSM_PATH_SERVICES.filter((s) => changed.has(s)))];
  return {
    findings,
    drafts: [
      {
        kind: 'RestartEcsAgent',
        instances: restart,
        dependsOn,
        reason: `${ecsChanged.join(', ')} endpoint(s) change: ${restart.length} agent(s) must reconnect through them (after they are available)`,
      },
    ],
  };
}

/**
 * `ssmLive`: the three SSM endpoints are available with private DNS. `ssmPlanned`: each is available
 * or this plan works on it (so it is there before the restart, which waits for it).
 */
function ssmPath(view: VpcView, earlier: readonly RuleDraft[]): { ssmLive: boolean; ssmPlanned: boolean } {
  const { endpoints } = view.vpc;
  // Stryker disable next-line ArrayDeclaration: a made-up string in the set never equals an SSM service name
  const planned = new Set(earlier.flatMap((d) => ('service' in d ? [d.service] : [])));
  // A service a hub zone serves with every link working is live like a local endpoint; one a
  // forwarding rule delegates cannot be checked from here and is taken as reachable (the restart's
  // command status tells otherwise).
  const servedElsewhere = new Set(
    view.served
      .filter((s) => s.serving.kind === 'delegated' || s.serving.broken.length === 0)
      .map((s) => s.service),
  );
  return {
    ssmLive: SSM_PATH_SERVICES.every(
      (s) =>
        servedElsewhere.has(s) ||
        endpoints.some((e) => e.service === s && e.state === 'available' && e.privateDnsEnabled),
    ),
    ssmPlanned: SSM_PATH_SERVICES.every(
      (s) =>
        servedElsewhere.has(s) ||
        endpoints.some((e) => e.service === s && e.state === 'available') ||
        planned.has(s),
    ),
  };
}

function notManaged(ci: ObservedContainerInstance): RuleFinding {
  return {
    code: 'INSTANCE_NOT_SSM_MANAGED',
    severity: 'medium',
    resourceId: ci.ec2InstanceId,
    message:
      ci.ssmManaged === false
        ? `${ci.ec2InstanceId} is not managed by SSM: its agent cannot be restarted by the tool`
        : `SSM status of ${ci.ec2InstanceId} is unknown: its agent will not be restarted by the tool`,
    advice:
      'Restart the ECS agent on it by hand (systemctl restart ecs) or reboot it after the endpoints are available',
  };
}

function ssmPathMissing(ssmPlanned: boolean, offline: number): RuleFinding {
  return {
    code: 'SSM_PATH_MISSING',
    severity: ssmPlanned ? 'medium' : 'high',
    message: ssmPlanned
      ? 'container instances have no path to SSM yet: the ssm, ssmmessages and ec2messages endpoints are created before the agent restart'
      : `${offline} container instance(s) have no path to SSM (no internet path, no SSM endpoints)`,
    ...(ssmPlanned
      ? {}
      : { advice: 'Add the ssm, ssmmessages and ec2messages endpoints or an internet path' }),
  };
}

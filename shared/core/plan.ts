import type { Action, ActionKind, DesiredVpc, ObservedRegion, ObservedVpc, Plan, VpcPlan } from './domain.js';
import { assertNever } from './domain.js';
import { monthlyCostUsd } from './cost.js';
import { RULES } from './rules/index.js';
import type { Draft, EndpointRepair, Rule, RuleDraft, RuleFinding, RuleResult } from './rules/rule.js';
import { vpcView, type PlanOptions, type VpcView } from './rules/vpc-view.js';
import { serviceRank } from './services.js';

export type { PlanOptions } from './rules/vpc-view.js';

/**
 * The order actions run in: DNS attributes, the dedicated group, its 443 rule, the endpoint work
 * (one step, ordered by serviceRank: the SSM endpoints first when the restart needs them, then
 * ecs-agent, ecs-telemetry, ecs, then the rest), agent updates, and the agent restart last.
 */
const ACTION_STEPS: Readonly<Record<ActionKind, number>> = {
  EnableVpcDnsAttribute: 0,
  CreateSecurityGroup: 1,
  AuthorizeHttpsIngress: 2,
  CreateVpcEndpoint: 3,
  ModifyVpcEndpoint: 3,
  AddGatewayRoutes: 3,
  AssociateVpcWithHostedZone: 3,
  UpdateContainerAgent: 4,
  RestartEcsAgent: 5,
};

/** Plans every VPC of the region: findings and ordered, explained actions. Pure. */
export function plan(desired: readonly DesiredVpc[], observed: ObservedRegion, options: PlanOptions): Plan {
  const observedById = new Map(observed.vpcs.map((v) => [v.vpcId, v]));
  const vpcs = desired.flatMap((d) => {
    const vpc = observedById.get(d.vpcId);
    return vpc ? [planVpc(d, vpc, observed, options)] : [];
  });
  return {
    region: observed.region,
    vpcs,
    estimatedMonthlyCostUsd: round2(vpcs.reduce((sum, v) => sum + v.estimatedMonthlyCostUsd, 0)),
    warnings: [...observed.warnings, ...(options.warnings ?? [])],
  };
}

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}

function planVpc(
  desired: DesiredVpc,
  vpc: ObservedVpc,
  region: ObservedRegion,
  options: PlanOptions,
): VpcPlan {
  if (desired.mode === 'off' || desired.services.size === 0) {
    return { vpcId: vpc.vpcId, mode: desired.mode, findings: [], actions: [], estimatedMonthlyCostUsd: 0 };
  }
  const view = vpcView(desired, vpc, region, options);
  const results = runRules(RULES, view);
  const drafts = orderDrafts(
    mergeRepairs(results.flatMap((r) => r.drafts)),
    desired.restartNeedsSsmEndpoints,
  );
  const actions = drafts.map((draft) => finish(draft, vpc.vpcId, desired.mode === 'enforce'));
  return {
    vpcId: vpc.vpcId,
    mode: desired.mode,
    findings: orderFindings(RULES, results, view).map((f) => ({ vpcId: vpc.vpcId, ...f })),
    actions,
    estimatedMonthlyCostUsd: monthlyCostUsd(
      region.region,
      actions.reduce((sum, a) => sum + newAzs(a), 0),
    ),
  };
}

/** Runs the rules in order, each seeing the drafts of the rules before it. */
export function runRules(rules: readonly Rule[], view: VpcView): RuleResult[] {
  const results: RuleResult[] = [];
  for (const rule of rules)
    results.push(
      rule.check(
        view,
        results.flatMap((r) => r.drafts),
      ),
    );
  return results;
}

/**
 * Findings in rule order, except that the findings of each run of adjacent `service` rules are
 * listed service by service (the desired order), in rule order within a service.
 */
function orderFindings(rules: readonly Rule[], results: readonly RuleResult[], view: VpcView): RuleFinding[] {
  const serviceIndex = new Map(view.services.map((s, i) => [s.service, i]));
  const indexOf = (f: RuleFinding) => (f.service === undefined ? -1 : (serviceIndex.get(f.service) ?? -1));
  const byService = (run: readonly RuleFinding[]) => [...run].sort((a, b) => indexOf(a) - indexOf(b));
  const ordered: RuleFinding[] = [];
  let run: RuleFinding[] = [];
  rules.forEach((rule, i) => {
    const findings = results[i]?.findings ?? [];
    if (rule.scope === 'service') {
      run.push(...findings);
    } else {
      ordered.push(...byService(run), ...findings);
      run = [];
    }
  });
  return [...ordered, ...byService(run)];
}

/** The repairs of each endpoint merged, in rule order, into one ModifyVpcEndpoint; other drafts as they are. */
function mergeRepairs(drafts: readonly RuleDraft[]): Draft[] {
  const repairs = drafts.filter((d) => d.kind === 'EndpointRepair');
  const others = drafts.filter((d) => d.kind !== 'EndpointRepair');
  const firsts = repairs.filter((r, i) => repairs.findIndex((x) => x.endpointId === r.endpointId) === i);
  return [
    ...others,
    ...firsts.map((first) =>
      modification(
        first,
        repairs.filter((r) => r.endpointId === first.endpointId),
      ),
    ),
  ];
}

function modification(first: EndpointRepair, repairs: readonly EndpointRepair[]): Draft {
  const addSubnetIds = repairs.flatMap((r) => r.addSubnetIds ?? []);
  const addSecurityGroup = repairs.find((r) => r.addSecurityGroup)?.addSecurityGroup;
  return {
    kind: 'ModifyVpcEndpoint',
    service: first.service,
    endpointId: first.endpointId,
    addSubnetIds,
    ...(addSecurityGroup ? { addSecurityGroup } : {}),
    enablePrivateDns: repairs.some((r) => r.enablePrivateDns === true),
    newEndpointAzs: addSubnetIds.length,
    reason: `repair ${first.service} endpoint ${first.endpointId}: ${repairs.map((r) => r.part).join(', ')}`,
  };
}

/** Stable sort by ACTION_STEPS; endpoint work (the drafts naming a service) by serviceRank within its step. */
function orderDrafts(drafts: readonly Draft[], restartNeedsSsmEndpoints: boolean): Draft[] {
  return drafts
    .map((draft) => ({
      draft,
      step: ACTION_STEPS[draft.kind],
      rank: 'service' in draft ? serviceRank(draft.service, restartNeedsSsmEndpoints) : 0,
    }))
    .sort((a, b) => a.step - b.step || a.rank - b.rank)
    .map((k) => k.draft);
}

function newAzs(action: Action): number {
  switch (action.kind) {
    case 'CreateVpcEndpoint':
    case 'ModifyVpcEndpoint':
      return action.newEndpointAzs;
    case 'EnableVpcDnsAttribute':
    case 'CreateSecurityGroup':
    case 'AuthorizeHttpsIngress':
    case 'AddGatewayRoutes':
    case 'AssociateVpcWithHostedZone':
    case 'RestartEcsAgent':
    case 'UpdateContainerAgent':
      return 0;
    default:
      return assertNever(action, 'action');
  }
}

function subjectOf(draft: Draft): string {
  switch (draft.kind) {
    case 'EnableVpcDnsAttribute':
      return draft.attribute;
    case 'CreateSecurityGroup':
      return draft.groupName;
    case 'AuthorizeHttpsIngress':
      return draft.group.kind === 'existing' ? draft.group.groupId : 'dedicated';
    case 'CreateVpcEndpoint':
    case 'ModifyVpcEndpoint':
    case 'AddGatewayRoutes':
    case 'AssociateVpcWithHostedZone':
      return draft.service;
    case 'RestartEcsAgent':
      return 'agents';
    case 'UpdateContainerAgent':
      return draft.instance.ec2InstanceId;
    default:
      return assertNever(draft, 'action');
  }
}

function finish(draft: Draft, vpcId: string, apply: boolean): Action {
  return { ...draft, vpcId, apply, id: `${vpcId}:${draft.kind}:${subjectOf(draft)}` } as Action;
}

/**
 * True when some VPC of the plan has a finding or an action: the observed state differs from the
 * desired one (the CLI's "drift" exit code). False only when every VPC is clean.
 */
export function hasDrift(p: Plan): boolean {
  return p.vpcs.some((v) => v.findings.length > 0 || v.actions.length > 0);
}

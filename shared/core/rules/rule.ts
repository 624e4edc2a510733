import type {
  Action,
  ContainerInstanceRef,
  Finding,
  ObservedContainerInstance,
  SecurityGroupRef,
  ServiceName,
} from '../domain.js';
import type { VpcView } from './vpc-view.js';

/** An action as a rule writes it: the planner adds its id, its VPC and whether it is applied. */
export type Draft = Action extends infer A
  ? A extends Action
    ? Omit<A, 'id' | 'apply' | 'vpcId'>
    : never
  : never;

/**
 * One repair a rule asks for on an existing interface endpoint. The planner merges the repairs of one
 * endpoint, in rule order, into one ModifyVpcEndpoint (one API call changes subnets, private DNS and
 * groups together: "ModifyVpcEndpoint", Amazon EC2 API Reference,
 * https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifyVpcEndpoint.html).
 */
export interface EndpointRepair {
  readonly kind: 'EndpointRepair';
  readonly service: ServiceName;
  readonly endpointId: string;
  readonly addSubnetIds?: readonly string[];
  readonly enablePrivateDns?: true;
  readonly addSecurityGroup?: SecurityGroupRef;
  /** What this repair does, for the action's reason ("enable private DNS"). */
  readonly part: string;
}

/** What a rule may ask for: any action but ModifyVpcEndpoint, which only the merge of repairs writes. */
export type RuleDraft = Exclude<Draft, { kind: 'ModifyVpcEndpoint' }> | EndpointRepair;

/** A finding as a rule writes it: the planner adds the VPC. */
export type RuleFinding = Omit<Finding, 'vpcId'>;
/** A finding about one of the VPC's required services. */
export type ServiceFinding = RuleFinding & { readonly service: ServiceName };

export interface RuleResult<F extends RuleFinding = RuleFinding> {
  readonly findings: readonly F[];
  readonly drafts: readonly RuleDraft[];
}

/**
 * A rule reads the VPC's view and the drafts of the rules before it in the list (the only way one
 * rule depends on another: e.g. the security group rule sees the endpoints being created). Findings
 * of `service` rules are listed service by service; those of `vpc` rules as the rule returns them.
 */
export type Rule =
  | {
      readonly name: string;
      readonly scope: 'vpc';
      readonly check: (view: VpcView, earlier: readonly RuleDraft[]) => RuleResult;
    }
  | {
      readonly name: string;
      readonly scope: 'service';
      readonly check: (view: VpcView, earlier: readonly RuleDraft[]) => RuleResult<ServiceFinding>;
    };

export const NOTHING: RuleResult<never> = { findings: [], drafts: [] };

/** Concatenates results in order. */
export function combine<F extends RuleFinding>(results: readonly RuleResult<F>[]): RuleResult<F> {
  return {
    findings: results.flatMap((r) => r.findings),
    drafts: results.flatMap((r) => r.drafts),
  };
}

/**
 * Services whose endpoint this plan changes (a draft names them) or an earlier run left waiting:
 * agents must (re)connect through those.
 */
export function changedServices(view: VpcView, earlier: readonly RuleDraft[]): ReadonlySet<ServiceName> {
  return new Set([
    ...earlier.flatMap((d) => ('service' in d ? [d.service] : [])),
    ...view.services.flatMap((s) => (s.presence.kind === 'waiting' ? [s.service] : [])),
  ]);
}

/** How an action names a container instance. */
export function instanceRef(ci: ObservedContainerInstance): ContainerInstanceRef {
  return {
    clusterArn: ci.clusterArn,
    containerInstanceArn: ci.containerInstanceArn,
    ec2InstanceId: ci.ec2InstanceId,
    platform: ci.platform,
  };
}

/**
 * Fingerprints of the state each action of a plan depends on, so a saved plan is applied only while
 * that state is what the plan was made from. Pure: the same observed state and desired state give the
 * same fingerprint, whatever the time or the order AWS listed things in (every list is a set here).
 *
 * What an action depends on is what the planner read to decide it: the VPC's mode and, per kind, the
 * slice of the VPC it would write to or rely on (an endpoint that must still be missing, the subnets
 * and route tables it is placed in, the group's rules, the instances to update or restart), plus what
 * the desired state says about its service (still required, in which AZs, reached from which CIDRs).
 * A change anywhere else in the VPC or the Region does not invalidate the action.
 */
import type {
  Action,
  DesiredVpc,
  ObservedEndpoint,
  ObservedRegion,
  ObservedVpc,
  Plan,
  SecurityGroupRef,
} from './domain.js';
import { assertNever } from './domain.js';
import { stableHash } from './hash.js';

export interface FingerprintContext {
  readonly observed: ObservedRegion;
  readonly desired: readonly DesiredVpc[];
}

type Json = null | boolean | number | string | readonly Json[] | { readonly [key: string]: Json | undefined };

/** JSON with sorted keys and sorted arrays: lists from AWS carry no meaningful order here. */
export function canonicalJson(value: Json | undefined): string {
  if (value === undefined || value === null) return 'null';
  if (Array.isArray(value))
    return `[${value
      .map((v: Json) => canonicalJson(v))
      .sort()
      .join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, Json | undefined>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

function endpointSlice(vpc: ObservedVpc, match: (endpoint: ObservedEndpoint) => boolean): Json {
  return vpc.endpoints.filter(match).map((e) => ({
    endpointId: e.endpointId,
    serviceName: e.serviceName,
    type: e.type,
    state: e.state,
    subnetIds: [...e.subnetIds],
    securityGroupIds: [...e.securityGroupIds],
    routeTableIds: [...e.routeTableIds],
    privateDnsEnabled: e.privateDnsEnabled,
  }));
}

function subnetSlice(vpc: ObservedVpc, subnetIds: readonly string[]): Json {
  return subnetIds.map((id) => {
    const s = vpc.subnets.find((subnet) => subnet.subnetId === id);
    return s
      ? { subnetId: s.subnetId, az: s.availabilityZone, cidr: s.cidrBlock, private: s.isPrivate }
      : { subnetId: id, gone: true };
  });
}

function routeTableSlice(vpc: ObservedVpc, routeTableIds: readonly string[]): Json {
  return routeTableIds.map((id) => {
    const t = vpc.routeTables.find((table) => table.routeTableId === id);
    return t
      ? { routeTableId: id, subnetIds: [...t.subnetIds], gatewayEndpointIds: [...t.gatewayEndpointIds] }
      : { routeTableId: id, gone: true };
  });
}

function groupSlice(vpc: ObservedVpc, ref: SecurityGroupRef | undefined): Json {
  if (!ref) return null;
  if (ref.kind === 'dedicated') {
    // The dedicated group may not exist yet: which groups exist (by id and name) is the dependency.
    return vpc.securityGroups.map((g) => ({ groupId: g.groupId, groupName: g.groupName }));
  }
  const group = vpc.securityGroups.find((g) => g.groupId === ref.groupId);
  return group
    ? {
        groupId: group.groupId,
        ingress: group.ingress.map((r) => ({
          protocol: r.protocol,
          fromPort: r.fromPort ?? null,
          toPort: r.toPort ?? null,
          cidrBlocks: [...r.cidrBlocks],
          sourceGroupIds: [...r.sourceGroupIds],
          prefixListIds: [...r.prefixListIds],
        })),
      }
    : { groupId: ref.groupId, gone: true };
}

function instanceSlice(vpc: ObservedVpc, arns: readonly string[]): Json {
  return arns.map((arn) => {
    const i = vpc.containerInstances.find((c) => c.containerInstanceArn === arn);
    return i
      ? {
          arn,
          ec2InstanceId: i.ec2InstanceId,
          agentVersion: i.agentVersion ?? null,
          agentConnected: i.agentConnected,
          platform: i.platform,
          ssmManaged: i.ssmManaged ?? null,
          status: i.status,
        }
      : { arn, gone: true };
  });
}

/** The slice of state an action depends on, as JSON (exported for the refusal message and tests). */
export function actionDependencies(action: Action, context: FingerprintContext): Json {
  const vpc = context.observed.vpcs.find((v) => v.vpcId === action.vpcId);
  const desired = context.desired.find((d) => d.vpcId === action.vpcId);
  if (!vpc || !desired) return { vpcId: action.vpcId, gone: true };
  const base = { kind: action.kind, vpcId: vpc.vpcId, mode: desired.mode };
  switch (action.kind) {
    case 'EnableVpcDnsAttribute':
      return {
        ...base,
        enableDnsSupport: vpc.enableDnsSupport ?? null,
        enableDnsHostnames: vpc.enableDnsHostnames ?? null,
      };
    case 'CreateSecurityGroup':
      return { ...base, groups: groupSlice(vpc, { kind: 'dedicated', vpcId: vpc.vpcId }) };
    case 'AuthorizeHttpsIngress':
      return { ...base, group: groupSlice(vpc, action.group), clientCidrs: [...desired.clientCidrs] };
    case 'CreateVpcEndpoint': {
      const offer = context.observed.endpointServices.find(
        (o) => o.service === action.service && o.type === action.endpointType,
      );
      return {
        ...base,
        service: action.service,
        required: desired.services.has(action.service),
        requiredAzs: [...desired.requiredAzs],
        offeredAzs: offer ? [...offer.availabilityZones] : null,
        endpoints: endpointSlice(vpc, (e) => e.serviceName === action.serviceName),
        subnets: subnetSlice(vpc, action.subnetIds),
        routeTables: routeTableSlice(vpc, action.routeTableIds),
        group: groupSlice(vpc, action.securityGroup),
      };
    }
    case 'ModifyVpcEndpoint':
      return {
        ...base,
        service: action.service,
        required: desired.services.has(action.service),
        requiredAzs: [...desired.requiredAzs],
        endpoint: endpointSlice(vpc, (e) => e.endpointId === action.endpointId),
        subnets: subnetSlice(vpc, action.addSubnetIds),
        group: groupSlice(vpc, action.addSecurityGroup),
      };
    case 'AddGatewayRoutes':
      return {
        ...base,
        service: action.service,
        endpoint: endpointSlice(vpc, (e) => e.endpointId === action.endpointId),
        routeTables: routeTableSlice(vpc, action.routeTableIds),
      };
    case 'UpdateContainerAgent':
      return { ...base, instances: instanceSlice(vpc, [action.instance.containerInstanceArn]) };
    case 'AssociateVpcWithHostedZone': {
      const zone = (context.observed.hostedZones ?? []).find((z) => z.zoneId === action.zoneId);
      return {
        ...base,
        service: action.service,
        required: desired.services.has(action.service),
        zone: zone
          ? { zoneId: zone.zoneId, name: zone.name, associated: zone.vpcIds.includes(vpc.vpcId) }
          : { zoneId: action.zoneId, gone: true },
      };
    }
    case 'RestartEcsAgent':
      return {
        ...base,
        instances: instanceSlice(
          vpc,
          action.instances.map((i) => i.containerInstanceArn),
        ),
        endpoints: endpointSlice(vpc, (e) => e.service !== undefined && action.dependsOn.includes(e.service)),
      };
    default:
      return assertNever(action, 'action');
  }
}

/** Fingerprint of the state one action depends on (16 hex characters). */
export function actionFingerprint(action: Action, context: FingerprintContext): string {
  return stableHash(canonicalJson(actionDependencies(action, context)));
}

/** Fingerprints of every action of the plan, by action id. */
export function planFingerprints(p: Plan, context: FingerprintContext): Record<string, string> {
  return Object.fromEntries(
    p.vpcs.flatMap((v) => v.actions.map((a) => [a.id, actionFingerprint(a, context)] as const)),
  );
}

/** The actions whose dependencies changed since `saved` was computed (missing fingerprints count as changed). */
export function changedActions(
  actions: readonly Action[],
  saved: Readonly<Record<string, string>>,
  context: FingerprintContext,
): Action[] {
  return actions.filter((a) => saved[a.id] !== actionFingerprint(a, context));
}

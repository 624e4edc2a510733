import type {
  Action,
  ContainerInstanceRef,
  DesiredVpc,
  Finding,
  ObservedEndpoint,
  ObservedRegion,
  ObservedSubnet,
  ObservedVpc,
  Plan,
  SecurityGroupRef,
  ServiceName,
  VpcPlan,
} from './domain.js';
import { assertNever } from './domain.js';
import { monthlyCostUsd } from './cost.js';
import { stableHash } from './hash.js';
import { hasInternetPath, instanceAccess } from './internet-path.js';
import { EPHEMERAL_SAMPLE_PORTS, groupsAllowHttpsFrom, naclAllows } from './network.js';
import {
  ECS_AGENT_SERVICES,
  ENDPOINT_TYPE,
  POLICY_UNSUPPORTED,
  SSM_PATH_SERVICES,
  serviceRank,
} from './services.js';
import { isAgentTooOld, MIN_AGENT_VERSION } from './version.js';

export interface PlanOptions {
  /** Name of the tool's dedicated endpoint security group. */
  readonly securityGroupName: string;
  /** Tag key marking what the tool created. */
  readonly managedTagKey: string;
  /** False: old agents are reported, never updated. */
  readonly updateOldAgents?: boolean;
  /** Extra lines for the plan's warnings (e.g. from deriving the desired state). */
  readonly warnings?: readonly string[];
}

const UNUSABLE_STATES = new Set(['failed', 'rejected', 'expired', 'partial', 'unknown']);
const WAITING_STATES = new Set(['pending', 'pendingAcceptance']);
const GONE_STATES = new Set(['deleted', 'deleting']);

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

type Draft = Action extends infer A ? (A extends Action ? Omit<A, 'id' | 'apply' | 'vpcId'> : never) : never;

function planVpc(
  desired: DesiredVpc,
  vpc: ObservedVpc,
  region: ObservedRegion,
  options: PlanOptions,
): VpcPlan {
  if (desired.mode === 'off' || desired.services.size === 0) {
    return { vpcId: vpc.vpcId, mode: desired.mode, findings: [], actions: [], estimatedMonthlyCostUsd: 0 };
  }
  const findings: Finding[] = [];
  const drafts: Draft[] = [];
  const find = (f: Omit<Finding, 'vpcId'>) => findings.push({ vpcId: vpc.vpcId, ...f });
  const subnetsById = new Map(vpc.subnets.map((s) => [s.subnetId, s]));
  const groupsById = new Map(vpc.securityGroups.map((g) => [g.groupId, g]));
  const needsInterface = [...desired.services.keys()].some((s) => ENDPOINT_TYPE[s] === 'Interface');

  // 1. VPC DNS: private DNS on an endpoint needs both attributes, support first.
  if (needsInterface) {
    if (vpc.enableDnsSupport === false) {
      find({
        code: 'VPC_DNS_SUPPORT_DISABLED',
        severity: 'critical',
        resourceId: vpc.vpcId,
        message: 'enableDnsSupport is off: private DNS names of interface endpoints cannot resolve',
      });
      drafts.push({
        kind: 'EnableVpcDnsAttribute',
        attribute: 'enableDnsSupport',
        reason: 'interface endpoints need enableDnsSupport for private DNS',
      });
    }
    if (vpc.enableDnsHostnames === false) {
      find({
        code: 'VPC_DNS_HOSTNAMES_DISABLED',
        severity: 'critical',
        resourceId: vpc.vpcId,
        message: 'enableDnsHostnames is off: private DNS cannot be enabled on interface endpoints',
      });
      drafts.push({
        kind: 'EnableVpcDnsAttribute',
        attribute: 'enableDnsHostnames',
        reason: 'interface endpoints need enableDnsHostnames for private DNS',
      });
    }
    const servers = vpc.domainNameServers.filter((s) => s !== 'AmazonProvidedDNS');
    if (servers.length > 0) {
      find({
        code: 'CUSTOM_DNS_SERVERS',
        severity: 'high',
        resourceId: vpc.vpcId,
        message: `DHCP options use custom DNS servers (${servers.join(', ')}): only Amazon-provided DNS resolves endpoint private names`,
        advice:
          'Forward the AWS service domains to the VPC resolver with Route 53 Resolver rules (conditional forwarding); the tool does not change DHCP options',
      });
    }
  }

  // 2. The dedicated endpoint security group: never the default group.
  const dedicated = vpc.securityGroups.find(
    (g) =>
      !g.isDefault && g.groupName === options.securityGroupName && g.tags[options.managedTagKey] === 'true',
  );
  const vpcCidrs = vpc.cidrBlocks.length > 0 ? vpc.cidrBlocks : desired.clientCidrs;
  const sgRef: SecurityGroupRef = dedicated
    ? { kind: 'existing', groupId: dedicated.groupId }
    : { kind: 'dedicated', vpcId: vpc.vpcId };
  let sgNeeded = false;

  // 3. Endpoints, service by service.
  const endpointDrafts: { rank: number; draft: Draft }[] = [];
  const changedServices = new Set<ServiceName>();
  const pendingServices = new Set<ServiceName>();
  const endpointSubnetIds = new Set<string>();
  const services = [...desired.services.keys()];
  const liveEndpoint = (service: ServiceName) => pickEndpoint(vpc.endpoints, service);
  for (const service of services) {
    const reasonNeeded = desired.services.get(service) ?? '';
    const type = ENDPOINT_TYPE[service];
    const offer = region.endpointServices.find((o) => o.service === service && o.type === type);
    const rank = serviceRank(service, desired.restartNeedsSsmEndpoints);
    const push = (draft: Draft) => {
      endpointDrafts.push({ rank, draft });
      changedServices.add(service);
    };
    if (!offer) {
      find({
        code: 'SERVICE_NOT_OFFERED_IN_AZ',
        severity: 'high',
        service,
        resourceId: region.region,
        message: `${service} (${type}) is not offered in ${region.region}`,
        advice: 'Reach the service another way (NAT or a proxy); the tool cannot create this endpoint',
      });
      continue;
    }
    const offeredAzs = desired.requiredAzs.filter((az) => offer.availabilityZones.includes(az));
    if (type === 'Interface') {
      for (const az of desired.requiredAzs.filter((a) => !offer.availabilityZones.includes(a))) {
        find({
          code: 'SERVICE_NOT_OFFERED_IN_AZ',
          severity: 'medium',
          service,
          resourceId: az,
          message: `${service} is not offered in ${az}: workloads there reach it across AZs`,
          advice: 'Keep workloads in AZs where the service is offered, or accept cross-AZ traffic',
        });
      }
    }
    const endpoint = liveEndpoint(service);
    if (!endpoint) {
      const gone = vpc.endpoints.filter((e) => e.service === service && GONE_STATES.has(e.state));
      find({
        code: 'MISSING_ENDPOINT',
        severity: ECS_AGENT_SERVICES.includes(service) ? 'critical' : 'high',
        service,
        message: `no ${type.toLowerCase()} endpoint for ${service}${gone.length ? ` (${gone.map((e) => `${e.endpointId} ${e.state}`).join(', ')})` : ''}: ${reasonNeeded}`,
      });
      if (type === 'Interface') {
        const subnetIds = chooseSubnets(vpc, offeredAzs, desired);
        if (subnetIds.length === 0) continue;
        subnetIds.forEach((id) => endpointSubnetIds.add(id));
        sgNeeded = true;
        push({
          kind: 'CreateVpcEndpoint',
          service,
          serviceName: offer.serviceName,
          endpointType: type,
          subnetIds,
          securityGroup: sgRef,
          routeTableIds: [],
          privateDnsEnabled: true,
          clientToken: endpointClientToken(vpc.vpcId, service, subnetIds, vpc.endpoints),
          newEndpointAzs: subnetIds.length,
          reason: `${reasonNeeded}; creating it in ${subnetIds.length} AZ(s) with private DNS`,
        });
      } else {
        const routeTableIds = privateRouteTables(vpc, desired);
        push({
          kind: 'CreateVpcEndpoint',
          service,
          serviceName: offer.serviceName,
          endpointType: type,
          subnetIds: [],
          routeTableIds,
          privateDnsEnabled: false,
          clientToken: endpointClientToken(vpc.vpcId, service, routeTableIds, vpc.endpoints),
          newEndpointAzs: 0,
          reason: `${reasonNeeded}; creating the gateway endpoint on ${routeTableIds.length} private route table(s)`,
        });
      }
      continue;
    }
    if (WAITING_STATES.has(endpoint.state) || UNUSABLE_STATES.has(endpoint.state)) {
      const waiting = WAITING_STATES.has(endpoint.state);
      // A new endpoint still pending (e.g. an earlier run ended while waiting): agents must still move to it.
      if (waiting) pendingServices.add(service);
      find({
        code: 'ENDPOINT_NOT_AVAILABLE',
        severity: waiting ? 'low' : 'high',
        service,
        resourceId: endpoint.endpointId,
        message: `${service} endpoint ${endpoint.endpointId} is ${endpoint.state}`,
        advice: waiting
          ? 'Wait: new endpoints take minutes to become available; the next run checks again'
          : 'Delete this endpoint (the tool never deletes what it did not create); the next run creates a working one',
      });
      continue;
    }
    if (type === 'Gateway') {
      const missing = privateRouteTables(vpc, desired).filter((rt) => !endpoint.routeTableIds.includes(rt));
      if (missing.length > 0) {
        find({
          code: 'S3_GATEWAY_ROUTE_MISSING',
          severity: 'high',
          service,
          resourceId: endpoint.endpointId,
          message: `gateway endpoint ${endpoint.endpointId} is not on route table(s) ${missing.join(', ')} of private subnets`,
        });
        push({
          kind: 'AddGatewayRoutes',
          service,
          endpointId: endpoint.endpointId,
          routeTableIds: missing,
          reason: `private subnets behind ${missing.join(', ')} must route S3 (ECR layers) through the gateway endpoint`,
        });
      }
      continue;
    }
    endpoint.subnetIds.forEach((id) => endpointSubnetIds.add(id));
    const coveredAzs = new Set(
      endpoint.subnetIds.flatMap((id) => subnetsById.get(id)?.availabilityZone ?? []),
    );
    const missingAzs = offeredAzs.filter((az) => !coveredAzs.has(az));
    const addSubnetIds = chooseSubnets(vpc, missingAzs, desired);
    if (missingAzs.length > 0) {
      find({
        code: 'ENDPOINT_AZ_NOT_COVERED',
        severity: 'high',
        service,
        resourceId: endpoint.endpointId,
        message: `${service} endpoint ${endpoint.endpointId} has no subnet in ${missingAzs.join(', ')}`,
      });
    }
    addSubnetIds.forEach((id) => endpointSubnetIds.add(id));
    if (!endpoint.privateDnsEnabled) {
      find({
        code: 'PRIVATE_DNS_DISABLED',
        severity: ECS_AGENT_SERVICES.includes(service) ? 'critical' : 'high',
        service,
        resourceId: endpoint.endpointId,
        message: `${service} endpoint ${endpoint.endpointId} has private DNS off: clients still resolve the public name`,
      });
    }
    const attached = endpoint.securityGroupIds.flatMap((id) => groupsById.get(id) ?? []);
    const blocked = desired.clientCidrs.filter((cidr) => !groupsAllowHttpsFrom(attached, cidr));
    const dedicatedAttached =
      dedicated !== undefined && endpoint.securityGroupIds.includes(dedicated.groupId);
    const addGroup = blocked.length > 0 && !dedicatedAttached;
    if (blocked.length > 0) {
      find({
        code: 'ENDPOINT_SG_BLOCKS_HTTPS',
        severity: 'critical',
        service,
        resourceId: endpoint.endpointId,
        message: `security group(s) of ${endpoint.endpointId} do not allow TCP 443 from ${blocked.join(', ')}`,
      });
      sgNeeded = true;
    }
    if (POLICY_UNSUPPORTED.includes(service) && isCustomPolicy(endpoint.policyDocument)) {
      find({
        code: 'ENDPOINT_POLICY_UNSUPPORTED',
        severity: 'medium',
        service,
        resourceId: endpoint.endpointId,
        message: `${service} endpoint ${endpoint.endpointId} has a custom policy; ECS endpoints do not support endpoint policies`,
        advice:
          'Reset the endpoint policy to full access (ModifyVpcEndpoint --reset-policy); control access with IAM instead',
      });
    }
    if (addSubnetIds.length > 0 || !endpoint.privateDnsEnabled || addGroup) {
      const parts = [
        addSubnetIds.length > 0 ? `add subnets in ${missingAzs.join(', ')}` : '',
        !endpoint.privateDnsEnabled ? 'enable private DNS' : '',
        addGroup ? 'attach the dedicated security group that allows 443' : '',
      ].filter(Boolean);
      push({
        kind: 'ModifyVpcEndpoint',
        service,
        endpointId: endpoint.endpointId,
        addSubnetIds,
        ...(addGroup ? { addSecurityGroup: sgRef } : {}),
        enablePrivateDns: !endpoint.privateDnsEnabled,
        newEndpointAzs: addSubnetIds.length,
        reason: `repair ${service} endpoint ${endpoint.endpointId}: ${parts.join(', ')}`,
      });
    }
  }

  if (sgNeeded) {
    if (!dedicated) {
      drafts.push({
        kind: 'CreateSecurityGroup',
        groupName: options.securityGroupName,
        description: 'ecs-endpoint-remediator: HTTPS from the VPC to its interface endpoints',
        reason: 'interface endpoints need a dedicated group allowing 443 (the default group is never used)',
      });
    }
    const missingCidrs = vpcCidrs.filter((cidr) => !dedicated || !groupsAllowHttpsFrom([dedicated], cidr));
    if (missingCidrs.length > 0) {
      drafts.push({
        kind: 'AuthorizeHttpsIngress',
        group: sgRef,
        cidrs: missingCidrs,
        reason: `endpoint clients in ${missingCidrs.join(', ')} must reach the endpoints on TCP 443`,
      });
    }
  }

  // 4. Network ACLs between workload subnets and endpoint subnets: reported, never changed.
  findings.push(...naclFindings(vpc, desired, [...endpointSubnetIds]));

  // 5. Agent work: only where the ECS endpoints change, never behind them.
  const agentDrafts = planAgents(
    desired,
    vpc,
    new Set([...changedServices, ...pendingServices]),
    endpointDrafts,
    find,
    options.updateOldAgents ?? true,
  );

  const ordered = [
    ...drafts,
    ...endpointDrafts.sort((a, b) => a.rank - b.rank).map((e) => e.draft),
    ...agentDrafts,
  ];
  const actions = ordered.map((draft) => finish(draft, vpc.vpcId, desired.mode === 'enforce'));
  const endpointAzs = actions.reduce((sum, a) => sum + newAzs(a), 0);
  return {
    vpcId: vpc.vpcId,
    mode: desired.mode,
    findings,
    actions,
    estimatedMonthlyCostUsd: monthlyCostUsd(region.region, endpointAzs),
  };
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

/** The endpoint that counts for a service: available first, then waiting, then unusable; gone ones never. */
function pickEndpoint(
  endpoints: readonly ObservedEndpoint[],
  service: ServiceName,
): ObservedEndpoint | undefined {
  const type = ENDPOINT_TYPE[service];
  const candidates = endpoints.filter(
    (e) => e.service === service && e.type === type && !GONE_STATES.has(e.state),
  );
  const score = (e: ObservedEndpoint) => (e.state === 'available' ? 0 : WAITING_STATES.has(e.state) ? 1 : 2);
  return [...candidates].sort((a, b) => score(a) - score(b) || a.endpointId.localeCompare(b.endpointId))[0];
}

/** One subnet per AZ: private subnets hosting container instances first, then workload subnets, then any private one. */
function chooseSubnets(vpc: ObservedVpc, azs: readonly string[], desired: DesiredVpc): string[] {
  const instanceSubnets = new Set(vpc.containerInstances.flatMap((ci) => (ci.subnetId ? [ci.subnetId] : [])));
  const workloadSubnets = new Set(vpc.workloads.subnetIds);
  const score = (s: ObservedSubnet) =>
    (s.isPrivate ? 0 : 4) +
    (instanceSubnets.has(s.subnetId) ? 0 : 1) +
    (workloadSubnets.has(s.subnetId) ? 0 : 1);
  return azs.flatMap((az) => {
    const best = vpc.subnets
      .filter((s) => s.availabilityZone === az)
      .sort((a, b) => score(a) - score(b) || a.subnetId.localeCompare(b.subnetId))[0];
    return best && desired.requiredAzs.includes(az) ? [best.subnetId] : [];
  });
}

/** Route tables of the private subnets and of the subnets whose workloads do not reach AWS directly. */
function privateRouteTables(vpc: ObservedVpc, desired: DesiredVpc): string[] {
  const enclosed = new Set(desired.enclosedWorkloadSubnetIds ?? []);
  return [
    ...new Set(
      vpc.subnets
        .filter((s) => (s.isPrivate || enclosed.has(s.subnetId)) && s.routeTableId)
        .map((s) => s.routeTableId as string),
    ),
  ].sort();
}

/**
 * The `ClientToken` of a CreateVpcEndpoint, derived only from what the plan observed: the VPC, the
 * service, the placement (subnets or route tables) and the ids and states of the service's endpoints
 * already in the VPC, deleted ones included. EC2 answers a repeated token with the original request's
 * result, even when that endpoint has since been deleted, and keeps tokens far longer than an hour
 * ("Ensuring idempotency in Amazon EC2 API requests", EC2 API reference). So a retry, or a crashed run
 * re-running the same plan, reuses the token and cannot create a second endpoint; and once the endpoint
 * a token produced has been deleted, the state that is observed differs and so does the token: a
 * recreation is never answered with the deleted endpoint. No clock takes part.
 */
export function endpointClientToken(
  vpcId: string,
  service: ServiceName,
  placement: readonly string[],
  endpoints: readonly Pick<ObservedEndpoint, 'endpointId' | 'service' | 'state'>[],
): string {
  const existing = endpoints
    .filter((e) => e.service === service)
    .map((e) => `${e.endpointId}=${e.state}`)
    .sort();
  return `eer-${stableHash([vpcId, service, [...placement].sort().join(','), existing.join(',')].join('|'))}`;
}

function isCustomPolicy(document: string | undefined): boolean {
  if (!document) return false;
  try {
    const policy = JSON.parse(document) as { Statement?: unknown };
    const statements = Array.isArray(policy.Statement) ? policy.Statement : [policy.Statement];
    return !(
      statements.length === 1 &&
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

function naclFindings(
  vpc: ObservedVpc,
  desired: DesiredVpc,
  endpointSubnetIds: readonly string[],
): Finding[] {
  const subnetsById = new Map(vpc.subnets.map((s) => [s.subnetId, s]));
  const naclsById = new Map(vpc.networkAcls.map((n) => [n.naclId, n]));
  const clients = vpc.workloads.subnetIds.flatMap((id) => subnetsById.get(id) ?? []);
  const endpoints = endpointSubnetIds.flatMap((id) => subnetsById.get(id) ?? []);
  const problems = new Map<string, string[]>();
  const note = (naclId: string, text: string) =>
    problems.set(naclId, [...(problems.get(naclId) ?? []), text]);
  for (const endpoint of endpoints) {
    const endpointNacl = endpoint.networkAclId ? naclsById.get(endpoint.networkAclId) : undefined;
    for (const client of clients) {
      const clientNacl = client.networkAclId ? naclsById.get(client.networkAclId) : undefined;
      if (endpointNacl) {
        if (!naclAllows(endpointNacl, false, 443, client.cidrBlock))
          note(endpointNacl.naclId, `inbound 443 from ${client.cidrBlock} to ${endpoint.subnetId}`);
        if (!EPHEMERAL_SAMPLE_PORTS.every((p) => naclAllows(endpointNacl, true, p, client.cidrBlock)))
          note(
            endpointNacl.naclId,
            `outbound ephemeral ports to ${client.cidrBlock} from ${endpoint.subnetId}`,
          );
      }
      if (clientNacl && client.subnetId !== endpoint.subnetId) {
        if (!naclAllows(clientNacl, true, 443, endpoint.cidrBlock))
          note(clientNacl.naclId, `outbound 443 from ${client.subnetId} to ${endpoint.cidrBlock}`);
        if (!EPHEMERAL_SAMPLE_PORTS.every((p) => naclAllows(clientNacl, false, p, endpoint.cidrBlock)))
          note(clientNacl.naclId, `inbound ephemeral ports to ${client.subnetId} from ${endpoint.cidrBlock}`);
      }
    }
  }
  return [...problems.entries()].map(([naclId, texts]) => {
    const unique = [...new Set(texts)];
    return {
      vpcId: desired.vpcId,
      code: 'NACL_BLOCKS_HTTPS' as const,
      severity: 'critical' as const,
      resourceId: naclId,
      message: `network ACL ${naclId} blocks ${unique.slice(0, 3).join('; ')}${unique.length > 3 ? ` (+${unique.length - 3} more)` : ''}`,
      advice:
        'Allow TCP 443 into the endpoint subnets and ephemeral ports 1024-65535 back; the tool never edits network ACLs',
    };
  });
}

function planAgents(
  desired: DesiredVpc,
  vpc: ObservedVpc,
  changedServices: ReadonlySet<ServiceName>,
  endpointDrafts: readonly { draft: Draft }[],
  find: (f: Omit<Finding, 'vpcId'>) => void,
  updateOldAgents: boolean,
): Draft[] {
  const drafts: Draft[] = [];
  const subnetsById = new Map(vpc.subnets.map((s) => [s.subnetId, s]));
  const ref = (ci: ObservedVpc['containerInstances'][number]): ContainerInstanceRef => ({
    clusterArn: ci.clusterArn,
    containerInstanceArn: ci.containerInstanceArn,
    ec2InstanceId: ci.ec2InstanceId,
    platform: ci.platform,
  });
  const updating = new Set<string>();
  for (const ci of vpc.containerInstances) {
    if (!ci.agentConnected) {
      find({
        code: 'AGENT_DISCONNECTED',
        severity: 'high',
        resourceId: ci.containerInstanceArn,
        message: `ECS agent on ${ci.ec2InstanceId} is disconnected`,
        advice: changedServices.size > 0 ? undefined : 'Check the instance, its endpoints and its agent log',
      });
    }
    if (isAgentTooOld(ci.agentVersion)) {
      const supported = ci.platform === 'linux';
      const updatable = supported && updateOldAgents;
      find({
        code: 'AGENT_TOO_OLD',
        severity: 'high',
        resourceId: ci.containerInstanceArn,
        message: `ECS agent ${ci.agentVersion} on ${ci.ec2InstanceId} is older than ${MIN_AGENT_VERSION}, the first that works through the endpoints`,
        ...(updatable
          ? {}
          : {
              advice: supported
                ? 'Agent updates are switched off (updateOldAgents: false): update the agent or replace the instance'
                : `UpdateContainerAgent does not support ${ci.platform} instances: replace the instance with a current ECS-optimized AMI`,
            }),
      });
      if (updatable) {
        updating.add(ci.containerInstanceArn);
        drafts.push({
          kind: 'UpdateContainerAgent',
          instance: ref(ci),
          reason: `agent ${ci.agentVersion} < ${MIN_AGENT_VERSION}: update it (the update restarts the agent)`,
        });
      }
    }
  }

  const ecsChanged = ECS_AGENT_SERVICES.filter((s) => changedServices.has(s));
  const candidates = vpc.containerInstances.filter((ci) => !updating.has(ci.containerInstanceArn));
  if (ecsChanged.length === 0 || candidates.length === 0) return drafts;

  const ssmLive = SSM_PATH_SERVICES.every((s) =>
    vpc.endpoints.some((e) => e.service === s && e.state === 'available' && e.privateDnsEnabled),
  );
  const ssmPlanned = SSM_PATH_SERVICES.every(
    (s) =>
      vpc.endpoints.some((e) => e.service === s && e.state === 'available') ||
      endpointDrafts.some((d) => 'service' in d.draft && d.draft.service === s),
  );
  const restart: ContainerInstanceRef[] = [];
  let offline = 0;
  for (const ci of candidates) {
    const hasPath = hasInternetPath(instanceAccess(ci, subnetsById)) || ssmLive || ssmPlanned;
    if (ci.ssmManaged !== true) {
      find({
        code: 'INSTANCE_NOT_SSM_MANAGED',
        severity: 'medium',
        resourceId: ci.ec2InstanceId,
        message:
          ci.ssmManaged === false
            ? `${ci.ec2InstanceId} is not managed by SSM: its agent cannot be restarted by the tool`
            : `SSM status of ${ci.ec2InstanceId} is unknown: its agent will not be restarted by the tool`,
        advice:
          'Restart the ECS agent on it by hand (systemctl restart ecs) or reboot it after the endpoints are available',
      });
      continue;
    }
    if (!hasPath) {
      offline++;
      continue;
    }
    restart.push(ref(ci));
  }
  if (!(subnetsPathOk(candidates, subnetsById) || ssmLive)) {
    find({
      code: 'SSM_PATH_MISSING',
      severity: ssmPlanned ? 'medium' : 'high',
      message: ssmPlanned
        ? 'container instances have no path to SSM yet: the ssm, ssmmessages and ec2messages endpoints are created before the agent restart'
        : `${offline} container instance(s) have no path to SSM (no internet path, no SSM endpoints)`,
      ...(ssmPlanned
        ? {}
        : { advice: 'Add the ssm, ssmmessages and ec2messages endpoints or an internet path' }),
    });
  }
  if (restart.length > 0) {
    const dependsOn = [
      ...ecsChanged,
      ...(ssmLive ? [] : SSM_PATH_SERVICES.filter((s) => changedServices.has(s))),
    ];
    drafts.push({
      kind: 'RestartEcsAgent',
      instances: restart,
      dependsOn,
      reason: `${ecsChanged.join(', ')} endpoint(s) change: ${restart.length} agent(s) must reconnect through them (after they are available)`,
    });
  }
  return drafts;
}

function subnetsPathOk(
  instances: readonly ObservedVpc['containerInstances'][number][],
  subnetsById: ReadonlyMap<string, ObservedSubnet>,
): boolean {
  return instances.every((ci) => hasInternetPath(instanceAccess(ci, subnetsById)));
}

/** True when every action of a plan was applied or is unneeded (used by the "no drift" exit code). */
export function hasDrift(p: Plan): boolean {
  return p.vpcs.some((v) => v.findings.length > 0 || v.actions.length > 0);
}

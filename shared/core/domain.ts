/**
 * Domain types of the remediator. The core (this folder) is pure: it never imports an AWS SDK.
 * Adapters in shared/aws map SDK shapes to these types.
 */

/** Short names of the endpoint services the remediator knows ("Amazon ECS interface VPC endpoints (AWS PrivateLink)", Amazon ECS Developer Guide). */
export const SERVICE_NAMES = [
  'ecs-agent',
  'ecs-telemetry',
  'ecs',
  'ecr.api',
  'ecr.dkr',
  's3',
  'logs',
  'secretsmanager',
  'ssm',
  'ssmmessages',
  'ec2messages',
] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export function isServiceName(value: string): value is ServiceName {
  return (SERVICE_NAMES as readonly string[]).includes(value);
}

export type Mode = 'enforce' | 'audit' | 'off';
export const MODES: readonly Mode[] = ['enforce', 'audit', 'off'];

export type EndpointType = 'Interface' | 'Gateway';

export const ENDPOINT_STATES = [
  'pending',
  'pendingAcceptance',
  'available',
  'deleting',
  'deleted',
  'rejected',
  'failed',
  'expired',
  'partial',
  'unknown',
] as const;
export type EndpointState = (typeof ENDPOINT_STATES)[number];

/** Platforms the agent restart distinguishes: each manages the ECS agent its own way (systemd, upstart, a container, Bottlerocket, the Windows service). */
export type Platform = 'linux' | 'linux-arm64' | 'bottlerocket' | 'windows' | 'unknown';

export interface NaclEntry {
  readonly ruleNumber: number;
  readonly egress: boolean;
  /** IANA protocol number as a string, '-1' for all. */
  readonly protocol: string;
  readonly action: 'allow' | 'deny';
  readonly cidrBlock: string;
  readonly portFrom?: number;
  readonly portTo?: number;
}

export interface ObservedNetworkAcl {
  readonly naclId: string;
  readonly isDefault: boolean;
  readonly subnetIds: readonly string[];
  readonly entries: readonly NaclEntry[];
}

export interface SecurityGroupRule {
  /** IANA protocol number or name as AWS gives it ('tcp', '6', '-1'). */
  readonly protocol: string;
  readonly fromPort?: number;
  readonly toPort?: number;
  readonly cidrBlocks: readonly string[];
  /** Security groups referenced as the source. */
  readonly sourceGroupIds: readonly string[];
  readonly prefixListIds: readonly string[];
}

export interface ObservedSecurityGroup {
  readonly groupId: string;
  readonly groupName: string;
  /** The VPC's default group: never used, never changed. */
  readonly isDefault: boolean;
  readonly ingress: readonly SecurityGroupRule[];
  readonly tags: Readonly<Record<string, string>>;
}

export interface ObservedRouteTable {
  readonly routeTableId: string;
  readonly isMain: boolean;
  readonly subnetIds: readonly string[];
  /** A 0.0.0.0/0 (or ::/0) route to an internet gateway. */
  readonly hasInternetGatewayRoute: boolean;
  /** A 0.0.0.0/0 route to a NAT gateway or NAT instance. */
  readonly hasNatRoute: boolean;
  /** Gateway endpoints whose prefix-list routes are in this table. */
  readonly gatewayEndpointIds: readonly string[];
  /** Routes to other networks through a VPC peering connection (pcx-) or a transit gateway (tgw-); absent when not read. */
  readonly transitRoutes?: readonly TransitRoute[];
}

export interface TransitRoute {
  readonly destinationCidrBlock: string;
  /** The peering connection or transit gateway id. */
  readonly targetId: string;
}

export interface ObservedSubnet {
  readonly subnetId: string;
  readonly availabilityZone: string;
  readonly cidrBlock: string;
  /** The route table in effect: the explicit association, else the VPC's main table. */
  readonly routeTableId?: string;
  readonly networkAclId?: string;
  /** No default route to an internet gateway. */
  readonly isPrivate: boolean;
  /**
   * A default route to a NAT gateway or NAT instance. Whether a workload here reaches the internet
   * also depends on its public IPv4 address: see internet-path.ts.
   */
  readonly hasNatRoute: boolean;
}

export interface ObservedEndpoint {
  readonly endpointId: string;
  readonly serviceName: string;
  /** The short name when the service is one the remediator knows. */
  readonly service?: ServiceName;
  readonly type: EndpointType;
  readonly state: EndpointState;
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  readonly routeTableIds: readonly string[];
  readonly privateDnsEnabled: boolean;
  readonly policyDocument?: string;
  readonly tags: Readonly<Record<string, string>>;
  /** The endpoint's own DNS names (DnsEntries), lower case, no trailing dot; absent when not read. */
  readonly dnsNames?: readonly string[];
}

export interface ObservedContainerInstance {
  readonly containerInstanceArn: string;
  readonly clusterArn: string;
  readonly ec2InstanceId: string;
  readonly subnetId?: string;
  readonly availabilityZone?: string;
  readonly agentVersion?: string;
  readonly agentConnected: boolean;
  readonly platform: Platform;
  /** Managed by SSM (PingStatus Online or ConnectionLost); undefined when SSM's inventory could not be read. */
  readonly ssmManaged?: boolean;
  /** The instance has a public IPv4 address (auto-assigned or an Elastic IP); absent means none. */
  readonly hasPublicIpv4?: boolean;
  readonly status: string;
}

/** Subnets of the awsvpc services (their tasks' network interfaces) and whether tasks get a public IP. */
export interface AwsvpcPlacement {
  readonly subnetId: string;
  /** The service's awsvpcConfiguration has assignPublicIp ENABLED (Fargate only). */
  readonly assignPublicIp: boolean;
}

/** What the ECS workloads in a VPC use, from the services and task definitions that run there. */
export interface WorkloadUsage {
  readonly ec2ContainerInstances: number;
  readonly fargateServices: number;
  readonly ec2Services: number;
  readonly privateEcrImages: boolean;
  readonly awslogs: boolean;
  readonly secretsManagerSecrets: boolean;
  readonly ssmParameters: boolean;
  /** Subnets the workloads run in (awsvpc subnets and container instance subnets). */
  readonly subnetIds: readonly string[];
  /**
   * The awsvpc services' subnets with their public IP setting, one entry per service and subnet.
   * A workload subnet neither here nor hosting a container instance counts as without public IPs.
   */
  readonly awsvpcPlacements?: readonly AwsvpcPlacement[];
}

export interface ObservedVpc {
  readonly vpcId: string;
  readonly isDefault: boolean;
  readonly cidrBlocks: readonly string[];
  readonly tags: Readonly<Record<string, string>>;
  /**
   * VPC DNS attributes. EC2 has no batch read for them (one DescribeVpcAttribute call per VPC and
   * attribute), so they are read only for VPCs with ECS workloads; undefined means not read.
   */
  readonly enableDnsSupport?: boolean;
  readonly enableDnsHostnames?: boolean;
  /** DHCP options `domain-name-servers`; empty when the set has none (AWS default). */
  readonly domainNameServers: readonly string[];
  readonly subnets: readonly ObservedSubnet[];
  readonly routeTables: readonly ObservedRouteTable[];
  readonly networkAcls: readonly ObservedNetworkAcl[];
  readonly securityGroups: readonly ObservedSecurityGroup[];
  readonly endpoints: readonly ObservedEndpoint[];
  readonly containerInstances: readonly ObservedContainerInstance[];
  readonly workloads: WorkloadUsage;
}

export interface EndpointServiceOffer {
  readonly service: ServiceName;
  readonly serviceName: string;
  readonly type: EndpointType;
  readonly availabilityZones: readonly string[];
}

/** An alias record of a private hosted zone. */
export interface AliasRecord {
  /** Lower case, no trailing dot. */
  readonly name: string;
  /** The alias target's DNS name, lower case, no trailing dot (an endpoint's DNS name in the hub pattern). */
  readonly target: string;
}

/** A Route 53 private hosted zone, with the VPCs associated with it. */
export interface ObservedHostedZone {
  readonly zoneId: string;
  /** Lower case, no trailing dot. */
  readonly name: string;
  readonly vpcIds: readonly string[];
  readonly aliasRecords: readonly AliasRecord[];
  /**
   * Set when another account owns the zone (seen through ListHostedZonesByVPC): its records and its
   * other associations cannot be read from here, so `aliasRecords` is empty and `vpcIds` holds only
   * the VPCs in scope it is associated with.
   */
  readonly ownerAccountId?: string;
  /**
   * Another account's zone as its owner read it in the same run (shared/core/cross-account.ts): its
   * records and associations are complete, so its links are checked like an own zone's.
   */
  readonly readFromOwner?: true;
}

/** A Route 53 Resolver rule with the VPCs it is associated with. */
export interface ObservedResolverRule {
  readonly ruleId: string;
  readonly name?: string;
  /** Lower case, no trailing dot; empty for the root ("."). */
  readonly domainName: string;
  readonly ruleType: 'FORWARD' | 'SYSTEM' | 'RECURSIVE';
  readonly vpcIds: readonly string[];
}

export interface ObservedRegion {
  readonly region: string;
  readonly vpcs: readonly ObservedVpc[];
  /** Private hosted zones of the account; absent when not read (services are then planned as local endpoints). */
  readonly hostedZones?: readonly ObservedHostedZone[];
  /** Resolver rules associated with VPCs in scope; absent when not read. */
  readonly resolverRules?: readonly ObservedResolverRule[];
  /**
   * VPCs outside a scoped read, read only for the hub side of a centrally served service (the
   * endpoints a zone's records alias, their groups, the hub's CIDRs); never planned.
   */
  readonly contextVpcs?: readonly ObservedVpc[];
  /** Offers per short name and type; a service absent here is not offered in the Region. */
  readonly endpointServices: readonly EndpointServiceOffer[];
  /** Things the reader could not see (e.g. SSM inventory unavailable), for the report. */
  readonly warnings: readonly string[];
}

/** What one VPC needs, with the reason each service is required. */
export interface DesiredVpc {
  readonly vpcId: string;
  readonly mode: Mode;
  readonly services: ReadonlyMap<ServiceName, string>;
  /** AZs whose subnets must be covered by every interface endpoint. */
  readonly requiredAzs: readonly string[];
  /** Workload subnets' CIDRs that must reach the endpoints on 443. */
  readonly clientCidrs: readonly string[];
  /** The agent restart would need SSM and no internet path exists, so the SSM endpoints are required. */
  readonly restartNeedsSsmEndpoints: boolean;
  /**
   * Subnets with workloads that do not reach AWS directly (internet-path.ts), private or not: their
   * route tables get the gateway endpoints. Absent: none beyond the private subnets.
   */
  readonly enclosedWorkloadSubnetIds?: readonly string[];
}

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

export const FINDING_CODES = [
  'MISSING_ENDPOINT',
  'ENDPOINT_NOT_AVAILABLE',
  'ENDPOINT_AZ_NOT_COVERED',
  'PRIVATE_DNS_DISABLED',
  'VPC_DNS_SUPPORT_DISABLED',
  'VPC_DNS_HOSTNAMES_DISABLED',
  'ENDPOINT_SG_BLOCKS_HTTPS',
  'NACL_BLOCKS_HTTPS',
  'CUSTOM_DNS_SERVERS',
  'ENDPOINT_POLICY_UNSUPPORTED',
  'S3_GATEWAY_ROUTE_MISSING',
  'SERVICE_NOT_OFFERED_IN_AZ',
  'AGENT_TOO_OLD',
  'AGENT_DISCONNECTED',
  'INSTANCE_NOT_SSM_MANAGED',
  'SSM_PATH_MISSING',
  'CENTRAL_ZONE_NOT_ASSOCIATED',
  'CENTRAL_ZONE_RECORD_BROKEN',
  'CENTRAL_ENDPOINT_NO_ROUTE',
  'CENTRAL_ENDPOINT_SG_BLOCKS_HTTPS',
  'DNS_FORWARDED_BY_RESOLVER_RULE',
  'CENTRAL_ZONE_OTHER_ACCOUNT',
] as const;
export type FindingCode = (typeof FINDING_CODES)[number];

export interface Finding {
  readonly code: FindingCode;
  readonly severity: Severity;
  readonly vpcId: string;
  readonly service?: ServiceName;
  readonly resourceId?: string;
  readonly message: string;
  /** What a human should do when the tool does not fix it itself. */
  readonly advice?: string;
}

/** The endpoints' security group: an existing one, or the dedicated one an earlier action creates. */
export type SecurityGroupRef =
  | { readonly kind: 'existing'; readonly groupId: string }
  | { readonly kind: 'dedicated'; readonly vpcId: string };

export interface ActionBase {
  /** Stable within a plan: `${vpcId}:${kind}:${subject}`. */
  readonly id: string;
  readonly vpcId: string;
  readonly reason: string;
  /** False for audit VPCs: the action is what enforce would do, shown and never applied. */
  readonly apply: boolean;
}

export interface ContainerInstanceRef {
  readonly clusterArn: string;
  readonly containerInstanceArn: string;
  readonly ec2InstanceId: string;
  readonly platform: Platform;
}

export type Action =
  | (ActionBase & {
      readonly kind: 'EnableVpcDnsAttribute';
      readonly attribute: 'enableDnsSupport' | 'enableDnsHostnames';
    })
  | (ActionBase & {
      readonly kind: 'CreateSecurityGroup';
      readonly groupName: string;
      readonly description: string;
    })
  | (ActionBase & {
      readonly kind: 'AuthorizeHttpsIngress';
      readonly group: SecurityGroupRef;
      readonly cidrs: readonly string[];
    })
  | (ActionBase & {
      readonly kind: 'CreateVpcEndpoint';
      readonly service: ServiceName;
      readonly serviceName: string;
      readonly endpointType: EndpointType;
      readonly subnetIds: readonly string[];
      readonly securityGroup?: SecurityGroupRef;
      readonly routeTableIds: readonly string[];
      readonly privateDnsEnabled: boolean;
      /** Idempotency token: derived from the VPC, the service and the observed state it repairs. */
      readonly clientToken: string;
      /** Interface endpoint-AZs this adds (for the cost estimate). */
      readonly newEndpointAzs: number;
    })
  | (ActionBase & {
      readonly kind: 'ModifyVpcEndpoint';
      readonly service: ServiceName;
      readonly endpointId: string;
      readonly addSubnetIds: readonly string[];
      readonly addSecurityGroup?: SecurityGroupRef;
      readonly enablePrivateDns: boolean;
      readonly newEndpointAzs: number;
    })
  | (ActionBase & {
      readonly kind: 'AddGatewayRoutes';
      readonly service: ServiceName;
      readonly endpointId: string;
      readonly routeTableIds: readonly string[];
    })
  | (ActionBase & {
      /** A same-account hub zone the VPC is not associated with (issue #13 §1). */
      readonly kind: 'AssociateVpcWithHostedZone';
      readonly service: ServiceName;
      readonly zoneId: string;
      readonly zoneName: string;
    })
  | (ActionBase & {
      readonly kind: 'RestartEcsAgent';
      readonly instances: readonly ContainerInstanceRef[];
      /** Endpoints that must be available before the restart. */
      readonly dependsOn: readonly ServiceName[];
    })
  | (ActionBase & {
      readonly kind: 'UpdateContainerAgent';
      readonly instance: ContainerInstanceRef;
    });

export type ActionKind = Action['kind'];

export interface VpcPlan {
  readonly vpcId: string;
  readonly mode: Mode;
  readonly findings: readonly Finding[];
  readonly actions: readonly Action[];
  readonly estimatedMonthlyCostUsd: number;
}

export interface Plan {
  readonly region: string;
  readonly vpcs: readonly VpcPlan[];
  /** Monthly cost of the interface endpoint-AZs every action in the plan would add. */
  readonly estimatedMonthlyCostUsd: number;
  readonly warnings: readonly string[];
}

/** Compile-time exhaustiveness for discriminated unions. */
export function assertNever(value: never, what = 'value'): never {
  throw new Error(`unexpected ${what}: ${JSON.stringify(value)}`);
}

/** What became of one action when a plan was applied. */
export type ActionOutcome =
  | {
      readonly status: 'applied';
      readonly actionId: string;
      readonly kind: ActionKind;
      readonly vpcId: string;
      /** Resource created or changed (endpoint id, group id, command id). */
      readonly resourceId?: string;
      readonly detail?: string;
    }
  | {
      readonly status: 'skipped';
      readonly actionId: string;
      readonly kind: ActionKind;
      readonly vpcId: string;
      readonly why: string;
    }
  | {
      readonly status: 'failed';
      readonly actionId: string;
      readonly kind: ActionKind;
      readonly vpcId: string;
      readonly error: string;
    };

export interface ApplyReport {
  readonly region: string;
  readonly plan: Plan;
  readonly outcomes: readonly ActionOutcome[];
  /** AWS write calls made (create, modify, authorize, send command, update agent). */
  readonly writeCalls: number;
  /** Throttled EC2 requests (RequestLimitExceeded) that were retried during the run; none failed an action. */
  readonly throttledRetries: number;
  /** True when the change cap stopped the run before every action was tried. */
  readonly stoppedAtMaxChanges: boolean;
  /** Every applicable action applied or was already satisfied; nothing failed. */
  readonly converged: boolean;
  /** VPCs left to another writer that held their lease (one writer per VPC); their actions are skipped. */
  readonly yielded?: readonly { readonly vpcId: string; readonly holder: string; readonly untilMs: number }[];
}

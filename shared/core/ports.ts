/**
 * What the core needs from AWS, in domain terms. shared/aws implements these with the SDK
 * (one adapter per service); tests hand in emulator-backed adapters or fakes.
 * Adapters turn benign errors (duplicate rule, already enabled, not found on removal) into no-ops.
 */
import type {
  EndpointState,
  EndpointType,
  ObservedContainerInstance,
  ObservedEndpoint,
  ObservedRegion,
} from './domain.js';
import type { ExistingFinding, FindingsQuery, ImportFinding } from './security-hub-sync.js';

export interface ReadRegionOptions {
  /** Read only these VPCs (every EC2 read filtered by them); absent: the whole Region. */
  readonly vpcIds?: readonly string[];
  /** A requested VPC that does not exist is left out instead of failing the read. */
  readonly ignoreMissing?: boolean;
}

/** Ids an event names, by kind, to be placed in their VPCs. */
export interface ResourceRefs {
  readonly vpcIds: readonly string[];
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  readonly networkAclIds: readonly string[];
  readonly endpointIds: readonly string[];
  readonly instanceIds: readonly string[];
}

export interface StateReader {
  /**
   * Reads the Region in batches; with `vpcIds`, only those VPCs. A requested VPC that does not
   * exist fails the read unless `ignoreMissing`.
   */
  readRegion(options?: ReadRegionOptions): Promise<ObservedRegion>;
  /** The VPC of each id that exists (one filtered lookup per kind named); unknown ids are absent. */
  locate(refs: ResourceRefs): Promise<ReadonlyMap<string, string>>;
}

export interface CreateVpcEndpointRequest {
  readonly vpcId: string;
  readonly serviceName: string;
  readonly endpointType: EndpointType;
  readonly subnetIds: readonly string[];
  readonly securityGroupIds: readonly string[];
  readonly routeTableIds: readonly string[];
  readonly privateDnsEnabled: boolean;
  readonly clientToken: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface ModifyVpcEndpointRequest {
  readonly endpointId: string;
  readonly addSubnetIds?: readonly string[];
  readonly addSecurityGroupIds?: readonly string[];
  readonly addRouteTableIds?: readonly string[];
  readonly enablePrivateDns?: boolean;
}

export interface EndpointStatus {
  readonly endpointId: string;
  readonly state: EndpointState;
}

export interface Ec2Writer {
  enableVpcDnsAttribute(vpcId: string, attribute: 'enableDnsSupport' | 'enableDnsHostnames'): Promise<void>;
  /** Finds the tool's dedicated endpoint group in the VPC (by tag and name), if any. */
  findDedicatedSecurityGroup(vpcId: string, groupName: string): Promise<string | undefined>;
  createSecurityGroup(
    vpcId: string,
    groupName: string,
    description: string,
    tags: Readonly<Record<string, string>>,
  ): Promise<string>;
  /** Adds tcp/443 ingress from each CIDR; an existing identical rule is a no-op. */
  authorizeHttpsIngress(groupId: string, cidrs: readonly string[], description: string): Promise<void>;
  createVpcEndpoint(request: CreateVpcEndpointRequest): Promise<string>;
  modifyVpcEndpoint(request: ModifyVpcEndpointRequest): Promise<void>;
  /**
   * Current state of endpoints in one VPC (interface and gateway), deleted ones excluded; only the
   * given endpoints when `endpointIds` is passed.
   */
  describeVpcEndpoints(vpcId: string, endpointIds?: readonly string[]): Promise<readonly ObservedEndpoint[]>;
}

export type InvocationStatus =
  | 'Pending'
  | 'InProgress'
  | 'Delayed'
  | 'Success'
  | 'Cancelled'
  | 'TimedOut'
  | 'Failed'
  | 'Cancelling'
  | 'Undeliverable'
  | 'Terminated'
  | 'Unknown';

/** What the restart made of one instance's invocation: the status of the step that ran there. */
export interface CommandInvocation {
  readonly instanceId: string;
  readonly status: InvocationStatus;
  readonly output?: string;
}

/** One step (plugin) of a command document as SSM reports it on one instance. */
export interface CommandStepResult {
  /** The step's name in the document (e.g. restartEcsAgentLinux). */
  readonly name: string;
  readonly status: InvocationStatus;
  readonly output?: string;
}

/** One instance's invocation of a command with its steps (ListCommandInvocations with Details). */
export interface CommandInvocationDetail {
  readonly instanceId: string;
  /** The invocation's overall status. */
  readonly status: InvocationStatus;
  readonly steps: readonly CommandStepResult[];
}

export interface SendCommandRequest {
  readonly documentName: string;
  readonly instanceIds: readonly string[];
  readonly parameters: Readonly<Record<string, readonly string[]>>;
  readonly maxConcurrency: string;
  readonly maxErrors: string;
  readonly comment: string;
  readonly timeoutSeconds: number;
}

export interface SsmCommander {
  /** At most 50 instance ids per call (the adapter rejects more). Returns the command id. */
  sendCommand(request: SendCommandRequest): Promise<string>;
  /** Every invocation of the command with its steps (all pages); instances SSM has not registered yet are absent. */
  listInvocations(commandId: string): Promise<readonly CommandInvocationDetail[]>;
}

export interface EcsAgentControl {
  describeContainerInstances(
    clusterArn: string,
    containerInstanceArns: readonly string[],
  ): Promise<
    readonly Pick<ObservedContainerInstance, 'containerInstanceArn' | 'agentConnected' | 'agentVersion'>[]
  >;
  updateContainerAgent(clusterArn: string, containerInstanceArn: string): Promise<void>;
}

/**
 * How many throttled AWS requests were retried (and so did not fail) since the counter was built;
 * the apply report takes the difference over a run.
 */
export interface ThrottleCounter {
  throttledRetries(): number;
}

/** A client-side token bucket's level (shared/core/token-bucket.ts), per EC2 bucket name. */
export type PacingLevels = Readonly<Record<string, { readonly tokens: number; readonly atMs: number }>>;

/**
 * The EC2 client's pacing seen from the executor: how far the next token of an action is, and the
 * buckets' levels, which a workflow carries from one step (one Lambda invocation) to the next so
 * that every step of a run draws from the same buckets.
 */
export interface WritePacing {
  /** Milliseconds before a request of `action` would get a client-side token (0: now). */
  readyInMs(action: string): number;
  levels(): PacingLevels;
  restore(levels: PacingLevels): void;
}

/** Route 53 writes (issue #13 §1). */
export interface DnsWriter {
  /**
   * Associates the VPC with a private hosted zone of the account; 'alreadyAssociated' when it is
   * (or a zone of that name already is: Route 53's ConflictingDomainExists).
   */
  associateVpcWithHostedZone(
    zoneId: string,
    vpcId: string,
    region: string,
  ): Promise<'associated' | 'alreadyAssociated'>;
}

/** Everything apply needs; built once in the composition root. */
export interface RemediatorPorts {
  readonly reader: StateReader;
  readonly ec2: Ec2Writer;
  /** Absent where no Route 53 client is built (fakes): associations are then skipped, said so. */
  readonly dns?: DnsWriter;
  readonly ssm: SsmCommander;
  readonly ecs: EcsAgentControl;
  /** Present when the EC2 client paces and retries throttled requests (shared/aws/ec2-pacing.ts). */
  readonly throttle?: ThrottleCounter;
  /** Present with the pacing EC2 client (the same pacer as `throttle`). */
  readonly pacing?: WritePacing;
}

/** This tool's findings in Security Hub, read back (GetFindings, every page). */
export interface SecurityHubFindingsReader {
  activeFindings(query: FindingsQuery): Promise<readonly ExistingFinding[]>;
}

/** One finding BatchImportFindings did not take (its `FailedFindings` entry). */
export interface FailedImport {
  readonly id: string;
  readonly errorCode: string;
  readonly errorMessage: string;
}

export interface ImportOutcome {
  readonly succeeded: number;
  readonly failed: readonly FailedImport[];
}

/** BatchImportFindings: at most 100 findings per call (the adapter rejects more). */
export interface SecurityHubFindingsWriter {
  importFindings(findings: readonly ImportFinding[]): Promise<ImportOutcome>;
}

/** Security Hub in one account and Region (one client, one pacing). */
export interface FindingsPorts {
  readonly reader: SecurityHubFindingsReader;
  readonly writer: SecurityHubFindingsWriter;
}

/**
 * Event intake: turns one EventBridge event into "reconcile this part of the Region", "ignore", or
 * "reject". Pure: no SDK, no I/O. The event only says where to look; the state is always read
 * again (CloudTrail delivery is late, out of order and sometimes duplicated).
 */
import { assertNever } from '../core/domain.js';
import {
  CLOUDTRAIL_DETAIL_TYPE,
  ECS_INSTANCE_STATE_CHANGE_DETAIL_TYPE,
  EVENT_SOURCE_BY_SOURCE,
  SWEEP_DETAIL_TYPE,
  SWEEP_SOURCE,
  isHandledEventName,
  isHandledSource,
} from './handled-events.js';
import type { HandledEventName } from './handled-events.js';
import {
  cloudTrailDetailSchema,
  ecsContainerInstanceStateChangeSchema,
  eventBridgeEnvelopeSchema,
  summarizeZodError,
} from './schemas.js';
import type { CloudTrailDetail, EventBridgeEnvelope, UserIdentity } from './schemas.js';

/** Where to look. Ids only narrow the reconcile; `wholeRegion` widens it to every VPC. */
export interface ScopeHints {
  vpcIds: string[];
  subnetIds: string[];
  securityGroupIds: string[];
  networkAclIds: string[];
  endpointIds: string[];
  instanceIds: string[];
  containerInstanceArns: string[];
  wholeRegion: boolean;
}

export interface TriggerInfo {
  eventName: string;
  /** ARN of the caller, else its principal id, else the AWS service that acted. */
  userIdentity: string;
  sourceIPAddress?: string;
  eventTime: string;
}

export type Classified =
  | {
      kind: 'reconcile';
      eventId: string;
      /** The account the event happened in (a member's, when forwarded to an organisation hub). */
      account: string;
      region: string;
      hints: ScopeHints;
      trigger: TriggerInfo;
    }
  | { kind: 'ignored'; eventId?: string; reason: string }
  | { kind: 'rejected'; reason: string };

export interface ClassifyOptions {
  /** IAM role ARNs of the remediator's own functions: their calls never trigger a reconcile. */
  selfRoleArns: readonly string[];
}

export const SELF_MADE_REASON = 'made by the remediator itself';

export function emptyHints(): ScopeHints {
  return {
    vpcIds: [],
    subnetIds: [],
    securityGroupIds: [],
    networkAclIds: [],
    endpointIds: [],
    instanceIds: [],
    containerInstanceArns: [],
    wholeRegion: false,
  };
}

export function classifyEvent(raw: unknown, options: ClassifyOptions): Classified {
  const envelope = eventBridgeEnvelopeSchema.safeParse(raw);
  if (!envelope.success) return { kind: 'rejected', reason: summarizeZodError(envelope.error) };
  const event = envelope.data;
  const detailType = event['detail-type'];
  if (detailType === CLOUDTRAIL_DETAIL_TYPE) return classifyCloudTrail(event, options);
  if (detailType === ECS_INSTANCE_STATE_CHANGE_DETAIL_TYPE) return classifyEcsStateChange(event);
  if (detailType === SWEEP_DETAIL_TYPE && event.source === SWEEP_SOURCE) {
    return {
      kind: 'reconcile',
      eventId: event.id,
      account: event.account,
      region: event.region,
      hints: { ...emptyHints(), wholeRegion: true },
      trigger: { eventName: SWEEP_DETAIL_TYPE, userIdentity: SWEEP_SOURCE, eventTime: event.time },
    };
  }
  return { kind: 'ignored', eventId: event.id, reason: `unhandled detail-type "${detailType}" from ${event.source}` };
}

/** For SQS record bodies: anything that is not JSON is rejected, never thrown. */
export function classifyJson(text: string, options: ClassifyOptions): Classified {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { kind: 'rejected', reason: '(root): body is not JSON' };
  }
  return classifyEvent(raw, options);
}

/** The sweep's queue message: an EventBridge-shaped envelope that reconciles the whole Region. */
export function sweepRequest(input: { id: string; account: string; region: string; time: string }) {
  return {
    version: '0',
    id: input.id,
    'detail-type': SWEEP_DETAIL_TYPE,
    source: SWEEP_SOURCE,
    account: input.account,
    time: input.time,
    region: input.region,
    resources: [],
    detail: {},
  } satisfies EventBridgeEnvelope;
}

/**
 * The sweep's requests: the whole Region of the stack's own account, and in the organisation hub
 * shape of each member account too (each reconciled in its account through its member role). Each
 * request has its own id, so a member whose role fails retries alone.
 */
export function sweepRequests(input: {
  id: string;
  account: string;
  region: string;
  time: string;
  memberAccountIds: readonly string[];
}) {
  const members = unique(input.memberAccountIds.filter((a) => a !== input.account));
  return [
    sweepRequest(input),
    ...members.map((account) => sweepRequest({ ...input, id: `${input.id}:${account}`, account })),
  ];
}

function classifyCloudTrail(event: EventBridgeEnvelope, options: ClassifyOptions): Classified {
  const parsed = cloudTrailDetailSchema.safeParse(event.detail);
  if (!parsed.success) {
    return { kind: 'rejected', reason: `detail.${summarizeZodError(parsed.error)}` };
  }
  const detail = parsed.data;
  const eventId = detail.eventID;
  const { source } = event;
  if (!isHandledSource(source) || !isHandledEventName(source, detail.eventName)) {
    return { kind: 'ignored', eventId, reason: `unhandled event name ${detail.eventName} from ${source}` };
  }
  if (detail.eventSource !== EVENT_SOURCE_BY_SOURCE[source]) {
    return {
      kind: 'ignored',
      eventId,
      reason: `eventSource ${detail.eventSource} does not belong to ${source}`,
    };
  }
  if (detail.errorCode !== undefined) {
    return { kind: 'ignored', eventId, reason: `the call failed (${detail.errorCode})` };
  }
  if (isSelfMade(detail.userIdentity, options.selfRoleArns)) {
    return { kind: 'ignored', eventId, reason: SELF_MADE_REASON };
  }
  const hints = hintsForCloudTrail(detail.eventName as HandledEventName, detail);
  return {
    kind: 'reconcile',
    eventId,
    account: event.account,
    region: event.region,
    hints: finalizeHints(hints),
    trigger: {
      eventName: detail.eventName,
      userIdentity: describeIdentity(detail.userIdentity),
      ...(detail.sourceIPAddress !== undefined ? { sourceIPAddress: detail.sourceIPAddress } : {}),
      eventTime: detail.eventTime ?? event.time,
    },
  };
}

function classifyEcsStateChange(event: EventBridgeEnvelope): Classified {
  const parsed = ecsContainerInstanceStateChangeSchema.safeParse(event.detail);
  if (!parsed.success) {
    return { kind: 'rejected', reason: `detail.${summarizeZodError(parsed.error)}` };
  }
  const detail = parsed.data;
  if (event.source !== 'aws.ecs') {
    return { kind: 'ignored', eventId: event.id, reason: `state change from unexpected source ${event.source}` };
  }
  if (detail.agentConnected) {
    return { kind: 'ignored', eventId: event.id, reason: 'the ECS agent is connected' };
  }
  const hints = emptyHints();
  hints.containerInstanceArns.push(detail.containerInstanceArn);
  add(hints.instanceIds, [detail.ec2InstanceId], ID_PATTERNS.instance);
  return {
    kind: 'reconcile',
    eventId: event.id,
    account: event.account,
    region: event.region,
    hints: finalizeHints(hints),
    trigger: {
      eventName: ECS_INSTANCE_STATE_CHANGE_DETAIL_TYPE,
      userIdentity: 'ecs.amazonaws.com',
      eventTime: event.time,
    },
  };
}

const ID_PATTERNS = {
  vpc: /^vpc-[0-9a-f]{8,17}$/,
  subnet: /^subnet-[0-9a-f]{8,17}$/,
  securityGroup: /^sg-[0-9a-f]{8,17}$/,
  networkAcl: /^acl-[0-9a-f]{8,17}$/,
  endpoint: /^vpce-[0-9a-f]{8,17}$/,
  instance: /^i-[0-9a-f]{8,17}$/,
  containerInstance: /^arn:aws[a-z-]*:ecs:[a-z0-9-]+:\d{12}:container-instance\/.+$/,
} as const;

/** CloudTrail's list shapes nest a few levels; anything deeper is not an id list. */
const MAX_LIST_DEPTH = 8;

/**
 * CloudTrail renders EC2 list parameters in several shapes: a plain string, `{ tag, content }`,
 * an array of either, or `{ items: [...] }` / `{ item: ... }`. All of them flatten to strings here.
 * The depth is bounded: an event is untrusted input, and a value nested thousands of levels deep
 * would otherwise overflow the stack and fail the whole batch instead of being skipped.
 */
function strings(value: unknown, depth = 0): string[] {
  if (typeof value === 'string') return [value];
  if (depth >= MAX_LIST_DEPTH) return [];
  if (Array.isArray(value)) return value.flatMap((item) => strings(item, depth + 1));
  if (isRecord(value)) {
    if (typeof value.content === 'string') return [value.content];
    if ('items' in value) return strings(value.items, depth + 1);
    if ('item' in value) return strings(value.item, depth + 1);
  }
  return [];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) {
    if (!isRecord(current)) return undefined;
    current = current[key];
  }
  return current;
}

/** Only well-formed ids are kept: an event is untrusted input and ids end up in API calls. */
function add(target: string[], values: readonly unknown[], pattern: RegExp): void {
  for (const value of values.flatMap(strings)) {
    if (pattern.test(value)) target.push(value);
  }
}

function records(value: unknown): Record<string, unknown>[] {
  const items = isRecord(value) && 'items' in value ? value.items : value;
  return Array.isArray(items) ? items.filter(isRecord) : isRecord(items) ? [items] : [];
}

function hintsForCloudTrail(eventName: HandledEventName, detail: CloudTrailDetail): ScopeHints {
  const request = detail.requestParameters ?? {};
  const response = detail.responseElements ?? {};
  const hints = emptyHints();
  switch (eventName) {
    case 'CreateVpcEndpoint': {
      const input = field(request, 'CreateVpcEndpointRequest');
      add(hints.vpcIds, [field(input, 'VpcId')], ID_PATTERNS.vpc);
      add(hints.subnetIds, [field(input, 'SubnetId')], ID_PATTERNS.subnet);
      add(hints.securityGroupIds, [field(input, 'SecurityGroupId')], ID_PATTERNS.securityGroup);
      const endpoint = field(response, 'CreateVpcEndpointResponse', 'vpcEndpoint');
      add(hints.endpointIds, [field(endpoint, 'vpcEndpointId')], ID_PATTERNS.endpoint);
      add(hints.vpcIds, [field(endpoint, 'vpcId')], ID_PATTERNS.vpc);
      break;
    }
    case 'ModifyVpcEndpoint': {
      const input = field(request, 'ModifyVpcEndpointRequest');
      add(hints.endpointIds, [field(input, 'VpcEndpointId')], ID_PATTERNS.endpoint);
      add(
        hints.subnetIds,
        [field(input, 'AddSubnetId'), field(input, 'RemoveSubnetId')],
        ID_PATTERNS.subnet,
      );
      add(
        hints.securityGroupIds,
        [field(input, 'AddSecurityGroupId'), field(input, 'RemoveSecurityGroupId')],
        ID_PATTERNS.securityGroup,
      );
      break;
    }
    case 'DeleteVpcEndpoints': {
      add(hints.endpointIds, [field(request, 'DeleteVpcEndpointsRequest', 'VpcEndpointId')], ID_PATTERNS.endpoint);
      // The event names only endpoints, which are gone: their VPC can no longer be looked up.
      hints.wholeRegion = true;
      break;
    }
    case 'ModifyVpcAttribute':
    case 'AssociateDhcpOptions':
      add(hints.vpcIds, [request.vpcId], ID_PATTERNS.vpc);
      break;
    case 'CreateVpc':
      add(hints.vpcIds, [field(response, 'vpc', 'vpcId')], ID_PATTERNS.vpc);
      break;
    case 'CreateSubnet':
      add(hints.vpcIds, [request.vpcId, field(response, 'subnet', 'vpcId')], ID_PATTERNS.vpc);
      add(hints.subnetIds, [field(response, 'subnet', 'subnetId')], ID_PATTERNS.subnet);
      break;
    case 'DeleteSubnet':
      add(hints.subnetIds, [request.subnetId], ID_PATTERNS.subnet);
      // A deleted subnet cannot be looked up to find its VPC.
      hints.wholeRegion = true;
      break;
    case 'AuthorizeSecurityGroupIngress':
    case 'RevokeSecurityGroupIngress':
      add(hints.securityGroupIds, [request.groupId], ID_PATTERNS.securityGroup);
      for (const rule of records(response.securityGroupRuleSet)) {
        add(hints.securityGroupIds, [rule.groupId], ID_PATTERNS.securityGroup);
      }
      break;
    case 'ModifySecurityGroupRules':
      add(
        hints.securityGroupIds,
        [field(request, 'ModifySecurityGroupRulesRequest', 'GroupId')],
        ID_PATTERNS.securityGroup,
      );
      break;
    case 'DeleteSecurityGroup':
      add(hints.securityGroupIds, [request.groupId, response.groupId], ID_PATTERNS.securityGroup);
      // A deleted group cannot be looked up to find its VPC.
      hints.wholeRegion = true;
      break;
    case 'CreateNetworkAclEntry':
    case 'ReplaceNetworkAclEntry':
    case 'DeleteNetworkAclEntry':
    case 'ReplaceNetworkAclAssociation':
      add(hints.networkAclIds, [request.networkAclId], ID_PATTERNS.networkAcl);
      break;
    case 'RunInstances': {
      for (const instance of records(response.instancesSet)) {
        add(hints.instanceIds, [instance.instanceId], ID_PATTERNS.instance);
        add(hints.subnetIds, [instance.subnetId], ID_PATTERNS.subnet);
        add(hints.vpcIds, [instance.vpcId], ID_PATTERNS.vpc);
      }
      add(hints.subnetIds, [request.subnetId], ID_PATTERNS.subnet);
      for (const eni of records(request.networkInterfaceSet)) {
        add(hints.subnetIds, [eni.subnetId], ID_PATTERNS.subnet);
      }
      break;
    }
    case 'RegisterContainerInstance': {
      const instance = field(response, 'containerInstance');
      add(hints.containerInstanceArns, [field(instance, 'containerInstanceArn')], ID_PATTERNS.containerInstance);
      add(hints.instanceIds, [field(instance, 'ec2InstanceId')], ID_PATTERNS.instance);
      add(hints.instanceIds, [instanceIdFromIdentityDocument(request.instanceIdentityDocument)], ID_PATTERNS.instance);
      break;
    }
    default:
      return assertNever(eventName, 'event name');
  }
  return hints;
}

/** RegisterContainerInstance carries the instance identity document as a JSON string. */
function instanceIdFromIdentityDocument(document: unknown): string | undefined {
  if (typeof document !== 'string') return undefined;
  try {
    const parsed: unknown = JSON.parse(document);
    const instanceId = field(parsed, 'instanceId');
    return typeof instanceId === 'string' ? instanceId : undefined;
  } catch {
    return undefined;
  }
}

/** De-duplicates, and widens to the whole Region when nothing resolvable was named. */
function finalizeHints(hints: ScopeHints): ScopeHints {
  const result: ScopeHints = {
    vpcIds: unique(hints.vpcIds),
    subnetIds: unique(hints.subnetIds),
    securityGroupIds: unique(hints.securityGroupIds),
    networkAclIds: unique(hints.networkAclIds),
    endpointIds: unique(hints.endpointIds),
    instanceIds: unique(hints.instanceIds),
    containerInstanceArns: unique(hints.containerInstanceArns),
    wholeRegion: hints.wholeRegion,
  };
  const namesSomething =
    result.vpcIds.length +
      result.subnetIds.length +
      result.securityGroupIds.length +
      result.networkAclIds.length +
      result.endpointIds.length +
      result.instanceIds.length +
      result.containerInstanceArns.length >
    0;
  if (!namesSomething) result.wholeRegion = true;
  return result;
}

export function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function describeIdentity(identity: UserIdentity): string {
  return identity.arn ?? identity.principalId ?? identity.invokedBy ?? identity.type;
}

/**
 * A call is the remediator's own when its session was issued by one of its roles, or when the
 * caller's ARN is an assumed-role session of one (`arn:aws:sts::<account>:assumed-role/<name>/…`;
 * the STS ARN drops the role's path).
 */
export function isSelfMade(identity: UserIdentity, selfRoleArns: readonly string[]): boolean {
  const issuer = identity.sessionContext?.sessionIssuer?.arn;
  if (issuer !== undefined && selfRoleArns.includes(issuer)) return true;
  const callerArn = identity.arn;
  if (callerArn === undefined) return false;
  return selfRoleArns.some((roleArn) => {
    const match = /^arn:(aws[a-z-]*):iam::(\d{12}):role\/(?:.*\/)?([^/]+)$/.exec(roleArn);
    if (!match) return false;
    const [, partition, account, roleName] = match;
    return callerArn.startsWith(`arn:${partition}:sts::${account}:assumed-role/${roleName}/`);
  });
}

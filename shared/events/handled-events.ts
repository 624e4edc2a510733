/**
 * The events the remediator listens to: the CloudTrail management events that can break the endpoints
 * ECS needs (EC2 and ECS API calls; "CloudTrail events" in the AWS CloudTrail User Guide).
 * serverless.yml's EventBridge rules list exactly these names; test/infra/template.test.ts checks.
 */

export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
export const ECS_INSTANCE_STATE_CHANGE_DETAIL_TYPE = 'ECS Container Instance State Change';

/** Envelope of the whole-Region reconcile the sweep enqueues (not an AWS event). */
export const SWEEP_SOURCE = 'ecs-endpoint-remediator';
export const SWEEP_DETAIL_TYPE = 'Sweep Requested';

export const HANDLED_EVENT_NAMES = {
  'aws.ec2': [
    'CreateVpcEndpoint',
    'ModifyVpcEndpoint',
    'DeleteVpcEndpoints',
    'ModifyVpcAttribute',
    'AssociateDhcpOptions',
    'CreateSubnet',
    'DeleteSubnet',
    'AuthorizeSecurityGroupIngress',
    'RevokeSecurityGroupIngress',
    'ModifySecurityGroupRules',
    'DeleteSecurityGroup',
    'ReplaceNetworkAclEntry',
    'CreateNetworkAclEntry',
    'DeleteNetworkAclEntry',
    'ReplaceNetworkAclAssociation',
    'RunInstances',
    'CreateVpc',
  ],
  'aws.ecs': ['RegisterContainerInstance'],
} as const;

export type HandledSource = keyof typeof HANDLED_EVENT_NAMES;
export type HandledEventName = (typeof HANDLED_EVENT_NAMES)[HandledSource][number];

/** CloudTrail's `eventSource` for each EventBridge `source`. */
export const EVENT_SOURCE_BY_SOURCE: Readonly<Record<HandledSource, string>> = {
  'aws.ec2': 'ec2.amazonaws.com',
  'aws.ecs': 'ecs.amazonaws.com',
};

export function isHandledSource(source: string): source is HandledSource {
  return Object.hasOwn(HANDLED_EVENT_NAMES, source);
}

export function isHandledEventName(source: HandledSource, eventName: string): eventName is HandledEventName {
  return (HANDLED_EVENT_NAMES[source] as readonly string[]).includes(eventName);
}

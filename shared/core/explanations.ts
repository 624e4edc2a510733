/**
 * What each finding code means, for `ecs-endpoint-remediator explain CODE`. One entry per code of
 * FINDING_CODES (the Record type makes a missing one a compile error); each names the AWS
 * documentation page the rule comes from.
 */
import type { FindingCode } from './domain.js';
import { FINDING_CODES } from './domain.js';

export interface FindingExplanation {
  /** One line: what the finding says about the VPC. */
  readonly meaning: string;
  /** Why Amazon ECS (agents, tasks) breaks when it holds. */
  readonly whyEcsBreaks: string;
  /** What the remediator does about it in an enforce VPC. */
  readonly whatTheToolDoes: string;
  /** What a person does by hand (audit VPCs, or what the tool never changes). */
  readonly byHand: string;
  /** The AWS documentation page the rule comes from. */
  readonly docUrl: string;
}

const HUB_PATTERN =
  'https://docs.aws.amazon.com/whitepapers/latest/building-scalable-secure-multi-vpc-network-infrastructure/centralized-access-to-vpc-private-endpoints.html';
const ZONE_ASSOCIATION =
  'https://docs.aws.amazon.com/Route53/latest/APIReference/API_AssociateVPCWithHostedZone.html';
const ECS_ENDPOINTS = 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/vpc-endpoints.html';

export const FINDING_EXPLANATIONS: Readonly<Record<FindingCode, FindingExplanation>> = {
  MISSING_ENDPOINT: {
    meaning: 'A VPC endpoint the VPC’s ECS workloads need does not exist (or only deleted ones are left).',
    whyEcsBreaks:
      'Without an internet path, the agent, image pulls, log delivery or secret reads have no route to the AWS service: container instances disconnect and tasks fail to start.',
    whatTheToolDoes:
      'Creates the endpoint (CreateVpcEndpoint, with a ClientToken) in one subnet per required AZ, behind the dedicated security group, with private DNS; the ECS trio in the order ecs-agent, ecs-telemetry, ecs, each available before the next.',
    byHand:
      'Create the interface endpoint (the s3 one as a gateway endpoint on the private route tables) in the VPC, with private DNS on.',
    docUrl: ECS_ENDPOINTS,
  },
  ENDPOINT_NOT_AVAILABLE: {
    meaning: 'An endpoint exists but is not `available`: pending, or failed, rejected or expired.',
    whyEcsBreaks:
      'Its network interfaces and private DNS names only answer once the endpoint is available, so the service it fronts is unreachable until then.',
    whatTheToolDoes:
      'Nothing: a pending endpoint is waited for; a failed, rejected or expired one is never deleted by the tool.',
    byHand:
      'Wait a few minutes for a pending endpoint; delete a failed, rejected or expired one and let the next run create it again.',
    docUrl: 'https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html',
  },
  ENDPOINT_AZ_NOT_COVERED: {
    meaning:
      'An Availability Zone with private subnets or container instances has no subnet of the interface endpoint.',
    whyEcsBreaks:
      'Private DNS then returns only the other AZs’ addresses; workloads in the uncovered AZ depend on cross-AZ traffic and lose the service when another AZ fails.',
    whatTheToolDoes:
      'Adds one subnet in that AZ to the endpoint (ModifyVpcEndpoint), preferring the subnet that hosts container instances.',
    byHand: 'Modify the endpoint and add one subnet in each AZ your workloads run in.',
    docUrl: 'https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html',
  },
  PRIVATE_DNS_DISABLED: {
    meaning: 'Private DNS is off on an interface endpoint.',
    whyEcsBreaks:
      'The agent’s websocket hosts come from DiscoverPollEndpoint and cannot be overridden: only private DNS makes the service’s default names resolve to the endpoint.',
    whatTheToolDoes: 'Turns private DNS on (ModifyVpcEndpoint), after the VPC’s DNS attributes are on.',
    byHand: 'Modify the endpoint and enable private DNS names.',
    docUrl: 'https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html',
  },
  VPC_DNS_SUPPORT_DISABLED: {
    meaning: 'The VPC attribute enableDnsSupport is off.',
    whyEcsBreaks:
      'Private DNS on interface endpoints needs the Amazon-provided resolver: without it the endpoints’ names do not resolve at all.',
    whatTheToolDoes: 'Turns the attribute on (ModifyVpcAttribute) before any endpoint change.',
    byHand: 'Edit the VPC settings and enable DNS resolution.',
    docUrl: 'https://docs.aws.amazon.com/vpc/latest/userguide/vpc-dns.html',
  },
  VPC_DNS_HOSTNAMES_DISABLED: {
    meaning: 'The VPC attribute enableDnsHostnames is off.',
    whyEcsBreaks:
      'Private DNS on interface endpoints requires both DNS attributes: with hostnames off, the endpoints cannot serve the services’ default names.',
    whatTheToolDoes: 'Turns the attribute on (ModifyVpcAttribute) before any endpoint change.',
    byHand: 'Edit the VPC settings and enable DNS hostnames.',
    docUrl: 'https://docs.aws.amazon.com/vpc/latest/userguide/vpc-dns.html',
  },
  ENDPOINT_SG_BLOCKS_HTTPS: {
    meaning: 'The endpoint’s security groups do not allow TCP 443 in from the workload subnets.',
    whyEcsBreaks:
      'Every call to the service goes to the endpoint on HTTPS: blocked, the agent cannot register or report and tasks cannot pull images or read secrets.',
    whatTheToolDoes:
      'Creates the dedicated group ecs-endpoint-remediator-endpoints (inbound 443 from the VPC’s CIDR blocks) and attaches it; never touches the VPC’s default group.',
    byHand: 'Allow inbound TCP 443 from the private subnets in a security group attached to the endpoint.',
    docUrl: ECS_ENDPOINTS,
  },
  NACL_BLOCKS_HTTPS: {
    meaning:
      'A network ACL blocks TCP 443 into the endpoint subnets, or the ephemeral ports (1024-65535) back.',
    whyEcsBreaks:
      'Network ACLs are stateless: either direction blocked drops the HTTPS connections to the endpoint.',
    whatTheToolDoes: 'Reports it only: network ACLs are shared by other traffic and never changed.',
    byHand:
      'Add allow rules for TCP 443 inbound to the endpoint subnets and TCP 1024-65535 back to the clients.',
    docUrl: 'https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html',
  },
  CUSTOM_DNS_SERVERS: {
    meaning: 'The VPC’s DHCP options use custom DNS servers instead of the Amazon-provided DNS.',
    whyEcsBreaks:
      'Endpoints’ private DNS names resolve only through the Amazon-provided DNS: custom servers return the public addresses, which have no path.',
    whatTheToolDoes: 'Reports it only.',
    byHand:
      'Forward the service names to the VPC resolver (Route 53 Resolver outbound rules or conditional forwarding on your DNS servers).',
    docUrl: 'https://docs.aws.amazon.com/vpc/latest/userguide/VPC_DHCP_Options.html',
  },
  ENDPOINT_POLICY_UNSUPPORTED: {
    meaning: 'An ECS endpoint carries a custom endpoint policy.',
    whyEcsBreaks:
      'Endpoint policies are not supported on the Amazon ECS endpoints: a restrictive one can deny the agent’s calls.',
    whatTheToolDoes: 'Reports it only: the tool never rewrites a policy someone set.',
    byHand: 'Reset the endpoint’s policy to the default full-access policy.',
    docUrl: ECS_ENDPOINTS,
  },
  S3_GATEWAY_ROUTE_MISSING: {
    meaning: 'The s3 gateway endpoint is not associated with a private subnet’s route table.',
    whyEcsBreaks:
      'Amazon ECR serves image layers from Amazon S3: without the gateway route, image pulls fail in those subnets.',
    whatTheToolDoes: 'Adds the route tables to the gateway endpoint (ModifyVpcEndpoint).',
    byHand: 'Associate the S3 gateway endpoint with the route tables of the private subnets.',
    docUrl: 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html',
  },
  SERVICE_NOT_OFFERED_IN_AZ: {
    meaning: 'An endpoint service is not offered in an AZ the workloads use (or not in the Region).',
    whyEcsBreaks:
      'Workloads in that AZ reach the service only across AZs, or not at all when the Region lacks it.',
    whatTheToolDoes: 'Reports it, and places the endpoint only in the AZs where the service is offered.',
    byHand:
      'Run the workloads in AZs where the service is offered (DescribeVpcEndpointServices lists them), or keep an internet path for that service.',
    docUrl: 'https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html',
  },
  AGENT_TOO_OLD: {
    meaning: 'A container instance runs an ECS agent older than 1.25.1.',
    whyEcsBreaks: 'Agents before 1.25.1 cannot use the Amazon ECS interface endpoints.',
    whatTheToolDoes:
      'Requests UpdateContainerAgent where the platform supports it (not Windows, not the AL2 arm64 ECS-optimized AMI), unless UPDATE_OLD_AGENTS=false.',
    byHand:
      'Update the agent (ECS console or UpdateContainerAgent), or replace the instance with a current ECS-optimized AMI.',
    docUrl: 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-agent-update.html',
  },
  AGENT_DISCONNECTED: {
    meaning: 'ECS reports agentConnected: false for a container instance.',
    whyEcsBreaks: 'A disconnected agent gets no new tasks and reports no state changes.',
    whatTheToolDoes:
      'Restarts the agent through SSM when the ECS endpoints were just created or repaired (once they are available), then checks through ECS that it reconnected.',
    byHand:
      'Fix the path to the ECS endpoints, then restart the agent on the instance (systemctl restart ecs on Amazon Linux 2 and 2023).',
    docUrl: ECS_ENDPOINTS,
  },
  INSTANCE_NOT_SSM_MANAGED: {
    meaning: 'A container instance is not (or not known to be) managed by AWS Systems Manager.',
    whyEcsBreaks:
      'It does not break ECS itself, but the tool restarts agents only through SSM Run Command: this instance gets no automatic restart.',
    whatTheToolDoes: 'Reports it and leaves the instance alone.',
    byHand:
      'Give the instance the SSM agent, an instance profile with AmazonSSMManagedInstanceCore and a path to SSM; or restart its agent by hand.',
    docUrl: 'https://docs.aws.amazon.com/systems-manager/latest/userguide/managed_instances.html',
  },
  SSM_PATH_MISSING: {
    meaning: 'Container instances have no path to AWS Systems Manager (no ssm, ssmmessages, ec2messages).',
    whyEcsBreaks:
      'Run Command (the agent restart) and ECS Exec need these endpoints when there is no internet path.',
    whatTheToolDoes: 'Creates the three SSM endpoints before anything relies on SSM.',
    byHand: 'Create the ssm, ssmmessages and ec2messages interface endpoints in the VPC.',
    docUrl: 'https://docs.aws.amazon.com/systems-manager/latest/userguide/setup-create-vpc.html',
  },
  CENTRAL_ZONE_NOT_ASSOCIATED: {
    meaning:
      'A hub private hosted zone for the service’s name, whose record aliases an available hub endpoint this VPC reaches, is not associated with this VPC.',
    whyEcsBreaks:
      'The VPC resolves the service’s public name instead of the hub endpoint, so without an internet path the agent and tasks cannot reach the service.',
    whatTheToolDoes:
      'In enforce mode associates the VPC with the zone (AssociateVPCWithHostedZone; the zone is this account’s), then restarts the agents; it creates no local endpoint (the hub serves the service).',
    byHand:
      'Associate the VPC with the zone (AssociateVPCWithHostedZone; across accounts after CreateVPCAssociationAuthorization in the zone’s account).',
    docUrl: ZONE_ASSOCIATION,
  },
  CENTRAL_ZONE_OTHER_ACCOUNT: {
    meaning:
      'A private hosted zone of another account covers the service’s name and is associated with this VPC (a hub in another account serves it).',
    whyEcsBreaks:
      'It does not by itself: the name resolves through the other account’s zone. Its record, the hub endpoint, the route and the security group cannot be read from this account.',
    whatTheToolDoes:
      'Reports it for information; it creates no local endpoint (private DNS would fail against the associated zone).',
    byHand: 'Check the hub side in the zone’s account, or plan both accounts in one run.',
    docUrl: HUB_PATTERN,
  },
  CENTRAL_ZONE_RECORD_BROKEN: {
    meaning:
      'A private hosted zone associated with the VPC covers the service’s name, but has no alias record for it or the record points at a missing or unavailable endpoint.',
    whyEcsBreaks:
      'The name resolves to nothing usable, and the zone keeps a local endpoint’s private DNS from applying.',
    whatTheToolDoes:
      'Reports it; it creates no local endpoint (private DNS would fail against the associated zone).',
    byHand: 'Point the record at an available interface endpoint of the service (an alias to its DNS name).',
    docUrl: HUB_PATTERN,
  },
  CENTRAL_ENDPOINT_NO_ROUTE: {
    meaning:
      'The VPC’s workload route tables have no peering or transit gateway route to the hub endpoint’s VPC CIDR.',
    whyEcsBreaks: 'The name resolves to the hub endpoint, but packets to it have no route.',
    whatTheToolDoes: 'Reports it with the route tables; routes are never changed.',
    byHand: 'Add a route to the hub VPC’s CIDR through the peering connection or transit gateway.',
    docUrl: HUB_PATTERN,
  },
  CENTRAL_ENDPOINT_SG_BLOCKS_HTTPS: {
    meaning: 'The hub endpoint’s security groups do not allow TCP 443 from this VPC’s workload subnets.',
    whyEcsBreaks: 'Connections to the hub endpoint are dropped.',
    whatTheToolDoes: 'Reports it; the hub’s groups are never changed.',
    byHand: 'Allow TCP 443 from the spoke’s CIDR in the hub endpoint’s security group.',
    docUrl: HUB_PATTERN,
  },
  DNS_FORWARDED_BY_RESOLVER_RULE: {
    meaning: 'A Route 53 Resolver forwarding rule associated with the VPC covers the service’s name.',
    whyEcsBreaks:
      'The rule sends the queries to other resolvers, which must answer with a reachable endpoint; the tool cannot check that.',
    whatTheToolDoes:
      'Reports the rule; it creates no local endpoint (the rule takes precedence over private DNS).',
    byHand:
      'Check that the forwarded-to resolvers answer with a reachable endpoint, or add a SYSTEM rule for the name.',
    docUrl:
      'https://docs.aws.amazon.com/Route53/latest/DeveloperGuide/resolver-forwarding-outbound-queries.html',
  },
};

export function isFindingCode(value: string): value is FindingCode {
  return (FINDING_CODES as readonly string[]).includes(value);
}

/** The text `explain CODE` prints. */
export function formatExplanation(code: FindingCode): string {
  const e = FINDING_EXPLANATIONS[code];
  const rows: [string, string][] = [
    ['What it means', e.meaning],
    ['Why ECS breaks', e.whyEcsBreaks],
    ['What the tool does', e.whatTheToolDoes],
    ['By hand', e.byHand],
    ['AWS documentation', e.docUrl],
  ];
  return [code, ...rows.map(([label, text]) => `  ${`${label}:`.padEnd(20)} ${text}`)].join('\n');
}

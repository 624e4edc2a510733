import type {
  EndpointServiceOffer,
  ObservedEndpoint,
  ObservedRegion,
  ObservedVpc,
  ServiceName,
} from '../../shared/core/domain.js';
import { SERVICE_NAMES } from '../../shared/core/domain.js';
import type { ResourceRefs } from '../../shared/core/ports.js';
import { endpointServiceName } from '../../shared/core/service-names.js';
import { ENDPOINT_TYPE } from '../../shared/core/services.js';

export const REGION = 'us-east-1';
export const AZS = ['us-east-1a', 'us-east-1b', 'us-east-1c'] as const;
export const SG_NAME = 'ecs-endpoint-remediator-endpoints';
export const MANAGED = 'ecs-endpoint-remediator:managed';

export function offers(region = REGION, azs: readonly string[] = AZS): EndpointServiceOffer[] {
  return SERVICE_NAMES.map((service) => ({
    service,
    serviceName: endpointServiceName(region, service),
    type: ENDPOINT_TYPE[service],
    availabilityZones: [...azs],
  }));
}

const allowAll = (naclId: string, subnetIds: string[]) => ({
  naclId,
  isDefault: true,
  subnetIds,
  entries: [
    { ruleNumber: 100, egress: false, protocol: '-1', action: 'allow' as const, cidrBlock: '0.0.0.0/0' },
    { ruleNumber: 100, egress: true, protocol: '-1', action: 'allow' as const, cidrBlock: '0.0.0.0/0' },
  ],
});

export function endpoint(
  service: ServiceName,
  overrides: Partial<ObservedEndpoint> = {},
  vpcIndex = 1,
): ObservedEndpoint {
  const type = ENDPOINT_TYPE[service];
  return {
    endpointId: `vpce-${vpcIndex}${service.replace(/\W/g, '')}`,
    serviceName: endpointServiceName(REGION, service),
    service,
    type,
    state: 'available',
    subnetIds: type === 'Interface' ? AZS.map((_, i) => `subnet-${vpcIndex}p${i}`) : [],
    securityGroupIds: type === 'Interface' ? [`sg-${vpcIndex}eer`] : [],
    routeTableIds: type === 'Gateway' ? [`rtb-${vpcIndex}p`] : [],
    privateDnsEnabled: type === 'Interface',
    tags: {},
    ...overrides,
  };
}

/**
 * A VPC with nothing wrong: three private subnets without an internet path, three container
 * instances, an EC2 service using private ECR images, awslogs and Secrets Manager, and every endpoint
 * that needs (ECS trio, ECR, s3 gateway, logs, secretsmanager, SSM trio) available and correct.
 */
export function healthyVpc(index = 1, overrides: Partial<ObservedVpc> = {}): ObservedVpc {
  const subnets = AZS.map((az, i) => ({
    subnetId: `subnet-${index}p${i}`,
    availabilityZone: az,
    cidrBlock: `10.${index}.${i}.0/24`,
    routeTableId: `rtb-${index}p`,
    networkAclId: `acl-${index}`,
    isPrivate: true,
    hasNatRoute: false,
  }));
  return {
    vpcId: `vpc-${index}`,
    isDefault: false,
    cidrBlocks: [`10.${index}.0.0/16`],
    tags: { 'ecs-endpoint-remediator:mode': 'enforce' },
    enableDnsSupport: true,
    enableDnsHostnames: true,
    domainNameServers: ['AmazonProvidedDNS'],
    subnets,
    routeTables: [
      {
        routeTableId: `rtb-${index}p`,
        isMain: false,
        subnetIds: subnets.map((s) => s.subnetId),
        hasInternetGatewayRoute: false,
        hasNatRoute: false,
        gatewayEndpointIds: [`vpce-${index}s3`],
      },
    ],
    networkAcls: [
      allowAll(
        `acl-${index}`,
        subnets.map((s) => s.subnetId),
      ),
    ],
    securityGroups: [
      { groupId: `sg-${index}default`, groupName: 'default', isDefault: true, ingress: [], tags: {} },
      {
        groupId: `sg-${index}eer`,
        groupName: SG_NAME,
        isDefault: false,
        ingress: [
          {
            protocol: 'tcp',
            fromPort: 443,
            toPort: 443,
            cidrBlocks: [`10.${index}.0.0/16`],
            sourceGroupIds: [],
            prefixListIds: [],
          },
        ],
        tags: { [MANAGED]: 'true' },
      },
    ],
    // Every service the tool knows is needed by this VPC's workloads.
    endpoints: SERVICE_NAMES.map((s) => endpoint(s, {}, index)),
    containerInstances: AZS.map((az, i) => ({
      containerInstanceArn: `arn:aws:ecs:${REGION}:123456789012:container-instance/main/ci${index}${i}`,
      clusterArn: `arn:aws:ecs:${REGION}:123456789012:cluster/main`,
      ec2InstanceId: `i-${index}0${i}`,
      subnetId: `subnet-${index}p${i}`,
      availabilityZone: az,
      agentVersion: '1.87.0',
      agentConnected: true,
      platform: 'linux' as const,
      ssmManaged: true,
      status: 'ACTIVE',
    })),
    workloads: {
      ec2ContainerInstances: 3,
      fargateServices: 0,
      ec2Services: 1,
      privateEcrImages: true,
      awslogs: true,
      secretsManagerSecrets: true,
      ssmParameters: false,
      subnetIds: subnets.map((s) => s.subnetId),
    },
    ...overrides,
  };
}

export function region(vpcs: ObservedVpc[], overrides: Partial<ObservedRegion> = {}): ObservedRegion {
  return { region: REGION, vpcs, endpointServices: offers(), warnings: [], ...overrides };
}

/** What `StateReader.locate` answers for an in-memory Region: each named id's VPC, if it exists there. */
export function locateIn(observed: ObservedRegion, refs: ResourceRefs): Map<string, string> {
  const owner = new Map<string, string>();
  for (const vpc of observed.vpcs) {
    owner.set(vpc.vpcId, vpc.vpcId);
    for (const s of vpc.subnets) owner.set(s.subnetId, vpc.vpcId);
    for (const g of vpc.securityGroups) owner.set(g.groupId, vpc.vpcId);
    for (const n of vpc.networkAcls) owner.set(n.naclId, vpc.vpcId);
    for (const e of vpc.endpoints) owner.set(e.endpointId, vpc.vpcId);
    for (const ci of vpc.containerInstances) owner.set(ci.ec2InstanceId, vpc.vpcId);
  }
  const ids = [
    ...refs.vpcIds,
    ...refs.subnetIds,
    ...refs.securityGroupIds,
    ...refs.networkAclIds,
    ...refs.endpointIds,
    ...refs.instanceIds,
  ];
  return new Map(
    ids.flatMap((id): [string, string][] => (owner.has(id) ? [[id, owner.get(id) as string]] : [])),
  );
}

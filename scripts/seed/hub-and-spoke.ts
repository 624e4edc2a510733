/**
 * A hub and spoke on the emulator (the centralised-endpoint pattern, shared/core/serving.ts): the hub
 * VPC holds an interface endpoint per service with private DNS off, and one private hosted zone per
 * service name whose alias record points at that endpoint's Regional DNS name; the spoke runs an ECS
 * container instance, has only its s3 gateway endpoint, routes the hub's CIDR through a transit
 * gateway, and is associated with every zone; the hub's endpoint group admits the spoke on 443.
 */
import {
  CreateRouteCommand,
  CreateTransitGatewayCommand,
  DescribeVpcEndpointsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import {
  AssociateVPCWithHostedZoneCommand,
  ChangeResourceRecordSetsCommand,
  CreateHostedZoneCommand,
  type Route53Client,
  type VPCRegion,
} from '@aws-sdk/client-route-53';
import type { ServiceName } from '../../shared/core/domain.js';
import { serviceDnsName } from '../../shared/core/serving.js';
import {
  availabilityZones,
  createCluster,
  createGatewayEndpoint,
  createInterfaceEndpoint,
  createPrivateSubnets,
  createSecurityGroup,
  createVpc,
  launchContainerInstance,
  type SeedClients,
  type Tags,
} from './builders.js';

export const HUB_CIDR = '10.1.0.0/16';
export const SPOKE_CIDR = '10.2.0.0/16';

/** What a spoke with EC2 container instances (SSM-managed) needs from the hub. */
export const HUB_SERVICES: readonly ServiceName[] = [
  'ecs-agent',
  'ecs-telemetry',
  'ecs',
  'ssm',
  'ssmmessages',
  'ec2messages',
];

export interface HubAndSpoke {
  readonly hubVpcId: string;
  readonly spokeVpcId: string;
  readonly hubGroupId: string;
  readonly spokeRouteTableIds: readonly string[];
  readonly transitGatewayId: string;
  /** Per service: the hub endpoint and the zone serving its name. */
  readonly endpointIds: Readonly<Record<string, string>>;
  readonly zoneIds: Readonly<Record<string, string>>;
}

export interface HubAndSpokeOptions {
  /** Tags of the spoke VPC (e.g. its mode). */
  readonly spokeTags?: Tags;
  /** Services whose zone is not associated with the spoke. */
  readonly unassociated?: readonly ServiceName[];
  /** The spoke's container instance is SSM-managed (default true). */
  readonly spokeSsmManaged?: boolean;
}

export async function seedHubAndSpoke(
  clients: Pick<SeedClients, 'region' | 'ec2' | 'ecs'> & { route53: Route53Client },
  options: HubAndSpokeOptions = {},
): Promise<HubAndSpoke> {
  const { ec2, region, route53 } = clients;
  const azs = availabilityZones(region, 2);
  const hubVpcId = await createVpc(ec2, { name: 'hub', cidr: HUB_CIDR });
  const hubSubnets = await createPrivateSubnets(ec2, {
    vpcId: hubVpcId,
    cidrs: ['10.1.1.0/24', '10.1.2.0/24'],
    availabilityZones: azs,
    namePrefix: 'hub',
  });
  const hubGroupId = await createSecurityGroup(ec2, {
    vpcId: hubVpcId,
    name: 'hub-endpoints',
    description: 'HTTPS from the spokes',
    httpsFromCidrs: [HUB_CIDR, SPOKE_CIDR],
  });
  const spokeVpcId = await createVpc(ec2, {
    name: 'spoke',
    cidr: SPOKE_CIDR,
    ...(options.spokeTags ? { tags: options.spokeTags } : {}),
  });
  const spokeSubnets = await createPrivateSubnets(ec2, {
    vpcId: spokeVpcId,
    cidrs: ['10.2.1.0/24', '10.2.2.0/24'],
    availabilityZones: azs,
    namePrefix: 'spoke',
  });
  const spokeRouteTableIds = spokeSubnets.flatMap((s) => (s.routeTableId ? [s.routeTableId] : []));
  await createGatewayEndpoint(ec2, {
    region,
    vpcId: spokeVpcId,
    service: 's3',
    routeTableIds: spokeRouteTableIds,
  });
  const transitGatewayId = await routeThroughTransitGateway(ec2, spokeRouteTableIds, HUB_CIDR);
  const clusterArn = await createCluster(clients.ecs, 'spoke-cluster');
  const firstSpokeSubnet = spokeSubnets[0];
  if (!firstSpokeSubnet) throw new Error('no spoke subnet');
  await launchContainerInstance(clients, {
    clusterArn,
    subnet: firstSpokeSubnet,
    name: 'spoke-ecs-1',
    ssmManaged: options.spokeSsmManaged ?? true,
  });

  const endpointIds: Record<string, string> = {};
  const zoneIds: Record<string, string> = {};
  for (const service of HUB_SERVICES) {
    const endpointId = await createInterfaceEndpoint(ec2, {
      region,
      vpcId: hubVpcId,
      service,
      subnetIds: hubSubnets.map((s) => s.subnetId),
      securityGroupIds: [hubGroupId],
      privateDnsEnabled: false,
    });
    endpointIds[service] = endpointId;
    const name = serviceDnsName(service, region);
    const { HostedZone } = await route53.send(
      new CreateHostedZoneCommand({
        Name: name,
        CallerReference: `hub-${service}-${endpointId}`,
        HostedZoneConfig: { PrivateZone: true, Comment: `hub zone for ${service}` },
        VPC: { VPCId: hubVpcId, VPCRegion: region as VPCRegion },
      }),
    );
    const zoneId = (HostedZone?.Id ?? '').replace('/hostedzone/', '');
    zoneIds[service] = zoneId;
    await aliasToEndpoint(ec2, route53, zoneId, name, endpointId);
    if (!(options.unassociated ?? []).includes(service)) {
      await route53.send(
        new AssociateVPCWithHostedZoneCommand({
          HostedZoneId: zoneId,
          VPC: { VPCId: spokeVpcId, VPCRegion: region as VPCRegion },
        }),
      );
    }
  }
  return { hubVpcId, spokeVpcId, hubGroupId, spokeRouteTableIds, transitGatewayId, endpointIds, zoneIds };
}

/** A transit gateway and, in each table, a route to `cidr` through it. */
export async function routeThroughTransitGateway(
  ec2: EC2Client,
  routeTableIds: readonly string[],
  cidr: string,
): Promise<string> {
  const { TransitGateway } = await ec2.send(
    new CreateTransitGatewayCommand({ Description: 'hub and spoke' }),
  );
  const transitGatewayId = TransitGateway?.TransitGatewayId ?? '';
  for (const routeTableId of routeTableIds) {
    await ec2.send(
      new CreateRouteCommand({
        RouteTableId: routeTableId,
        DestinationCidrBlock: cidr,
        TransitGatewayId: transitGatewayId,
      }),
    );
  }
  return transitGatewayId;
}

/** An alias A record `name` -> the endpoint's Regional DNS name (the hub pattern's record). */
export async function aliasToEndpoint(
  ec2: EC2Client,
  route53: Route53Client,
  zoneId: string,
  name: string,
  endpointId: string,
): Promise<void> {
  const { VpcEndpoints } = await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [endpointId] }));
  const entry = VpcEndpoints?.[0]?.DnsEntries?.[0];
  if (!entry?.DnsName || !entry.HostedZoneId) throw new Error(`endpoint ${endpointId} has no DNS entry`);
  await route53.send(
    new ChangeResourceRecordSetsCommand({
      HostedZoneId: zoneId,
      ChangeBatch: {
        Changes: [
          {
            Action: 'UPSERT',
            ResourceRecordSet: {
              Name: name,
              Type: 'A',
              AliasTarget: {
                HostedZoneId: entry.HostedZoneId,
                DNSName: entry.DnsName,
                EvaluateTargetHealth: false,
              },
            },
          },
        ],
      },
    }),
  );
}

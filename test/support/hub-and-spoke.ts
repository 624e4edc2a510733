/**
 * An in-memory hub and spoke (the central endpoint pattern of serving.ts): hub vpc-1 holds every
 * interface endpoint with private DNS off and one private hosted zone per service name aliasing it;
 * spoke vpc-2 has only its s3 gateway endpoint, a transit gateway route to the hub's CIDR, and is
 * associated with every zone; the hub's endpoint group admits the spoke's CIDR on 443.
 */
import type {
  ObservedHostedZone,
  ObservedRegion,
  ObservedVpc,
  ServiceName,
} from '../../shared/core/domain.js';
import { SERVICE_NAMES } from '../../shared/core/domain.js';
import { ENDPOINT_TYPE } from '../../shared/core/services.js';
import { serviceDnsName } from '../../shared/core/serving.js';
import { REGION, healthyVpc, region } from './fixtures.js';

export const HUB_INTERFACE_SERVICES: readonly ServiceName[] = SERVICE_NAMES.filter(
  (s) => ENDPOINT_TYPE[s] === 'Interface',
);

export const hubEndpointDns = (service: ServiceName) =>
  `vpce-1${service.replace(/\W/g, '')}-abc.${service}.${REGION}.vpce.amazonaws.com`;

export function hubVpc(): ObservedVpc {
  const base = healthyVpc(1);
  return {
    ...base,
    endpoints: base.endpoints.map((e) =>
      e.type === 'Interface' && e.service
        ? { ...e, privateDnsEnabled: false, dnsNames: [hubEndpointDns(e.service)] }
        : e,
    ),
    securityGroups: base.securityGroups.map((g) =>
      g.isDefault
        ? g
        : {
            ...g,
            ingress: [
              ...g.ingress,
              {
                protocol: 'tcp',
                fromPort: 443,
                toPort: 443,
                cidrBlocks: ['10.2.0.0/16'],
                sourceGroupIds: [],
                prefixListIds: [],
              },
            ],
          },
    ),
  };
}

export function spokeVpc(overrides: Partial<ObservedVpc> = {}): ObservedVpc {
  const base = healthyVpc(2);
  return {
    ...base,
    endpoints: base.endpoints.filter((e) => e.type === 'Gateway'),
    routeTables: base.routeTables.map((t) => ({
      ...t,
      transitRoutes: [{ destinationCidrBlock: '10.0.0.0/8', targetId: 'tgw-hub' }],
    })),
    ...overrides,
  };
}

export function hubZones(vpcIds: readonly string[] = ['vpc-1', 'vpc-2']): ObservedHostedZone[] {
  return HUB_INTERFACE_SERVICES.map((service) => ({
    zoneId: `Z${service.replace(/\W/g, '').toUpperCase()}`,
    name: serviceDnsName(service, REGION),
    vpcIds: [...vpcIds],
    aliasRecords: [{ name: serviceDnsName(service, REGION), target: hubEndpointDns(service) }],
  }));
}

export function hubAndSpoke(
  tweak: {
    hub?: ObservedVpc;
    spoke?: ObservedVpc;
    zones?: ObservedHostedZone[];
  } & Partial<ObservedRegion> = {},
): ObservedRegion {
  const { hub = hubVpc(), spoke = spokeVpc(), zones = hubZones(), ...rest } = tweak;
  return region([hub, spoke], { hostedZones: zones, ...rest });
}

/**
 * Random-but-valid drifted VPCs on the emulator, built from scripts/seed/builders.ts. A seed fully
 * determines the VPC (same seed, same spec), so a failing seed can be replayed alone.
 *
 * Invariant: only drift the tool repairs is generated: missing endpoints, endpoints short of an AZ or
 * behind a group without 443, the VPC's DNS attributes, the s3 gateway's route tables. Endpoints are
 * always seeded with private DNS on, so the seeds (and RELIABILITY.md's table) stay as they were. Container
 * instances are launched with an instance profile (so SSM manages them and the restart document can
 * reach them) and a current agent, so an agent disconnected by the drift reconnects once apply
 * restarted it through the repaired endpoints.
 */
import {
  availabilityZones,
  createCluster,
  createGatewayEndpoint,
  createInterfaceEndpoint,
  createParameter,
  createPrivateSubnets,
  createPublicSubnet,
  createSecret,
  createSecurityGroup,
  createService,
  createVpc,
  deleteEndpoint,
  ecrImage,
  launchContainerInstance,
  registerTaskDefinition,
  type SeedClients,
  type SeededSubnet,
} from '../../scripts/seed/builders.js';

export const MODE_TAG_KEY = 'ecs-endpoint-remediator:mode';

/** mulberry32: a small, fast, seedable PRNG (uniform in [0, 1)). */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What was wrong with a seeded endpoint. */
export type EndpointDrift = 'good' | 'partialAz' | 'blockingGroup' | 'deleted';

export interface RandomVpcSpec {
  readonly seed: number;
  readonly mode: 'enforce' | 'audit' | 'off';
  readonly enableDnsSupport: boolean;
  readonly enableDnsHostnames: boolean;
  readonly privateSubnets: number;
  readonly routeTables: 'own' | 'main';
  readonly publicSubnet: boolean;
  readonly containerInstances: number;
  readonly privateEcrImages: boolean;
  readonly awslogs: boolean;
  readonly secret: boolean;
  readonly parameter: boolean;
  /** Interface endpoints that exist before the run, and how they are broken. */
  readonly endpoints: Readonly<Partial<Record<string, EndpointDrift>>>;
  /** The s3 gateway exists on the first private route table only. */
  readonly s3OnFirstRouteTableOnly: boolean;
}

const INTERFACE_CANDIDATES = [
  'ecs-agent',
  'ecs-telemetry',
  'ecs',
  'ecr.api',
  'ecr.dkr',
  'logs',
  'secretsmanager',
  'ssm',
  'ssmmessages',
  'ec2messages',
] as const;

export function randomVpcSpec(seed: number, mode: RandomVpcSpec['mode'] = 'enforce'): RandomVpcSpec {
  const random = prng(seed);
  const chance = (p: number) => random() < p;
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const privateSubnets = 1 + Math.floor(random() * 3);
  const endpoints: Partial<Record<string, EndpointDrift>> = {};
  for (const service of INTERFACE_CANDIDATES) {
    if (chance(0.45)) endpoints[service] = pick(['good', 'good', 'partialAz', 'blockingGroup', 'deleted']);
  }
  const privateEcrImages = chance(0.7);
  return {
    seed,
    mode,
    enableDnsSupport: chance(0.85),
    enableDnsHostnames: chance(0.6),
    privateSubnets,
    routeTables: chance(0.7) ? 'own' : 'main',
    publicSubnet: chance(0.3),
    containerInstances: 1 + Math.floor(random() * 3),
    privateEcrImages,
    awslogs: chance(0.6),
    secret: chance(0.4),
    parameter: chance(0.3),
    endpoints,
    s3OnFirstRouteTableOnly: privateEcrImages && chance(0.4),
  };
}

export interface SeededRandomVpc {
  readonly vpcId: string;
  readonly spec: RandomVpcSpec;
  readonly privateSubnets: readonly SeededSubnet[];
  readonly cidr: string;
}

/**
 * Creates the VPC `spec` describes: private subnets (and maybe a public one), an ECS cluster with
 * container instances and one EC2 service, and the pre-existing, partly broken endpoints. `index`
 * keeps CIDRs and names apart when several VPCs share one emulator.
 */
export async function seedRandomVpc(
  clients: SeedClients,
  spec: RandomVpcSpec,
  index = 0,
): Promise<SeededRandomVpc> {
  const { ec2, region } = clients;
  const name = `rand-${spec.seed}-${index}`;
  const octet = 100 + (index % 150);
  const cidr = `10.${octet}.0.0/16`;
  const azs = availabilityZones(region, 3);
  const vpcId = await createVpc(ec2, {
    cidr,
    name,
    tags: { [MODE_TAG_KEY]: spec.mode },
    enableDnsSupport: spec.enableDnsSupport,
    enableDnsHostnames: spec.enableDnsHostnames,
  });
  const privateSubnets = await createPrivateSubnets(ec2, {
    vpcId,
    cidrs: Array.from({ length: spec.privateSubnets }, (_, i) => `10.${octet}.${i + 1}.0/24`),
    availabilityZones: azs,
    namePrefix: name,
    routeTables: spec.routeTables,
  });
  if (spec.publicSubnet) {
    await createPublicSubnet(ec2, {
      vpcId,
      cidr: `10.${octet}.100.0/24`,
      availabilityZone: azs[0] ?? `${region}a`,
      name: `${name}-public`,
    });
  }
  const clusterArn = await createCluster(clients.ecs, name);
  for (let i = 0; i < spec.containerInstances; i++) {
    const subnet = privateSubnets[i % privateSubnets.length] as SeededSubnet;
    await launchContainerInstance(clients, {
      clusterArn,
      subnet,
      name: `${name}-ecs-${i}`,
      ssmManaged: true,
    });
  }
  const secretValueFrom: string[] = [];
  if (spec.secret) secretValueFrom.push(await createSecret(clients.secretsManager, `${name}/db`, 'not-real'));
  if (spec.parameter) secretValueFrom.push(await createParameter(clients, `/${name}/token`, 'not-real'));
  const taskDefinitionArn = await registerTaskDefinition(clients, {
    family: name,
    image: spec.privateEcrImages ? ecrImage(region, name) : 'public.ecr.aws/nginx/nginx:latest',
    networkMode: 'bridge',
    ...(spec.awslogs ? { awslogsGroup: `/ecs/${name}` } : {}),
    secretValueFrom,
  });
  await createService(clients.ecs, { clusterArn, name, taskDefinitionArn, desiredCount: 1 });

  const subnetIds = privateSubnets.map((s) => s.subnetId);
  const httpsGroup = await createSecurityGroup(ec2, {
    vpcId,
    name: `${name}-https`,
    description: 'HTTPS from the VPC',
    httpsFromCidrs: [cidr],
  });
  const blockingGroup = await createSecurityGroup(ec2, {
    vpcId,
    name: `${name}-closed`,
    description: 'no HTTPS rule',
  });
  for (const [service, drift] of Object.entries(spec.endpoints)) {
    const id = await createInterfaceEndpoint(ec2, {
      region,
      vpcId,
      service,
      subnetIds: drift === 'partialAz' ? subnetIds.slice(0, Math.max(1, subnetIds.length - 1)) : subnetIds,
      securityGroupIds: [drift === 'blockingGroup' ? blockingGroup : httpsGroup],
      privateDnsEnabled: true,
    });
    if (drift === 'deleted') await deleteEndpoint(ec2, id);
  }
  if (spec.s3OnFirstRouteTableOnly) {
    const first = privateSubnets[0]?.routeTableId;
    if (first) await createGatewayEndpoint(ec2, { region, vpcId, service: 's3', routeTableIds: [first] });
  }
  return { vpcId, spec, privateSubnets, cidr };
}

/**
 * The benchmark account: many identical VPCs with EC2 container instances in private subnets over
 * three AZs, a service using private ECR images and awslogs, and no endpoints (all drifted).
 * VPCs share clusters: one cluster (and one task definition) per VPCS_PER_CLUSTER VPCs.
 */
import { MODE_TAG_KEY } from './demo-account.js';
import {
  availabilityZones,
  createCluster,
  createPrivateSubnets,
  createService,
  createVpc,
  ecrImage,
  launchContainerInstance,
  mapBounded,
  registerTaskDefinition,
  type SeedClients,
} from './builders.js';
import type { Mode } from '../../shared/core/domain.js';

export const VPCS_PER_CLUSTER = 50;
/** VPCs seeded at once; moto answers requests on threads, so a few in flight hide latency. */
export const BENCH_SEED_CONCURRENCY = 12;
/** Each VPC is a /20 cut from 10.64.0.0/10 upwards, with /24 subnets: at most 16 subnets. */
const MAX_SUBNETS_PER_VPC = 16;
const MAX_VPCS = (256 - 64) * 16;

export interface BenchOptions {
  vpcCount: number;
  subnetsPerVpc?: number;
  instancesPerVpc?: number;
  mode?: Mode;
  /** VPCs seeded at once (default BENCH_SEED_CONCURRENCY). */
  concurrency?: number;
}

export interface BenchAccount {
  vpcIds: string[];
  clusterArns: string[];
  seedMs: number;
}

/** Base (second and third octets) of bench VPC `index`'s /20. */
function vpcBase(index: number): { second: number; third: number } {
  return { second: 64 + Math.floor(index / 16), third: (index % 16) * 16 };
}

export async function seedBenchAccount(clients: SeedClients, options: BenchOptions): Promise<BenchAccount> {
  const {
    vpcCount,
    subnetsPerVpc = 3,
    instancesPerVpc = 2,
    mode = 'enforce',
    concurrency = BENCH_SEED_CONCURRENCY,
  } = options;
  if (!Number.isInteger(vpcCount) || vpcCount < 1 || vpcCount > MAX_VPCS) {
    throw new Error(`vpcCount must be an integer from 1 to ${MAX_VPCS}, got ${vpcCount}`);
  }
  if (!Number.isInteger(subnetsPerVpc) || subnetsPerVpc < 1 || subnetsPerVpc > MAX_SUBNETS_PER_VPC) {
    throw new Error(
      `subnetsPerVpc must be an integer from 1 to ${MAX_SUBNETS_PER_VPC}, got ${subnetsPerVpc}`,
    );
  }
  if (!Number.isInteger(instancesPerVpc) || instancesPerVpc < 0) {
    throw new Error(`instancesPerVpc must be a non-negative integer, got ${instancesPerVpc}`);
  }
  const started = performance.now();
  const { region } = clients;
  const azs = availabilityZones(region, 3);

  const clusterCount = Math.ceil(vpcCount / VPCS_PER_CLUSTER);
  const clusters = await mapBounded(
    Array.from({ length: clusterCount }, (_, index) => index),
    concurrency,
    async (index) => {
      const clusterArn = await createCluster(clients.ecs, `bench-${index}`);
      const taskDefinitionArn = await registerTaskDefinition(clients, {
        family: `bench-app-${index}`,
        image: ecrImage(region, 'bench-app', '1.0.0'),
        networkMode: 'bridge',
        awslogsGroup: `/ecs/bench-app-${index}`,
      });
      return { clusterArn, taskDefinitionArn };
    },
  );

  const vpcIds = await mapBounded(
    Array.from({ length: vpcCount }, (_, index) => index),
    concurrency,
    async (index) => {
      const cluster = clusters[Math.floor(index / VPCS_PER_CLUSTER)];
      if (!cluster) throw new Error(`no bench cluster for VPC ${index}`);
      const { second, third } = vpcBase(index);
      const name = `bench-${String(index).padStart(4, '0')}`;
      const vpcId = await createVpc(clients.ec2, {
        cidr: `10.${second}.${third}.0/20`,
        name,
        tags: { [MODE_TAG_KEY]: mode },
      });
      const subnets = await createPrivateSubnets(clients.ec2, {
        vpcId,
        cidrs: Array.from({ length: subnetsPerVpc }, (_, s) => `10.${second}.${third + s}.0/24`),
        availabilityZones: azs,
        namePrefix: name,
        routeTables: 'main',
      });
      for (let i = 0; i < instancesPerVpc; i++) {
        const subnet = subnets[i % subnets.length];
        if (!subnet) throw new Error(`no subnet for bench instance ${i}`);
        await launchContainerInstance(clients, {
          clusterArn: cluster.clusterArn,
          subnet,
          name: `${name}-ecs-${i + 1}`,
        });
      }
      await createService(clients.ecs, {
        clusterArn: cluster.clusterArn,
        name: `${name}-app`,
        taskDefinitionArn: cluster.taskDefinitionArn,
        desiredCount: instancesPerVpc,
      });
      return vpcId;
    },
  );
  return {
    vpcIds,
    clusterArns: clusters.map((cluster) => cluster.clusterArn),
    seedMs: Math.round(performance.now() - started),
  };
}

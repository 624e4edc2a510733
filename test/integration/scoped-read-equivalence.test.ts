/**
 * A read scoped to one VPC (an event) must plan that VPC exactly as the whole-Region read does
 * (issue #12 item 1). The world holds the workloads a scoped read could miss if it pruned ECS by
 * what runs in the VPC right now:
 * - a bridge service in a cluster shared with another VPC (it counts wherever its cluster has
 *   container instances);
 * - a Fargate service at desiredCount 0 in a cluster without container instances (on AWS: no task,
 *   so no network interface in the VPC, and yet its task definition's needs count);
 * - an EC2 awsvpc service whose cluster has no container instance yet (scale from zero);
 * - and, for contrast, the same kinds of workloads pointed at the other VPC only.
 */
import {
  CreateClusterCommand,
  CreateServiceCommand,
  RegisterContainerInstanceCommand,
  RegisterTaskDefinitionCommand,
  type ECSClient,
} from '@aws-sdk/client-ecs';
import { planObserved } from '../../shared/app/remediator.js';
import { createAwsClients, type AwsClients } from '../../shared/aws/clients.js';
import { RegionStateReader } from '../../shared/aws/state-reader.js';
import { defaultConfig } from '../../shared/core/config.js';
import { deriveDesired } from '../../shared/core/desired.js';
import type { ObservedRegion } from '../../shared/core/domain.js';
import { resetEmulator } from '../support/emulator.js';
import { REGION, runInstance, seedNetwork, type SeededNetwork } from './ec2-seed.js';

const ACCOUNT = '123456789012';
const ecr = (repository: string) => `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${repository}:1`;

async function registerContainerInstance(ecs: ECSClient, cluster: string, instanceId: string) {
  await ecs.send(
    new RegisterContainerInstanceCommand({
      cluster,
      instanceIdentityDocument: JSON.stringify({ instanceId, region: REGION, accountId: ACCOUNT }),
      versionInfo: { agentVersion: '1.70.0' },
    }),
  );
}

async function taskDefinition(
  ecs: ECSClient,
  family: string,
  networkMode: 'awsvpc' | 'bridge',
  container: {
    image: string;
    awslogs?: boolean;
    secret?: string;
  },
): Promise<string> {
  const result = await ecs.send(
    new RegisterTaskDefinitionCommand({
      family,
      networkMode,
      ...(networkMode === 'awsvpc'
        ? { requiresCompatibilities: ['FARGATE', 'EC2'], cpu: '256', memory: '512' }
        : {}),
      containerDefinitions: [
        {
          name: family,
          image: container.image,
          memory: 128,
          ...(container.awslogs
            ? { logConfiguration: { logDriver: 'awslogs', options: { 'awslogs-group': `/ecs/${family}` } } }
            : {}),
          ...(container.secret ? { secrets: [{ name: 'SECRET', valueFrom: container.secret }] } : {}),
        },
      ],
    }),
  );
  return result.taskDefinition!.taskDefinitionArn!;
}

async function awsvpcService(
  ecs: ECSClient,
  cluster: string,
  name: string,
  taskDefinitionArn: string,
  network: SeededNetwork,
  subnets: readonly string[],
  launchType: 'FARGATE' | 'EC2',
  desiredCount: number,
) {
  await ecs.send(
    new CreateServiceCommand({
      cluster,
      serviceName: name,
      taskDefinition: taskDefinitionArn,
      desiredCount,
      launchType,
      networkConfiguration: {
        awsvpcConfiguration: { subnets: [...subnets], securityGroups: [network.endpointGroupId] },
      },
    }),
  );
}

describe('a read scoped to one VPC plans it as the whole-Region read does', () => {
  let clients: AwsClients;
  let target: SeededNetwork;
  let other: SeededNetwork;
  let whole: ObservedRegion;
  let scoped: ObservedRegion;

  beforeAll(async () => {
    clients = createAwsClients({ region: REGION, endpointUrl: await resetEmulator(), env: {} });
    const { ec2, ecs } = clients;
    target = await seedNetwork(ec2, 1, 'target');
    other = await seedNetwork(ec2, 2, 'other');

    const worker = await taskDefinition(ecs, 'worker', 'bridge', {
      image: 'public.ecr.aws/docker/library/busybox:latest',
      secret: '/worker/token',
    });
    const api = await taskDefinition(ecs, 'api', 'awsvpc', {
      image: ecr('api'),
      awslogs: true,
      secret: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:api-AbCdEf`,
    });
    const batch = await taskDefinition(ecs, 'batch', 'awsvpc', { image: ecr('batch') });
    const logger = await taskDefinition(ecs, 'logger', 'bridge', {
      image: 'public.ecr.aws/docker/library/busybox:latest',
      awslogs: true,
    });

    // A cluster with a container instance in each VPC, running a bridge service.
    await ecs.send(new CreateClusterCommand({ clusterName: 'shared' }));
    await registerContainerInstance(ecs, 'shared', await runInstance(ec2, target.privateSubnetIds[0]!));
    await registerContainerInstance(ecs, 'shared', await runInstance(ec2, other.privateSubnetIds[0]!));
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'shared',
        serviceName: 'worker',
        taskDefinition: worker,
        desiredCount: 2,
        launchType: 'EC2',
      }),
    );
    // Fargate only: no container instance anywhere; the target's service is scaled to zero.
    await ecs.send(new CreateClusterCommand({ clusterName: 'fargate' }));
    await awsvpcService(ecs, 'fargate', 'api', api, target, [target.privateSubnetIds[1]!], 'FARGATE', 0);
    await awsvpcService(ecs, 'fargate', 'other-api', api, other, other.privateSubnetIds, 'FARGATE', 1);
    // EC2 awsvpc service in the target's subnets, its cluster without any container instance yet.
    await ecs.send(new CreateClusterCommand({ clusterName: 'scale-from-zero' }));
    await awsvpcService(
      ecs,
      'scale-from-zero',
      'batch',
      batch,
      target,
      [target.privateSubnetIds[2]!],
      'EC2',
      1,
    );
    // A cluster only in the other VPC: its bridge service is not the target's.
    await ecs.send(new CreateClusterCommand({ clusterName: 'other-only' }));
    await registerContainerInstance(ecs, 'other-only', await runInstance(ec2, other.privateSubnetIds[1]!));
    await ecs.send(
      new CreateServiceCommand({
        cluster: 'other-only',
        serviceName: 'logger',
        taskDefinition: logger,
        desiredCount: 1,
        launchType: 'EC2',
      }),
    );

    const reader = () =>
      new RegionStateReader({ ec2: clients.ec2, ecs: clients.ecs, ssm: clients.ssm, region: REGION });
    whole = await reader().readRegion();
    scoped = await reader().readRegion({ vpcIds: [target.vpcId] });
  });

  const targetOf = (observed: ObservedRegion) => observed.vpcs.find((v) => v.vpcId === target.vpcId);

  it('observes the same VPC: container instances, workloads, placements and DNS attributes', () => {
    expect(scoped.vpcs.map((v) => v.vpcId)).toEqual([target.vpcId]);
    expect(targetOf(scoped)).toEqual(targetOf(whole));
    // Every kind of workload above counts for the target, the other VPC's do not.
    expect(targetOf(scoped)?.workloads).toMatchObject({
      ec2ContainerInstances: 1,
      fargateServices: 1,
      ec2Services: 2,
      privateEcrImages: true,
      awslogs: true,
      secretsManagerSecrets: true,
      ssmParameters: true,
    });
  });

  it('derives the same required endpoints and plans the same findings and actions for it', () => {
    const config = { ...defaultConfig };
    const desiredOf = (observed: ObservedRegion) =>
      deriveDesired(observed, config).vpcs.find((v) => v.vpcId === target.vpcId);
    const planOf = (observed: ObservedRegion) =>
      planObserved({ config }, observed).vpcs.find((v) => v.vpcId === target.vpcId);
    const desired = desiredOf(scoped);
    expect(desired).toEqual(desiredOf(whole));
    // What only the scaled-to-zero and not-yet-placed services ask for is among them.
    expect([...(desired?.services.keys() ?? [])]).toEqual(
      expect.arrayContaining(['ecr.api', 'ecr.dkr', 's3', 'logs', 'secretsmanager', 'ssm']),
    );
    const scopedPlan = planOf(scoped);
    expect(scopedPlan).toEqual(planOf(whole));
    expect(scopedPlan?.findings.filter((f) => f.code === 'MISSING_ENDPOINT').map((f) => f.service)).toEqual(
      expect.arrayContaining(['logs', 'secretsmanager', 'ssm']),
    );
  });
});

/**
 * What each VPC needs (AWS ECS Developer Guide, "Amazon ECS interface VPC endpoints (AWS PrivateLink)"
 * and "Amazon ECR interface VPC endpoints"): the ECS trio for container instances in private
 * subnets, ECR and the s3 gateway for private images, secretsmanager for Secrets Manager
 * references, ssm for Parameter Store references. Each case prints its VPC's inputs on failure.
 *
 * Not pinned here on purpose (being reworked elsewhere): how the internet path is decided (the logs
 * and SSM-path requirements only appear through the existing fixtures, which have no path at all).
 */
import type { RemediatorConfig } from '../../../shared/core/config.js';
import { CORE_DEFAULTS as defaultConfig } from '../../support/core-config.js';
import { deriveDesired } from '../../../shared/core/desired.js';
import type { ObservedVpc, ServiceName } from '../../../shared/core/domain.js';
import { healthyVpc, region } from '../../support/fixtures.js';

const base = healthyVpc();
const derive = (vpc: ObservedVpc, config: Partial<RemediatorConfig> = {}) => {
  const result = deriveDesired(region([vpc]), { ...defaultConfig, ...config });
  const d = result.vpcs[0];
  if (!d) throw new Error('no desired VPC');
  return { d, warnings: result.warnings };
};
const services = (vpc: ObservedVpc, config: Partial<RemediatorConfig> = {}) =>
  [...derive(vpc, config).d.services.keys()].sort();
const noWorkloadFlags = {
  privateEcrImages: false,
  awslogs: false,
  secretsManagerSecrets: false,
  ssmParameters: false,
};
const SSM_PATH: ServiceName[] = ['ec2messages', 'ssm', 'ssmmessages'];
const ECS: ServiceName[] = ['ecs', 'ecs-agent', 'ecs-telemetry'];

describe('deriveDesired: which services a VPC needs', () => {
  it.each<[string, Partial<ObservedVpc['workloads']>, string[]]>([
    ['instances only, no workload features', noWorkloadFlags, [...ECS, ...SSM_PATH].sort()],
    [
      'private ECR images: ecr.api, ecr.dkr and the s3 gateway',
      { ...noWorkloadFlags, privateEcrImages: true },
      [...ECS, ...SSM_PATH, 'ecr.api', 'ecr.dkr', 's3'].sort(),
    ],
    [
      'Secrets Manager references: secretsmanager',
      { ...noWorkloadFlags, secretsManagerSecrets: true },
      [...ECS, ...SSM_PATH, 'secretsmanager'].sort(),
    ],
    [
      'SSM parameters: ssm (already needed for the restart)',
      { ...noWorkloadFlags, ssmParameters: true },
      [...ECS, ...SSM_PATH].sort(),
    ],
    [
      'awslogs without an internet path: logs',
      { ...noWorkloadFlags, awslogs: true },
      [...ECS, ...SSM_PATH, 'logs'].sort(),
    ],
  ])('%s', (_name, workloads, expected) => {
    const vpc = { ...base, workloads: { ...base.workloads, ...workloads } };
    expect({ workloads: vpc.workloads, services: services(vpc) }).toEqual({
      workloads: vpc.workloads,
      services: expected,
    });
  });

  const fargate = (flags: Partial<ObservedVpc['workloads']>): ObservedVpc => ({
    ...base,
    containerInstances: [],
    workloads: {
      ...base.workloads,
      ...noWorkloadFlags,
      ec2ContainerInstances: 0,
      ec2Services: 0,
      fargateServices: 1,
      ...flags,
    },
  });
  it.each<[string, Partial<ObservedVpc['workloads']>, string[]]>([
    ['Fargate without features needs nothing', {}, []],
    [
      'Fargate with Secrets Manager references: secretsmanager only',
      { secretsManagerSecrets: true },
      ['secretsmanager'],
    ],
    ['Fargate with SSM parameters: ssm only', { ssmParameters: true }, ['ssm']],
    ['Fargate with both', { secretsManagerSecrets: true, ssmParameters: true }, ['secretsmanager', 'ssm']],
    ['Fargate with private ECR images', { privateEcrImages: true }, ['ecr.api', 'ecr.dkr', 's3']],
  ])('%s', (_name, flags, expected) => {
    const vpc = fargate(flags);
    expect({ workloads: vpc.workloads, services: services(vpc) }).toEqual({
      workloads: vpc.workloads,
      services: expected,
    });
  });

  it('gives every service a reason', () => {
    const { d } = derive({ ...base, workloads: { ...base.workloads, ssmParameters: true } });
    expect(Object.fromEntries(d.services)).toEqual({
      'ecs-agent': '3 EC2 container instance(s) without a public path talk to ECS through it',
      'ecs-telemetry': '3 EC2 container instance(s) without a public path talk to ECS through it',
      ecs: '3 EC2 container instance(s) without a public path talk to ECS through it',
      'ecr.api': 'workloads without a public path pull private ECR images',
      'ecr.dkr': 'workloads without a public path pull private ECR images',
      s3: 'ECR image layers come from S3 (gateway endpoint on the private route tables)',
      logs: 'tasks use the awslogs driver in 3 subnet(s) without an internet path',
      secretsmanager: 'task definitions reference Secrets Manager secrets',
      ssm: 'task definitions reference SSM parameters',
      ssmmessages: '3 container instance(s) have no internet path: restarting their agent with SSM needs it',
      ec2messages: '3 container instance(s) have no internet path: restarting their agent with SSM needs it',
    });
  });

  it('workload features count only for workloads without a public path', () => {
    // Public: an internet-gateway subnet AND a public IP (assignPublicIp) for every awsvpc placement.
    const vpc: ObservedVpc = {
      ...base,
      containerInstances: [],
      subnets: base.subnets.map((s) => ({ ...s, isPrivate: false, hasNatRoute: false })),
      workloads: {
        ...base.workloads,
        ssmParameters: true,
        awsvpcPlacements: base.workloads.subnetIds.map((subnetId) => ({ subnetId, assignPublicIp: true })),
      },
    };
    expect(services(vpc)).toEqual([]);
    // One private workload subnet is enough (behind a NAT: ECR still needs its endpoints, logs not).
    const onePrivate = {
      ...vpc,
      subnets: vpc.subnets.map((s, i) => (i === 0 ? { ...s, isPrivate: true, hasNatRoute: true } : s)),
    };
    expect(services(onePrivate)).toEqual(['ecr.api', 'ecr.dkr', 's3', 'secretsmanager', 'ssm']);
  });

  it('workload subnets the VPC does not list are ignored', () => {
    const vpc: ObservedVpc = {
      ...base,
      containerInstances: [],
      workloads: { ...base.workloads, subnetIds: ['subnet-elsewhere'] },
    };
    expect(derive(vpc).d).toMatchObject({ services: new Map(), requiredAzs: [], clientCidrs: [] });
  });

  it('container instances count only in private subnets the VPC lists', () => {
    const instances = (subnetId: string | undefined) =>
      base.containerInstances.map((ci) => ({ ...ci, subnetId }));
    const noWorkloads = { ...base.workloads, ...noWorkloadFlags, subnetIds: [] };
    // Public: an internet-gateway subnet and a public IPv4 address on every instance.
    const publicSubnets = base.subnets.map((s) => ({ ...s, isPrivate: false, hasNatRoute: false }));
    const publicInstances = base.containerInstances.map((ci) => ({ ...ci, hasPublicIpv4: true }));
    expect(
      services({
        ...base,
        subnets: publicSubnets,
        containerInstances: publicInstances,
        workloads: noWorkloads,
      }),
    ).toEqual([]);
    expect(
      services({ ...base, containerInstances: instances('subnet-elsewhere'), workloads: noWorkloads }),
    ).toEqual([]);
    expect(services({ ...base, containerInstances: instances(undefined), workloads: noWorkloads })).toEqual(
      [],
    );
    const one = { ...base, containerInstances: base.containerInstances.slice(0, 1), workloads: noWorkloads };
    expect(derive(one).d.services.get('ecs')).toBe(
      '1 EC2 container instance(s) without a public path talk to ECS through it',
    );
  });

  it('addServices only add to a VPC that needs something; excludeServices always win', () => {
    const fargateNothing = fargate({});
    expect(services(fargateNothing, { addServices: ['logs'] })).toEqual([]);
    const { d } = derive(fargate({ ssmParameters: true }), { addServices: ['logs', 'ssm'] });
    expect(Object.fromEntries(d.services)).toEqual({
      ssm: 'task definitions reference SSM parameters', // a real reason is kept over the config's
      logs: 'added by configuration (addServices)',
    });
    expect(services(base, { excludeServices: ['s3', 'ecs'] })).not.toEqual(expect.arrayContaining(['s3']));
    expect(services(base, { excludeServices: ['s3', 'ecs'] })).toHaveLength(9);
  });
});

describe('deriveDesired: AZs, client CIDRs, the restart', () => {
  it('requires the private subnets’ AZs and the instances’ AZs, sorted, once each', () => {
    const vpc: ObservedVpc = {
      ...base,
      subnets: [
        ...base.subnets,
        { ...base.subnets[0]!, subnetId: 'subnet-pub', availabilityZone: 'us-east-1f', isPrivate: false },
      ],
      containerInstances: [
        ...base.containerInstances,
        { ...base.containerInstances[0]!, containerInstanceArn: 'arn:d', availabilityZone: 'us-east-1d' },
        { ...base.containerInstances[0]!, containerInstanceArn: 'arn:none', availabilityZone: undefined },
      ],
    };
    expect(derive(vpc).d.requiredAzs).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d']);
  });

  it('requires the AZ of a private subnet without workloads, and sorts AZs listed out of order', () => {
    // A private subnet with no workload and no instance still gets an endpoint subnet in its AZ (tasks
    // may be placed there next); AZs come out sorted whatever order DescribeSubnets listed them in.
    const vpc: ObservedVpc = {
      ...base,
      subnets: [
        { ...base.subnets[0]!, subnetId: 'subnet-e', availabilityZone: 'us-east-1e', isPrivate: true },
        ...[...base.subnets].reverse(),
      ],
      containerInstances: [...base.containerInstances].reverse(),
    };
    expect({
      subnets: vpc.subnets.map((s) => s.availabilityZone),
      required: derive(vpc).d.requiredAzs,
    }).toEqual({
      subnets: ['us-east-1e', 'us-east-1c', 'us-east-1b', 'us-east-1a'],
      required: ['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1e'],
    });
  });

  it('requires no AZ when no service is needed', () => {
    expect(
      derive({ ...base, containerInstances: [], workloads: { ...base.workloads, ...noWorkloadFlags } }).d,
    ).toMatchObject({
      requiredAzs: [],
      services: new Map(),
    });
  });

  it('client CIDRs are the workload subnets’, sorted, once each', () => {
    const vpc: ObservedVpc = {
      ...base,
      subnets: [...base.subnets, { ...base.subnets[0]!, subnetId: 'subnet-dup' }],
      workloads: { ...base.workloads, subnetIds: ['subnet-1p2', 'subnet-1p0', 'subnet-dup'] },
    };
    expect(derive(vpc).d.clientCidrs).toEqual(['10.1.0.0/24', '10.1.2.0/24']);
  });

  it('the restart needs the SSM endpoints only if all three are still wanted', () => {
    expect(derive(base).d.restartNeedsSsmEndpoints).toBe(true);
    expect(derive(base, { excludeServices: ['ssmmessages'] }).d.restartNeedsSsmEndpoints).toBe(false);
    expect(derive({ ...base, containerInstances: [] }).d.restartNeedsSsmEndpoints).toBe(false);
  });

  it('copies the VPC id and mode', () => {
    const { d, warnings } = derive({
      ...base,
      vpcId: 'vpc-42',
      tags: { 'ecs-endpoint-remediator:mode': 'Audit' },
    });
    expect({ vpcId: d.vpcId, mode: d.mode, warnings }).toEqual({
      vpcId: 'vpc-42',
      mode: 'audit',
      warnings: [],
    });
  });
});

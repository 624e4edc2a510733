/**
 * What counts as an internet path (shared/core/internet-path.ts) and what it decides in the plan: an
 * internet gateway route gives a path only to interfaces with a public IPv4 address; a NAT route
 * gives one to every interface of the subnet (Amazon VPC User Guide, internet gateways and NAT
 * gateways; Amazon ECS Developer Guide, Fargate task networking).
 */
import { CORE_DEFAULTS as defaultConfig } from '../support/core-config.js';
import { deriveDesired } from '../../shared/core/desired.js';
import type { ObservedVpc, ServiceName, VpcPlan } from '../../shared/core/domain.js';
import {
  instanceAccess,
  internetAccess,
  workloadPlacements,
  type InternetAccess,
} from '../../shared/core/internet-path.js';
import { plan } from '../../shared/core/plan.js';
import { healthyVpc, region } from '../support/fixtures.js';

const IGW = { isPrivate: false, hasNatRoute: false };
const NAT = { isPrivate: true, hasNatRoute: true };
const NONE = { isPrivate: true, hasNatRoute: false };

describe('internetAccess', () => {
  it.each<[string, Parameters<typeof internetAccess>[0], boolean, InternetAccess]>([
    ['internet gateway route and a public IPv4 address', IGW, true, 'public'],
    ['internet gateway route without a public IPv4 address', IGW, false, 'none'],
    ['NAT route, no public address', NAT, false, 'nat'],
    ['NAT route, a public address (unused behind the NAT)', NAT, true, 'nat'],
    ['no default route', NONE, false, 'none'],
    ['no default route, a public address is no path', NONE, true, 'none'],
    ['unknown subnet', undefined, true, 'none'],
  ])('%s: %s', (_what, subnet, publicIpv4, access) => {
    expect(internetAccess(subnet, publicIpv4)).toBe(access);
  });
});

function planOf(vpc: ObservedVpc): VpcPlan {
  const observed = region([vpc]);
  const desired = deriveDesired(observed, defaultConfig);
  const result = plan(desired.vpcs, observed, {
    securityGroupName: defaultConfig.endpointSecurityGroupName,
    managedTagKey: defaultConfig.managedTagKey,
  }).vpcs[0];
  if (!result) throw new Error('no plan');
  return result;
}

const created = (p: VpcPlan): ServiceName[] =>
  p.actions.flatMap((a) => (a.kind === 'CreateVpcEndpoint' ? [a.service] : [])).sort();

const base = healthyVpc();
const ECS_TRIO: ServiceName[] = ['ecs', 'ecs-agent', 'ecs-telemetry'];
const SSM_TRIO: ServiceName[] = ['ec2messages', 'ssm', 'ssmmessages'];

/** The healthy VPC with every endpoint gone and its subnets routed as given. */
function vpcWith(route: typeof IGW, over: Partial<ObservedVpc> = {}): ObservedVpc {
  return {
    ...base,
    endpoints: [],
    subnets: base.subnets.map((s) => ({ ...s, ...route })),
    ...over,
  };
}

describe('EC2 container instances', () => {
  it('in a subnet routed to an internet gateway but without public IPs: the ECS trio, logs and the SSM trio', () => {
    const p = planOf(vpcWith(IGW));
    expect(created(p)).toEqual(
      expect.arrayContaining([...ECS_TRIO, ...SSM_TRIO, 'logs', 'ecr.api', 'ecr.dkr']),
    );
  });

  it('in the same subnets with public IPs: nothing', () => {
    const p = planOf(
      vpcWith(IGW, {
        containerInstances: base.containerInstances.map((ci) => ({ ...ci, hasPublicIpv4: true })),
      }),
    );
    expect(p.actions).toEqual([]);
    expect(p.findings).toEqual([]);
  });

  it('behind a NAT: the ECS trio and ECR, but neither logs nor the SSM trio', () => {
    const p = planOf(vpcWith(NAT));
    expect(created(p)).toEqual(expect.arrayContaining([...ECS_TRIO, 'ecr.api', 'ecr.dkr']));
    expect(created(p)).not.toEqual(expect.arrayContaining(['logs']));
    for (const s of SSM_TRIO) expect(created(p)).not.toContain(s);
  });

  it('one instance without a public IP among public ones is enough to need the endpoints', () => {
    const p = planOf(
      vpcWith(IGW, {
        containerInstances: base.containerInstances.map((ci, i) => ({ ...ci, hasPublicIpv4: i !== 0 })),
      }),
    );
    expect(created(p)).toEqual(expect.arrayContaining([...ECS_TRIO, ...SSM_TRIO]));
  });

  it('the restart counts an instance without a public IP in an internet-gateway subnet as having no SSM path', () => {
    const ssmManaged = base.containerInstances.map((ci) => ({ ...ci, ssmManaged: true }));
    const p = planOf(vpcWith(IGW, { containerInstances: ssmManaged }));
    const kinds = p.actions.map((a) => (a.kind === 'CreateVpcEndpoint' ? a.service : a.kind));
    const restart = kinds.indexOf('RestartEcsAgent');
    expect(restart).toBeGreaterThan(-1);
    // The SSM endpoints come before the agents are restarted, and the restart waits for them.
    for (const s of SSM_TRIO) expect(kinds.indexOf(s)).toBeLessThan(restart);
    const action = p.actions.find((a) => a.kind === 'RestartEcsAgent');
    expect(action?.kind === 'RestartEcsAgent' && [...action.dependsOn].sort()).toEqual(
      expect.arrayContaining(SSM_TRIO),
    );
    expect(p.findings.map((f) => f.code)).toContain('SSM_PATH_MISSING');
  });
});

describe('Fargate services (awsvpc)', () => {
  const fargate = (route: typeof IGW, assignPublicIp: boolean): ObservedVpc =>
    vpcWith(route, {
      containerInstances: [],
      workloads: {
        ...base.workloads,
        ec2ContainerInstances: 0,
        ec2Services: 0,
        fargateServices: 1,
        subnetIds: base.subnets.map((s) => s.subnetId),
        awsvpcPlacements: base.subnets.map((s) => ({ subnetId: s.subnetId, assignPublicIp })),
      },
    });

  it('assignPublicIp ENABLED in internet-gateway subnets: nothing', () => {
    expect(planOf(fargate(IGW, true)).actions).toEqual([]);
  });

  it('assignPublicIp DISABLED in internet-gateway subnets: ECR and logs (no ECS trio: Fargate)', () => {
    const p = planOf(fargate(IGW, false));
    expect(created(p)).toEqual(expect.arrayContaining(['ecr.api', 'ecr.dkr', 'logs', 'secretsmanager']));
    for (const s of ECS_TRIO) expect(created(p)).not.toContain(s);
  });

  it('behind a NAT, public IP or not: ECR but no logs', () => {
    for (const assign of [true, false]) {
      const p = planOf(fargate(NAT, assign));
      expect(created(p)).toEqual(expect.arrayContaining(['ecr.api', 'ecr.dkr']));
      expect(created(p)).not.toContain('logs');
    }
  });

  it('a workload subnet of a service with no known placement counts as without public IPs', () => {
    const vpc = fargate(IGW, true);
    const unknown = { ...vpc, workloads: { ...vpc.workloads, awsvpcPlacements: [] } };
    expect(workloadPlacements(unknown).map((p) => p.access)).toEqual(['none', 'none', 'none']);
    expect(created(planOf(unknown))).toContain('logs');
  });
});

describe('instanceAccess', () => {
  const subnets = new Map(
    [
      { ...base.subnets[0]!, subnetId: 'subnet-igw', ...IGW },
      { ...base.subnets[1]!, subnetId: 'subnet-nat', ...NAT },
    ].map((s) => [s.subnetId, s]),
  );
  it.each<[string, { subnetId?: string; hasPublicIpv4?: boolean }, InternetAccess]>([
    [
      'internet gateway subnet, public IPv4 address',
      { subnetId: 'subnet-igw', hasPublicIpv4: true },
      'public',
    ],
    ['internet gateway subnet, no public address', { subnetId: 'subnet-igw', hasPublicIpv4: false }, 'none'],
    ['internet gateway subnet, public address not known: none', { subnetId: 'subnet-igw' }, 'none'],
    ['NAT subnet', { subnetId: 'subnet-nat' }, 'nat'],
    ['a subnet the VPC does not list', { subnetId: 'subnet-x', hasPublicIpv4: true }, 'none'],
    ['no subnet', { hasPublicIpv4: true }, 'none'],
  ])('%s: %s', (_what, instance, access) => {
    expect({ instance, access: instanceAccess(instance, subnets) }).toEqual({ instance, access });
  });
});

describe('workloadPlacements', () => {
  it('one placement per instance and awsvpc subnet, then each other workload subnet without a public IP', () => {
    const vpc: ObservedVpc = {
      ...base,
      subnets: [
        { ...base.subnets[0]!, subnetId: 'subnet-a', ...IGW },
        { ...base.subnets[1]!, subnetId: 'subnet-b', ...IGW },
        { ...base.subnets[2]!, subnetId: 'subnet-c', ...IGW },
        { ...base.subnets[2]!, subnetId: 'subnet-d', ...NAT },
      ],
      containerInstances: [
        { ...base.containerInstances[0]!, subnetId: 'subnet-a', hasPublicIpv4: true },
        { ...base.containerInstances[1]!, subnetId: undefined }, // no subnet known: not placed
        { ...base.containerInstances[2]!, subnetId: 'subnet-gone' }, // not in the VPC: not placed
      ],
      workloads: {
        ...base.workloads,
        subnetIds: ['subnet-a', 'subnet-b', 'subnet-c', 'subnet-d', 'subnet-gone'],
        awsvpcPlacements: [
          { subnetId: 'subnet-b', assignPublicIp: true },
          { subnetId: 'subnet-gone', assignPublicIp: true },
        ],
      },
    };
    expect(workloadPlacements(vpc).map((p) => ({ subnet: p.subnet.subnetId, access: p.access }))).toEqual([
      { subnet: 'subnet-a', access: 'public' }, // the instance, with its public address
      { subnet: 'subnet-b', access: 'public' }, // the awsvpc service, assignPublicIp
      { subnet: 'subnet-c', access: 'none' }, // a workload subnet nothing explains: no public IP
      { subnet: 'subnet-d', access: 'nat' },
    ]);
  });

  it('no awsvpc placements listed at all: every workload subnet without an instance counts as without public IPs', () => {
    const vpc: ObservedVpc = {
      ...base,
      subnets: base.subnets.map((s) => ({ ...s, ...IGW })),
      containerInstances: [],
      workloads: { ...base.workloads, awsvpcPlacements: undefined },
    };
    expect(workloadPlacements(vpc).map((p) => p.access)).toEqual(base.workloads.subnetIds.map(() => 'none'));
  });
});

/**
 * The planner's write rules, one table per rule: the dedicated security group (never the VPC's
 * default group), the 443 rule, endpoint creation and repair, gateway routes, endpoint states,
 * endpoint policies, modes and ordering. Each assertion compares a small object holding what the
 * case saw, so a failure prints the input next to the result.
 *
 * Not pinned here on purpose (being reworked elsewhere): how the internet path of a subnet or
 * instance is decided, and the value of CreateVpcEndpoint's clientToken (only its presence).
 */
import type { RemediatorConfig } from '../../../shared/core/config.js';
import { CORE_DEFAULTS as defaultConfig } from '../../support/core-config.js';
import { deriveDesired } from '../../../shared/core/desired.js';
import type {
  Action,
  ObservedEndpoint,
  ObservedSecurityGroup,
  ObservedSubnet,
  ObservedVpc,
  Plan,
  VpcPlan,
} from '../../../shared/core/domain.js';
import { hasDrift, plan } from '../../../shared/core/plan.js';
import { AZS, MANAGED, SG_NAME, endpoint, healthyVpc, offers, region } from '../../support/fixtures.js';

const base = healthyVpc();
const SG_DEFAULT = base.securityGroups[0]!;
const SG_DEDICATED = base.securityGroups[1]!;

function planAll(vpcs: ObservedVpc[], config: Partial<RemediatorConfig> = {}, azs?: readonly string[]): Plan {
  const observed = region(vpcs, azs ? { endpointServices: offers(undefined, azs) } : {});
  const cfg = { ...defaultConfig, ...config };
  const desired = deriveDesired(observed, cfg);
  return plan(desired.vpcs, observed, {
    securityGroupName: cfg.endpointSecurityGroupName,
    managedTagKey: cfg.managedTagKey,
    updateOldAgents: cfg.updateOldAgents,
    warnings: desired.warnings,
  });
}

function planOne(vpc: ObservedVpc, config: Partial<RemediatorConfig> = {}, azs?: readonly string[]): VpcPlan {
  const p = planAll([vpc], config, azs).vpcs[0];
  if (!p) throw new Error('no plan for the VPC');
  return p;
}

const without = (vpc: ObservedVpc, ...services: string[]) =>
  vpc.endpoints.filter((e) => !services.includes(e.service ?? ''));
const replacing = (vpc: ObservedVpc, ...eps: ObservedEndpoint[]) => [
  ...without(vpc, ...eps.map((e) => e.service ?? '')),
  ...eps,
];
const ofKind = <K extends Action['kind']>(p: VpcPlan, kind: K) =>
  p.actions.filter((a): a is Extract<Action, { kind: K }> => a.kind === kind);
const summary = (p: VpcPlan) => ({
  findings: p.findings.map((f) => `${f.code}${f.service ? `:${f.service}` : ''}`),
  actions: p.actions.map((a) => ('service' in a ? `${a.kind}:${a.service}` : a.kind)),
});
/** An action without its idempotency token (its derivation is not this file's business). */
const shape = (a: Action | undefined) => {
  if (!a) return a;
  if (a.kind !== 'CreateVpcEndpoint') return a;
  const { clientToken, ...rest } = a;
  expect(clientToken).toMatch(/^eer-[0-9a-f]{16}$/);
  return rest;
};

describe('the dedicated security group: the tool uses only its own, never the default group', () => {
  const group = (o: Partial<ObservedSecurityGroup>): ObservedSecurityGroup => ({ ...SG_DEDICATED, ...o });
  it.each<[string, ObservedSecurityGroup, boolean]>([
    ['its own group (name and managed tag, not default)', group({}), true],
    ['a default group with its name and tag', group({ isDefault: true }), false],
    ['its name without the managed tag', group({ tags: {} }), false],
    ['its name with the tag set to "false"', group({ tags: { [MANAGED]: 'false' } }), false],
    ['its name with the tag under another key', group({ tags: { other: 'true' } }), false],
    ['the managed tag on a group of another name', group({ groupName: 'someone-else' }), false],
  ])('%s', (_name, candidate, recognised) => {
    const vpc: ObservedVpc = {
      ...base,
      securityGroups: [SG_DEFAULT, candidate],
      endpoints: without(base, 'ecs'),
    };
    const p = planOne(vpc);
    const create = ofKind(p, 'CreateVpcEndpoint')[0];
    const seen = {
      createsGroup: ofKind(p, 'CreateSecurityGroup').length,
      endpointGroup: create?.securityGroup,
      authorize: ofKind(p, 'AuthorizeHttpsIngress').map((a) => ({ group: a.group, cidrs: a.cidrs })),
    };
    expect(seen).toEqual(
      recognised
        ? { createsGroup: 0, endpointGroup: { kind: 'existing', groupId: 'sg-1eer' }, authorize: [] }
        : {
            createsGroup: 1,
            endpointGroup: { kind: 'dedicated', vpcId: 'vpc-1' },
            authorize: [{ group: { kind: 'dedicated', vpcId: 'vpc-1' }, cidrs: ['10.1.0.0/16'] }],
          },
    );
    expect(JSON.stringify(p.actions)).not.toContain(SG_DEFAULT.groupId);
  });

  it('creates the group with the configured name, a description and a reason', () => {
    const p = planOne(
      { ...base, securityGroups: [SG_DEFAULT], endpoints: without(base, 'ecs') },
      { endpointSecurityGroupName: 'my-endpoints' },
    );
    expect(ofKind(p, 'CreateSecurityGroup')).toEqual([
      {
        kind: 'CreateSecurityGroup',
        id: 'vpc-1:CreateSecurityGroup:my-endpoints',
        vpcId: 'vpc-1',
        apply: true,
        groupName: 'my-endpoints',
        description: 'ecs-endpoint-remediator: HTTPS from the VPC to its interface endpoints',
        reason: 'interface endpoints need a dedicated group allowing 443 (the default group is never used)',
      },
    ]);
    expect(ofKind(p, 'AuthorizeHttpsIngress')[0]?.id).toBe('vpc-1:AuthorizeHttpsIngress:dedicated');
  });

  it('an endpoint behind only the default group gets the dedicated group attached, never a rule on the default one', () => {
    const p = planOne({
      ...base,
      endpoints: replacing(base, endpoint('ecr.api', { securityGroupIds: ['sg-1default'] })),
    });
    expect(summary(p)).toEqual({
      findings: ['ENDPOINT_SG_BLOCKS_HTTPS:ecr.api'],
      actions: ['ModifyVpcEndpoint:ecr.api'],
    });
    expect(ofKind(p, 'ModifyVpcEndpoint')[0]?.addSecurityGroup).toEqual({
      kind: 'existing',
      groupId: 'sg-1eer',
    });
  });

  it('no group work when nothing needs it (only a healthy gateway endpoint change)', () => {
    const p = planOne({
      ...base,
      securityGroups: [SG_DEFAULT],
      endpoints: replacing(base, endpoint('s3', { routeTableIds: [] })),
    });
    // Interface endpoints exist behind sg-1eer, which is not in the VPC: they block 443.
    expect(ofKind(p, 'CreateSecurityGroup')).toHaveLength(1);
    const gatewayOnly = planOne({
      ...base,
      endpoints: replacing(base, endpoint('s3', { routeTableIds: [] })),
    });
    expect(summary(gatewayOnly).actions).toEqual(['AddGatewayRoutes:s3']);
  });
});

describe('the 443 rule on the dedicated group', () => {
  const dedicatedWith = (cidrs: string[], port = 443): ObservedSecurityGroup => ({
    ...SG_DEDICATED,
    ingress: [
      {
        protocol: 'tcp',
        fromPort: port,
        toPort: port,
        cidrBlocks: cidrs,
        sourceGroupIds: [],
        prefixListIds: [],
      },
    ],
  });
  it.each<[string, Partial<ObservedVpc>, { group: unknown; cidrs: string[] } | undefined]>([
    ['the rule is there: nothing to authorize', {}, undefined],
    [
      'the rule is gone: every VPC CIDR',
      { cidrBlocks: ['10.1.0.0/16', '10.50.0.0/16'], securityGroups: [SG_DEFAULT, dedicatedWith([])] },
      { group: { kind: 'existing', groupId: 'sg-1eer' }, cidrs: ['10.1.0.0/16', '10.50.0.0/16'] },
    ],
    [
      'one of two VPC CIDRs allowed: only the other',
      {
        cidrBlocks: ['10.1.0.0/16', '10.50.0.0/16'],
        securityGroups: [SG_DEFAULT, dedicatedWith(['10.50.0.0/16'])],
      },
      { group: { kind: 'existing', groupId: 'sg-1eer' }, cidrs: ['10.1.0.0/16'] },
    ],
    [
      'the rule is on port 80: the VPC CIDR',
      { securityGroups: [SG_DEFAULT, dedicatedWith(['10.1.0.0/16'], 80)] },
      { group: { kind: 'existing', groupId: 'sg-1eer' }, cidrs: ['10.1.0.0/16'] },
    ],
    [
      'VPC CIDRs unknown: the workload subnets’ CIDRs instead',
      { cidrBlocks: [], securityGroups: [SG_DEFAULT, dedicatedWith([])] },
      {
        group: { kind: 'existing', groupId: 'sg-1eer' },
        cidrs: ['10.1.0.0/24', '10.1.1.0/24', '10.1.2.0/24'],
      },
    ],
  ])('%s', (_name, overrides, expected) => {
    const p = planOne({ ...base, ...overrides });
    const authorize = ofKind(p, 'AuthorizeHttpsIngress');
    expect(authorize.map((a) => ({ group: a.group, cidrs: a.cidrs }))).toEqual(expected ? [expected] : []);
    for (const a of authorize)
      expect(a.reason).toBe(
        `endpoint clients in ${expected?.cidrs.join(', ')} must reach the endpoints on TCP 443`,
      );
    expect(authorize[0]?.id ?? 'none').toBe(expected ? 'vpc-1:AuthorizeHttpsIngress:sg-1eer' : 'none');
  });

  it('the blocked check uses the workload subnets, the rule the VPC CIDR', () => {
    // The dedicated group allows only one workload subnet: the endpoint blocks the other two.
    const p = planOne({ ...base, securityGroups: [SG_DEFAULT, dedicatedWith(['10.1.0.0/24'])] });
    const blocked = p.findings.filter((f) => f.code === 'ENDPOINT_SG_BLOCKS_HTTPS');
    expect(blocked).toHaveLength(10);
    expect(blocked[0]).toMatchObject({
      severity: 'critical',
      resourceId: 'vpce-1ecsagent',
      message: 'security group(s) of vpce-1ecsagent do not allow TCP 443 from 10.1.1.0/24, 10.1.2.0/24',
    });
    // The dedicated group is attached already: only the rule is added, no endpoint is modified.
    expect(summary(p).actions).toEqual(['AuthorizeHttpsIngress']);
  });
});

describe('creating endpoints', () => {
  it('an interface endpoint: one subnet per AZ, the dedicated group, private DNS, its reason and cost', () => {
    const p = planOne({ ...base, endpoints: without(base, 'ecr.api') });
    expect(p.actions.map(shape)).toEqual([
      {
        kind: 'CreateVpcEndpoint',
        id: 'vpc-1:CreateVpcEndpoint:ecr.api',
        vpcId: 'vpc-1',
        apply: true,
        service: 'ecr.api',
        serviceName: 'com.amazonaws.us-east-1.ecr.api',
        endpointType: 'Interface',
        subnetIds: ['subnet-1p0', 'subnet-1p1', 'subnet-1p2'],
        securityGroup: { kind: 'existing', groupId: 'sg-1eer' },
        routeTableIds: [],
        privateDnsEnabled: true,
        newEndpointAzs: 3,
        reason:
          'workloads without a public path pull private ECR images; creating it in 3 AZ(s) with private DNS',
      },
    ]);
    expect(p.findings).toEqual([
      {
        vpcId: 'vpc-1',
        code: 'MISSING_ENDPOINT',
        severity: 'high',
        service: 'ecr.api',
        message: 'no interface endpoint for ecr.api: workloads without a public path pull private ECR images',
      },
    ]);
    expect(p.estimatedMonthlyCostUsd).toBe(21.9);
  });

  it('a missing ECS endpoint is critical, other services high', () => {
    const p = planOne({ ...base, endpoints: without(base, 'ecs-telemetry', 'logs') });
    expect(
      p.findings.filter((f) => f.code === 'MISSING_ENDPOINT').map((f) => [f.service, f.severity]),
    ).toEqual([
      ['ecs-telemetry', 'critical'],
      ['logs', 'high'],
    ]);
  });

  it('the s3 gateway endpoint: on the private subnets’ route tables only, no group, no DNS, no cost', () => {
    const publicSubnet: ObservedSubnet = {
      subnetId: 'subnet-1pub',
      availabilityZone: AZS[0],
      cidrBlock: '10.1.200.0/24',
      routeTableId: 'rtb-1public',
      isPrivate: false,
      hasNatRoute: false,
    };
    const subnets: ObservedSubnet[] = [
      publicSubnet,
      { ...base.subnets[0]!, routeTableId: 'rtb-1z' },
      { ...base.subnets[1]!, routeTableId: 'rtb-1a' },
      { ...base.subnets[2]!, routeTableId: 'rtb-1a' }, // shared table: listed once
      { ...base.subnets[2]!, subnetId: 'subnet-1noroute', routeTableId: undefined }, // no table known
    ];
    const p = planOne({ ...base, subnets, endpoints: without(base, 's3') });
    const create = ofKind(p, 'CreateVpcEndpoint');
    expect(create.map(shape)).toEqual([
      {
        kind: 'CreateVpcEndpoint',
        id: 'vpc-1:CreateVpcEndpoint:s3',
        vpcId: 'vpc-1',
        apply: true,
        service: 's3',
        serviceName: 'com.amazonaws.us-east-1.s3',
        endpointType: 'Gateway',
        subnetIds: [],
        routeTableIds: ['rtb-1a', 'rtb-1z'],
        privateDnsEnabled: false,
        newEndpointAzs: 0,
        reason:
          'ECR image layers come from S3 (gateway endpoint on the private route tables); creating the gateway endpoint on 2 private route table(s)',
      },
    ]);
    expect(create[0] && 'securityGroup' in create[0]).toBe(false);
    expect(p.estimatedMonthlyCostUsd).toBe(0);
  });

  it('AddGatewayRoutes names only the private route tables the gateway is missing', () => {
    const subnets: ObservedSubnet[] = [
      { ...base.subnets[0]!, routeTableId: 'rtb-1p' },
      { ...base.subnets[1]!, routeTableId: 'rtb-1q' },
      { ...base.subnets[2]!, routeTableId: 'rtb-1r' },
      { ...base.subnets[2]!, subnetId: 'subnet-1pub', isPrivate: false, routeTableId: 'rtb-1public' },
    ];
    const p = planOne({
      ...base,
      subnets,
      endpoints: replacing(base, endpoint('s3', { routeTableIds: ['rtb-1p', 'rtb-1public'] })),
    });
    expect(p.actions).toEqual([
      {
        kind: 'AddGatewayRoutes',
        id: 'vpc-1:AddGatewayRoutes:s3',
        vpcId: 'vpc-1',
        apply: true,
        service: 's3',
        endpointId: 'vpce-1s3',
        routeTableIds: ['rtb-1q', 'rtb-1r'],
        reason:
          'private subnets behind rtb-1q, rtb-1r must route S3 (ECR layers) through the gateway endpoint',
      },
    ]);
    expect(p.findings).toEqual([
      {
        vpcId: 'vpc-1',
        code: 'S3_GATEWAY_ROUTE_MISSING',
        severity: 'high',
        service: 's3',
        resourceId: 'vpce-1s3',
        message: 'gateway endpoint vpce-1s3 is not on route table(s) rtb-1q, rtb-1r of private subnets',
      },
    ]);
  });

  it('a gateway on a public route table only is not asked to leave it, and a public-only table needs nothing', () => {
    const subnets: ObservedSubnet[] = [
      ...base.subnets,
      { ...base.subnets[0]!, subnetId: 'subnet-1pub', isPrivate: false, routeTableId: 'rtb-1public' },
    ];
    const p = planOne({ ...base, subnets });
    expect(summary(p)).toEqual({ findings: [], actions: [] });
  });
});

describe('choosing subnets for a new interface endpoint', () => {
  const subnet = (id: string, az: string, isPrivate = true): ObservedSubnet => ({
    subnetId: id,
    availabilityZone: az,
    cidrBlock: `10.1.${100 + id.length}.0/24`,
    routeTableId: 'rtb-1p',
    networkAclId: 'acl-1',
    isPrivate,
    hasNatRoute: false,
  });
  it.each<[string, ObservedSubnet[], string]>([
    [
      'a private subnet over a public one that sorts first',
      [subnet('subnet-1a', AZS[0], false)],
      'subnet-1p0',
    ],
    [
      'the instances’ subnet over a workload subnet that sorts first',
      [subnet('subnet-1a', AZS[0])],
      'subnet-1p0',
    ],
    ['the lower id between two equal subnets', [subnet('subnet-1p0a', AZS[0])], 'subnet-1p0'],
  ])('%s', (_name, extra, chosen) => {
    const vpc: ObservedVpc = {
      ...base,
      subnets: [...extra, ...base.subnets],
      workloads: {
        ...base.workloads,
        subnetIds: [...base.workloads.subnetIds, ...extra.map((s) => s.subnetId)],
      },
      endpoints: without(base, 'ecr.api'),
    };
    const create = ofKind(planOne(vpc), 'CreateVpcEndpoint')[0];
    expect({ extra: extra.map((s) => s.subnetId), subnetIds: create?.subnetIds }).toEqual({
      extra: extra.map((s) => s.subnetId),
      subnetIds: [chosen, 'subnet-1p1', 'subnet-1p2'],
    });
  });

  it('a workload subnet over a private subnet nothing uses', () => {
    const vpc: ObservedVpc = {
      ...base,
      subnets: [subnet('subnet-1a', AZS[0]), subnet('subnet-1b', AZS[0]), ...base.subnets.slice(1)],
      containerInstances: [],
      workloads: { ...base.workloads, subnetIds: ['subnet-1b', 'subnet-1p1', 'subnet-1p2'] },
      endpoints: without(base, 'ecr.api'),
    };
    const create = ofKind(planOne(vpc), 'CreateVpcEndpoint')[0];
    expect(create?.subnetIds).toEqual(['subnet-1b', 'subnet-1p1', 'subnet-1p2']);
  });

  it('an AZ without any subnet (only an instance there) gets none, and nothing is created where no AZ is offered', () => {
    const vpc: ObservedVpc = {
      ...base,
      containerInstances: [
        ...base.containerInstances,
        {
          ...base.containerInstances[0]!,
          containerInstanceArn: 'arn:x',
          availabilityZone: 'us-east-1d',
          subnetId: undefined,
        },
      ],
      endpoints: without(base, 'ecr.api'),
    };
    const create = ofKind(planOne(vpc), 'CreateVpcEndpoint')[0];
    expect(create?.subnetIds).toEqual(['subnet-1p0', 'subnet-1p1', 'subnet-1p2']);
    expect(create?.newEndpointAzs).toBe(3);

    const nowhere = planOne({ ...base, endpoints: without(base, 'ecr.api') }, {}, ['us-east-1x']);
    expect(summary(nowhere).actions).toEqual([]);
    expect(nowhere.findings.filter((f) => f.code === 'MISSING_ENDPOINT').map((f) => f.service)).toEqual([
      'ecr.api',
    ]);
  });
});

describe('AZ coverage and what the region offers', () => {
  it('a service offered in 2 of 3 AZs: a medium finding for the third, and the endpoint is created in 2', () => {
    const p = planOne({ ...base, endpoints: without(base, 'ecr.dkr') }, {}, [AZS[0], AZS[1]]);
    const notOffered = p.findings.filter((f) => f.code === 'SERVICE_NOT_OFFERED_IN_AZ');
    // 10 interface services × 1 AZ; the s3 gateway is not per AZ.
    expect(notOffered).toHaveLength(10);
    expect(notOffered.find((f) => f.service === 'ecr.dkr')).toEqual({
      vpcId: 'vpc-1',
      code: 'SERVICE_NOT_OFFERED_IN_AZ',
      severity: 'medium',
      service: 'ecr.dkr',
      resourceId: 'us-east-1c',
      message: 'ecr.dkr is not offered in us-east-1c: workloads there reach it across AZs',
      advice: 'Keep workloads in AZs where the service is offered, or accept cross-AZ traffic',
    });
    const create = ofKind(p, 'CreateVpcEndpoint')[0];
    expect({ subnets: create?.subnetIds, azs: create?.newEndpointAzs }).toEqual({
      subnets: ['subnet-1p0', 'subnet-1p1'],
      azs: 2,
    });
    // An existing endpoint in the 2 offered AZs is complete.
    expect(p.findings.filter((f) => f.code === 'ENDPOINT_AZ_NOT_COVERED')).toEqual([]);
  });

  it('a service the region does not offer at all: a high finding, nothing else for it', () => {
    const observed = region([{ ...base, endpoints: without(base, 'logs') }], {
      endpointServices: offers().filter((o) => o.service !== 'logs'),
    });
    const desired = deriveDesired(observed, defaultConfig);
    const p = plan(desired.vpcs, observed, { securityGroupName: SG_NAME, managedTagKey: MANAGED }).vpcs[0]!;
    expect(p.findings).toEqual([
      {
        vpcId: 'vpc-1',
        code: 'SERVICE_NOT_OFFERED_IN_AZ',
        severity: 'high',
        service: 'logs',
        resourceId: 'us-east-1',
        message: 'logs (Interface) is not offered in us-east-1',
        advice: 'Reach the service another way (NAT or a proxy); the tool cannot create this endpoint',
      },
    ]);
    expect(p.actions).toEqual([]);
  });

  it('an offer of the wrong type does not count', () => {
    const observed = region([{ ...base, endpoints: without(base, 's3') }], {
      endpointServices: offers().map((o) => (o.service === 's3' ? { ...o, type: 'Interface' as const } : o)),
    });
    const p = plan(deriveDesired(observed, defaultConfig).vpcs, observed, {
      securityGroupName: SG_NAME,
      managedTagKey: MANAGED,
    }).vpcs[0]!;
    expect(summary(p)).toEqual({ findings: ['SERVICE_NOT_OFFERED_IN_AZ:s3'], actions: [] });
  });

  it('an endpoint missing AZs: one finding naming them, one subnet added per AZ', () => {
    const p = planOne({
      ...base,
      endpoints: replacing(base, endpoint('ecs', { subnetIds: ['subnet-1p1'] })),
    });
    expect(p.findings).toEqual([
      {
        vpcId: 'vpc-1',
        code: 'ENDPOINT_AZ_NOT_COVERED',
        severity: 'high',
        service: 'ecs',
        resourceId: 'vpce-1ecs',
        message: 'ecs endpoint vpce-1ecs has no subnet in us-east-1a, us-east-1c',
      },
    ]);
    expect(ofKind(p, 'ModifyVpcEndpoint')).toEqual([
      {
        kind: 'ModifyVpcEndpoint',
        id: 'vpc-1:ModifyVpcEndpoint:ecs',
        vpcId: 'vpc-1',
        apply: true,
        service: 'ecs',
        endpointId: 'vpce-1ecs',
        addSubnetIds: ['subnet-1p0', 'subnet-1p2'],
        enablePrivateDns: false,
        newEndpointAzs: 2,
        reason: 'repair ecs endpoint vpce-1ecs: add subnets in us-east-1a, us-east-1c',
      },
    ]);
    expect(p.estimatedMonthlyCostUsd).toBe(14.6);
  });

  it('an endpoint subnet the VPC does not list covers no AZ', () => {
    const p = planOne({
      ...base,
      endpoints: replacing(
        base,
        endpoint('ecs', { subnetIds: ['subnet-elsewhere', 'subnet-1p1', 'subnet-1p2'] }),
      ),
    });
    expect(ofKind(p, 'ModifyVpcEndpoint').map((a) => a.addSubnetIds)).toEqual([['subnet-1p0']]);
  });
});

describe('repairing an existing interface endpoint: every reason and shape', () => {
  const blocking: ObservedSecurityGroup = {
    groupId: 'sg-user',
    groupName: 'user',
    isDefault: false,
    ingress: [],
    tags: {},
  };
  const vpcWith = (
    o: Partial<ObservedEndpoint>,
    groups = [...base.securityGroups, blocking],
  ): ObservedVpc => ({
    ...base,
    securityGroups: groups,
    endpoints: replacing(base, endpoint('ecr.api', o)),
  });
  it.each<
    [string, ObservedVpc, Partial<Extract<Action, { kind: 'ModifyVpcEndpoint' }>> | undefined, string[]]
  >([
    [
      'private DNS off',
      vpcWith({ privateDnsEnabled: false }),
      {
        addSubnetIds: [],
        enablePrivateDns: true,
        newEndpointAzs: 0,
        reason: 'repair ecr.api endpoint vpce-1ecrapi: enable private DNS',
      },
      ['PRIVATE_DNS_DISABLED'],
    ],
    [
      'a group without 443',
      vpcWith({ securityGroupIds: ['sg-user'] }),
      {
        addSubnetIds: [],
        addSecurityGroup: { kind: 'existing', groupId: 'sg-1eer' },
        enablePrivateDns: false,
        newEndpointAzs: 0,
        reason: 'repair ecr.api endpoint vpce-1ecrapi: attach the dedicated security group that allows 443',
      },
      ['ENDPOINT_SG_BLOCKS_HTTPS'],
    ],
    [
      'a group the VPC does not list (deleted since) counts as blocking',
      vpcWith({ securityGroupIds: ['sg-gone'] }),
      {
        addSubnetIds: [],
        addSecurityGroup: { kind: 'existing', groupId: 'sg-1eer' },
        enablePrivateDns: false,
        newEndpointAzs: 0,
        reason: 'repair ecr.api endpoint vpce-1ecrapi: attach the dedicated security group that allows 443',
      },
      ['ENDPOINT_SG_BLOCKS_HTTPS'],
    ],
    [
      'another group that allows 443 is fine',
      vpcWith({ securityGroupIds: ['sg-user'] }, [
        ...base.securityGroups,
        { ...blocking, ingress: SG_DEDICATED.ingress },
      ]),
      undefined,
      [],
    ],
    [
      'all three at once, in a fixed order',
      vpcWith({ securityGroupIds: ['sg-user'], privateDnsEnabled: false, subnetIds: ['subnet-1p0'] }),
      {
        addSubnetIds: ['subnet-1p1', 'subnet-1p2'],
        addSecurityGroup: { kind: 'existing', groupId: 'sg-1eer' },
        enablePrivateDns: true,
        newEndpointAzs: 2,
        reason:
          'repair ecr.api endpoint vpce-1ecrapi: add subnets in us-east-1b, us-east-1c, enable private DNS, attach the dedicated security group that allows 443',
      },
      ['ENDPOINT_AZ_NOT_COVERED', 'ENDPOINT_SG_BLOCKS_HTTPS', 'PRIVATE_DNS_DISABLED'],
    ],
  ])('%s', (_name, vpc, expected, expectedCodes) => {
    const p = planOne(vpc);
    const modify = ofKind(p, 'ModifyVpcEndpoint');
    expect(modify).toEqual(
      expected
        ? [
            {
              kind: 'ModifyVpcEndpoint',
              id: 'vpc-1:ModifyVpcEndpoint:ecr.api',
              vpcId: 'vpc-1',
              apply: true,
              service: 'ecr.api',
              endpointId: 'vpce-1ecrapi',
              ...expected,
            },
          ]
        : [],
    );
    expect(modify[0] && 'addSecurityGroup' in modify[0]).toBe(
      expected ? 'addSecurityGroup' in expected : undefined,
    );
    expect([...new Set(p.findings.map((f) => f.code))].sort()).toEqual(expectedCodes);
  });

  it('private DNS off is critical on an ECS endpoint, high elsewhere', () => {
    const p = planOne({
      ...base,
      endpoints: replacing(
        base,
        endpoint('ecs-agent', { privateDnsEnabled: false }),
        endpoint('logs', { privateDnsEnabled: false }),
      ),
    });
    expect(p.findings.filter((f) => f.code === 'PRIVATE_DNS_DISABLED')).toEqual([
      {
        vpcId: 'vpc-1',
        code: 'PRIVATE_DNS_DISABLED',
        severity: 'critical',
        service: 'ecs-agent',
        resourceId: 'vpce-1ecsagent',
        message:
          'ecs-agent endpoint vpce-1ecsagent has private DNS off: clients still resolve the public name',
      },
      {
        vpcId: 'vpc-1',
        code: 'PRIVATE_DNS_DISABLED',
        severity: 'high',
        service: 'logs',
        resourceId: 'vpce-1logs',
        message: 'logs endpoint vpce-1logs has private DNS off: clients still resolve the public name',
      },
    ]);
  });

  it('with no dedicated group yet, the blocked endpoint waits for the new one', () => {
    const p = planOne(vpcWith({ securityGroupIds: ['sg-user'] }, [SG_DEFAULT, blocking]));
    const modify = ofKind(p, 'ModifyVpcEndpoint').find((a) => a.service === 'ecr.api');
    expect(modify?.addSecurityGroup).toEqual({ kind: 'dedicated', vpcId: 'vpc-1' });
    expect(summary(p).actions.slice(0, 2)).toEqual(['CreateSecurityGroup', 'AuthorizeHttpsIngress']);
  });
});

describe('endpoint states', () => {
  it.each<[string, ObservedEndpoint['state'], 'low' | 'high', string]>([
    ['pending', 'pending', 'low', 'Wait'],
    ['pendingAcceptance', 'pendingAcceptance', 'low', 'Wait'],
    ['failed', 'failed', 'high', 'Delete'],
    ['rejected', 'rejected', 'high', 'Delete'],
    ['expired', 'expired', 'high', 'Delete'],
    ['partial', 'partial', 'high', 'Delete'],
    ['unknown', 'unknown', 'high', 'Delete'],
  ])('an endpoint %s: reported, never duplicated nor repaired', (_name, state, severity, advice) => {
    const p = planOne({
      ...base,
      endpoints: replacing(base, endpoint('logs', { state, privateDnsEnabled: false, subnetIds: [] })),
    });
    expect({ state, ...summary(p) }).toEqual({
      state,
      findings: ['ENDPOINT_NOT_AVAILABLE:logs'],
      actions: [],
    });
    expect(p.findings[0]).toMatchObject({
      severity,
      resourceId: 'vpce-1logs',
      message: `logs endpoint vpce-1logs is ${state}`,
      advice: expect.stringMatching(new RegExp(`^${advice}`)),
    });
  });

  it.each(['deleted', 'deleting'] as const)(
    'a %s endpoint is ignored: the service is missing, the message names it',
    (state) => {
      const p = planOne({
        ...base,
        endpoints: [
          ...without(base, 'ecr.api', 'logs'),
          endpoint('ecr.api', { state, endpointId: 'vpce-old' }),
          endpoint('logs', { state: 'deleted', endpointId: 'vpce-logs-old' }),
          endpoint('logs', { endpointId: 'vpce-logs-new' }),
        ],
      });
      expect(summary(p)).toEqual({
        findings: ['MISSING_ENDPOINT:ecr.api'],
        actions: ['CreateVpcEndpoint:ecr.api'],
      });
      // Only this service's gone endpoints are listed.
      expect(p.findings[0]?.message).toBe(
        `no interface endpoint for ecr.api (vpce-old ${state}): workloads without a public path pull private ECR images`,
      );
    },
  );

  it('an available endpoint wins over a pending, a pending over a failed one, whatever their ids', () => {
    const pick = (...eps: ObservedEndpoint[]) =>
      planOne({ ...base, endpoints: [...without(base, 'logs'), ...eps] });
    const available = pick(
      endpoint('logs', { state: 'failed', endpointId: 'vpce-a' }),
      endpoint('logs', { state: 'pending', endpointId: 'vpce-b' }),
      endpoint('logs', { endpointId: 'vpce-c', privateDnsEnabled: false }),
    );
    expect(summary(available)).toEqual({
      findings: ['PRIVATE_DNS_DISABLED:logs'],
      actions: ['ModifyVpcEndpoint:logs'],
    });
    expect(ofKind(available, 'ModifyVpcEndpoint')[0]?.endpointId).toBe('vpce-c');
    const pending = pick(
      endpoint('logs', { state: 'failed', endpointId: 'vpce-a' }),
      endpoint('logs', { state: 'pending', endpointId: 'vpce-b' }),
    );
    expect(pending.findings.map((f) => f.resourceId)).toEqual(['vpce-b']);
    const lowerId = pick(
      endpoint('logs', { state: 'failed', endpointId: 'vpce-b' }),
      endpoint('logs', { state: 'rejected', endpointId: 'vpce-a' }),
    );
    expect(lowerId.findings.map((f) => f.resourceId)).toEqual(['vpce-a']);
  });

  it('an endpoint of the wrong type for the service does not count', () => {
    const p = planOne({
      ...base,
      endpoints: replacing(base, endpoint('s3', { type: 'Interface', endpointId: 'vpce-s3if' })),
    });
    expect(summary(p)).toEqual({ findings: ['MISSING_ENDPOINT:s3'], actions: ['CreateVpcEndpoint:s3'] });
  });
});

describe('endpoint policies on the ECS endpoints (they do not support policies)', () => {
  const full = { Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' };
  it.each<[string, unknown, boolean]>([
    ['no policy', undefined, false],
    ['the full-access default', { Statement: [full] }, false],
    ['principal {AWS: "*"}', { Statement: [{ ...full, Principal: { AWS: '*' } }] }, false],
    ['principal {AWS: ["*"]}', { Statement: [{ ...full, Principal: { AWS: ['*'] } }] }, false],
    ['action ["*"]', { Statement: [{ ...full, Action: ['*'] }] }, false],
    ['resource ["*"]', { Statement: [{ ...full, Resource: ['*'] }] }, false],
    ['a single statement not in an array', { Statement: full }, false],
    ['a deny', { Statement: [{ ...full, Effect: 'Deny' }] }, true],
    ['action ecs:*', { Statement: [{ ...full, Action: 'ecs:*' }] }, true],
    ['action ["*", "ecs:*"]', { Statement: [{ ...full, Action: ['*', 'ecs:*'] }] }, true],
    ['action ["ecs:*"]', { Statement: [{ ...full, Action: ['ecs:*'] }] }, true],
    ['action []', { Statement: [{ ...full, Action: [] }] }, true],
    ['a resource ARN', { Statement: [{ ...full, Resource: 'arn:aws:ecs:*:*:cluster/x' }] }, true],
    [
      'an account principal',
      { Statement: [{ ...full, Principal: { AWS: 'arn:aws:iam::123456789012:root' } }] },
      true,
    ],
    [
      'principal {AWS: ["*", account]}',
      { Statement: [{ ...full, Principal: { AWS: ['*', '123456789012'] } }] },
      true,
    ],
    ['a service principal', { Statement: [{ ...full, Principal: { Service: 'ecs.amazonaws.com' } }] }, true],
    ['no principal', { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] }, true],
    [
      'a condition',
      { Statement: [{ ...full, Condition: { StringEquals: { 'aws:PrincipalAccount': '1' } } }] },
      true,
    ],
    ['two full statements', { Statement: [full, full] }, true],
    ['no statement', {}, true],
    ['no statements', { Statement: [] }, true],
    ['not JSON', 'not json', true],
  ])('%s', (_name, policy, custom) => {
    const policyDocument =
      policy === undefined ? undefined : typeof policy === 'string' ? policy : JSON.stringify(policy);
    const p = planOne({ ...base, endpoints: replacing(base, endpoint('ecs', { policyDocument })) });
    expect({ policyDocument, findings: summary(p).findings, actions: p.actions }).toEqual({
      policyDocument,
      findings: custom ? ['ENDPOINT_POLICY_UNSUPPORTED:ecs'] : [],
      actions: [], // never reset by the tool
    });
    if (custom)
      expect(p.findings[0]).toMatchObject({
        severity: 'medium',
        resourceId: 'vpce-1ecs',
        message: 'ecs endpoint vpce-1ecs has a custom policy; ECS endpoints do not support endpoint policies',
      });
  });

  it('a custom policy on an endpoint that supports policies is not a finding', () => {
    const policyDocument = JSON.stringify({ Statement: [{ ...full, Effect: 'Deny' }] });
    const p = planOne({ ...base, endpoints: replacing(base, endpoint('ecr.api', { policyDocument })) });
    expect(summary(p)).toEqual({ findings: [], actions: [] });
  });
});

describe('VPC DNS attributes and DHCP options', () => {
  it.each<[string, Partial<ObservedVpc>, string[], string[]]>([
    [
      'both off: support first, then hostnames',
      { enableDnsSupport: false, enableDnsHostnames: false },
      ['VPC_DNS_SUPPORT_DISABLED', 'VPC_DNS_HOSTNAMES_DISABLED'],
      ['enableDnsSupport', 'enableDnsHostnames'],
    ],
    [
      'unread attributes are not findings',
      { enableDnsSupport: undefined, enableDnsHostnames: undefined },
      [],
      [],
    ],
  ])('%s', (_name, overrides, codes, attributes) => {
    const p = planOne({ ...base, ...overrides } as ObservedVpc);
    expect({
      codes: p.findings.map((f) => f.code),
      attributes: ofKind(p, 'EnableVpcDnsAttribute').map((a) => a.attribute),
    }).toEqual({
      codes,
      attributes,
    });
    for (const a of ofKind(p, 'EnableVpcDnsAttribute')) {
      expect(a.id).toBe(`vpc-1:EnableVpcDnsAttribute:${a.attribute}`);
      expect(a.reason).toBe(`interface endpoints need ${a.attribute} for private DNS`);
    }
  });

  it('names only the custom DNS servers', () => {
    const p = planOne({ ...base, domainNameServers: ['AmazonProvidedDNS', '10.0.0.2'] });
    expect(p.findings).toEqual([
      expect.objectContaining({
        code: 'CUSTOM_DNS_SERVERS',
        severity: 'high',
        resourceId: 'vpc-1',
        message:
          'DHCP options use custom DNS servers (10.0.0.2): only Amazon-provided DNS resolves endpoint private names',
      }),
    ]);
  });

  it('a VPC needing only the s3 gateway is not asked for DNS attributes or resolvers', () => {
    const interfaces = [
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
    const p = planOne(
      { ...base, enableDnsSupport: false, enableDnsHostnames: false, domainNameServers: ['10.0.0.2'] },
      { excludeServices: [...interfaces] },
    );
    expect(summary(p)).toEqual({ findings: [], actions: [] });
  });
});

describe('modes: only enforce applies', () => {
  const broken: ObservedVpc = { ...base, enableDnsHostnames: false, endpoints: without(base, 'ecs', 's3') };
  it.each<[string, string | undefined, Partial<RemediatorConfig>, string, boolean | 'none']>([
    ['enforce', 'enforce', {}, 'enforce', true],
    ['audit', 'audit', {}, 'audit', false],
    ['off', 'off', {}, 'off', 'none'],
    ['untagged, default audit', undefined, {}, 'audit', false],
    ['untagged, default enforce', undefined, { defaultMode: 'enforce' }, 'enforce', true],
    ['untagged, default off', undefined, { defaultMode: 'off' }, 'off', 'none'],
    ['" Enforce " (trimmed, any case)', ' Enforce ', {}, 'enforce', true],
    ['"OFF"', 'OFF', {}, 'off', 'none'],
    ['a bad value is audit', 'yes', { defaultMode: 'enforce' }, 'audit', false],
  ])('%s', (_name, tag, config, mode, apply) => {
    const tags: Record<string, string> = tag === undefined ? {} : { 'ecs-endpoint-remediator:mode': tag };
    const p = planOne({ ...broken, tags }, config);
    const applies = p.actions.length === 0 ? 'none' : [...new Set(p.actions.map((a) => a.apply))];
    expect({ tag, mode: p.mode, applies }).toEqual({
      tag,
      mode,
      applies: apply === 'none' ? 'none' : [apply],
    });
    if (mode === 'off')
      expect(p).toEqual({
        vpcId: 'vpc-1',
        mode: 'off',
        findings: [],
        actions: [],
        estimatedMonthlyCostUsd: 0,
      });
    else expect(p.findings.length).toBeGreaterThan(0);
  });

  it('reads the mode from the configured tag key', () => {
    const p = planOne({ ...broken, tags: { mine: 'enforce' } }, { modeTagKey: 'mine' });
    expect(p.mode).toBe('enforce');
  });

  it('warns about a bad mode value, naming the VPC, tag and value', () => {
    const result = planAll([{ ...broken, tags: { 'ecs-endpoint-remediator:mode': 'yes' } }]);
    expect(result.warnings).toEqual([
      'vpc-1: tag ecs-endpoint-remediator:mode="yes" is not one of enforce, audit, off; treated as audit',
    ]);
  });
});

describe('plan over a region', () => {
  it('plans only observed VPCs, keeps their order, adds the warnings and sums the cost', () => {
    const observed = region([healthyVpc(1, { endpoints: without(healthyVpc(1), 'ecs') }), healthyVpc(2)], {
      warnings: ['region warning'],
    });
    const desired = deriveDesired(observed, defaultConfig).vpcs;
    const ghost = { ...desired[0]!, vpcId: 'vpc-ghost' };
    const p = plan([ghost, ...desired], observed, {
      securityGroupName: SG_NAME,
      managedTagKey: MANAGED,
      warnings: ['derive warning'],
    });
    expect({
      vpcs: p.vpcs.map((v) => v.vpcId),
      warnings: p.warnings,
      cost: p.estimatedMonthlyCostUsd,
    }).toEqual({
      vpcs: ['vpc-1', 'vpc-2'],
      warnings: ['region warning', 'derive warning'],
      cost: 21.9,
    });
    expect(plan(desired, observed, { securityGroupName: SG_NAME, managedTagKey: MANAGED }).warnings).toEqual([
      'region warning',
    ]);
  });

  it('rounds the region total to cents', () => {
    // 3 × 1 AZ in eu-west-1 at 0.011: 8.03 each, 24.09 in total (not 24.089999…).
    const one = (i: number) =>
      healthyVpc(i, { endpoints: SERVICE_ENDPOINTS(i).filter((e) => e.service !== 'ecs') });
    const observed = { ...region([one(1), one(2), one(3)]), region: 'eu-west-1' };
    const desired = deriveDesired(observed, defaultConfig).vpcs.map((d) => ({ ...d, requiredAzs: [AZS[0]] }));
    const p = plan(desired, observed, { securityGroupName: SG_NAME, managedTagKey: MANAGED });
    expect({ each: p.vpcs.map((v) => v.estimatedMonthlyCostUsd), total: p.estimatedMonthlyCostUsd }).toEqual({
      each: [8.03, 8.03, 8.03],
      total: 24.09,
    });
  });

  it('hasDrift: findings or actions in any VPC', () => {
    const clean = planAll([base]);
    expect(hasDrift(clean)).toBe(false);
    expect(hasDrift(planAll([base, { ...base, vpcId: 'vpc-9', domainNameServers: ['10.0.0.2'] }]))).toBe(
      true,
    );
    expect(hasDrift(planAll([base, { ...base, vpcId: 'vpc-9', endpoints: without(base, 'ecs') }]))).toBe(
      true,
    );
    const actionsOnly: Plan = {
      ...clean,
      vpcs: [{ ...clean.vpcs[0]!, actions: planOne({ ...base, endpoints: without(base, 'ecs') }).actions }],
    };
    expect(hasDrift(actionsOnly)).toBe(true);
  });
});

function SERVICE_ENDPOINTS(index: number): ObservedEndpoint[] {
  return healthyVpc(index).endpoints.map((e) => ({ ...e }));
}

/**
 * What each action's fingerprint depends on (shared/core/fingerprint.ts), one state change at a time:
 * a saved plan must be refused when what an action relies on changed (or it would write from stale
 * state), and must still apply when only unrelated state changed. Each row prints the action, the
 * change and whether the fingerprint moved.
 */
import type {
  Action,
  DesiredVpc,
  ObservedContainerInstance,
  ObservedEndpoint,
  ObservedRegion,
  ObservedVpc,
} from '../../../shared/core/domain.js';
import {
  actionDependencies,
  actionFingerprint,
  canonicalJson,
  type FingerprintContext,
} from '../../../shared/core/fingerprint.js';
import { healthyVpc, region } from '../../support/fixtures.js';

const vpc = healthyVpc(1);
const desired: DesiredVpc = {
  vpcId: 'vpc-1',
  mode: 'enforce',
  services: new Map([
    ['ecs', 'r'],
    ['logs', 'r'],
    ['s3', 'r'],
  ]),
  requiredAzs: ['us-east-1a', 'us-east-1b'],
  clientCidrs: ['10.1.0.0/24'],
  restartNeedsSsmEndpoints: false,
};
const context: FingerprintContext = { observed: region([vpc]), desired: [desired] };

const base = { vpcId: 'vpc-1', reason: 'r', apply: true };
const ARN = (i: number) => `arn:aws:ecs:us-east-1:123456789012:container-instance/main/ci1${i}`;
const ref = (i: number) => ({
  clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/main',
  containerInstanceArn: ARN(i),
  ec2InstanceId: `i-10${i}`,
  platform: 'linux' as const,
});
const A = {
  dns: { ...base, id: 'd', kind: 'EnableVpcDnsAttribute', attribute: 'enableDnsHostnames' },
  group: { ...base, id: 'g', kind: 'CreateSecurityGroup', groupName: 'n', description: 'd' },
  ingress: {
    ...base,
    id: 'i',
    kind: 'AuthorizeHttpsIngress',
    group: { kind: 'existing', groupId: 'sg-1eer' },
    cidrs: ['10.1.0.0/24'],
  },
  ingressDedicated: {
    ...base,
    id: 'i2',
    kind: 'AuthorizeHttpsIngress',
    group: { kind: 'dedicated', vpcId: 'vpc-1' },
    cidrs: ['10.1.0.0/24'],
  },
  create: {
    ...base,
    id: 'c',
    kind: 'CreateVpcEndpoint',
    service: 'logs',
    serviceName: 'com.amazonaws.us-east-1.logs',
    endpointType: 'Interface',
    subnetIds: ['subnet-1p0'],
    securityGroup: { kind: 'existing', groupId: 'sg-1eer' },
    routeTableIds: ['rtb-1p'],
    privateDnsEnabled: true,
    clientToken: 't',
    newEndpointAzs: 1,
  },
  modify: {
    ...base,
    id: 'm',
    kind: 'ModifyVpcEndpoint',
    service: 'ecs',
    endpointId: 'vpce-1ecs',
    addSubnetIds: ['subnet-1p1'],
    addSecurityGroup: { kind: 'existing', groupId: 'sg-1eer' },
    enablePrivateDns: true,
    newEndpointAzs: 1,
  },
  routes: {
    ...base,
    id: 'r',
    kind: 'AddGatewayRoutes',
    service: 's3',
    endpointId: 'vpce-1s3',
    routeTableIds: ['rtb-1p'],
  },
  update: { ...base, id: 'u', kind: 'UpdateContainerAgent', instance: ref(0) },
  restart: { ...base, id: 'x', kind: 'RestartEcsAgent', instances: [ref(0), ref(1)], dependsOn: ['ecs'] },
} satisfies Record<string, Action>;

type Change = (c: FingerprintContext) => FingerprintContext;
const onVpc =
  (f: (v: ObservedVpc) => ObservedVpc): Change =>
  (c) => ({ ...c, observed: { ...c.observed, vpcs: c.observed.vpcs.map(f) } });
const onDesired =
  (f: (d: DesiredVpc) => DesiredVpc): Change =>
  (c) => ({ ...c, desired: c.desired.map(f) });
const onRegion =
  (f: (r: ObservedRegion) => ObservedRegion): Change =>
  (c) => ({ ...c, observed: f(c.observed) });
const onEndpoint = (id: string, o: Partial<ObservedEndpoint>) =>
  onVpc((v) => ({ ...v, endpoints: v.endpoints.map((e) => (e.endpointId === id ? { ...e, ...o } : e)) }));
const onGroupRule = (o: Record<string, unknown>) =>
  onVpc((v) => ({
    ...v,
    securityGroups: v.securityGroups.map((g) =>
      g.groupId === 'sg-1eer' ? { ...g, ingress: g.ingress.map((r) => ({ ...r, ...o })) } : g,
    ),
  }));
const onSubnet = (id: string, o: Record<string, unknown>) =>
  onVpc((v) => ({ ...v, subnets: v.subnets.map((s) => (s.subnetId === id ? { ...s, ...o } : s)) }));
const onTable = (o: Record<string, unknown>) =>
  onVpc((v) => ({ ...v, routeTables: v.routeTables.map((t) => ({ ...t, ...o })) }));
const onInstance = (i: number, o: Partial<ObservedContainerInstance>) =>
  onVpc((v) => ({
    ...v,
    containerInstances: v.containerInstances.map((c) =>
      c.containerInstanceArn === ARN(i) ? { ...c, ...o } : c,
    ),
  }));
const noSubnet = (id: string) =>
  onVpc((v) => ({ ...v, subnets: v.subnets.filter((s) => s.subnetId !== id) }));

const moves = (action: Action, change: Change) =>
  actionFingerprint(action, change(context)) !== actionFingerprint(action, context);

describe('an action’s fingerprint moves with what it depends on', () => {
  it.each<[string, Action, Change]>([
    // Every action: the VPC's mode and the VPC itself.
    ['dns: the mode', A.dns, onDesired((d) => ({ ...d, mode: 'audit' }))],
    ['dns: the VPC is gone', A.dns, onRegion((r) => ({ ...r, vpcs: [] }))],
    ['dns: the desired VPC is gone', A.dns, (c) => ({ ...c, desired: [] })],
    ['dns: enableDnsSupport', A.dns, onVpc((v) => ({ ...v, enableDnsSupport: false }))],
    ['dns: enableDnsSupport no longer read', A.dns, onVpc((v) => ({ ...v, enableDnsSupport: undefined }))],
    ['dns: enableDnsHostnames', A.dns, onVpc((v) => ({ ...v, enableDnsHostnames: false }))],
    [
      'dns: enableDnsHostnames no longer read',
      A.dns,
      onVpc((v) => ({ ...v, enableDnsHostnames: undefined })),
    ],
    [
      'group: a group is renamed',
      A.group,
      onVpc((v) => ({
        ...v,
        securityGroups: v.securityGroups.map((g) => ({ ...g, groupName: `${g.groupName}-x` })),
      })),
    ],
    [
      'group: a group id changes',
      A.group,
      onVpc((v) => ({
        ...v,
        securityGroups: v.securityGroups.map((g) => ({ ...g, groupId: `${g.groupId}-x` })),
      })),
    ],
    ['group: a group is gone', A.group, onVpc((v) => ({ ...v, securityGroups: v.securityGroups.slice(1) }))],
    ['ingress: the rule’s protocol', A.ingress, onGroupRule({ protocol: '-1' })],
    ['ingress: the rule’s from port', A.ingress, onGroupRule({ fromPort: 80 })],
    ['ingress: the rule’s from port is unset', A.ingress, onGroupRule({ fromPort: undefined })],
    ['ingress: the rule’s to port', A.ingress, onGroupRule({ toPort: 8443 })],
    ['ingress: the rule’s to port is unset', A.ingress, onGroupRule({ toPort: undefined })],
    ['ingress: the rule’s CIDRs', A.ingress, onGroupRule({ cidrBlocks: ['10.9.0.0/16'] })],
    ['ingress: the rule’s source groups', A.ingress, onGroupRule({ sourceGroupIds: ['sg-a'] })],
    ['ingress: the rule’s prefix lists', A.ingress, onGroupRule({ prefixListIds: ['pl-a'] })],
    [
      'ingress: the group is gone',
      A.ingress,
      onVpc((v) => ({ ...v, securityGroups: v.securityGroups.slice(0, 1) })),
    ],
    ['ingress: the client CIDRs', A.ingress, onDesired((d) => ({ ...d, clientCidrs: ['10.1.1.0/24'] }))],
    [
      'ingress (dedicated): the groups',
      A.ingressDedicated,
      onVpc((v) => ({ ...v, securityGroups: v.securityGroups.slice(1) })),
    ],
    ['create: still required', A.create, onDesired((d) => ({ ...d, services: new Map([['ecs', 'r']]) }))],
    ['create: the required AZs', A.create, onDesired((d) => ({ ...d, requiredAzs: ['us-east-1a'] }))],
    [
      'create: the offered AZs',
      A.create,
      onRegion((r) => ({
        ...r,
        endpointServices: r.endpointServices.map((o) =>
          o.service === 'logs' ? { ...o, availabilityZones: ['us-east-1a'] } : o,
        ),
      })),
    ],
    [
      'create: the offer is gone',
      A.create,
      onRegion((r) => ({ ...r, endpointServices: r.endpointServices.filter((o) => o.service !== 'logs') })),
    ],
    ['create: the existing endpoint’s state', A.create, onEndpoint('vpce-1logs', { state: 'deleted' })],
    ['create: the existing endpoint’s id', A.create, onEndpoint('vpce-1logs', { endpointId: 'vpce-new' })],
    ['create: the existing endpoint’s type', A.create, onEndpoint('vpce-1logs', { type: 'Gateway' })],
    ['create: the existing endpoint’s subnets', A.create, onEndpoint('vpce-1logs', { subnetIds: [] })],
    ['create: the existing endpoint’s groups', A.create, onEndpoint('vpce-1logs', { securityGroupIds: [] })],
    [
      'create: the existing endpoint’s route tables',
      A.create,
      onEndpoint('vpce-1logs', { routeTableIds: ['rtb-x'] }),
    ],
    [
      'create: the existing endpoint’s private DNS',
      A.create,
      onEndpoint('vpce-1logs', { privateDnsEnabled: false }),
    ],
    [
      'create: the existing endpoint is gone',
      A.create,
      onVpc((v) => ({ ...v, endpoints: v.endpoints.filter((e) => e.service !== 'logs') })),
    ],
    ['create: the subnet’s AZ', A.create, onSubnet('subnet-1p0', { availabilityZone: 'us-east-1f' })],
    ['create: the subnet’s CIDR', A.create, onSubnet('subnet-1p0', { cidrBlock: '10.1.9.0/24' })],
    ['create: the subnet’s route', A.create, onSubnet('subnet-1p0', { isPrivate: false })],
    ['create: the subnet is gone', A.create, noSubnet('subnet-1p0')],
    ['create: the route table’s subnets', A.create, onTable({ subnetIds: [] })],
    ['create: the route table’s gateway endpoints', A.create, onTable({ gatewayEndpointIds: [] })],
    ['create: the route table is gone', A.create, onVpc((v) => ({ ...v, routeTables: [] }))],
    ['create: the group’s rules', A.create, onGroupRule({ fromPort: 80 })],
    ['modify: still required', A.modify, onDesired((d) => ({ ...d, services: new Map([['logs', 'r']]) }))],
    ['modify: the required AZs', A.modify, onDesired((d) => ({ ...d, requiredAzs: ['us-east-1c'] }))],
    ['modify: the endpoint’s subnets', A.modify, onEndpoint('vpce-1ecs', { subnetIds: ['subnet-1p0'] })],
    ['modify: the endpoint’s state', A.modify, onEndpoint('vpce-1ecs', { state: 'pending' })],
    ['modify: the subnet to add', A.modify, onSubnet('subnet-1p1', { availabilityZone: 'us-east-1f' })],
    ['modify: the subnet to add is gone', A.modify, noSubnet('subnet-1p1')],
    ['modify: the group’s rules', A.modify, onGroupRule({ cidrBlocks: [] })],
    ['routes: the endpoint’s route tables', A.routes, onEndpoint('vpce-1s3', { routeTableIds: ['rtb-x'] })],
    ['routes: the route table’s subnets', A.routes, onTable({ subnetIds: ['subnet-1p0'] })],
    ['routes: the route table is gone', A.routes, onVpc((v) => ({ ...v, routeTables: [] }))],
    ['update: the agent version', A.update, onInstance(0, { agentVersion: '1.80.0' })],
    ['update: the agent version is unknown', A.update, onInstance(0, { agentVersion: undefined })],
    ['update: the agent connection', A.update, onInstance(0, { agentConnected: false })],
    ['update: the platform', A.update, onInstance(0, { platform: 'windows' })],
    ['update: SSM management', A.update, onInstance(0, { ssmManaged: false })],
    ['update: SSM management is unknown', A.update, onInstance(0, { ssmManaged: undefined })],
    ['update: the status', A.update, onInstance(0, { status: 'DRAINING' })],
    ['update: the EC2 instance', A.update, onInstance(0, { ec2InstanceId: 'i-other' })],
    [
      'update: the instance is gone',
      A.update,
      onVpc((v) => ({ ...v, containerInstances: v.containerInstances.slice(1) })),
    ],
    ['restart: the second instance', A.restart, onInstance(1, { agentConnected: false })],
    ['restart: an endpoint it waits for', A.restart, onEndpoint('vpce-1ecs', { state: 'pending' })],
  ])('%s', (what, action, change) => {
    expect({ what, moves: moves(action, change) }).toEqual({ what, moves: true });
  });
});

describe('and stays put when only other state changed', () => {
  it.each<[string, Action, Change]>([
    ['dns: a subnet', A.dns, onSubnet('subnet-1p0', { cidrBlock: '10.1.9.0/24' })],
    [
      'dns: the list order of endpoints',
      A.dns,
      onVpc((v) => ({ ...v, endpoints: [...v.endpoints].reverse() })),
    ],
    ['group: a rule of a group (only which groups exist counts)', A.group, onGroupRule({ fromPort: 80 })],
    [
      'ingress: another group',
      A.ingress,
      onVpc((v) => ({
        ...v,
        securityGroups: v.securityGroups.map((g) => (g.isDefault ? { ...g, groupName: 'x' } : g)),
      })),
    ],
    ['create: another service’s endpoint', A.create, onEndpoint('vpce-1ecs', { state: 'pending' })],
    ['create: a subnet it is not placed in', A.create, onSubnet('subnet-1p2', { cidrBlock: '10.1.9.0/24' })],
    [
      'create: the order of its endpoint’s subnets',
      A.create,
      onEndpoint('vpce-1logs', {
        subnetIds: [...(vpc.endpoints.find((e) => e.service === 'logs')?.subnetIds ?? [])].reverse(),
      }),
    ],
    [
      'create: another offer',
      A.create,
      onRegion((r) => ({ ...r, endpointServices: r.endpointServices.filter((o) => o.service !== 'ecs') })),
    ],
    [
      'create: the endpoint’s tags and policy',
      A.create,
      onEndpoint('vpce-1logs', { tags: { a: 'b' }, policyDocument: '{}' }),
    ],
    ['modify: another endpoint', A.modify, onEndpoint('vpce-1logs', { state: 'pending' })],
    ['routes: another endpoint', A.routes, onEndpoint('vpce-1ecs', { routeTableIds: ['rtb-x'] })],
    ['update: another instance', A.update, onInstance(1, { agentVersion: '1.0.0' })],
    [
      'update: the instance’s subnet and AZ',
      A.update,
      onInstance(0, { subnetId: 'subnet-x', availabilityZone: 'x' }),
    ],
    ['restart: an endpoint it does not wait for', A.restart, onEndpoint('vpce-1logs', { state: 'pending' })],
    ['restart: an instance it does not restart', A.restart, onInstance(2, { agentConnected: false })],
    [
      'any: a tag of the VPC other than the mode',
      A.create,
      onVpc((v) => ({ ...v, tags: { ...v.tags, team: 'x' } })),
    ],
  ])('%s', (what, action, change) => {
    // The change is real (the observed state differs), and the fingerprint ignores it.
    const changed = JSON.stringify(change(context).observed) !== JSON.stringify(context.observed);
    expect({ what, changed, moves: moves(action, change) }).toEqual({ what, changed: true, moves: false });
  });
});

describe('actionDependencies', () => {
  it('a VPC that is gone is all there is to say', () => {
    expect(actionDependencies(A.dns, { ...context, desired: [] })).toEqual({ vpcId: 'vpc-1', gone: true });
    expect(actionDependencies(A.dns, { ...context, observed: region([]) })).toEqual({
      vpcId: 'vpc-1',
      gone: true,
    });
  });

  it('names the kind, the VPC and the mode, and marks what is gone', () => {
    const gone = noSubnet('subnet-1p1')(context);
    expect(actionDependencies(A.modify, gone)).toMatchObject({
      kind: 'ModifyVpcEndpoint',
      vpcId: 'vpc-1',
      mode: 'enforce',
      service: 'ecs',
      required: true,
      subnets: [{ subnetId: 'subnet-1p1', gone: true }],
    });
  });

  it('throws on an unknown kind', () => {
    expect(() => actionDependencies({ ...A.dns, kind: 'Nope' } as unknown as Action, context)).toThrow(
      'unexpected action',
    );
  });
});

describe('canonicalJson', () => {
  it.each<[string, Parameters<typeof canonicalJson>[0], string]>([
    ['undefined', undefined, 'null'],
    ['null', null, 'null'],
    ['a string', 'a"b', '"a\\"b"'],
    ['a number and a boolean', [2, true], '[2,true]'],
    [
      'keys sorted, undefined members left out',
      { b: 1, a: undefined, c: { z: null, y: 'x' } },
      '{"b":1,"c":{"y":"x","z":null}}',
    ],
    ['arrays sorted by their canonical text', ['b', 'a', { k: 1 }, 'c'], '["a","b","c",{"k":1}]'],
    ['keys in code-unit order', { b: 1, B: 2, a: 3 }, '{"B":2,"a":3,"b":1}'],
    ['an empty object and array', { o: {}, a: [] }, '{"a":[],"o":{}}'],
  ])('%s', (_what, value, text) => {
    expect(canonicalJson(value)).toBe(text);
  });
});

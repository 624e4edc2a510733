/**
 * Event-scoped reads on the emulator (issue #12 item 1): an event naming one VPC reads only that VPC
 * (every EC2 Describe filtered by vpc-id or by ids), plans and writes only there, and costs the same
 * number of calls whatever the number of unrelated VPCs, except the ECS service listing (ECS cannot
 * filter services by VPC). Unknown VPCs change nothing; events that cannot be placed read the whole
 * Region once per batch.
 */
import { readFileSync } from 'node:fs';
import { DescribeSecurityGroupsCommand, DescribeVpcEndpointsCommand } from '@aws-sdk/client-ec2';
import { reconcileBatch, type QueueRecord, type ReconcileDeps } from '../../shared/app/reconcile-batch.js';
import { createRemediatorPorts } from '../../shared/app/ports.js';
import { countCalls } from '../../shared/aws/call-counter.js';
import { createAwsClients, type AwsClients } from '../../shared/aws/clients.js';
import { publishRestartDocument } from '../../scripts/seed/builders.js';
import { seedBenchAccount } from '../../scripts/seed/bench-account.js';
import { resetEmulator } from '../support/emulator.js';
import { ec2Filters, markRequestLog, type LoggedRequest } from '../support/request-log.js';
import { EMULATOR_APPLY_CONFIG } from '../support/emulator-config.js';

const REGION = 'us-east-1';
const EVENTS = new URL('../../events/', import.meta.url);
const UNKNOWN_VPC = 'vpc-0123456789abcdef0';
const config = EMULATOR_APPLY_CONFIG;

interface Logged {
  level: string;
  message: string;
  fields: Record<string, unknown>;
}

function deps(clients: AwsClients, logged: Logged[]): ReconcileDeps {
  const at =
    (level: string) =>
    (message: string, fields: Record<string, unknown> = {}) =>
      logged.push({ level, message, fields });
  return {
    ports: createRemediatorPorts(clients),
    config,
    region: REGION,
    selfRoleArns: [],
    log: { info: at('info'), warn: at('warn'), error: at('error') },
    metrics: { count: () => undefined },
  };
}

function sample(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(name, EVENTS), 'utf8')) as Record<string, unknown>;
}

function record(
  name: string,
  n: number,
  edit: (detail: { requestParameters: Record<string, unknown> }) => void,
) {
  const event = structuredClone(sample(name)) as {
    id: string;
    detail: { eventID: string; requestParameters: Record<string, unknown> };
  };
  event.id = `scoped-${n}`;
  event.detail.eventID = `ct-scoped-${n}`;
  edit(event.detail);
  return { messageId: `m-${n}`, body: JSON.stringify(event) } satisfies QueueRecord;
}

/** A ModifyVpcAttribute event naming `vpcId`. */
const vpcEvent = (vpcId: string, n: number) =>
  record('ec2-modify-vpc-attribute.json', n, (d) => {
    d.requestParameters.vpcId = vpcId;
  });

/** A RevokeSecurityGroupIngress event naming `groupId`. */
const groupEvent = (groupId: string, n: number) =>
  record('ec2-revoke-security-group-ingress.json', n, (d) => {
    d.requestParameters.groupId = groupId;
  });

/** Filters and id parameters that confine an EC2 request to named resources. */
const ID_FILTERS = [
  'vpc-endpoint-id',
  'group-id',
  'subnet-id',
  'network-acl-id',
  'instance-id',
  'dhcp-options-id',
];
const ID_PARAMS = /^(VpcId|GroupId(\.\d+)?|VpcEndpointId(\.\d+)?|InstanceId(\.\d+)?|SubnetId(\.\d+)?)$/;

/** EC2 Describe requests not confined to `vpcId` (by a vpc-id filter naming only it, or by ids). */
function unscopedDescribes(requests: readonly LoggedRequest[], vpcId: string) {
  return requests
    .filter((r) => r.service === 'ec2' && r.action.startsWith('Describe'))
    .filter((r) => {
      const filters = ec2Filters(r);
      const vpcFilter = filters['vpc-id'];
      if (vpcFilter) return !(vpcFilter.length > 0 && vpcFilter.every((v) => v === vpcId));
      if (ID_FILTERS.some((name) => filters[name]?.length)) return false;
      // The known services by name: not a per-VPC resource.
      if (r.action === 'DescribeVpcEndpointServices' && filters['service-name']?.length) return false;
      return !Object.keys(r.params ?? {}).some((key) => ID_PARAMS.test(key));
    })
    .map((r) => ({ action: r.action, params: r.params }));
}

/** The VpcId parameters of the write requests. */
const writtenVpcs = (requests: readonly LoggedRequest[]) =>
  requests
    .filter((r) => r.service === 'ec2' && !r.action.startsWith('Describe'))
    .map((r) => ({ action: r.action, vpcId: r.params?.VpcId }));

const writes = (requests: readonly LoggedRequest[]) =>
  requests.filter(
    (r) =>
      !/^(Describe|List|Get)/.test(r.action) &&
      // The emulator's own routes are not AWS requests.
      r.service !== '',
  );

async function liveEndpointCount(clients: AwsClients, vpcId: string): Promise<number> {
  const { VpcEndpoints = [] } = await clients.ec2.send(
    new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }),
  );
  return VpcEndpoints.filter((e) => !['deleted', 'deleting'].includes(String(e.State).toLowerCase())).length;
}

async function seeded(vpcCount: number, mode: 'audit' | 'enforce') {
  const endpoint = await resetEmulator();
  const clients = createAwsClients({ region: REGION, endpointUrl: endpoint });
  const account = await seedBenchAccount(clients, { vpcCount, subnetsPerVpc: 2, instancesPerVpc: 1, mode });
  await publishRestartDocument(clients.ssm, config.restartDocumentName);
  return { endpoint, clients, vpcIds: account.vpcIds };
}

/** Reconciles `records` and returns the calls made (client side) and the requests answered. */
async function reconcileCounted(world: Awaited<ReturnType<typeof seeded>>, records: QueueRecord[]) {
  const logged: Logged[] = [];
  const counter = countCalls(world.clients);
  const log = markRequestLog(world.endpoint);
  const result = await reconcileBatch(deps(world.clients, logged), records);
  return { result, logged, counts: counter.counts(), total: counter.total(), requests: log.since() };
}

const byService = (counts: Record<string, number>, service: string) =>
  Object.fromEntries(Object.entries(counts).filter(([api]) => api.startsWith(`${service}:`)));

describe('an event naming one VPC (audit VPCs: reads only)', () => {
  it('reads only that VPC, and the calls do not grow with unrelated VPCs but for the ECS service listing (3 vs 30)', async () => {
    const runs = [];
    for (const unrelated of [3, 30]) {
      const world = await seeded(unrelated + 1, 'audit');
      const target = world.vpcIds[0] as string;
      const run = await reconcileCounted(world, [vpcEvent(target, 1)]);
      expect(run.result.batchItemFailures).toEqual([]);
      expect(run.logged.find((l) => l.message === 'reconciling')?.fields.vpcIds).toEqual([target]);
      expect(unscopedDescribes(run.requests, target)).toEqual([]);
      // The emulator honours the filters: no answer names another VPC.
      const others = world.vpcIds.filter((id) => id !== target);
      const leaks = run.requests
        .filter((r) => r.service === 'ec2' && r.action.startsWith('Describe'))
        .flatMap((r) =>
          others.filter((id) => r.response.xml?.includes(id)).map((id) => `${r.action}: ${id}`),
        );
      expect(leaks).toEqual([]);
      expect(run.requests.find((r) => r.action === 'DescribeSubnets')?.response.xml).toContain(target);
      // ECS and SSM are asked only about the target's one container instance.
      const asked = (action: string, key: string) =>
        run.requests
          .filter((r) => r.action === action)
          .map((r) => (r.body?.[key] as unknown[] | undefined)?.length);
      expect(asked('DescribeContainerInstances', 'containerInstances')).toEqual([1]);
      expect(
        run.requests.filter((r) => r.action === 'DescribeInstanceInformation').map((r) => r.body?.Filters),
      ).toEqual([[{ Key: 'InstanceIds', Values: [expect.stringMatching(/^i-/)] }]]);
      runs.push({ unrelated, counts: run.counts, total: run.total });
    }
    const [few, many] = runs as [(typeof runs)[0], (typeof runs)[0]];
    console.log(
      `calls of one reconcile (one event, one VPC): ${few.unrelated} unrelated VPCs ${few.total}, ${many.unrelated} unrelated VPCs ${many.total}\n` +
        JSON.stringify({ [few.unrelated]: few.counts, [many.unrelated]: many.counts }, null, 1),
    );
    expect(byService(many.counts, 'EC2')).toEqual(byService(few.counts, 'EC2'));
    expect(byService(many.counts, 'SSM')).toEqual(byService(few.counts, 'SSM'));
    const ecsButServices = (counts: Record<string, number>) =>
      Object.fromEntries(
        Object.entries(byService(counts, 'ECS')).filter(
          ([api]) => api !== 'ECS:DescribeServices' && api !== 'ECS:ListServices',
        ),
      );
    expect(ecsButServices(many.counts)).toEqual(ecsButServices(few.counts));
    // One service per bench VPC, DescribeServices takes 10: ECS's only VPC-blind read.
    expect([few.counts['ECS:DescribeServices'], many.counts['ECS:DescribeServices']]).toEqual([
      Math.ceil((few.unrelated + 1) / 10),
      Math.ceil((many.unrelated + 1) / 10),
    ]);
    expect(many.counts['EC2:DescribeVpcAttribute']).toBe(2);
  });

  it('an event naming a security group places it with one lookup by group id, then reads only its VPC', async () => {
    const world = await seeded(4, 'audit');
    const target = world.vpcIds[2] as string;
    const { SecurityGroups = [] } = await world.clients.ec2.send(
      new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [target] }] }),
    );
    const groupId = SecurityGroups[0]?.GroupId ?? '';
    const run = await reconcileCounted(world, [groupEvent(groupId, 1)]);
    expect(run.logged.find((l) => l.message === 'reconciling')?.fields.vpcIds).toEqual([target]);
    const lookups = run.requests.filter(
      (r) => r.action === 'DescribeSecurityGroups' && ec2Filters(r)['group-id'] !== undefined,
    );
    expect(lookups.map((r) => ec2Filters(r))).toEqual([{ 'group-id': [groupId] }]);
    expect(unscopedDescribes(run.requests, target)).toEqual([]);
  });

  it('events that cannot be placed read the whole Region once per batch', async () => {
    const world = await seeded(4, 'audit');
    const run = await reconcileCounted(world, [
      groupEvent('sg-0000000000000000a', 1),
      groupEvent('sg-0000000000000000b', 2),
      vpcEvent(world.vpcIds[1] as string, 3),
    ]);
    expect(run.result.batchItemFailures).toEqual([]);
    const reconciling = run.logged.filter((l) => l.message === 'reconciling');
    expect(reconciling.map((l) => [l.fields.vpcIds, l.fields.unresolved])).toEqual([
      ['all', ['sg-0000000000000000a', 'sg-0000000000000000b']],
    ]);
    const vpcReads = run.requests.filter((r) => r.action === 'DescribeVpcs').map((r) => ec2Filters(r));
    expect(vpcReads).toEqual([{}]);
    expect(run.counts['EC2:DescribeSubnets']).toBe(1);
    expect(run.counts['ECS:ListClusters']).toBe(1);
  });
});

describe('an event naming one VPC (enforce VPCs, all drifted)', () => {
  let world: Awaited<ReturnType<typeof seeded>>;
  beforeAll(async () => {
    world = await seeded(4, 'enforce');
  });

  it('plans and writes only that VPC, every EC2 Describe filtered to it', async () => {
    const target = world.vpcIds[1] as string;
    const run = await reconcileCounted(world, [vpcEvent(target, 1)]);
    expect(run.result.batchItemFailures).toEqual([]);
    const report = run.result.reports[0];
    expect(report?.writeCalls).toBeGreaterThan(0);
    expect([...new Set(report?.outcomes.map((o) => o.vpcId))]).toEqual([target]);
    const vpcWrites = writtenVpcs(run.requests).filter((w) => w.vpcId !== undefined);
    expect(vpcWrites.length).toBeGreaterThan(0);
    expect(vpcWrites.filter((w) => w.vpcId !== target)).toEqual([]);
    expect(unscopedDescribes(run.requests, target)).toEqual([]);
    const live = await Promise.all(world.vpcIds.map((id) => liveEndpointCount(world.clients, id)));
    expect(live.map((n, i) => (world.vpcIds[i] === target ? n > 0 : n))).toEqual(
      world.vpcIds.map((id) => (id === target ? true : 0)),
    );
    console.log(`enforce reconcile of one VPC among 4: ${run.total} calls, ${report?.writeCalls} writes`);
  });

  it('an event naming a VPC that does not exist is logged and writes nothing', async () => {
    const run = await reconcileCounted(world, [vpcEvent(UNKNOWN_VPC, 2)]);
    expect(run.result.batchItemFailures).toEqual([]);
    expect(run.logged.filter((l) => l.level === 'warn').map((l) => l.fields.vpcIds)).toEqual([[UNKNOWN_VPC]]);
    expect(run.logged.find((l) => l.message === 'reconciling')?.fields.vpcIds).toEqual([]);
    expect(writes(run.requests).map((r) => r.action)).toEqual([]);
    expect(run.result.reports[0]?.writeCalls).toBe(0);
    expect(unscopedDescribes(run.requests, UNKNOWN_VPC)).toEqual([]);
  });
});

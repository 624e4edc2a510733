/**
 * The emulator scenario behind the fault-injection tests (test/reliability/fault-injection*.test.ts):
 * a drifted enforce VPC whose plan exercises every write, clients carrying a FaultInjector, and the
 * checks every case makes. See test/support/fault-injection.ts for how faults are injected.
 *
 * Everything is the emulator's own behaviour: both container instances are launched with an instance
 * profile (so SSM manages them), one with a current agent (restarted through SendCommand, its result
 * read with ListCommandInvocations) and one with an agent older than 1.25.1 on a public subnet (ECS
 * reaches it over the internet, so UpdateContainerAgent walks it to the latest version). The clock of
 * the runs moves the emulator's clock, so invocations and endpoints progress as the product waits. */
import { readFileSync } from 'node:fs';
import {
  AssociateDhcpOptionsCommand,
  CreateDhcpOptionsCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcAttributeCommand,
  DescribeVpcEndpointsCommand,
} from '@aws-sdk/client-ec2';
import { CreateDocumentCommand } from '@aws-sdk/client-ssm';
import type { LogSink } from '../../shared/app/observability.js';
import { createRemediatorPorts } from '../../shared/app/ports.js';
import { reconcileBatch, type ReconcileDeps } from '../../shared/app/reconcile-batch.js';
import { planObserved, planRegion } from '../../shared/app/remediator.js';
import { createAwsClients, type AwsClients } from '../../shared/aws/clients.js';
import { loadRestartDocument } from '../../shared/aws/restart-document.js';
import { emulatorControl } from '../../scripts/emulator/moto-server.js';
import type { Clock } from '../../shared/apply/agent-restart.js';
import { emulatorEndpoint } from './emulator.js';
import { defaultConfig } from '../../shared/core/config.js';
import type { ApplyReport, ObservedRegion, Plan } from '../../shared/core/domain.js';
import {
  availabilityZones,
  createCluster,
  createPublicSubnet,
  createInterfaceEndpoint,
  createPrivateSubnets,
  createSecurityGroup,
  createService,
  createVpc,
  ecrImage,
  launchContainerInstance,
  registerTaskDefinition,
} from '../../scripts/seed/builders.js';
import {
  FaultInjector,
  RETRYABLE,
  faultErrorName,
  type FaultKind,
  type ServiceLabel,
} from './fault-injection.js';

export const REGION = 'us-east-1';
const MODE_TAG = 'ecs-endpoint-remediator:mode';
const EVENTS = new URL('../../events/', import.meta.url);
export const config = {
  ...defaultConfig,
  updateOldAgents: true,
  maxChanges: 100,
  endpointWaitTimeoutSeconds: 60,
  agentWaitTimeoutSeconds: 60,
};

/** Outcomes recorded for RELIABILITY.md (each test file prints them at the end). */
export const table: string[] = [];

export interface FaultVpc {
  vpcId: string;
}

/**
 * A drifted enforce VPC whose plan exercises every write: DNS hostnames off (EnableVpcDnsAttribute),
 * no dedicated group (CreateSecurityGroup, AuthorizeHttpsIngress), the SSM trio and ecs-agent,
 * ecs-telemetry missing (CreateVpcEndpoint), `ecs` in one AZ of two behind a group without 443
 * (ModifyVpcEndpoint), one old agent (UpdateContainerAgent) and one to restart (SendCommand,
 * ListCommandInvocations, DescribeContainerInstances).
 */
export const OLD_AGENT_VERSION = '1.20.0';
export const CURRENT_AGENT_VERSION = '1.87.0';

export async function seedFaultVpc(
  clients: AwsClients,
  index: number,
  withService = false,
): Promise<FaultVpc> {
  const { ec2 } = clients;
  const octet = 60 + index;
  const name = `fault-${index}`;
  const vpcId = await createVpc(ec2, {
    cidr: `10.${octet}.0.0/16`,
    name,
    tags: { [MODE_TAG]: 'enforce' },
    enableDnsHostnames: false,
  });
  // As in AWS, where every VPC has a DHCP options set (the Region's default one names
  // AmazonProvidedDNS; moto associates none): so the reader's DescribeDhcpOptions is one of its reads.
  const { DhcpOptions } = await ec2.send(
    new CreateDhcpOptionsCommand({
      DhcpConfigurations: [{ Key: 'domain-name-servers', Values: ['AmazonProvidedDNS'] }],
    }),
  );
  await ec2.send(
    new AssociateDhcpOptionsCommand({ VpcId: vpcId, DhcpOptionsId: DhcpOptions?.DhcpOptionsId }),
  );
  const subnets = await createPrivateSubnets(ec2, {
    vpcId,
    cidrs: [`10.${octet}.1.0/24`, `10.${octet}.2.0/24`],
    availabilityZones: availabilityZones(REGION),
    namePrefix: name,
    routeTables: 'main',
  });
  const clusterArn = await createCluster(clients.ecs, name);
  // The agent to restart: current, in a private subnet (it reaches ECS and SSM once apply made the endpoints).
  await launchContainerInstance(clients, {
    clusterArn,
    subnet: subnets[0] as (typeof subnets)[number],
    name,
    ssmManaged: true,
    agentVersion: CURRENT_AGENT_VERSION,
  });
  // The agent to update: older than 1.25.1, so only an internet path reaches ECS (a public IP on a
  // public subnet); the update needs the agent connected.
  const publicSubnet = await createPublicSubnet(ec2, {
    vpcId,
    cidr: `10.${octet}.100.0/24`,
    availabilityZone: subnets[1]?.availabilityZone ?? `${REGION}b`,
    name: `${name}-public`,
  });
  await launchContainerInstance(clients, {
    clusterArn,
    subnet: publicSubnet,
    name,
    ssmManaged: true,
    agentVersion: OLD_AGENT_VERSION,
    publicIp: true,
  });
  if (withService) {
    // An EC2 service pulling a private image: the reader's ECS service and task definition reads run.
    const taskDefinitionArn = await registerTaskDefinition(clients, {
      family: name,
      image: ecrImage(REGION, name),
    });
    await createService(clients.ecs, { clusterArn, name, taskDefinitionArn });
  }
  const closed = await createSecurityGroup(ec2, { vpcId, name: `${name}-closed`, description: 'no 443' });
  await createInterfaceEndpoint(ec2, {
    region: REGION,
    vpcId,
    service: 'ecs',
    subnetIds: [subnets[0]?.subnetId ?? ''],
    securityGroupIds: [closed],
    privateDnsEnabled: true,
  });
  return { vpcId };
}

export async function createRestartDocument(clients: AwsClients): Promise<void> {
  await clients.ssm.send(
    new CreateDocumentCommand({
      Name: config.restartDocumentName,
      DocumentType: 'Command',
      DocumentFormat: 'YAML',
      Content: loadRestartDocument().content,
    }),
  );
}

/** A clock whose sleeps move the emulator's clock by as much (shared by the cases on one emulator). */
export function emulatorClock(endpointUrl: string = emulatorEndpoint()): Clock {
  let now = Date.parse('2026-11-28T21:00:00Z');
  return {
    now: () => now,
    sleep: async (ms) => {
      now += ms;
      await emulatorControl(endpointUrl, 'clock', { advanceSeconds: ms / 1000 });
    },
  };
}

export function clientsWith(endpointUrl: string): { clients: AwsClients; injector: FaultInjector } {
  const clients = createAwsClients({ region: REGION, endpointUrl, maxAttempts: 3 });
  const injector = new FaultInjector().install(clients);
  return { clients, injector };
}

export interface Captured {
  level: string;
  message: string;
  extra: Record<string, unknown>;
}

export function deps(
  clients: AwsClients,
  lines: Captured[],
  afterRead: (observed: ObservedRegion) => void = () => undefined,
  overrides: Partial<typeof config> = {},
): ReconcileDeps {
  const ports = createRemediatorPorts(clients);
  const log: LogSink = {
    info: (message, extra = {}) => lines.push({ level: 'info', message, extra }),
    warn: (message, extra = {}) => lines.push({ level: 'warn', message, extra }),
    error: (message, extra = {}) => lines.push({ level: 'error', message, extra }),
  };
  return {
    ports: {
      ...ports,
      reader: {
        readRegion: async (options) => {
          const observed = await ports.reader.readRegion(options);
          afterRead(observed);
          return observed;
        },
        locate: (refs) => ports.reader.locate(refs),
      },
    },
    config: { ...config, ...overrides },
    clock: emulatorClock(),
    region: REGION,
    selfRoleArns: [],
    log,
    metrics: { count: () => undefined },
  };
}

/** A ModifyVpcAttribute event naming the VPC: the reconcile narrows to it. */
export function eventFor(vpcId: string, n: number): { messageId: string; body: string } {
  const event = JSON.parse(readFileSync(new URL('ec2-modify-vpc-attribute.json', EVENTS), 'utf8')) as {
    id: string;
    detail: { eventID: string; requestParameters: Record<string, unknown> };
  };
  event.id = `fault-${n}-${vpcId}`;
  event.detail.eventID = `ct-fault-${n}-${vpcId}`;
  event.detail.requestParameters.vpcId = vpcId;
  return { messageId: `m-${n}`, body: JSON.stringify(event) };
}

export interface Snapshot {
  endpoints: Map<string, { service: string; detail: string }>;
  groups: Map<string, { name: string; ingress: string }>;
  dns: string;
}

export async function snapshot(clients: AwsClients, vpcId: string): Promise<Snapshot> {
  const { ec2 } = clients;
  const filter = [{ Name: 'vpc-id', Values: [vpcId] }];
  const [{ VpcEndpoints = [] }, { SecurityGroups = [] }, support, hostnames] = await Promise.all([
    ec2.send(new DescribeVpcEndpointsCommand({ Filters: filter })),
    ec2.send(new DescribeSecurityGroupsCommand({ Filters: filter })),
    ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsSupport' })),
    ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsHostnames' })),
  ]);
  return {
    endpoints: new Map(
      VpcEndpoints.filter((e) => !['deleted', 'deleting'].includes(String(e.State).toLowerCase())).map(
        (e) => [
          e.VpcEndpointId ?? '',
          {
            service: String(e.ServiceName).replace(`com.amazonaws.${REGION}.`, ''),
            detail: JSON.stringify([
              [...(e.SubnetIds ?? [])].sort(),
              (e.Groups ?? []).map((g) => g.GroupId).sort(),
              e.PrivateDnsEnabled,
              [...(e.RouteTableIds ?? [])].sort(),
            ]),
          },
        ],
      ),
    ),
    groups: new Map(
      SecurityGroups.map((g) => [
        g.GroupId ?? '',
        { name: g.GroupName ?? '', ingress: JSON.stringify(g.IpPermissions) },
      ]),
    ),
    dns: JSON.stringify([support.EnableDnsSupport?.Value, hostnames.EnableDnsHostnames?.Value]),
  };
}

/** Every difference between two snapshots must be something the plan names. */
export function expectOnlyPlannedChanges(before: Snapshot, after: Snapshot, plan: Plan, label: string): void {
  const actions = plan.vpcs.flatMap((v) => v.actions);
  const created = new Set<string>(
    actions.flatMap((a) => (a.kind === 'CreateVpcEndpoint' ? [a.service] : [])),
  );
  const modified = new Set(actions.flatMap((a) => (a.kind === 'ModifyVpcEndpoint' ? [a.endpointId] : [])));
  const groupName = actions.some((a) => a.kind === 'CreateSecurityGroup')
    ? config.endpointSecurityGroupName
    : undefined;
  const unexpected: string[] = [];
  for (const [id, e] of after.endpoints) {
    const was = before.endpoints.get(id);
    if (!was && !created.has(e.service)) unexpected.push(`new endpoint ${id} (${e.service})`);
    if (was && was.detail !== e.detail && !modified.has(id)) unexpected.push(`changed endpoint ${id}`);
  }
  for (const id of before.endpoints.keys())
    if (!after.endpoints.has(id)) unexpected.push(`gone endpoint ${id}`);
  for (const [id, g] of after.groups) {
    const was = before.groups.get(id);
    if (!was && g.name !== groupName) unexpected.push(`new group ${id} (${g.name})`);
    if (was && was.ingress !== g.ingress)
      unexpected.push(`changed rules of pre-existing group ${id} (${g.name})`);
  }
  const dnsPlanned = actions.some((a) => a.kind === 'EnableVpcDnsAttribute');
  if (before.dns !== after.dns && !dnsPlanned) unexpected.push('changed DNS attributes');
  expect({ label, unexpected }).toEqual({ label, unexpected: [] });
}

export function expectOneEndpointPerService(s: Snapshot, label: string): void {
  const counts = new Map<string, number>();
  for (const e of s.endpoints.values()) counts.set(e.service, (counts.get(e.service) ?? 0) + 1);
  expect({ label, duplicated: [...counts].filter(([, n]) => n > 1) }).toEqual({ label, duplicated: [] });
}

/** What is left once converged (nothing: the old agent was updated, the other one reconnected). */
export function leftovers(plan: Plan) {
  return plan.vpcs.map((v) => ({
    findings: v.findings.map((f) => f.code),
    actions: v.actions.map((a) => a.id),
  }));
}

/** Seconds the emulator needs for an agent update's stages (PENDING … UPDATED, 1 s each by default). */
const AGENT_UPDATE_SECONDS = 10;
/** The emulator's EMULATOR_AGENT_RECONNECT_SECONDS default: a disconnected agent reconnects by itself. */
const AGENT_RECONNECT_SECONDS = 600;

/** The error surfaced: in a failed outcome, a failed reconcile or a warning — and where. */
export function surfaced(
  name: string,
  reports: readonly ApplyReport[],
  lines: readonly Captured[],
): string | undefined {
  const failed = reports
    .flatMap((r) => r.outcomes)
    .find((o) => o.status === 'failed' && o.error.includes(name));
  if (failed) return `failed ${failed.kind}`;
  if (lines.some((l) => l.level === 'error' && JSON.stringify(l.extra).includes(name)))
    return 'reconcile failed, records retried';
  if (reports.some((r) => r.plan.warnings.some((w) => w.includes(name)))) return 'warning';
  return undefined;
}

export interface OpCase {
  service: ServiceLabel;
  operation: string;
  /** not-found is benign here (adapter contract), so the run converges anyway. */
  notFoundAbsorbed?: string;
}

/** Every call apply makes, in plan order (reads it makes to re-check state included). */
export const APPLY_CALLS: readonly OpCase[] = [
  { service: 'EC2', operation: 'ModifyVpcAttribute' },
  { service: 'EC2', operation: 'DescribeSecurityGroups' },
  { service: 'EC2', operation: 'CreateSecurityGroup' },
  { service: 'EC2', operation: 'AuthorizeSecurityGroupIngress' },
  { service: 'EC2', operation: 'DescribeVpcEndpoints' },
  { service: 'EC2', operation: 'CreateVpcEndpoint' },
  { service: 'EC2', operation: 'ModifyVpcEndpoint' },
  { service: 'ECS', operation: 'UpdateContainerAgent' },
  { service: 'SSM', operation: 'SendCommand' },
  { service: 'SSM', operation: 'ListCommandInvocations' },
  { service: 'ECS', operation: 'DescribeContainerInstances' },
];

/** One apply-phase case: a fresh drifted VPC, the fault armed once the state is read. */
export async function applyCase(
  endpointUrl: string,
  vpc: FaultVpc,
  op: OpCase,
  fault: FaultKind,
): Promise<void> {
  const { service, operation, notFoundAbsorbed } = op;
  const label = `${service}:${operation} ${fault}`;
  const { clients, injector } = clientsWith(endpointUrl);
  const clean = clientsWith(endpointUrl);
  const retryable = RETRYABLE.has(fault);
  const name = faultErrorName(service, operation, fault);
  injector.set(
    [{ service, operation, fault, times: retryable ? 2 : fault === 'accessDenied' ? Infinity : 1 }],
    false,
  );
  const before = await snapshot(clean.clients, vpc.vpcId);
  const lines: Captured[] = [];
  let observed: ObservedRegion | undefined;
  // Armed once the state is read: the fault hits apply's calls only (the reader's have their own table).
  const armAfterRead = (state: ObservedRegion) => {
    observed = state;
    injector.resetCounts();
    injector.arm();
  };
  const faultedDeps = deps(clients, lines, armAfterRead);
  const result = await reconcileBatch(faultedDeps, [eventFor(vpc.vpcId, 1)]);
  injector.disarm();
  const after = await snapshot(clean.clients, vpc.vpcId);
  // The plan the faulted run made from that state (the same whether or not the run then failed).
  const plan = planObserved(faultedDeps, {
    ...(observed as ObservedRegion),
    vpcs: (observed as ObservedRegion).vpcs.filter((v) => v.vpcId === vpc.vpcId),
  });

  const calls = injector.callsOf(service, operation);
  const attempts = injector.attemptsOf(service, operation);
  expect({ label, injected: injector.injectedInto(service, operation) > 0 }).toEqual({
    label,
    injected: true,
  });
  expectOnlyPlannedChanges(before, after, plan, label);
  expectOneEndpointPerService(after, label);
  let held: string;
  if (retryable) {
    // Each injected failure cost one extra attempt of the same call, and the run converged.
    expect({ label, extraAttempts: attempts - calls }).toEqual({ label, extraAttempts: 2 });
    expect({ label, failures: result.batchItemFailures }).toEqual({ label, failures: [] });
    expect({
      label,
      failed: result.reports.flatMap((r) => r.outcomes.filter((o) => o.status === 'failed')),
    }).toEqual({
      label,
      failed: [],
    });
    expect({ label, converged: result.reports[0]?.converged }).toEqual({ label, converged: true });
    held = `retried ×2 by the SDK, converged in the same run (${attempts} attempts for ${calls} calls)`;
  } else {
    expect({ label, retried: attempts - calls }).toEqual({ label, retried: 0 });
    const where = surfaced(name, result.reports, lines);
    if (fault === 'notFound' && notFoundAbsorbed) {
      expect({ label, converged: result.reports[0]?.converged }).toEqual({ label, converged: true });
      held = `not retried; absorbed: ${notFoundAbsorbed}`;
    } else {
      expect({ label, surfaced: where !== undefined }).toEqual({ label, surfaced: true });
      held = `not retried; surfaced as ${where}`;
    }
    // Without faults the next run converges.
    const again = await reconcileBatch(deps(clean.clients, []), [eventFor(vpc.vpcId, 2)]);
    expect({ label, failures: again.batchItemFailures }).toEqual({ label, failures: [] });
    // When the fault stopped the run before the agent restart, the next run plans none (the ECS
    // endpoints are in place by then: a restart is planned only with a change to them), so the agent
    // reconnects by itself once the path has existed for its poll-endpoint cache time.
    await emulatorControl(endpointUrl, 'clock', { advanceSeconds: AGENT_RECONNECT_SECONDS });
  }
  // UpdateContainerAgent only starts the update: let its stages run before the last plan.
  await emulatorControl(endpointUrl, 'clock', { advanceSeconds: AGENT_UPDATE_SECONDS });
  const final = await planRegion(deps(clean.clients, []), { vpcIds: [vpc.vpcId] });
  expect({ label, left: leftovers(final) }).toEqual({ label, left: [{ findings: [], actions: [] }] });
  expectOneEndpointPerService(await snapshot(clean.clients, vpc.vpcId), label);
  table.push(`| ${service}:${operation} | ${fault} (${name}) | ${held} |`);
}

/** Runs every case, then fails with all failures (not just the first). */
export async function allCases(cases: readonly (() => Promise<void>)[]): Promise<void> {
  const settled = await Promise.allSettled(cases.map((run) => run()));
  const errors = settled.flatMap((r) => (r.status === 'rejected' ? [r.reason as Error] : []));
  if (errors.length > 0) throw new Error(errors.map((e) => e.message).join('\n\n'));
}

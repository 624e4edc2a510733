/**
 * Applies a plan through the ports, as steps that never sleep on AWS. Invariants:
 * - only actions of enforce VPCs with `apply: true` are executed; everything else is skipped with why;
 * - the state an action depends on is re-read right before it writes, so a re-run, a retried step or
 *   a resumed workflow never creates a second endpoint for a service and "already done" is a skip,
 *   not a failure;
 * - a run stops before its write count would exceed `maxChanges`;
 * - the ECS trio is created one at a time, each available before the next (the AWS page's order),
 *   and no agent restart runs behind an endpoint that is not available.
 *
 * The run is a `RepairState` (plain JSON: a Step Functions execution carries it between steps).
 * `advanceRepair` moves every VPC that is not waiting as far as it can go without waiting, and
 * returns how long until one of them can go on (an endpoint still `pending`, an SSM command still
 * running, an agent not yet reconnected): the deployed workflow waits that long in a Wait state
 * (runbook/runbook.asl.yml), the CLI and the reconcile function in process (`applyPlan`). Both run
 * these same steps.
 */
import type {
  Action,
  ActionOutcome,
  ApplyReport,
  ContainerInstanceRef,
  Mode,
  ObservedEndpoint,
  Plan,
  SecurityGroupRef,
  ServiceName,
} from '../core/domain.js';
import { assertNever } from '../core/domain.js';
import type { RemediatorConfig } from '../core/config.js';
import type { CommandInvocation, PacingLevels, RemediatorPorts } from '../core/ports.js';
import { ECS_AGENT_SERVICES } from '../core/services.js';
import { errorMessage } from '../aws/aws-errors.js';
import { mapWithConcurrency } from '../aws/concurrency.js';
import { SSM_BATCH, pollInvocationsOnce, restartCommand, type Clock } from './agent-restart.js';

export { restartReasonParameter, type Clock } from './agent-restart.js';

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface ApplyOptions {
  readonly ports: Pick<RemediatorPorts, 'ec2' | 'ssm' | 'ecs' | 'throttle' | 'dns' | 'pacing'>;
  readonly config: Pick<
    RemediatorConfig,
    | 'maxChanges'
    | 'managedTagKey'
    | 'endpointSecurityGroupName'
    | 'restartDocumentName'
    | 'ssmMaxConcurrency'
    | 'ssmMaxErrors'
    | 'endpointWaitTimeoutSeconds'
    | 'agentWaitTimeoutSeconds'
    | 'maxParallelVpcs'
  >;
  readonly clock?: Clock;
  /** Progress lines for a terminal (what is being waited for, elapsed time). */
  readonly progress?: (line: string) => void;
  /** Called once per action of the plan with its first outcome (a later wait may still fail it). */
  readonly onActionDone?: (outcome: ActionOutcome) => void;
  /**
   * Steps of a workflow: an endpoint write whose client-side token is further away than this (ms)
   * ends the step instead of waiting in it (absent: the write waits for its token in process).
   */
  readonly yieldToPacingOverMs?: number;
  /**
   * Steps of a workflow: a step starts no VPC's next round of work after this long (ms), so it ends
   * well inside its Lambda's timeout; the VPCs go on at the next step (absent: no limit).
   */
  readonly stepBudgetMs?: number;
}

/** One VPC's progress through its actions (plain JSON). */
export interface VpcRepair {
  readonly vpcId: string;
  readonly mode: Mode;
  /** Index of the VPC in `plan.vpcs`. */
  readonly index: number;
  phase: 'queued' | 'running' | 'done';
  /** Indexes of the VPC's actions that have an outcome (an action waited on has none yet). */
  done: number[];
  groupId?: string;
  /**
   * Endpoint per service touched in this run, waited for before dependent steps, with when it was
   * written (or found pending): each endpoint's wait budget counts from then.
   */
  touched: Partial<Record<ServiceName, { endpointId: string; actionId: string; at: number }>>;
  /** Services whose endpoint is known unusable in this run, with why. */
  broken: Partial<Record<ServiceName, string>>;
  /** Services whose endpoint was seen available in this run. */
  available: ServiceName[];
  /** One outcome per action tried so far, in the plan's order. */
  outcomes: ActionOutcome[];
  /** When the VPC can go on (a wait's next check). */
  wakeAt: number;
  /** The current wait's next delay and when it began (absent: not waiting). */
  backoffMs: number;
  waitingSince?: number;
  /** The restart in progress, batch by batch. */
  restart?: RestartProgress;
}

interface RestartProgress {
  readonly startedAt: number;
  batch: number;
  commandId?: string;
  results: Record<string, CommandInvocation>;
  reconnected: string[];
  reconnecting: boolean;
}

/** A repair in progress; JSON, so a workflow can carry it from one step to the next. */
export interface RepairState {
  readonly version: 1;
  readonly plan: Plan;
  readonly vpcs: VpcRepair[];
  writes: number;
  /** Set once a write would exceed the change cap: every VPC stops trying new actions. */
  stopped: boolean;
  throttledRetries: number;
  /** The EC2 client's bucket levels at the end of the last step (a workflow's next step starts there). */
  pacing?: PacingLevels;
}

export interface RepairStep {
  readonly state: RepairState;
  readonly done: boolean;
  /** How long until a waiting VPC can go on (0 when done). */
  readonly waitMs: number;
}

const GONE = new Set(['deleted', 'deleting']);
const BROKEN = new Set(['failed', 'rejected', 'expired']);
const FIRST_DELAY_MS = 1000;
const ENDPOINT_MAX_DELAY_MS = 30_000;
const AGENT_MAX_DELAY_MS = 15_000;

class ChangeCapReached extends Error {}

/** Thrown inside a step when a VPC must wait `ms` before it can go on; never leaves the executor. */
class MustWait {
  constructor(readonly ms: number) {}
}

/** The start of a repair of `plan`: every VPC queued, nothing written. */
export function startRepair(plan: Plan): RepairState {
  return {
    version: 1,
    plan,
    vpcs: plan.vpcs.map((vpc, index) => ({
      vpcId: vpc.vpcId,
      mode: vpc.mode,
      index,
      phase: 'queued',
      done: [],
      touched: {},
      broken: {},
      available: [],
      outcomes: [],
      wakeAt: 0,
      backoffMs: FIRST_DELAY_MS,
    })),
    writes: 0,
    stopped: false,
    throttledRetries: 0,
  };
}

/**
 * One step: admits queued VPCs (at most `maxParallelVpcs` running at once, in the plan's order) and
 * runs every running VPC that is not waiting until it waits or ends. Never sleeps on AWS; returns a
 * new state (the input is not changed).
 */
export async function advanceRepair(previous: RepairState, options: ApplyOptions): Promise<RepairStep> {
  const state = structuredClone(previous);
  const clock = options.clock ?? realClock;
  if (state.pacing) options.ports.pacing?.restore(state.pacing);
  const throttledBefore = options.ports.throttle?.throttledRetries() ?? 0;
  const executor = new Executor(options, state, clock);
  const stepEnds = clock.now() + (options.stepBudgetMs ?? Number.POSITIVE_INFINITY);
  for (;;) {
    const now = clock.now();
    // A workflow's step ends within its budget (the Lambda's timeout); the next step goes on.
    if (now >= stepEnds) break;
    let running = state.vpcs.filter((v) => v.phase === 'running').length;
    for (const vpc of state.vpcs) {
      if (running >= options.config.maxParallelVpcs) break;
      if (vpc.phase !== 'queued') continue;
      vpc.phase = 'running';
      vpc.wakeAt = now;
      running++;
    }
    const ready = state.vpcs.filter((v) => v.phase === 'running' && v.wakeAt <= now);
    if (ready.length === 0) break;
    await mapWithConcurrency(ready, options.config.maxParallelVpcs, (vpc) => executor.advanceVpc(vpc));
  }
  state.throttledRetries += (options.ports.throttle?.throttledRetries() ?? 0) - throttledBefore;
  const levels = options.ports.pacing?.levels();
  if (levels) state.pacing = levels;
  const waiting = state.vpcs.filter((v) => v.phase !== 'done');
  if (waiting.length === 0) return { state, done: true, waitMs: 0 };
  const now = clock.now();
  const waitMs = Math.max(0, Math.min(...waiting.map((v) => v.wakeAt)) - now);
  return { state, done: false, waitMs };
}

/** What a finished (or stopped) repair did. */
export function repairReport(state: RepairState): ApplyReport {
  const outcomes = state.vpcs.flatMap((v) => v.outcomes);
  return {
    region: state.plan.region,
    plan: state.plan,
    outcomes,
    writeCalls: state.writes,
    throttledRetries: state.throttledRetries,
    stoppedAtMaxChanges: state.stopped,
    converged: !state.stopped && outcomes.every((o) => o.status !== 'failed'),
  };
}

/**
 * The repair in process (the CLI, the reconcile function, tests): the steps, with the waits between
 * them slept here. VPCs run side by side, at most maxParallelVpcs at a time; inside one VPC the
 * actions stay in the plan's order (the ECS trio one at a time). The change cap and the EC2 pacing
 * are shared by all of them. Outcomes are reported in the plan's VPC order.
 */
export async function applyPlan(plan: Plan, options: ApplyOptions): Promise<ApplyReport> {
  const clock = options.clock ?? realClock;
  let step = await advanceRepair(startRepair(plan), options);
  while (!step.done) {
    await clock.sleep(step.waitMs);
    step = await advanceRepair(step.state, options);
  }
  return repairReport(step.state);
}

function isAgentWork(action: Action): boolean {
  return action.kind === 'RestartEcsAgent' || action.kind === 'UpdateContainerAgent';
}

function markBroken(action: Action, run: VpcRepair, error: unknown): void {
  if (action.kind === 'CreateVpcEndpoint' || action.kind === 'ModifyVpcEndpoint') {
    run.broken[action.service] = `${action.kind} failed: ${errorMessage(error)}`;
  }
}

function skip(action: Action, why: string): ActionOutcome {
  return { status: 'skipped', actionId: action.id, kind: action.kind, vpcId: action.vpcId, why };
}

function applied(action: Action, resourceId?: string, detail?: string): ActionOutcome {
  return {
    status: 'applied',
    actionId: action.id,
    kind: action.kind,
    vpcId: action.vpcId,
    ...(resourceId ? { resourceId } : {}),
    ...(detail ? { detail } : {}),
  };
}

function fail(action: Action, error: unknown): ActionOutcome {
  return {
    status: 'failed',
    actionId: action.id,
    kind: action.kind,
    vpcId: action.vpcId,
    error: errorMessage(error),
  };
}

const entries = <V>(record: Partial<Record<ServiceName, V>>) => Object.entries(record) as [ServiceName, V][];

type EndpointWrite = 'CreateVpcEndpoint' | 'ModifyVpcEndpoint';

/**
 * Actions that may run while an earlier one of their VPC waits: endpoint writes outside the ECS trio
 * (their order is the AWS page's) and gateway routes. Agent work waits for every endpoint anyway, and
 * what comes before the endpoints in the plan (DNS attributes, the group and its rule) never waits.
 */
function runsAhead(action: Action): boolean {
  switch (action.kind) {
    case 'CreateVpcEndpoint':
    case 'ModifyVpcEndpoint':
      return !ECS_AGENT_SERVICES.includes(action.service);
    case 'AddGatewayRoutes':
      return true;
    default:
      return false;
  }
}

class Executor {
  /** The endpoint write in flight in this step (a workflow's steps write endpoints one at a time). */
  private endpointWrites: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: ApplyOptions,
    private readonly state: RepairState,
    private readonly clock: Clock,
  ) {}

  private actionsOf(vpc: VpcRepair): readonly Action[] {
    return this.state.plan.vpcs[vpc.index]?.actions ?? [];
  }

  /**
   * Runs the VPC's actions in the plan's order until one must wait; past it, only the actions that
   * depend on nothing waited for run meanwhile (`runsAhead`), so the account's endpoint tokens are not
   * left unused while the ECS trio provisions. The VPC then sleeps till `wakeAt`, or ends when all ran.
   */
  async advanceVpc(vpc: VpcRepair): Promise<void> {
    const actions = this.actionsOf(vpc);
    let waitMs: number | undefined;
    for (const [index, action] of actions.entries()) {
      if (vpc.done.includes(index)) continue;
      if (waitMs !== undefined && !runsAhead(action)) continue;
      try {
        this.record(vpc, index, await this.outcomeOf(action, vpc));
      } catch (error) {
        if (!(error instanceof MustWait)) throw error;
        waitMs = Math.min(waitMs ?? Number.POSITIVE_INFINITY, error.ms);
      }
    }
    try {
      if (waitMs !== undefined) throw new MustWait(waitMs);
      if (!this.state.stopped) await this.settleEndpoints(vpc);
      vpc.phase = 'done';
    } catch (error) {
      if (!(error instanceof MustWait)) throw error;
      vpc.wakeAt = this.clock.now() + error.ms;
    }
  }

  private async outcomeOf(action: Action, vpc: VpcRepair): Promise<ActionOutcome> {
    if (this.state.stopped) return skip(action, 'not tried: the change cap was reached earlier in this run');
    if (vpc.mode !== 'enforce' || !action.apply) return skip(action, `${vpc.mode} VPC: report only`);
    try {
      if (isAgentWork(action)) await this.settleEndpoints(vpc);
      return await this.execute(action, vpc);
    } catch (error) {
      if (error instanceof MustWait) throw error;
      // A restart stopped half-way is over: its next try starts from its first batch.
      delete vpc.restart;
      if (error instanceof ChangeCapReached) {
        this.state.stopped = true;
        return skip(action, error.message);
      }
      markBroken(action, vpc, error);
      return fail(action, error);
    }
  }

  private record(vpc: VpcRepair, index: number, outcome: ActionOutcome): void {
    vpc.done.push(index);
    // Kept in the plan's order, whatever order the actions ran in.
    const at = vpc.done.filter((i) => i < index).length;
    vpc.outcomes.splice(at, 0, outcome);
    vpc.backoffMs = FIRST_DELAY_MS;
    delete vpc.waitingSince;
    this.options.onActionDone?.(outcome);
  }

  /** Ends the step for this VPC: its next check in the current backoff (capped), never past `deadline`. */
  private wait(vpc: VpcRepair, maxDelayMs: number, deadline: number): MustWait {
    const now = this.clock.now();
    const ms = Math.min(vpc.backoffMs, Math.max(0, deadline - now));
    vpc.backoffMs = Math.min(vpc.backoffMs * 2, maxDelayMs);
    vpc.waitingSince ??= now;
    return new MustWait(ms);
  }

  private async write<T>(call: () => Promise<T>): Promise<T> {
    if (this.state.writes >= this.options.config.maxChanges) {
      throw new ChangeCapReached(
        `not applied: the change cap of ${this.options.config.maxChanges} write(s) per run was reached`,
      );
    }
    this.state.writes++;
    return call();
  }

  /** In a workflow's step, an endpoint write whose token is far away waits in a Wait state, not here. */
  private yieldToPacing(action: EndpointWrite): void {
    const limit = this.options.yieldToPacingOverMs;
    const pacing = this.options.ports.pacing;
    if (limit === undefined || !pacing) return;
    const readyInMs = pacing.readyInMs(action);
    if (readyInMs > limit) throw new MustWait(readyInMs);
  }

  /**
   * An endpoint write. In a workflow's step the VPCs' endpoint writes go one at a time, each after a
   * last look at its token, so two VPCs never both see the one token left and one of them waits for
   * the refill inside the step.
   */
  private async endpointWrite<T>(action: EndpointWrite, call: () => Promise<T>): Promise<T> {
    if (this.options.yieldToPacingOverMs === undefined) return this.write(call);
    const previous = this.endpointWrites;
    let release = () => {};
    this.endpointWrites = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      this.yieldToPacing(action);
      return await this.write(call);
    } finally {
      release();
    }
  }

  private get ec2() {
    return this.options.ports.ec2;
  }

  private get region() {
    return this.state.plan.region;
  }

  async execute(action: Action, run: VpcRepair): Promise<ActionOutcome> {
    switch (action.kind) {
      case 'EnableVpcDnsAttribute':
        await this.write(() => this.ec2.enableVpcDnsAttribute(action.vpcId, action.attribute));
        return applied(action, action.vpcId);
      case 'CreateSecurityGroup': {
        const existing = await this.ec2.findDedicatedSecurityGroup(action.vpcId, action.groupName);
        if (existing) {
          run.groupId = existing;
          return skip(action, `already exists: ${existing}`);
        }
        run.groupId = await this.write(() =>
          this.ec2.createSecurityGroup(
            action.vpcId,
            action.groupName,
            action.description,
            this.tags(action.reason),
          ),
        );
        return applied(action, run.groupId);
      }
      case 'AuthorizeHttpsIngress': {
        const groupId = await this.resolveGroup(action.group, run);
        await this.write(() =>
          this.ec2.authorizeHttpsIngress(
            groupId,
            action.cidrs,
            'ecs-endpoint-remediator: HTTPS to endpoints',
          ),
        );
        return applied(action, groupId, `tcp/443 from ${action.cidrs.join(', ')}`);
      }
      case 'CreateVpcEndpoint':
        return this.createEndpoint(action, run);
      case 'ModifyVpcEndpoint':
        return this.modifyEndpoint(action, run);
      case 'AddGatewayRoutes': {
        const current = await this.currentEndpoint(action.vpcId, (e) => e.endpointId === action.endpointId);
        if (!current)
          return skip(action, `endpoint ${action.endpointId} no longer exists; the next run plans again`);
        const missing = action.routeTableIds.filter((rt) => !current.routeTableIds.includes(rt));
        if (missing.length === 0) return skip(action, 'already on those route tables');
        await this.endpointWrite('ModifyVpcEndpoint', () =>
          this.ec2.modifyVpcEndpoint({ endpointId: action.endpointId, addRouteTableIds: missing }),
        );
        return applied(action, action.endpointId, `added ${missing.join(', ')}`);
      }
      case 'UpdateContainerAgent':
        await this.write(() =>
          this.options.ports.ecs.updateContainerAgent(
            action.instance.clusterArn,
            action.instance.containerInstanceArn,
          ),
        );
        return applied(action, action.instance.containerInstanceArn, 'agent update requested');
      case 'RestartEcsAgent':
        return this.restartAgents(action, run);
      case 'AssociateVpcWithHostedZone': {
        const dns = this.options.ports.dns;
        if (!dns) return skip(action, 'no Route 53 client in this run');
        const result = await this.write(() =>
          dns.associateVpcWithHostedZone(action.zoneId, action.vpcId, this.region),
        );
        // The hub serves the name from now on: agents that restart after this reconnect through it.
        if (!run.available.includes(action.service)) run.available.push(action.service);
        return result === 'alreadyAssociated'
          ? skip(action, `already associated with ${action.zoneName}`)
          : applied(action, action.zoneId, `associated with ${action.zoneName}`);
      }
      default:
        return assertNever(action, 'action');
    }
  }

  private tags(reason: string): Record<string, string> {
    return {
      [this.options.config.managedTagKey]: 'true',
      'ecs-endpoint-remediator:reason': reason.slice(0, 256),
    };
  }

  private async resolveGroup(ref: SecurityGroupRef, run: VpcRepair): Promise<string> {
    if (ref.kind === 'existing') return ref.groupId;
    if (run.groupId) return run.groupId;
    const found = await this.ec2.findDedicatedSecurityGroup(
      ref.vpcId,
      this.options.config.endpointSecurityGroupName,
    );
    if (!found)
      throw new Error(
        `the dedicated security group of ${ref.vpcId} does not exist (its creation failed or was skipped)`,
      );
    run.groupId = found;
    return found;
  }

  private async currentEndpoint(
    vpcId: string,
    match: (e: ObservedEndpoint) => boolean,
  ): Promise<ObservedEndpoint | undefined> {
    const endpoints = await this.ec2.describeVpcEndpoints(vpcId);
    return endpoints.find((e) => !GONE.has(e.state) && match(e));
  }

  /** The ECS trio goes one at a time: the previous one must be available before the next is created. */
  private async awaitPredecessor(service: ServiceName, run: VpcRepair): Promise<string | undefined> {
    const index = ECS_AGENT_SERVICES.indexOf(service);
    if (index <= 0) return undefined;
    const previous = ECS_AGENT_SERVICES[index - 1] as ServiceName;
    const reason = run.broken[previous];
    if (reason) return `${previous} is not available (${reason})`;
    if (!run.touched[previous] || run.available.includes(previous)) return undefined;
    await this.checkEndpoints(run, [previous]);
    const why = run.broken[previous];
    return why ? `${previous} is not available (${why})` : undefined;
  }

  private async createEndpoint(
    action: Extract<Action, { kind: 'CreateVpcEndpoint' }>,
    run: VpcRepair,
  ): Promise<ActionOutcome> {
    const blocked = await this.awaitPredecessor(action.service, run);
    if (blocked) {
      run.broken[action.service] = `not created: ${blocked}`;
      return skip(action, `not created: ${blocked}`);
    }
    this.yieldToPacing('CreateVpcEndpoint');
    const existing = await this.currentEndpoint(
      action.vpcId,
      (e) => e.serviceName === action.serviceName && e.type === action.endpointType,
    );
    if (existing) {
      run.touched[action.service] = {
        endpointId: existing.endpointId,
        actionId: action.id,
        at: this.clock.now(),
      };
      return skip(action, `already exists: ${existing.endpointId} (${existing.state})`);
    }
    const securityGroupIds = action.securityGroup ? [await this.resolveGroup(action.securityGroup, run)] : [];
    const endpointId = await this.endpointWrite('CreateVpcEndpoint', () =>
      this.ec2.createVpcEndpoint({
        vpcId: action.vpcId,
        serviceName: action.serviceName,
        endpointType: action.endpointType,
        subnetIds: action.subnetIds,
        securityGroupIds,
        routeTableIds: action.routeTableIds,
        privateDnsEnabled: action.privateDnsEnabled,
        clientToken: action.clientToken,
        tags: this.tags(action.reason),
      }),
    );
    run.touched[action.service] = { endpointId, actionId: action.id, at: this.clock.now() };
    return applied(action, endpointId);
  }

  private async modifyEndpoint(
    action: Extract<Action, { kind: 'ModifyVpcEndpoint' }>,
    run: VpcRepair,
  ): Promise<ActionOutcome> {
    const blocked = await this.awaitPredecessor(action.service, run);
    if (blocked) {
      run.broken[action.service] = `not repaired: ${blocked}`;
      return skip(action, `not repaired: ${blocked}`);
    }
    const current = await this.currentEndpoint(action.vpcId, (e) => e.endpointId === action.endpointId);
    if (!current)
      return skip(action, `endpoint ${action.endpointId} no longer exists; the next run plans again`);
    const addSubnetIds = action.addSubnetIds.filter((id) => !current.subnetIds.includes(id));
    const groupId = action.addSecurityGroup
      ? await this.resolveGroup(action.addSecurityGroup, run)
      : undefined;
    const addSecurityGroupIds = groupId && !current.securityGroupIds.includes(groupId) ? [groupId] : [];
    const enablePrivateDns = action.enablePrivateDns && !current.privateDnsEnabled;
    if (addSubnetIds.length === 0 && addSecurityGroupIds.length === 0 && !enablePrivateDns) {
      return skip(action, 'already repaired');
    }
    await this.endpointWrite('ModifyVpcEndpoint', () =>
      this.ec2.modifyVpcEndpoint({
        endpointId: action.endpointId,
        ...(addSubnetIds.length ? { addSubnetIds } : {}),
        ...(addSecurityGroupIds.length ? { addSecurityGroupIds } : {}),
        ...(enablePrivateDns ? { enablePrivateDns: true } : {}),
      }),
    );
    run.touched[action.service] = {
      endpointId: action.endpointId,
      actionId: action.id,
      at: this.clock.now(),
    };
    const changes = [
      addSubnetIds.length ? `subnets ${addSubnetIds.join(', ')}` : '',
      addSecurityGroupIds.length ? `group ${addSecurityGroupIds.join(', ')}` : '',
      enablePrivateDns ? 'private DNS on' : '',
    ].filter(Boolean);
    return applied(action, action.endpointId, changes.join('; '));
  }

  /**
   * One look at the touched endpoints of `services` that are not known available or broken: the
   * available and the broken ones are recorded; while some are still pending, the VPC waits
   * (backoff, within the VPC's endpoint budget), and past the budget they are broken.
   */
  async checkEndpoints(run: VpcRepair, services: readonly ServiceName[]): Promise<void> {
    const pending = new Map(
      services.flatMap((s) => {
        const t = run.touched[s];
        return t && !run.available.includes(s) && run.broken[s] === undefined
          ? [[s, t.endpointId] as const]
          : [];
      }),
    );
    if (pending.size === 0) return;
    const states = new Map(
      (await this.ec2.describeVpcEndpoints(run.vpcId, [...pending.values()])).map((e) => [
        e.endpointId,
        e.state,
      ]),
    );
    for (const [service, endpointId] of [...pending]) {
      const state = states.get(endpointId) ?? 'deleted';
      if (state === 'available') {
        run.available.push(service);
        pending.delete(service);
      } else if (BROKEN.has(state) || GONE.has(state)) {
        run.broken[service] = `endpoint ${endpointId} is ${state}`;
        pending.delete(service);
      }
    }
    // Each endpoint has endpointWaitTimeoutSeconds from its own write: past it, it is unusable.
    const now = this.clock.now();
    const budgetMs = this.options.config.endpointWaitTimeoutSeconds * 1000;
    const since = (service: ServiceName) => run.touched[service]?.at ?? now;
    for (const [service, endpointId] of [...pending]) {
      if (now < since(service) + budgetMs) continue;
      run.broken[service] =
        `endpoint ${endpointId} still ${states.get(endpointId) ?? 'missing'} after ${Math.round((now - since(service)) / 1000)} s`;
      pending.delete(service);
    }
    if (pending.size === 0) {
      run.backoffMs = FIRST_DELAY_MS;
      delete run.waitingSince;
      return;
    }
    const deadline = Math.min(...[...pending.keys()].map((s) => since(s) + budgetMs));
    this.options.progress?.(
      `${run.vpcId}: waiting for ${[...pending].map(([s, id]) => `${s} (${id}, ${Math.round((now - since(s)) / 1000)} s)`).join(', ')} to be available…`,
    );
    throw this.wait(run, ENDPOINT_MAX_DELAY_MS, deadline);
  }

  /** Waits for every endpoint touched in the VPC and turns the ones that never became available into failures. */
  async settleEndpoints(run: VpcRepair): Promise<void> {
    await this.checkEndpoints(
      run,
      entries(run.touched).map(([service]) => service),
    );
    for (const [service, why] of entries(run.broken)) {
      const actionId = run.touched[service]?.actionId;
      const at = actionId ? run.outcomes.findIndex((o) => o.actionId === actionId) : -1;
      const previous = run.outcomes[at];
      if (previous && actionId && previous.status !== 'failed') {
        run.outcomes[at] = {
          status: 'failed',
          actionId,
          kind: previous.kind,
          vpcId: previous.vpcId,
          error: `${why}: dependent steps are not run`,
        };
      }
    }
  }

  /**
   * The VPC's agents restart once their endpoints are available: one SendCommand per batch of 50,
   * each batch's invocations checked until final, then ECS asked until every restarted agent is
   * connected again, all within `agentWaitTimeoutSeconds` from the first command.
   */
  private async restartAgents(
    action: Extract<Action, { kind: 'RestartEcsAgent' }>,
    run: VpcRepair,
  ): Promise<ActionOutcome> {
    const { config } = this.options;
    if (!run.restart) {
      await this.awaitDependencies(action, run);
      const blockers = action.dependsOn.flatMap((s) => {
        const why = run.broken[s];
        return why ? [`${s}: ${why}`] : [];
      });
      if (blockers.length > 0)
        return skip(action, `not restarted behind a broken endpoint (${blockers.join('; ')})`);
      run.restart = {
        startedAt: this.clock.now(),
        batch: 0,
        results: {},
        reconnected: [],
        reconnecting: false,
      };
    }
    const restart = run.restart;
    const deadline = restart.startedAt + config.agentWaitTimeoutSeconds * 1000;
    while (!restart.reconnecting) {
      const batch = action.instances.slice(restart.batch * SSM_BATCH, (restart.batch + 1) * SSM_BATCH);
      if (batch.length === 0) {
        restart.reconnecting = true;
        break;
      }
      if (!restart.commandId) {
        const instanceIds = batch.map((b) => b.ec2InstanceId);
        restart.commandId = await this.write(() =>
          this.options.ports.ssm.sendCommand(
            restartCommand(config, action.vpcId, action.reason, instanceIds),
          ),
        );
      }
      const { commandId } = restart;
      const done = await pollInvocationsOnce(this.options.ports.ssm, commandId, batch, {
        now: this.clock.now(),
        deadline,
      });
      for (const [id, invocation] of done) restart.results[id] = invocation;
      if (done.size < batch.length) {
        const since = run.waitingSince ?? this.clock.now();
        this.options.progress?.(
          `command ${commandId}: ${done.size}/${batch.length} finished… ${Math.round((this.clock.now() - since) / 1000)} s`,
        );
        throw this.wait(run, AGENT_MAX_DELAY_MS, deadline);
      }
      run.backoffMs = FIRST_DELAY_MS;
      delete run.waitingSince;
      restart.batch++;
      delete restart.commandId;
    }
    const results = restart.results;
    const restarted = action.instances.filter((i) => results[i.ec2InstanceId]?.status === 'Success');
    const waiting = await this.stillDisconnected(restarted, restart);
    if (waiting.length > 0 && this.clock.now() < deadline) {
      this.options.progress?.(`waiting for ${waiting.length} agent(s) to reconnect…`);
      throw new MustWait(this.nextAgentCheck(run));
    }
    delete run.restart;
    const failedCommands = Object.values(results).filter((r) => r.status !== 'Success');
    const problems = [
      ...failedCommands.map(
        (r) => `${r.instanceId}: command ${r.status}${r.output ? ` (${r.output.slice(0, 200)})` : ''}`,
      ),
      ...waiting.map((i) => `${i.ec2InstanceId}: agent not reconnected`),
    ];
    const detail = `${restarted.length}/${action.instances.length} restarted, ${restarted.length - waiting.length} reconnected`;
    if (problems.length > 0) return fail(action, new Error(`${detail}; ${problems.join('; ')}`));
    return applied(action, undefined, detail);
  }

  /** The reconnection checks back off without a deadline cap of their own (the check after it decides). */
  private nextAgentCheck(run: VpcRepair): number {
    const ms = run.backoffMs;
    run.backoffMs = Math.min(run.backoffMs * 2, AGENT_MAX_DELAY_MS);
    run.waitingSince ??= this.clock.now();
    return ms;
  }

  /** Endpoints the restart depends on that this run did not touch (e.g. still pending from an earlier run). */
  private async awaitDependencies(
    action: Extract<Action, { kind: 'RestartEcsAgent' }>,
    run: VpcRepair,
  ): Promise<void> {
    const unknown = action.dependsOn.filter(
      (s) => !run.touched[s] && !run.available.includes(s) && run.broken[s] === undefined,
    );
    if (unknown.length > 0) {
      const endpoints = await this.ec2.describeVpcEndpoints(run.vpcId);
      for (const service of unknown) {
        const endpoint = endpoints.find((e) => e.service === service && !GONE.has(e.state));
        if (!endpoint) run.broken[service] = `no ${service} endpoint exists`;
        else if (endpoint.state === 'available') run.available.push(service);
        else
          run.touched[service] = {
            endpointId: endpoint.endpointId,
            actionId: action.id,
            at: this.clock.now(),
          };
      }
    }
    await this.checkEndpoints(run, action.dependsOn);
  }

  /** One ECS look at the restarted agents not yet seen connected; records the ones that are. */
  private async stillDisconnected(
    instances: readonly ContainerInstanceRef[],
    restart: RestartProgress,
  ): Promise<ContainerInstanceRef[]> {
    const waiting = instances.filter((r) => !restart.reconnected.includes(r.containerInstanceArn));
    if (waiting.length === 0) return [];
    const byCluster = new Map<string, ContainerInstanceRef[]>();
    for (const ref of waiting) byCluster.set(ref.clusterArn, [...(byCluster.get(ref.clusterArn) ?? []), ref]);
    for (const [cluster, refs] of byCluster) {
      const states = await this.options.ports.ecs.describeContainerInstances(
        cluster,
        refs.map((r) => r.containerInstanceArn),
      );
      for (const s of states) if (s.agentConnected) restart.reconnected.push(s.containerInstanceArn);
    }
    return waiting.filter((r) => !restart.reconnected.includes(r.containerInstanceArn));
  }
}

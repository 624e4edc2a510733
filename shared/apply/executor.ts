/**
 * Applies a plan through the ports. Invariants:
 * - only actions of enforce VPCs with `apply: true` are executed; everything else is skipped with why;
 * - the state an action depends on is re-read right before it writes, so a re-run or a retried run
 *   never creates a second endpoint for a service and "already done" is a skip, not a failure;
 * - a run stops before its write count would exceed `maxChanges`;
 * - the ECS trio is created one at a time, each available before the next (the AWS page's order),
 *   and no agent restart runs behind an endpoint that is not available.
 */
import type {
  Action,
  ActionOutcome,
  ApplyReport,
  ContainerInstanceRef,
  ObservedEndpoint,
  Plan,
  SecurityGroupRef,
  ServiceName,
} from '../core/domain.js';
import { assertNever } from '../core/domain.js';
import type { RemediatorConfig } from '../core/config.js';
import type { CommandInvocation, RemediatorPorts } from '../core/ports.js';
import { ECS_AGENT_SERVICES } from '../core/services.js';
import { errorMessage } from '../aws/aws-errors.js';
import { mapWithConcurrency } from '../aws/concurrency.js';
import { SSM_BATCH, pollInvocations, restartCommand, type Clock } from './agent-restart.js';

export { restartReasonParameter, type Clock } from './agent-restart.js';

export const realClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

export interface ApplyOptions {
  readonly ports: Pick<RemediatorPorts, 'ec2' | 'ssm' | 'ecs' | 'throttle' | 'dns'>;
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
}

const GONE = new Set(['deleted', 'deleting']);
const BROKEN = new Set(['failed', 'rejected', 'expired']);

class ChangeCapReached extends Error {}

class VpcRun {
  groupId: string | undefined;
  /** Endpoint id per service touched in this run, waited for before dependent steps. */
  readonly touched = new Map<ServiceName, { endpointId: string; actionId: string }>();
  /** Services whose endpoint is known unusable in this run, with why. */
  readonly broken = new Map<ServiceName, string>();
  /** Services whose endpoint was seen available in this run. */
  readonly available = new Set<ServiceName>();
  constructor(readonly vpcId: string) {}
}

export async function applyPlan(plan: Plan, options: ApplyOptions): Promise<ApplyReport> {
  const executor = new Executor(options, plan.region);
  const throttledBefore = options.ports.throttle?.throttledRetries() ?? 0;
  // VPCs run side by side, at most maxParallelVpcs at a time; inside one VPC the actions stay in the
  // plan's order (the ECS trio one at a time). The change cap, the endpoint wait budget and the EC2
  // pacing are shared by all of them. Outcomes are reported in the plan's VPC order, whatever the
  // order the VPCs finished in.
  const perVpc = await mapWithConcurrency(plan.vpcs, options.config.maxParallelVpcs, (vpcPlan) =>
    executor.applyVpc(vpcPlan),
  );
  const outcomes = perVpc.flat();
  const stopped = executor.stopped;
  return {
    region: plan.region,
    plan,
    outcomes,
    writeCalls: executor.writes,
    throttledRetries: (options.ports.throttle?.throttledRetries() ?? 0) - throttledBefore,
    stoppedAtMaxChanges: stopped,
    converged: !stopped && outcomes.every((o) => o.status !== 'failed'),
  };
}

function isAgentWork(action: Action): boolean {
  return action.kind === 'RestartEcsAgent' || action.kind === 'UpdateContainerAgent';
}

function markBroken(action: Action, run: VpcRun, error: unknown): void {
  if (action.kind === 'CreateVpcEndpoint' || action.kind === 'ModifyVpcEndpoint') {
    run.broken.set(action.service, `${action.kind} failed: ${errorMessage(error)}`);
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

class Executor {
  writes = 0;
  /** Set once a write would exceed the change cap: every VPC stops trying new actions. */
  stopped = false;
  private readonly clock: Clock;

  /** Endpoint waits share one budget per run, so a run's total wait stays within a function timeout. */
  private readonly endpointDeadline: number;

  constructor(
    private readonly options: ApplyOptions,
    private readonly region: string,
  ) {
    this.clock = options.clock ?? realClock;
    this.endpointDeadline = this.clock.now() + options.config.endpointWaitTimeoutSeconds * 1000;
  }

  async applyVpc(vpcPlan: Plan['vpcs'][number]): Promise<ActionOutcome[]> {
    const { options } = this;
    const run = new VpcRun(vpcPlan.vpcId);
    const vpcOutcomes = new Map<string, ActionOutcome>();
    const done = (action: Action) => {
      const outcome = vpcOutcomes.get(action.id);
      if (outcome) options.onActionDone?.(outcome);
    };
    for (const action of vpcPlan.actions) {
      if (this.stopped) {
        vpcOutcomes.set(action.id, skip(action, 'not tried: the change cap was reached earlier in this run'));
        done(action);
        continue;
      }
      if (vpcPlan.mode !== 'enforce' || !action.apply) {
        vpcOutcomes.set(action.id, skip(action, `${vpcPlan.mode} VPC: report only`));
        done(action);
        continue;
      }
      try {
        if (isAgentWork(action)) await this.settleEndpoints(run, vpcOutcomes);
        vpcOutcomes.set(action.id, await this.execute(action, run));
      } catch (error) {
        if (error instanceof ChangeCapReached) {
          this.stopped = true;
          vpcOutcomes.set(action.id, skip(action, error.message));
        } else {
          vpcOutcomes.set(action.id, fail(action, error));
          markBroken(action, run, error);
        }
      }
      done(action);
    }
    if (!this.stopped) await this.settleEndpoints(run, vpcOutcomes);
    return [...vpcOutcomes.values()];
  }

  private async write<T>(call: () => Promise<T>): Promise<T> {
    if (this.writes >= this.options.config.maxChanges) {
      throw new ChangeCapReached(
        `not applied: the change cap of ${this.options.config.maxChanges} write(s) per run was reached`,
      );
    }
    this.writes++;
    return call();
  }

  private get ec2() {
    return this.options.ports.ec2;
  }

  async execute(action: Action, run: VpcRun): Promise<ActionOutcome> {
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
        await this.write(() =>
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
        run.available.add(action.service);
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

  private async resolveGroup(ref: SecurityGroupRef, run: VpcRun): Promise<string> {
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
  private async awaitPredecessor(service: ServiceName, run: VpcRun): Promise<string | undefined> {
    const index = ECS_AGENT_SERVICES.indexOf(service);
    if (index <= 0) return undefined;
    const previous = ECS_AGENT_SERVICES[index - 1] as ServiceName;
    const reason = run.broken.get(previous);
    if (reason) return `${previous} is not available (${reason})`;
    const touched = run.touched.get(previous);
    if (!touched || run.available.has(previous)) return undefined;
    const result = await this.waitForEndpoints(run, [previous]);
    const why = result.get(previous);
    return why ? `${previous} is not available (${why})` : undefined;
  }

  private async createEndpoint(
    action: Extract<Action, { kind: 'CreateVpcEndpoint' }>,
    run: VpcRun,
  ): Promise<ActionOutcome> {
    const blocked = await this.awaitPredecessor(action.service, run);
    if (blocked) {
      run.broken.set(action.service, `not created: ${blocked}`);
      return skip(action, `not created: ${blocked}`);
    }
    const existing = await this.currentEndpoint(
      action.vpcId,
      (e) => e.serviceName === action.serviceName && e.type === action.endpointType,
    );
    if (existing) {
      run.touched.set(action.service, { endpointId: existing.endpointId, actionId: action.id });
      return skip(action, `already exists: ${existing.endpointId} (${existing.state})`);
    }
    const securityGroupIds = action.securityGroup ? [await this.resolveGroup(action.securityGroup, run)] : [];
    const endpointId = await this.write(() =>
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
    run.touched.set(action.service, { endpointId, actionId: action.id });
    return applied(action, endpointId);
  }

  private async modifyEndpoint(
    action: Extract<Action, { kind: 'ModifyVpcEndpoint' }>,
    run: VpcRun,
  ): Promise<ActionOutcome> {
    const blocked = await this.awaitPredecessor(action.service, run);
    if (blocked) {
      run.broken.set(action.service, `not repaired: ${blocked}`);
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
    await this.write(() =>
      this.ec2.modifyVpcEndpoint({
        endpointId: action.endpointId,
        ...(addSubnetIds.length ? { addSubnetIds } : {}),
        ...(addSecurityGroupIds.length ? { addSecurityGroupIds } : {}),
        ...(enablePrivateDns ? { enablePrivateDns: true } : {}),
      }),
    );
    run.touched.set(action.service, { endpointId: action.endpointId, actionId: action.id });
    const changes = [
      addSubnetIds.length ? `subnets ${addSubnetIds.join(', ')}` : '',
      addSecurityGroupIds.length ? `group ${addSecurityGroupIds.join(', ')}` : '',
      enablePrivateDns ? 'private DNS on' : '',
    ].filter(Boolean);
    return applied(action, action.endpointId, changes.join('; '));
  }

  /**
   * Waits (backoff, bounded) until the given touched endpoints are available. Returns why each one
   * that did not make it is unusable; records the outcome on the service.
   */
  async waitForEndpoints(run: VpcRun, services: readonly ServiceName[]): Promise<Map<ServiceName, string>> {
    const pending = new Map(
      services.flatMap((s) => {
        const t = run.touched.get(s);
        return t && !run.available.has(s) && !run.broken.has(s) ? [[s, t.endpointId] as const] : [];
      }),
    );
    const problems = new Map<ServiceName, string>();
    const started = this.clock.now();
    const deadline = this.endpointDeadline;
    let delay = 1000;
    while (pending.size > 0) {
      const states = new Map(
        (await this.ec2.describeVpcEndpoints(run.vpcId, [...pending.values()])).map((e) => [
          e.endpointId,
          e.state,
        ]),
      );
      for (const [service, endpointId] of [...pending]) {
        const state = states.get(endpointId) ?? 'deleted';
        if (state === 'available') {
          run.available.add(service);
          pending.delete(service);
        } else if (BROKEN.has(state) || GONE.has(state)) {
          problems.set(service, `endpoint ${endpointId} is ${state}`);
          pending.delete(service);
        }
      }
      if (pending.size === 0) break;
      const elapsed = this.clock.now() - started;
      if (this.clock.now() >= deadline) {
        for (const [service, endpointId] of pending) {
          problems.set(
            service,
            `endpoint ${endpointId} still ${states.get(endpointId) ?? 'missing'} after ${Math.round(elapsed / 1000)} s`,
          );
        }
        break;
      }
      this.options.progress?.(
        `${run.vpcId}: waiting for ${[...pending].map(([s, id]) => `${s} (${id})`).join(', ')} to be available… ${Math.round(elapsed / 1000)} s`,
      );
      await this.clock.sleep(Math.min(delay, Math.max(0, deadline - this.clock.now())));
      delay = Math.min(delay * 2, 30000);
    }
    for (const [service, why] of problems) run.broken.set(service, why);
    return problems;
  }

  /** Waits for every endpoint touched in the VPC and turns the ones that never became available into failures. */
  async settleEndpoints(run: VpcRun, outcomes: Map<string, ActionOutcome>): Promise<void> {
    await this.waitForEndpoints(run, [...run.touched.keys()]);
    for (const [service, why] of run.broken) {
      const actionId = run.touched.get(service)?.actionId;
      const previous = actionId ? outcomes.get(actionId) : undefined;
      if (previous && actionId && previous.status !== 'failed') {
        outcomes.set(actionId, {
          status: 'failed',
          actionId,
          kind: previous.kind,
          vpcId: previous.vpcId,
          error: `${why}: dependent steps are not run`,
        });
      }
    }
  }

  private async restartAgents(
    action: Extract<Action, { kind: 'RestartEcsAgent' }>,
    run: VpcRun,
  ): Promise<ActionOutcome> {
    await this.awaitDependencies(action, run);
    const blockers = action.dependsOn.flatMap((s) => {
      const why = run.broken.get(s);
      return why ? [`${s}: ${why}`] : [];
    });
    if (blockers.length > 0)
      return skip(action, `not restarted behind a broken endpoint (${blockers.join('; ')})`);
    const { config } = this.options;
    const started = this.clock.now();
    const results = new Map<string, CommandInvocation>();
    for (let i = 0; i < action.instances.length; i += SSM_BATCH) {
      const batch = action.instances.slice(i, i + SSM_BATCH);
      const instanceIds = batch.map((b) => b.ec2InstanceId);
      const commandId = await this.write(() =>
        this.options.ports.ssm.sendCommand(restartCommand(config, action.vpcId, action.reason, instanceIds)),
      );
      const invocations = await pollInvocations(this.options.ports.ssm, commandId, batch, {
        clock: this.clock,
        deadline: started + config.agentWaitTimeoutSeconds * 1000,
        ...(this.options.progress ? { progress: this.options.progress } : {}),
      });
      for (const [id, invocation] of invocations) results.set(id, invocation);
    }
    const failedCommands = [...results.values()].filter((r) => r.status !== 'Success');
    const restarted = action.instances.filter((i) => results.get(i.ec2InstanceId)?.status === 'Success');
    const disconnected = await this.awaitReconnection(restarted, started);
    const problems = [
      ...failedCommands.map(
        (r) => `${r.instanceId}: command ${r.status}${r.output ? ` (${r.output.slice(0, 200)})` : ''}`,
      ),
      ...disconnected.map((i) => `${i.ec2InstanceId}: agent not reconnected`),
    ];
    const detail = `${restarted.length}/${action.instances.length} restarted, ${restarted.length - disconnected.length} reconnected`;
    if (problems.length > 0) return fail(action, new Error(`${detail}; ${problems.join('; ')}`));
    return applied(action, undefined, detail);
  }

  /** Endpoints the restart depends on that this run did not touch (e.g. still pending from an earlier run). */
  private async awaitDependencies(
    action: Extract<Action, { kind: 'RestartEcsAgent' }>,
    run: VpcRun,
  ): Promise<void> {
    const unknown = action.dependsOn.filter(
      (s) => !run.touched.has(s) && !run.available.has(s) && !run.broken.has(s),
    );
    if (unknown.length === 0) return;
    const endpoints = await this.ec2.describeVpcEndpoints(run.vpcId);
    for (const service of unknown) {
      const endpoint = endpoints.find((e) => e.service === service && !GONE.has(e.state));
      if (!endpoint) run.broken.set(service, `no ${service} endpoint exists`);
      else if (endpoint.state === 'available') run.available.add(service);
      else run.touched.set(service, { endpointId: endpoint.endpointId, actionId: action.id });
    }
    await this.waitForEndpoints(run, unknown);
  }

  /** Confirms through ECS that each restarted agent reconnected; returns the ones that did not in time. */
  private async awaitReconnection(
    instances: readonly ContainerInstanceRef[],
    started: number,
  ): Promise<ContainerInstanceRef[]> {
    let waiting = [...instances];
    const deadline = started + this.options.config.agentWaitTimeoutSeconds * 1000;
    let delay = 1000;
    while (waiting.length > 0) {
      const byCluster = new Map<string, ContainerInstanceRef[]>();
      for (const ref of waiting)
        byCluster.set(ref.clusterArn, [...(byCluster.get(ref.clusterArn) ?? []), ref]);
      const connected = new Set<string>();
      for (const [cluster, refs] of byCluster) {
        const states = await this.options.ports.ecs.describeContainerInstances(
          cluster,
          refs.map((r) => r.containerInstanceArn),
        );
        for (const s of states) if (s.agentConnected) connected.add(s.containerInstanceArn);
      }
      waiting = waiting.filter((r) => !connected.has(r.containerInstanceArn));
      if (waiting.length === 0 || this.clock.now() >= deadline) break;
      this.options.progress?.(`waiting for ${waiting.length} agent(s) to reconnect…`);
      await this.clock.sleep(delay);
      delay = Math.min(delay * 2, 15000);
    }
    return waiting;
  }
}

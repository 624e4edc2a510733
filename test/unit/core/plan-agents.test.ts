/**
 * Agent work in a plan: UpdateContainerAgent below 1.25.1 where the API supports it (AWS ECS API
 * Reference, UpdateContainerAgent: Amazon Linux ECS-optimized instances only), RestartEcsAgent only
 * behind ECS endpoints this plan changes, over SSM (AWS Systems Manager, Run Command), after them.
 *
 * The fixtures' instances have no internet path under any definition (private subnets without NAT,
 * no public IP); the rules deciding an internet path are not pinned here (being reworked elsewhere).
 */
import type { RemediatorConfig } from '../../../shared/core/config.js';
import { CORE_DEFAULTS as defaultConfig } from '../../support/core-config.js';
import { deriveDesired } from '../../../shared/core/desired.js';
import type { Action, ObservedContainerInstance, ObservedVpc, VpcPlan } from '../../../shared/core/domain.js';
import { plan } from '../../../shared/core/plan.js';
import { endpoint, healthyVpc, region } from '../../support/fixtures.js';

const base = healthyVpc();

function planOne(vpc: ObservedVpc, config: Partial<RemediatorConfig> = {}): VpcPlan {
  const observed = region([vpc]);
  const cfg = { ...defaultConfig, ...config };
  const p = plan(deriveDesired(observed, cfg).vpcs, observed, {
    securityGroupName: cfg.endpointSecurityGroupName,
    managedTagKey: cfg.managedTagKey,
    ...(config.updateOldAgents === undefined ? {} : { updateOldAgents: config.updateOldAgents }),
  }).vpcs[0];
  if (!p) throw new Error('no plan');
  return p;
}
const without = (vpc: ObservedVpc, ...services: string[]) =>
  vpc.endpoints.filter((e) => !services.includes(e.service ?? ''));
const withInstances = (
  vpc: ObservedVpc,
  change: (ci: ObservedContainerInstance, i: number) => ObservedContainerInstance,
) => ({
  ...vpc,
  containerInstances: vpc.containerInstances.map(change),
});
const restartOf = (p: VpcPlan) =>
  p.actions.filter((a): a is Extract<Action, { kind: 'RestartEcsAgent' }> => a.kind === 'RestartEcsAgent');
const updatesOf = (p: VpcPlan) =>
  p.actions.filter(
    (a): a is Extract<Action, { kind: 'UpdateContainerAgent' }> => a.kind === 'UpdateContainerAgent',
  );
const ref = (i: number) => ({
  clusterArn: 'arn:aws:ecs:us-east-1:123456789012:cluster/main',
  containerInstanceArn: `arn:aws:ecs:us-east-1:123456789012:container-instance/main/ci1${i}`,
  ec2InstanceId: `i-10${i}`,
  platform: 'linux',
});

describe('RestartEcsAgent', () => {
  it('follows a change to an ECS endpoint: every SSM-managed instance, its dependencies and its reason', () => {
    const p = planOne({ ...base, endpoints: without(base, 'ecs-agent', 'ecs') });
    expect(restartOf(p)).toEqual([
      {
        kind: 'RestartEcsAgent',
        id: 'vpc-1:RestartEcsAgent:agents',
        vpcId: 'vpc-1',
        apply: true,
        instances: [ref(0), ref(1), ref(2)],
        dependsOn: ['ecs-agent', 'ecs'],
        reason:
          'ecs-agent, ecs endpoint(s) change: 3 agent(s) must reconnect through them (after they are available)',
      },
    ]);
    expect(p.actions.at(-1)?.kind).toBe('RestartEcsAgent');
  });

  it.each(['ecr.api', 'logs', 's3', 'ssm'])('does not follow a change to %s alone', (service) => {
    const p = planOne({ ...base, endpoints: without(base, service) });
    expect({ service, restarts: restartOf(p).length, changes: p.actions.length }).toEqual({
      service,
      restarts: 0,
      changes: 1,
    });
  });

  it('waits for an SSM endpoint the plan repairs when the SSM path is not live', () => {
    const p = planOne({
      ...base,
      endpoints: [...without(base, 'ecs', 'ssm'), endpoint('ssm', { privateDnsEnabled: false })],
    });
    expect(restartOf(p).map((r) => r.dependsOn)).toEqual([['ecs', 'ssm']]);
    expect(p.findings.filter((f) => f.code === 'SSM_PATH_MISSING')).toEqual([
      {
        vpcId: 'vpc-1',
        code: 'SSM_PATH_MISSING',
        severity: 'medium',
        message:
          'container instances have no path to SSM yet: the ssm, ssmmessages and ec2messages endpoints are created before the agent restart',
      },
    ]);
  });

  it('an SSM endpoint that is not available is no path: no restart, a high finding', () => {
    const p = planOne(
      { ...base, endpoints: [...without(base, 'ecs', 'ssm'), endpoint('ssm', { state: 'pending' })] },
      { excludeServices: ['ssm'] },
    );
    expect(restartOf(p)).toEqual([]);
    expect(p.findings.find((f) => f.code === 'SSM_PATH_MISSING')).toEqual({
      vpcId: 'vpc-1',
      code: 'SSM_PATH_MISSING',
      severity: 'high',
      message: '3 container instance(s) have no path to SSM (no internet path, no SSM endpoints)',
      advice: 'Add the ssm, ssmmessages and ec2messages endpoints or an internet path',
    });
  });

  it('with the SSM endpoints live it depends on the ECS endpoints only, and reports no SSM path problem', () => {
    const p = planOne({ ...base, endpoints: without(base, 'ecs-telemetry') });
    expect(restartOf(p).map((r) => r.dependsOn)).toEqual([['ecs-telemetry']]);
    expect(p.findings.map((f) => f.code)).toEqual(['MISSING_ENDPOINT']);
  });

  it.each<[string, Partial<ObservedContainerInstance>, string]>([
    [
      'not managed by SSM',
      { ssmManaged: false },
      'i-101 is not managed by SSM: its agent cannot be restarted by the tool',
    ],
    [
      'SSM status unknown',
      { ssmManaged: undefined },
      'SSM status of i-101 is unknown: its agent will not be restarted by the tool',
    ],
  ])('skips an instance %s, with a finding', (_name, change, message) => {
    const p = planOne({
      ...withInstances(base, (ci, i) => (i === 1 ? { ...ci, ...change } : ci)),
      endpoints: without(base, 'ecs'),
    });
    expect(restartOf(p).map((r) => r.instances.map((x) => x.ec2InstanceId))).toEqual([['i-100', 'i-102']]);
    expect(p.findings.filter((f) => f.code === 'INSTANCE_NOT_SSM_MANAGED')).toEqual([
      {
        vpcId: 'vpc-1',
        code: 'INSTANCE_NOT_SSM_MANAGED',
        severity: 'medium',
        resourceId: 'i-101',
        message,
        advice:
          'Restart the ECS agent on it by hand (systemctl restart ecs) or reboot it after the endpoints are available',
      },
    ]);
  });

  it('no restart when no instance can take it', () => {
    const p = planOne({
      ...withInstances(base, (ci) => ({ ...ci, ssmManaged: false })),
      endpoints: without(base, 'ecs'),
    });
    expect(restartOf(p)).toEqual([]);
  });
});

describe('old agents', () => {
  it.each<[string | undefined, boolean]>([
    ['1.25.1', false],
    ['1.25.0', true],
    ['v1.25.0', true],
    ['v1.25.1', false],
    ['1.87.0', false],
    [undefined, false],
    ['garbage', false],
  ])('agent %s: too old %s', (agentVersion, old) => {
    const p = planOne(withInstances(base, (ci, i) => (i === 0 ? { ...ci, agentVersion } : ci)));
    expect({
      agentVersion,
      findings: p.findings.map((f) => f.code),
      actions: p.actions.map((a) => a.kind),
    }).toEqual({
      agentVersion,
      findings: old ? ['AGENT_TOO_OLD'] : [],
      actions: old ? ['UpdateContainerAgent'] : [],
    });
  });

  it('updates an old Linux agent, with its finding and reason, and restarts only the others', () => {
    const p = planOne({
      ...withInstances(base, (ci, i) => (i === 0 ? { ...ci, agentVersion: '1.20.0' } : ci)),
      endpoints: without(base, 'ecs'),
    });
    expect(updatesOf(p)).toEqual([
      {
        kind: 'UpdateContainerAgent',
        id: 'vpc-1:UpdateContainerAgent:i-100',
        vpcId: 'vpc-1',
        apply: true,
        instance: ref(0),
        reason: 'agent 1.20.0 < 1.25.1: update it (the update restarts the agent)',
      },
    ]);
    expect(p.findings.find((f) => f.code === 'AGENT_TOO_OLD')).toEqual({
      vpcId: 'vpc-1',
      code: 'AGENT_TOO_OLD',
      severity: 'high',
      resourceId: ref(0).containerInstanceArn,
      message: 'ECS agent 1.20.0 on i-100 is older than 1.25.1, the first that works through the endpoints',
    });
    expect(restartOf(p).map((r) => r.instances.map((x) => x.ec2InstanceId))).toEqual([['i-101', 'i-102']]);
    expect(p.actions.map((a) => a.kind)).toEqual([
      'CreateVpcEndpoint',
      'UpdateContainerAgent',
      'RestartEcsAgent',
    ]);
  });

  it('no restart when every instance is being updated', () => {
    const p = planOne({
      ...withInstances(base, (ci) => ({ ...ci, agentVersion: '1.0.0' })),
      endpoints: without(base, 'ecs'),
    });
    expect(p.actions.map((a) => a.kind)).toEqual([
      'CreateVpcEndpoint',
      'UpdateContainerAgent',
      'UpdateContainerAgent',
      'UpdateContainerAgent',
    ]);
  });

  it.each(['windows', 'bottlerocket'] as const)(
    'an old agent on %s is reported with advice, not updated',
    (platform) => {
      const p = planOne(
        withInstances(base, (ci, i) => (i === 0 ? { ...ci, agentVersion: '1.0.0', platform } : ci)),
      );
      expect(p.actions).toEqual([]);
      expect(p.findings.map((f) => f.advice)).toEqual([
        `UpdateContainerAgent does not support ${platform} instances: replace the instance with a current ECS-optimized AMI`,
      ]);
    },
  );

  it('with updates switched off, Linux agents are reported with that advice', () => {
    const p = planOne(
      withInstances(base, (ci, i) => (i === 0 ? { ...ci, agentVersion: '1.0.0' } : ci)),
      {
        updateOldAgents: false,
      },
    );
    expect({ actions: p.actions, advice: p.findings.map((f) => f.advice) }).toEqual({
      actions: [],
      advice: [
        'Agent updates are switched off (updateOldAgents: false): update the agent or replace the instance',
      ],
    });
  });
});

describe('disconnected agents', () => {
  it('are reported with advice when no endpoint changes', () => {
    const p = planOne(withInstances(base, (ci, i) => (i === 2 ? { ...ci, agentConnected: false } : ci)));
    expect(p.findings).toEqual([
      {
        vpcId: 'vpc-1',
        code: 'AGENT_DISCONNECTED',
        severity: 'high',
        resourceId: ref(2).containerInstanceArn,
        message: 'ECS agent on i-102 is disconnected',
        advice: 'Check the instance, its endpoints and its agent log',
      },
    ]);
  });

  it('without advice when the plan changes endpoints (the repair is the advice)', () => {
    const p = planOne({
      ...withInstances(base, (ci, i) => (i === 2 ? { ...ci, agentConnected: false } : ci)),
      endpoints: without(base, 'logs'),
    });
    expect(p.findings.find((f) => f.code === 'AGENT_DISCONNECTED')?.advice).toBeUndefined();
  });
});

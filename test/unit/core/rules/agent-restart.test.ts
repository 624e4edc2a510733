/**
 * The agent restart rule alone: agents are restarted (through SSM Run Command) only where an ECS
 * endpoint changes in this plan or was left pending, never instances this plan updates; instances
 * SSM does not manage are reported; the SSM path (internet, or the three SSM endpoints live or
 * planned) decides who can be reached and what the restart waits for.
 */
import type { ObservedContainerInstance, ServiceName } from '../../../../shared/core/domain.js';
import { agentRestartRule } from '../../../../shared/core/rules/agent-restart.js';
import type { RuleDraft } from '../../../../shared/core/rules/rule.js';
import {
  HEALTHY,
  codes,
  endpointsWith,
  endpointsWithout,
  viewOf,
  type ViewTweak,
} from '../../../support/rule-view.js';

const CIS = HEALTHY.containerInstances;
const SSM: ServiceName[] = ['ssm', 'ssmmessages', 'ec2messages'];
const touch = (service: ServiceName): RuleDraft => ({
  kind: 'EndpointRepair',
  service,
  endpointId: `vpce-1${service.replace(/\W/g, '')}`,
  enablePrivateDns: true,
  part: 'x',
});
const updating = (ci: ObservedContainerInstance): RuleDraft => ({
  kind: 'UpdateContainerAgent',
  instance: {
    clusterArn: ci.clusterArn,
    containerInstanceArn: ci.containerInstanceArn,
    ec2InstanceId: ci.ec2InstanceId,
    platform: ci.platform,
  },
  reason: 'old',
});
const instances = (...changes: Partial<ObservedContainerInstance>[]): ViewTweak['vpc'] => ({
  containerInstances: CIS.map((ci, i) => ({ ...ci, ...changes[i] })),
});
const noSsm = { endpoints: endpointsWithout(...SSM) };
const natSubnets = {
  subnets: HEALTHY.subnets.map((s) => ({ ...s, hasNatRoute: true })),
};
/** What one row saw: codes, then the restart's instance ids and dependsOn. */
function seen(tweak: ViewTweak, earlier: RuleDraft[]) {
  const result = agentRestartRule(viewOf(tweak), earlier);
  const restart = result.drafts.flatMap((d) =>
    d.kind === 'RestartEcsAgent'
      ? [
          {
            instances: d.instances.map((i) => i.ec2InstanceId),
            dependsOn: d.dependsOn,
          },
        ]
      : [],
  );
  expect(result.drafts.length).toBe(restart.length);
  return { codes: codes(result), restart };
}
const ALL = ['i-100', 'i-101', 'i-102'];

describe('agent-restart rule', () => {
  it.each<[string, ViewTweak, RuleDraft[], ReturnType<typeof seen>]>([
    [
      'no endpoint changes: nothing, even for unmanaged instances',
      { vpc: instances({ ssmManaged: false }) },
      [],
      { codes: [], restart: [] },
    ],
    [
      'only a non-ECS endpoint changes: nothing',
      {},
      [touch('logs'), touch('ssm')],
      { codes: [], restart: [] },
    ],
    [
      'an ECS endpoint repaired: every agent restarted behind it',
      {},
      [touch('ecs-agent')],
      { codes: [], restart: [{ instances: ALL, dependsOn: ['ecs-agent'] }] },
    ],
    [
      'the three ECS endpoints: dependsOn in ECS order',
      {},
      [touch('ecs'), touch('ecs-agent'), touch('ecs-telemetry')],
      {
        codes: [],
        restart: [{ instances: ALL, dependsOn: ['ecs-agent', 'ecs-telemetry', 'ecs'] }],
      },
    ],
    [
      'an ECS endpoint an earlier run left pending: restart behind it',
      {
        vpc: { endpoints: endpointsWith({ service: 'ecs', state: 'pending' }) },
      },
      [],
      { codes: [], restart: [{ instances: ALL, dependsOn: ['ecs'] }] },
    ],
    [
      'an ECS endpoint unusable (not pending): nothing',
      {
        vpc: { endpoints: endpointsWith({ service: 'ecs', state: 'failed' }) },
      },
      [],
      { codes: [], restart: [] },
    ],
    [
      'an instance SSM does not manage, one unknown: reported, the other restarted',
      { vpc: instances({ ssmManaged: false }, { ssmManaged: undefined }) },
      [touch('ecs')],
      {
        codes: ['INSTANCE_NOT_SSM_MANAGED', 'INSTANCE_NOT_SSM_MANAGED'],
        restart: [{ instances: ['i-102'], dependsOn: ['ecs'] }],
      },
    ],
    [
      'no instance managed: reported, no restart',
      {
        vpc: instances({ ssmManaged: false }, { ssmManaged: false }, { ssmManaged: false }),
      },
      [touch('ecs')],
      {
        codes: ['INSTANCE_NOT_SSM_MANAGED', 'INSTANCE_NOT_SSM_MANAGED', 'INSTANCE_NOT_SSM_MANAGED'],
        restart: [],
      },
    ],
    [
      'an instance this plan updates is not restarted (the update restarts it)',
      {},
      [touch('ecs'), updating(CIS[1]!)],
      {
        codes: [],
        restart: [{ instances: ['i-100', 'i-102'], dependsOn: ['ecs'] }],
      },
    ],
    [
      'every instance updated: nothing',
      { vpc: instances({ ssmManaged: false }) },
      [touch('ecs'), ...CIS.map(updating)],
      { codes: [], restart: [] },
    ],
    [
      'no SSM endpoints, none planned, no internet: SSM path missing, nobody restarted',
      { vpc: noSsm },
      [touch('ecs')],
      { codes: ['SSM_PATH_MISSING'], restart: [] },
    ],
    [
      'no SSM endpoints but all three planned: reported as pending, restart waits for them',
      { vpc: noSsm },
      [...SSM.map(touch), touch('ecs')],
      {
        codes: ['SSM_PATH_MISSING'],
        restart: [{ instances: ALL, dependsOn: ['ecs', ...SSM] }],
      },
    ],
    [
      'two of three SSM endpoints planned: not enough',
      { vpc: noSsm },
      [touch('ssm'), touch('ssmmessages'), touch('ecs')],
      { codes: ['SSM_PATH_MISSING'], restart: [] },
    ],
    [
      'SSM endpoints available with private DNS: live, the restart does not wait for their repairs',
      {},
      [touch('ecs'), touch('ssm')],
      { codes: [], restart: [{ instances: ALL, dependsOn: ['ecs'] }] },
    ],
    [
      'an SSM endpoint available with private DNS off: not live, but there (planned); waits for its repair',
      {
        vpc: {
          endpoints: endpointsWith({
            service: 'ssmmessages',
            privateDnsEnabled: false,
          }),
        },
      },
      [touch('ecs'), touch('ssmmessages')],
      {
        codes: ['SSM_PATH_MISSING'],
        restart: [{ instances: ALL, dependsOn: ['ecs', 'ssmmessages'] }],
      },
    ],
    [
      'an SSM endpoint pending and not planned: no path',
      {
        vpc: {
          endpoints: endpointsWith({
            service: 'ec2messages',
            state: 'pending',
          }),
        },
      },
      [touch('ecs')],
      { codes: ['SSM_PATH_MISSING'], restart: [] },
    ],
    [
      'no SSM endpoints but a NAT path for every instance: restarted, nothing missing',
      { vpc: { ...noSsm, ...natSubnets } },
      [touch('ecs')],
      { codes: [], restart: [{ instances: ALL, dependsOn: ['ecs'] }] },
    ],
    [
      'no SSM endpoints, one instance with a NAT path: it is restarted, the others are not',
      {
        vpc: {
          ...noSsm,
          subnets: HEALTHY.subnets.map((s, i) => ({
            ...s,
            hasNatRoute: i === 0,
          })),
        },
      },
      [touch('ecs')],
      {
        codes: ['SSM_PATH_MISSING'],
        restart: [{ instances: ['i-100'], dependsOn: ['ecs'] }],
      },
    ],
  ])('%s', (_name, tweak, earlier, expected) => {
    expect(seen(tweak, earlier)).toEqual(expected);
  });

  it('explains the restart, unmanaged instances and a missing SSM path', () => {
    const restart = agentRestartRule(viewOf({}), [touch('ecs-agent'), touch('ecs')]);
    const unmanaged = agentRestartRule(
      viewOf({
        vpc: instances({ ssmManaged: false }, { ssmManaged: undefined }),
      }),
      [touch('ecs')],
    );
    const offline = agentRestartRule(viewOf({ vpc: { ...noSsm, ...instances({ ssmManaged: false }) } }), [
      touch('ecs'),
    ]);
    const planned = agentRestartRule(viewOf({ vpc: noSsm }), [...SSM.map(touch), touch('ecs')]);
    expect(restart.drafts.map((d) => d.kind === 'RestartEcsAgent' && d.reason)).toEqual([
      'ecs-agent, ecs endpoint(s) change: 3 agent(s) must reconnect through them (after they are available)',
    ]);
    expect(restart.drafts).toEqual([
      expect.objectContaining({
        instances: CIS.map((ci) => ({
          clusterArn: ci.clusterArn,
          containerInstanceArn: ci.containerInstanceArn,
          ec2InstanceId: ci.ec2InstanceId,
          platform: ci.platform,
        })),
      }),
    ]);
    const advice =
      'Restart the ECS agent on it by hand (systemctl restart ecs) or reboot it after the endpoints are available';
    expect(unmanaged.findings).toEqual([
      {
        code: 'INSTANCE_NOT_SSM_MANAGED',
        severity: 'medium',
        resourceId: 'i-100',
        message: 'i-100 is not managed by SSM: its agent cannot be restarted by the tool',
        advice,
      },
      {
        code: 'INSTANCE_NOT_SSM_MANAGED',
        severity: 'medium',
        resourceId: 'i-101',
        message: 'SSM status of i-101 is unknown: its agent will not be restarted by the tool',
        advice,
      },
    ]);
    expect(offline.findings.filter((f) => f.code === 'SSM_PATH_MISSING')).toEqual([
      {
        code: 'SSM_PATH_MISSING',
        severity: 'high',
        message: '3 container instance(s) have no path to SSM (no internet path, no SSM endpoints)',
        advice: 'Add the ssm, ssmmessages and ec2messages endpoints or an internet path',
      },
    ]);
    // Only an unmanaged instance, without a path: it is counted (it was counted as 0 before).
    const onlyUnmanaged = agentRestartRule(
      viewOf({ vpc: { ...noSsm, containerInstances: [{ ...CIS[0]!, ssmManaged: false }] } }),
      [touch('ecs')],
    );
    expect(onlyUnmanaged.findings.filter((f) => f.code === 'SSM_PATH_MISSING').map((f) => f.message)).toEqual(
      ['1 container instance(s) have no path to SSM (no internet path, no SSM endpoints)'],
    );
    expect(planned.findings).toEqual([
      {
        code: 'SSM_PATH_MISSING',
        severity: 'medium',
        message:
          'container instances have no path to SSM yet: the ssm, ssmmessages and ec2messages endpoints are created before the agent restart',
      },
    ]);
  });
});

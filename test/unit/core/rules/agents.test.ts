/**
 * The agents rule alone: disconnected agents are reported (with advice only when no endpoint
 * changes), agents older than 1.25.1 are reported and updated where UpdateContainerAgent supports
 * the platform (linux) and updates are on.
 */
import type { ObservedContainerInstance, Platform } from '../../../../shared/core/domain.js';
import { agentsRule } from '../../../../shared/core/rules/agents.js';
import type { RuleDraft } from '../../../../shared/core/rules/rule.js';
import { HEALTHY, codes, endpointsWith, viewOf, type ViewTweak } from '../../../support/rule-view.js';

const CI = HEALTHY.containerInstances[0]!;
const instance = (o: Partial<ObservedContainerInstance>): ViewTweak => ({
  vpc: { containerInstances: [{ ...CI, ...o }] },
});
const update = (version: string, platform: Platform = 'linux'): RuleDraft => ({
  kind: 'UpdateContainerAgent',
  instance: {
    clusterArn: CI.clusterArn,
    containerInstanceArn: CI.containerInstanceArn,
    ec2InstanceId: CI.ec2InstanceId,
    platform,
  },
  reason: `agent ${version} < 1.25.1: update it (the update restarts the agent)`,
});
const REPAIR: RuleDraft = {
  kind: 'EndpointRepair',
  service: 'ecs',
  endpointId: 'vpce-1ecs',
  enablePrivateDns: true,
  part: 'x',
};

describe('agents rule', () => {
  it.each<[string, ViewTweak, string[], RuleDraft[]]>([
    ['healthy VPC: nothing', {}, [], []],
    ['a disconnected agent: reported', instance({ agentConnected: false }), ['AGENT_DISCONNECTED'], []],
    ['1.25.0: too old, updated', instance({ agentVersion: '1.25.0' }), ['AGENT_TOO_OLD'], [update('1.25.0')]],
    ['1.25.1 exactly: recent enough', instance({ agentVersion: '1.25.1' }), [], []],
    [
      'v1.9.3: too old (the v is ignored)',
      instance({ agentVersion: 'v1.9.3' }),
      ['AGENT_TOO_OLD'],
      [update('v1.9.3')],
    ],
    ['v1.25.1: recent enough', instance({ agentVersion: 'v1.25.1' }), [], []],
    ['version unknown: not judged', instance({ agentVersion: undefined }), [], []],
    ['version not a number: not judged', instance({ agentVersion: 'unknown' }), [], []],
    [
      'disconnected and too old: both, connection first',
      instance({ agentConnected: false, agentVersion: '1.0.0' }),
      ['AGENT_DISCONNECTED', 'AGENT_TOO_OLD'],
      [update('1.0.0')],
    ],
    [
      'too old on windows: reported, not updated',
      instance({ agentVersion: '1.0.0', platform: 'windows' }),
      ['AGENT_TOO_OLD'],
      [],
    ],
    [
      'too old on linux-arm64: reported, not updated',
      instance({ agentVersion: '1.0.0', platform: 'linux-arm64' }),
      ['AGENT_TOO_OLD'],
      [],
    ],
    [
      'too old with updates switched off: reported, not updated',
      {
        ...instance({ agentVersion: '1.0.0' }),
        options: { updateOldAgents: false },
      },
      ['AGENT_TOO_OLD'],
      [],
    ],
    [
      'updates on explicitly: updated',
      {
        ...instance({ agentVersion: '1.0.0' }),
        options: { updateOldAgents: true },
      },
      ['AGENT_TOO_OLD'],
      [update('1.0.0')],
    ],
  ])('%s', (_name, tweak, expectedCodes, expectedDrafts) => {
    const result = agentsRule(viewOf(tweak), []);
    expect({ codes: codes(result), drafts: result.drafts }).toEqual({
      codes: expectedCodes,
      drafts: expectedDrafts,
    });
  });

  it.each<[string, ViewTweak, RuleDraft[], string | undefined]>([
    [
      'no endpoint changes: advice to check the instance',
      instance({ agentConnected: false }),
      [],
      'Check the instance, its endpoints and its agent log',
    ],
    [
      'an endpoint this plan repairs: no advice (the restart follows)',
      instance({ agentConnected: false }),
      [REPAIR],
      undefined,
    ],
    [
      'an endpoint left pending: no advice',
      {
        vpc: {
          ...instance({ agentConnected: false }).vpc,
          endpoints: endpointsWith({ service: 'ecs', state: 'pending' }),
        },
      },
      [],
      undefined,
    ],
  ])('disconnected agent, %s', (_name, tweak, earlier, advice) => {
    expect(agentsRule(viewOf(tweak), earlier).findings).toEqual([
      {
        code: 'AGENT_DISCONNECTED',
        severity: 'high',
        resourceId: CI.containerInstanceArn,
        message: `ECS agent on ${CI.ec2InstanceId} is disconnected`,
        advice,
      },
    ]);
  });

  it.each<[string, ViewTweak, string | undefined]>([
    ['updatable: no advice', instance({ agentVersion: '1.2.3' }), undefined],
    [
      'updates off',
      {
        ...instance({ agentVersion: '1.2.3' }),
        options: { updateOldAgents: false },
      },
      'Agent updates are switched off (updateOldAgents: false): update the agent or replace the instance',
    ],
    [
      'bottlerocket',
      instance({ agentVersion: '1.2.3', platform: 'bottlerocket' }),
      'UpdateContainerAgent does not support bottlerocket instances: replace the instance with a current ECS-optimized AMI',
    ],
  ])('too old agent, %s', (_name, tweak, advice) => {
    expect(agentsRule(viewOf(tweak), []).findings).toEqual([
      {
        code: 'AGENT_TOO_OLD',
        severity: 'high',
        resourceId: CI.containerInstanceArn,
        message: `ECS agent 1.2.3 on ${CI.ec2InstanceId} is older than 1.25.1, the first that works through the endpoints`,
        ...(advice ? { advice } : {}),
      },
    ]);
  });
});

import { FINDING_CODES } from '../../shared/core/domain.js';
import type {
  Action,
  ActionOutcome,
  ApplyReport,
  Finding,
  FindingCode,
  Mode,
  Plan,
  VpcPlan,
} from '../../shared/core/domain.js';
import {
  SLACK_LIMITS,
  buildApprovalMessage,
  buildDriftMessage,
  decodeApprovalValue,
  formatMonthlyCostChange,
  formatUsd,
  plainWords,
} from '../../shared/notify/slack-message.js';
import type { SlackBlock, SlackMessage } from '../../shared/notify/slack-message.js';

function finding(vpcId: string, code: FindingCode, overrides: Partial<Finding> = {}): Finding {
  return {
    code,
    severity: 'high',
    vpcId,
    service: 'ecs-agent',
    resourceId: `vpce-${vpcId}`,
    message: `${code} in ${vpcId}`,
    ...overrides,
  };
}

function createEndpoint(vpcId: string, apply: boolean, service: 'ecs-agent' | 'logs' = 'ecs-agent'): Action {
  return {
    id: `${vpcId}:CreateVpcEndpoint:${service}`,
    vpcId,
    reason: `${service} is missing`,
    apply,
    kind: 'CreateVpcEndpoint',
    service,
    serviceName: `com.amazonaws.us-east-1.${service}`,
    endpointType: 'Interface',
    subnetIds: ['subnet-a', 'subnet-b'],
    securityGroup: { kind: 'dedicated', vpcId },
    routeTableIds: [],
    privateDnsEnabled: true,
    clientToken: `${vpcId}-${service}`,
    newEndpointAzs: 2,
  };
}

function vpcPlan(vpcId: string, mode: Mode, overrides: Partial<VpcPlan> = {}): VpcPlan {
  const apply = mode === 'enforce';
  return {
    vpcId,
    mode,
    findings: [finding(vpcId, 'MISSING_ENDPOINT')],
    actions: [createEndpoint(vpcId, apply)],
    estimatedMonthlyCostUsd: 14.6,
    ...overrides,
  };
}

function plan(vpcs: VpcPlan[], overrides: Partial<Plan> = {}): Plan {
  return {
    region: 'us-east-1',
    vpcs,
    estimatedMonthlyCostUsd: vpcs.reduce((n, v) => n + v.estimatedMonthlyCostUsd, 0),
    warnings: [],
    ...overrides,
  };
}

function report(p: Plan, outcomes: ActionOutcome[], overrides: Partial<ApplyReport> = {}): ApplyReport {
  return {
    region: p.region,
    plan: p,
    outcomes,
    writeCalls: outcomes.length,
    throttledRetries: 0,
    stoppedAtMaxChanges: false,
    converged: outcomes.every((o) => o.status !== 'failed'),
    ...overrides,
  };
}

function sectionTexts(message: SlackMessage): string[] {
  return message.blocks.flatMap((block) => (block.type === 'section' ? [block.text.text] : []));
}

function allText(message: SlackMessage): string {
  return JSON.stringify(message);
}

function expectWithinLimits(message: SlackMessage): void {
  expect(message.blocks.length).toBeLessThanOrEqual(SLACK_LIMITS.blocks);
  for (const block of message.blocks) {
    if (block.type === 'section')
      expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.sectionText);
    if (block.type === 'header') expect(block.text.text.length).toBeLessThanOrEqual(SLACK_LIMITS.headerText);
  }
}

describe('plainWords', () => {
  it.each(FINDING_CODES.map((code) => [code]))('explains %s in one sentence', (code) => {
    const words = plainWords(code);
    expect(words.length).toBeGreaterThan(40);
    expect(words.trim()).toMatch(/^[A-Z].*\.$/);
    expect(words.slice(0, -1)).not.toMatch(/\.\s/);
  });

  it('gives every code its own explanation', () => {
    const sentences = new Set(FINDING_CODES.map((code) => plainWords(code)));
    expect(sentences.size).toBe(FINDING_CODES.length);
  });
});

describe('cost formatting', () => {
  it.each([
    [0, '$0.00'],
    [7.3, '$7.30'],
    [219, '$219.00'],
    [1234.567, '$1,234.57'],
    [Number.NaN, 'unknown'],
  ])('formatUsd(%p) is %p', (amount, expected) => {
    expect(formatUsd(amount)).toBe(expected);
  });

  it.each([
    [14.6, '+$14.60/month'],
    [-7.3, '-$7.30/month'],
    [0, '$0.00/month'],
    [0.001, '$0.00/month'],
  ])('formatMonthlyCostChange(%p) is %p', (amount, expected) => {
    expect(formatMonthlyCostChange(amount)).toBe(expected);
  });
});

describe('buildDriftMessage', () => {
  it('shows a header, the trigger, the findings in plain words and the cost per VPC', () => {
    const p = plan([vpcPlan('vpc-1', 'enforce')]);
    const message = buildDriftMessage({
      plan: p,
      report: undefined,
      trigger: {
        eventName: 'DeleteVpcEndpoints',
        userIdentity: 'arn:aws:iam::111122223333:user/mallory',
        sourceIPAddress: '203.0.113.9',
        eventTime: '2026-11-28T10:00:00Z',
      },
    });
    expect(message.blocks[0]).toEqual({
      type: 'header',
      text: expect.objectContaining({ type: 'plain_text', text: 'ECS endpoint drift found in us-east-1' }),
    });
    const vpcSection = sectionTexts(message).find(
      (text) => text.includes('vpc-1') && text.includes('Findings'),
    );
    expect(vpcSection).toBeDefined();
    expect(vpcSection).toContain('*MISSING_ENDPOINT*');
    expect(vpcSection).toContain(plainWords('MISSING_ENDPOINT'));
    expect(vpcSection).toContain('+$14.60/month');
    expect(vpcSection).toContain('*mode* enforce');
    expect(vpcSection).toContain('`arn:aws:iam::111122223333:user/mallory`');
    expect(vpcSection).toContain('*planned* create interface endpoint ecs-agent');
    expect(message.text).toContain('1 VPC(s) with drift');
    expectWithinLimits(message);
  });

  it('shows audit actions as "would", never as applied', () => {
    const p = plan([vpcPlan('vpc-audit', 'audit')]);
    const message = buildDriftMessage({ plan: p, report: report(p, []) });
    const text = sectionTexts(message).join('\n');
    expect(text).toContain('*would* create interface endpoint ecs-agent');
    expect(text).not.toContain('*applied*');
    expect(text).not.toContain('*not tried*');
    expect(message.text).toContain('1 would apply (audit)');
  });

  it('shows each outcome: applied with resource, skipped with why, failed with error, not tried', () => {
    const vpcId = 'vpc-2';
    const actions = [
      createEndpoint(vpcId, true, 'ecs-agent'),
      createEndpoint(vpcId, true, 'logs'),
      {
        ...createEndpoint(vpcId, true, 'ecs-agent'),
        id: `${vpcId}:EnableVpcDnsAttribute:enableDnsSupport`,
        kind: 'EnableVpcDnsAttribute',
        attribute: 'enableDnsSupport',
      } as Action,
      {
        id: `${vpcId}:RestartEcsAgent`,
        vpcId,
        reason: 'agent reconnect',
        apply: true,
        kind: 'RestartEcsAgent',
        instances: [],
        dependsOn: ['ecs-agent'],
      } as Action,
    ];
    const p = plan([vpcPlan(vpcId, 'enforce', { actions })]);
    const outcomes: ActionOutcome[] = [
      {
        status: 'applied',
        actionId: `${vpcId}:CreateVpcEndpoint:ecs-agent`,
        kind: 'CreateVpcEndpoint',
        vpcId,
        resourceId: 'vpce-new1',
      },
      {
        status: 'skipped',
        actionId: `${vpcId}:CreateVpcEndpoint:logs`,
        kind: 'CreateVpcEndpoint',
        vpcId,
        why: 'already exists',
      },
      {
        status: 'failed',
        actionId: `${vpcId}:EnableVpcDnsAttribute:enableDnsSupport`,
        kind: 'EnableVpcDnsAttribute',
        vpcId,
        error: 'UnauthorizedOperation <@U999>',
      },
    ];
    const message = buildDriftMessage({
      plan: p,
      report: report(p, outcomes, { stoppedAtMaxChanges: true }),
    });
    const text = sectionTexts(message).join('\n');
    expect(text).toContain(
      '*applied* create interface endpoint ecs-agent in 2 subnets with private DNS → `vpce-new1`',
    );
    expect(text).toContain(
      '*skipped* create interface endpoint logs in 2 subnets with private DNS: already exists',
    );
    expect(text).toContain(
      '*failed* enable enableDnsSupport on the VPC: UnauthorizedOperation &lt;@\u200BU999&gt;',
    );
    expect(text).toContain('*not tried* restart the ECS agent on 0 instances');
    expect(text).toContain('change cap');
    expect(message.blocks[0]).toMatchObject({
      text: { text: 'ECS endpoint repair needs attention in us-east-1' },
    });
    expect(message.text).toContain('1 applied, 1 skipped, 1 failed, 1 not tried');
  });

  it('escapes text that comes from AWS resources', () => {
    const hostile = '<!channel> <https://evil|click> @here';
    const p = plan([
      vpcPlan('vpc-3', 'audit', {
        findings: [
          finding('vpc-3', 'ENDPOINT_SG_BLOCKS_HTTPS', {
            message: `group tagged ${hostile}`,
            advice: hostile,
          }),
        ],
      }),
    ]);
    const message = buildDriftMessage({
      plan: p,
      report: undefined,
      trigger: { eventName: 'RevokeSecurityGroupIngress', userIdentity: hostile },
    });
    const json = allText(message);
    expect(json).not.toContain('<!channel>');
    expect(json).not.toContain('<https://evil');
    expect(json).not.toMatch(/@here/);
    expect(json).toContain('&lt;!channel&gt; &lt;https://evil|click&gt;');
  });

  it('skips VPCs without drift and counts them', () => {
    const p = plan([
      vpcPlan('vpc-drift', 'enforce'),
      vpcPlan('vpc-clean', 'enforce', { findings: [], actions: [], estimatedMonthlyCostUsd: 0 }),
    ]);
    const message = buildDriftMessage({ plan: p, report: undefined });
    const json = allText(message);
    expect(json).toContain('vpc-drift');
    expect(json).not.toContain('vpc-clean');
    expect(sectionTexts(message)[0]).toContain('*VPCs with drift* 1 of 2');
  });

  it('keeps 60 VPCs within 50 blocks and says how many were left out', () => {
    const vpcs = Array.from({ length: 60 }, (_, i) =>
      vpcPlan(`vpc-${String(i).padStart(3, '0')}`, 'enforce'),
    );
    const message = buildDriftMessage({
      plan: plan(vpcs),
      report: undefined,
      logUrl: 'https://logs.example/x',
    });
    expectWithinLimits(message);
    expect(message.blocks).toHaveLength(SLACK_LIMITS.blocks);
    const vpcSections = sectionTexts(message).filter((text) => text.startsWith('*VPC*'));
    const moreSection = sectionTexts(message).find((text) => text.includes('more VPC(s)'));
    expect(moreSection).toBeDefined();
    const omitted = Number(/… and (\d+) more VPC/.exec(moreSection ?? '')?.[1]);
    expect(vpcSections.length + omitted).toBe(60);
    expect(moreSection).toContain('`vpc-059`');
    expect(message.blocks.at(-1)?.type).toBe('context');
  });

  it('truncates a VPC with very many findings to 3000 characters and keeps its actions visible', () => {
    const findings = Array.from({ length: 200 }, (_, i) =>
      finding('vpc-big', FINDING_CODES[i % FINDING_CODES.length] ?? 'MISSING_ENDPOINT', {
        resourceId: `r-${i}`,
      }),
    );
    const p = plan([vpcPlan('vpc-big', 'enforce', { findings })]);
    const message = buildDriftMessage({ plan: p, report: undefined });
    expectWithinLimits(message);
    const text = sectionTexts(message).find((t) => t.includes('vpc-big')) ?? '';
    const omitted = Number(/… and (\d+) more_/.exec(text)?.[1]);
    const shown = (text.match(/^• /gm) ?? []).length - 1; // one bullet is the action
    expect(omitted).toBeGreaterThan(0);
    expect(shown + omitted).toBe(200);
    expect(text).toContain('*Actions (1)*');
    expect(text).toContain('*planned* create interface endpoint ecs-agent');
  });

  it('links the runbook execution and the log in a context block', () => {
    const message = buildDriftMessage({
      plan: plan([vpcPlan('vpc-1', 'enforce')]),
      report: undefined,
      executionUrl: 'https://console.aws.amazon.com/states/home?region=us-east-1#/v2/executions/details/arn',
      logUrl: 'https://console.aws.amazon.com/cloudwatch/home#logsV2',
    });
    const context = message.blocks.find(
      (block): block is Extract<SlackBlock, { type: 'context' }> => block.type === 'context',
    );
    const texts = context?.elements.map((element) => element.text) ?? [];
    expect(texts).toContainEqual(
      expect.stringMatching(/^<https:\/\/console\.aws\.amazon\.com\/states\/.*\|Runbook execution>$/),
    );
    expect(texts).toContainEqual(expect.stringMatching(/\|Logs>$/));
  });
});

describe('buildApprovalMessage', () => {
  const executionArn = 'arn:aws:states:us-east-1:111122223333:execution:remediate:run-42';

  it('has Approve and Reject buttons that carry the task token', () => {
    const taskToken = 'AQB8AAAAKgAAAAMAAAAA'.repeat(50);
    const p = plan([vpcPlan('vpc-1', 'enforce'), vpcPlan('vpc-audit', 'audit')]);
    const message = buildApprovalMessage({ plan: p, taskToken, executionArn });
    const actions = message.blocks.find(
      (block): block is Extract<SlackBlock, { type: 'actions' }> => block.type === 'actions',
    );
    expect(actions?.elements.map((button) => button.action_id)).toEqual(['approve', 'reject']);
    for (const button of actions?.elements ?? []) {
      expect(button.value.length).toBeLessThanOrEqual(SLACK_LIMITS.buttonValue);
      expect(decodeApprovalValue(button.value)).toEqual({ taskToken, executionArn });
    }
    const text = sectionTexts(message).join('\n');
    expect(text).toContain('*will* create interface endpoint ecs-agent');
    expect(text).not.toContain('vpc-audit');
    expect(text).toContain('`run-42`');
    expectWithinLimits(message);
  });

  it('fails clearly, without echoing the token, when the button value would be too long', () => {
    const taskToken = 'SECRET-TOKEN-'.repeat(200);
    let thrown: unknown;
    try {
      buildApprovalMessage({ plan: plan([vpcPlan('vpc-1', 'enforce')]), taskToken, executionArn });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(Error);
    expect(String(thrown)).toMatch(/at most 2000/);
    expect(String(thrown)).toContain(`task token ${taskToken.length}`);
    expect(String(thrown)).not.toContain('SECRET-TOKEN');
  });

  it('rejects an empty task token', () => {
    expect(() => buildApprovalMessage({ plan: plan([]), taskToken: '', executionArn })).toThrow(/task token/);
  });

  it('does not decode values it did not make', () => {
    expect(decodeApprovalValue('not json')).toBeUndefined();
    expect(decodeApprovalValue('{"taskToken":""}')).toBeUndefined();
  });
});

/**
 * The CLI's human reports (shared/core/text-report.ts), line by line: what the user reads is the
 * product's interface. One plan with every mode (enforce with drift, enforce without, audit with and
 * without drift, off) and an apply report with every outcome, printed by each formatter, quiet and
 * verbose, plain and with a marking style (so each decoration is seen where it applies).
 */
import type { Action, ActionOutcome, ApplyReport, Plan, VpcPlan } from '../../../shared/core/domain.js';
import {
  applicableActions,
  applySummary,
  formatApplyIntent,
  formatApplyIntentMarkdown,
  formatApplyMarkdown,
  formatApplyReport,
  formatPlan,
  formatPlanMarkdown,
  planSummary,
  PLAIN,
  SEVERITIES,
  type Style,
} from '../../../shared/core/text-report.js';

const at = { apply: true, reason: 'needed' };
const vpcPlan = (o: Partial<VpcPlan>): VpcPlan => ({
  vpcId: 'vpc-1',
  mode: 'enforce',
  findings: [],
  actions: [],
  estimatedMonthlyCostUsd: 0,
  ...o,
});
const create: Action = {
  ...at,
  vpcId: 'vpc-e',
  id: 'vpc-e:CreateVpcEndpoint:ecs',
  kind: 'CreateVpcEndpoint',
  service: 'ecs',
  serviceName: 'com.amazonaws.eu-west-1.ecs',
  endpointType: 'Interface',
  subnetIds: ['subnet-a'],
  routeTableIds: [],
  privateDnsEnabled: true,
  clientToken: 't',
  newEndpointAzs: 1,
  reason: 'ecs | needed',
};
const group: Action = {
  ...at,
  vpcId: 'vpc-e',
  id: 'vpc-e:CreateSecurityGroup:g',
  kind: 'CreateSecurityGroup',
  groupName: 'g',
  description: 'd',
};
/** In an enforce VPC but `apply: false`: shown, never counted as something apply does. */
const reportOnly: Action = {
  ...at,
  vpcId: 'vpc-e',
  id: 'vpc-e:EnableVpcDnsAttribute:h',
  kind: 'EnableVpcDnsAttribute',
  attribute: 'enableDnsHostnames',
  apply: false,
  reason: 'report only',
};
const auditAction: Action = {
  ...at,
  vpcId: 'vpc-a',
  id: 'vpc-a:ModifyVpcEndpoint:vpce-1',
  kind: 'ModifyVpcEndpoint',
  service: 'logs',
  endpointId: 'vpce-1',
  addSubnetIds: [],
  enablePrivateDns: true,
  newEndpointAzs: 0,
  reason: 'dns off',
};
const plan: Plan = {
  region: 'eu-west-1',
  warnings: ['w|1\nsecond'],
  estimatedMonthlyCostUsd: 23.36,
  vpcs: [
    vpcPlan({ vpcId: 'vpc-off', mode: 'off' }),
    vpcPlan({
      vpcId: 'vpc-e',
      // Listed out of severity order: the reports group them most severe first.
      findings: [
        {
          vpcId: 'vpc-e',
          code: 'CUSTOM_DNS_SERVERS',
          severity: 'high',
          message: 'dns | custom',
          advice: 'forward\nit',
        },
        { vpcId: 'vpc-e', code: 'MISSING_ENDPOINT', severity: 'critical', service: 'ecs', message: 'no ecs' },
        { vpcId: 'vpc-e', code: 'AGENT_TOO_OLD', severity: 'low', resourceId: 'i-1', message: 'old' },
      ],
      actions: [create, group, reportOnly],
      estimatedMonthlyCostUsd: 8.03,
    }),
    vpcPlan({ vpcId: 'vpc-clean' }),
    vpcPlan({
      vpcId: 'vpc-a',
      mode: 'audit',
      findings: [
        { vpcId: 'vpc-a', code: 'PRIVATE_DNS_DISABLED', severity: 'medium', service: 'logs', message: 'off' },
      ],
      actions: [auditAction],
      estimatedMonthlyCostUsd: 15.33,
    }),
    vpcPlan({ vpcId: 'vpc-a2', mode: 'audit' }),
  ],
};

/** Every decoration wraps its text in a visible marker. */
const MARK: Style = {
  severity: (s, x) => `<${s}:${x}>`,
  will: (x) => `<will:${x}>`,
  would: (x) => `<would:${x}>`,
  applied: (x) => `<applied:${x}>`,
  failed: (x) => `<failed:${x}>`,
  skipped: (x) => `<skipped:${x}>`,
  heading: (x) => `<h:${x}>`,
  dim: (x) => `<dim:${x}>`,
};

const outcome = (o: Partial<ActionOutcome>): ActionOutcome =>
  ({
    actionId: create.id,
    kind: 'CreateVpcEndpoint',
    vpcId: 'vpc-e',
    status: 'applied',
    ...o,
  }) as ActionOutcome;
const report: ApplyReport = {
  region: 'eu-west-1',
  plan,
  writeCalls: 1,
  throttledRetries: 0,
  stoppedAtMaxChanges: false,
  converged: false,
  outcomes: [
    outcome({ resourceId: 'vpce-9', detail: 'created' }),
    outcome({ actionId: group.id, kind: 'CreateSecurityGroup', status: 'failed', error: 'boom|x' }),
    // An outcome whose action is not in the plan is shown by its id.
    outcome({ actionId: 'vpc-e:gone', status: 'skipped', why: 'stale' }),
    // An audit VPC's outcome: not counted in the summary, shown only with verbose.
    outcome({ vpcId: 'vpc-a', actionId: auditAction.id, status: 'skipped', why: 'audit' }),
  ],
};

const lines = (text: string) => text.split('\n');
const SUMMARY =
  'Plan: 2 to create, 0 to change, 0 to destroy · 2 findings need a person · +USD 8.03/month · 1 action in audit VPCs not applied';

describe('summary lines', () => {
  it('counts what apply does in enforce VPCs only, findings that need a person, the enforce cost, audit actions', () => {
    // 2 to create (the endpoint, the group); the apply: false action is not counted; the high finding with
    // advice and the audit VPC's finding need a person; only vpc-e's cost is spent.
    expect(planSummary(plan)).toBe(SUMMARY);
    expect(applicableActions(plan).map((a) => a.id)).toEqual([create.id, group.id]);
  });

  it('counts the enforce VPCs’ outcomes, audit VPCs with drift, off VPCs', () => {
    expect(applySummary(report)).toBe(
      'Apply: 1 applied, 1 failed · 1 skipped · 1 VPC in audit not changed · 1 VPC off',
    );
  });

  it('says VPCs in the plural', () => {
    const two: ApplyReport = {
      ...report,
      outcomes: [],
      plan: {
        ...plan,
        vpcs: [...plan.vpcs, { ...plan.vpcs[3]!, vpcId: 'vpc-a3' }, { ...plan.vpcs[0]!, vpcId: 'vpc-off2' }],
      },
    };
    expect(applySummary(two)).toBe('Apply: 0 applied, 0 failed · 2 VPCs in audit not changed · 2 VPCs off');
  });

  it('lists severities most severe first', () => {
    expect(SEVERITIES).toEqual(['critical', 'high', 'medium', 'low', 'info']);
  });
});

describe('formatPlan', () => {
  it('quiet: VPCs with drift in full, off and clean VPCs folded at the end', () => {
    expect(lines(formatPlan(plan))).toEqual([
      'Region eu-west-1: 5 VPCs',
      '  warning: w|1',
      'second',
      '',
      'VPC vpc-e [enforce]',
      '  critical (1)',
      '    MISSING_ENDPOINT (ecs): no ecs',
      '  high (1)',
      '    CUSTOM_DNS_SERVERS: dns | custom',
      '      advice: forward',
      'it',
      '  low (1)',
      '    AGENT_TOO_OLD: old',
      '   1. will create interface endpoint ecs in 1 subnet with private DNS',
      '      because ecs | needed',
      '   2. will create security group g for the endpoints',
      '      because needed',
      '   3. will enable enableDnsHostnames on the VPC',
      '      because report only',
      '  cost: +USD 8.03 a month',
      '',
      'VPC vpc-a [audit]',
      '  medium (1)',
      '    PRIVATE_DNS_DISABLED (logs): off',
      '   1. would (audit: not applied) update endpoint vpce-1 (logs): enable private DNS',
      '      because dns off',
      '  cost: +USD 15.33 a month',
      '',
      'VPC vpc-off [off]: off, not checked',
      'No drift: vpc-clean, vpc-a2',
      '',
      SUMMARY,
    ]);
  });

  it('verbose, styled: every VPC in full, each decoration where it applies, the total cost', () => {
    expect(lines(formatPlan(plan, { verbose: true, style: MARK }))).toEqual([
      'Region eu-west-1: 5 VPCs',
      '  warning: w|1',
      'second',
      '',
      '<h:VPC vpc-off [off]>',
      '  off: not checked',
      '',
      '<h:VPC vpc-e [enforce]>',
      '  <critical:critical (1)>',
      '    <critical:MISSING_ENDPOINT> (ecs): no ecs',
      '  <high:high (1)>',
      '    <high:CUSTOM_DNS_SERVERS>: dns | custom',
      '      advice: forward',
      'it',
      '  <low:low (1)>',
      '    <low:AGENT_TOO_OLD>: old',
      '   1. <will:will> create interface endpoint ecs in 1 subnet with private DNS',
      '      because ecs | needed',
      '   2. <will:will> create security group g for the endpoints',
      '      because needed',
      '   3. <will:will> enable enableDnsHostnames on the VPC',
      '      because report only',
      '  cost: +USD 8.03 a month',
      '',
      '<h:VPC vpc-clean [enforce]>',
      '  no drift',
      '',
      '<h:VPC vpc-a [audit]>',
      '  <medium:medium (1)>',
      '    <medium:PRIVATE_DNS_DISABLED> (logs): off',
      '   1. <would:would><dim: (audit: not applied)> update endpoint vpce-1 (logs): enable private DNS',
      '      because dns off',
      '  cost: +USD 15.33 a month',
      '',
      '<h:VPC vpc-a2 [audit]>',
      '  no drift',
      '',
      'Estimated cost of the new endpoint-AZs: +USD 23.36 a month',
      '',
      SUMMARY,
    ]);
  });

  it('the plain style changes nothing', () => {
    expect(formatPlan(plan, { style: PLAIN })).toBe(formatPlan(plan));
  });
});

describe('formatApplyIntent', () => {
  it('quiet, styled: the enforce actions without reasons, one line per other VPC', () => {
    expect(lines(formatApplyIntent(plan, { style: MARK }))).toEqual([
      'Region eu-west-1: 5 VPCs',
      '  warning: w|1',
      'second',
      '',
      '<h:VPC vpc-off [off]>: off, not checked',
      '<h:VPC vpc-e [enforce]>',
      '   1. <will:will> create interface endpoint ecs in 1 subnet with private DNS',
      '   2. <will:will> create security group g for the endpoints',
      '   3. <will:will> enable enableDnsHostnames on the VPC',
      '  cost: +USD 8.03 a month',
      '<h:VPC vpc-a [audit]>: 1 finding (1 medium), 1 action not applied: <would:report only>',
      '<dim:No drift: vpc-clean, vpc-a2>',
      SUMMARY,
    ]);
  });

  it('verbose: the whole plan', () => {
    expect(formatApplyIntent(plan, { verbose: true })).toBe(formatPlan(plan, { verbose: true }));
    expect(lines(formatApplyIntent(plan, { verbose: true }))).toEqual([
      'Region eu-west-1: 5 VPCs',
      '  warning: w|1',
      'second',
      '',
      'VPC vpc-off [off]',
      '  off: not checked',
      '',
      'VPC vpc-e [enforce]',
      '  critical (1)',
      '    MISSING_ENDPOINT (ecs): no ecs',
      '  high (1)',
      '    CUSTOM_DNS_SERVERS: dns | custom',
      '      advice: forward',
      'it',
      '  low (1)',
      '    AGENT_TOO_OLD: old',
      '   1. will create interface endpoint ecs in 1 subnet with private DNS',
      '      because ecs | needed',
      '   2. will create security group g for the endpoints',
      '      because needed',
      '   3. will enable enableDnsHostnames on the VPC',
      '      because report only',
      '  cost: +USD 8.03 a month',
      '',
      'VPC vpc-clean [enforce]',
      '  no drift',
      '',
      'VPC vpc-a [audit]',
      '  medium (1)',
      '    PRIVATE_DNS_DISABLED (logs): off',
      '   1. would (audit: not applied) update endpoint vpce-1 (logs): enable private DNS',
      '      because dns off',
      '  cost: +USD 15.33 a month',
      '',
      'VPC vpc-a2 [audit]',
      '  no drift',
      '',
      'Estimated cost of the new endpoint-AZs: +USD 23.36 a month',
      '',
      SUMMARY,
    ]);
  });
});

describe('formatApplyReport', () => {
  it('quiet, styled: the enforce VPCs’ outcomes, by action description', () => {
    expect(lines(formatApplyReport(report, { style: MARK }))).toEqual([
      'Applied in eu-west-1: 1 write call',
      '<h:VPC vpc-e [enforce]>',
      '  <applied:applied>  create interface endpoint ecs in 1 subnet with private DNS -> vpce-9 (created)',
      '  <failed:FAILED>   create security group g for the endpoints: boom|x',
      '  <skipped:skipped>  vpc-e:gone: stale',
      'Not converged: see the failures above.',
      'Apply: 1 applied, 1 failed · 1 skipped · 1 VPC in audit not changed · 1 VPC off',
    ]);
  });

  it('verbose: the audit VPC’s outcomes too', () => {
    expect(lines(formatApplyReport(report, { verbose: true }))).toEqual([
      'Applied in eu-west-1: 1 write call',
      'VPC vpc-e [enforce]',
      '  applied  create interface endpoint ecs in 1 subnet with private DNS -> vpce-9 (created)',
      '  FAILED   create security group g for the endpoints: boom|x',
      '  skipped  vpc-e:gone: stale',
      'VPC vpc-a [audit]',
      '  skipped  update endpoint vpce-1 (logs): enable private DNS: audit',
      'Not converged: see the failures above.',
      'Apply: 1 applied, 1 failed · 1 skipped · 1 VPC in audit not changed · 1 VPC off',
    ]);
  });
});

describe('markdown', () => {
  it('plan, quiet: a table per VPC with drift, cells on one line with pipes escaped', () => {
    expect(lines(formatPlanMarkdown(plan))).toEqual([
      '## ecs-endpoint-remediator plan: eu-west-1',
      '',
      '> warning: w\\|1 second',
      '',
      '### VPC `vpc-e` (enforce)',
      '',
      '| severity | code | service | finding | advice |',
      '|---|---|---|---|---|',
      '| critical | `MISSING_ENDPOINT` | ecs | no ecs |  |',
      '| high | `CUSTOM_DNS_SERVERS` |  | dns \\| custom | forward it |',
      '| low | `AGENT_TOO_OLD` |  | old |  |',
      '',
      '| # | | action | because |',
      '|---|---|---|---|',
      '| 1 | will | create interface endpoint ecs in 1 subnet with private DNS | ecs \\| needed |',
      '| 2 | will | create security group g for the endpoints | needed |',
      '| 3 | will | enable enableDnsHostnames on the VPC | report only |',
      '',
      'Cost: +USD 8.03 a month',
      '',
      '### VPC `vpc-a` (audit)',
      '',
      '| severity | code | service | finding | advice |',
      '|---|---|---|---|---|',
      '| medium | `PRIVATE_DNS_DISABLED` | logs | off |  |',
      '',
      '| # | | action | because |',
      '|---|---|---|---|',
      '| 1 | would (audit) | update endpoint vpce-1 (logs): enable private DNS | dns off |',
      '',
      'Cost: +USD 15.33 a month',
      '',
      'Off (not checked): `vpc-off`',
      '',
      'No drift: `vpc-clean`, `vpc-a2`',
      '',
      SUMMARY,
    ]);
  });

  it('plan, verbose: every VPC', () => {
    expect(lines(formatPlanMarkdown(plan, { verbose: true }))).toEqual([
      '## ecs-endpoint-remediator plan: eu-west-1',
      '',
      '> warning: w\\|1 second',
      '',
      '### VPC `vpc-off` (off)',
      '',
      'Off: not checked.',
      '',
      '### VPC `vpc-e` (enforce)',
      '',
      '| severity | code | service | finding | advice |',
      '|---|---|---|---|---|',
      '| critical | `MISSING_ENDPOINT` | ecs | no ecs |  |',
      '| high | `CUSTOM_DNS_SERVERS` |  | dns \\| custom | forward it |',
      '| low | `AGENT_TOO_OLD` |  | old |  |',
      '',
      '| # | | action | because |',
      '|---|---|---|---|',
      '| 1 | will | create interface endpoint ecs in 1 subnet with private DNS | ecs \\| needed |',
      '| 2 | will | create security group g for the endpoints | needed |',
      '| 3 | will | enable enableDnsHostnames on the VPC | report only |',
      '',
      'Cost: +USD 8.03 a month',
      '',
      '### VPC `vpc-clean` (enforce)',
      '',
      'No drift.',
      '',
      '### VPC `vpc-a` (audit)',
      '',
      '| severity | code | service | finding | advice |',
      '|---|---|---|---|---|',
      '| medium | `PRIVATE_DNS_DISABLED` | logs | off |  |',
      '',
      '| # | | action | because |',
      '|---|---|---|---|',
      '| 1 | would (audit) | update endpoint vpce-1 (logs): enable private DNS | dns off |',
      '',
      'Cost: +USD 15.33 a month',
      '',
      '### VPC `vpc-a2` (audit)',
      '',
      'No drift.',
      '',
      SUMMARY,
    ]);
  });

  it('apply intent: the enforce actions, a bullet per other VPC', () => {
    expect(lines(formatApplyIntentMarkdown(plan))).toEqual([
      '## ecs-endpoint-remediator apply: eu-west-1',
      '',
      '- VPC vpc-off [off]: off, not checked',
      '### VPC `vpc-e` (enforce)',
      '',
      '| # | action |',
      '|---|---|',
      '| 1 | create interface endpoint ecs in 1 subnet with private DNS |',
      '| 2 | create security group g for the endpoints |',
      '| 3 | enable enableDnsHostnames on the VPC |',
      '',
      '- VPC vpc-a [audit]: 1 finding (1 medium), 1 action not applied: report only',
      '- No drift: `vpc-clean`, `vpc-a2`',
      '',
      SUMMARY,
    ]);
    expect(formatApplyIntentMarkdown(plan, { verbose: true })).toBe(
      formatPlanMarkdown(plan, { verbose: true }),
    );
  });

  it('apply outcome, quiet: the enforce VPCs', () => {
    expect(lines(formatApplyMarkdown(report))).toEqual([
      '## ecs-endpoint-remediator apply outcome: eu-west-1',
      '',
      '### VPC `vpc-e` (enforce)',
      '',
      '| outcome | action | detail |',
      '|---|---|---|',
      '| applied | create interface endpoint ecs in 1 subnet with private DNS | vpce-9 created |',
      '| failed | create security group g for the endpoints | boom\\|x |',
      '| skipped | vpc-e:gone | stale |',
      '',
      'Apply: 1 applied, 1 failed · 1 skipped · 1 VPC in audit not changed · 1 VPC off',
    ]);
  });

  it('apply outcome, verbose: the audit VPC too', () => {
    expect(lines(formatApplyMarkdown(report, { verbose: true }))).toEqual([
      '## ecs-endpoint-remediator apply outcome: eu-west-1',
      '',
      '### VPC `vpc-e` (enforce)',
      '',
      '| outcome | action | detail |',
      '|---|---|---|',
      '| applied | create interface endpoint ecs in 1 subnet with private DNS | vpce-9 created |',
      '| failed | create security group g for the endpoints | boom\\|x |',
      '| skipped | vpc-e:gone | stale |',
      '',
      '### VPC `vpc-a` (audit)',
      '',
      '| outcome | action | detail |',
      '|---|---|---|',
      '| skipped | update endpoint vpce-1 (logs): enable private DNS | audit |',
      '',
      'Apply: 1 applied, 1 failed · 1 skipped · 1 VPC in audit not changed · 1 VPC off',
    ]);
  });
});

describe('reports with nothing to fold', () => {
  // No off VPC and no VPC without drift (no closing list), an enforce VPC with actions only (no
  // findings table, no cost line), an audit VPC with findings only, an outcome without a resource id.
  const only: Plan = {
    region: 'r',
    warnings: [],
    estimatedMonthlyCostUsd: 0,
    vpcs: [
      vpcPlan({
        vpcId: 'vpc-e',
        actions: [
          {
            id: 'a',
            vpcId: 'vpc-e',
            apply: true,
            reason: 'why',
            kind: 'EnableVpcDnsAttribute',
            attribute: 'enableDnsSupport',
          },
        ],
      }),
      vpcPlan({
        vpcId: 'vpc-a',
        mode: 'audit',
        findings: [{ vpcId: 'vpc-a', code: 'CUSTOM_DNS_SERVERS', severity: 'info', message: 'm' }],
      }),
    ],
  };
  const applied: ApplyReport = {
    region: 'r',
    plan: only,
    writeCalls: 1,
    throttledRetries: 0,
    stoppedAtMaxChanges: false,
    converged: true,
    outcomes: [outcome({ actionId: 'a', kind: 'EnableVpcDnsAttribute', vpcId: 'vpc-e', detail: 'on' })],
  };
  it.each<[string, string, string[]]>([
    [
      'formatPlan',
      formatPlan(only),
      [
        'Region r: 2 VPCs',
        '',
        'VPC vpc-e [enforce]',
        '   1. will enable enableDnsSupport on the VPC',
        '      because why',
        '',
        'VPC vpc-a [audit]',
        '  info (1)',
        '    CUSTOM_DNS_SERVERS: m',
        '',
        'Plan: 0 to create, 1 to change, 0 to destroy · 1 finding needs a person · +USD 0.00/month',
      ],
    ],
    [
      'formatApplyIntent',
      formatApplyIntent(only),
      [
        'Region r: 2 VPCs',
        '',
        'VPC vpc-e [enforce]',
        '   1. will enable enableDnsSupport on the VPC',
        'VPC vpc-a [audit]: 1 finding (1 info): report only',
        'Plan: 0 to create, 1 to change, 0 to destroy · 1 finding needs a person · +USD 0.00/month',
      ],
    ],
    [
      'formatPlanMarkdown',
      formatPlanMarkdown(only),
      [
        '## ecs-endpoint-remediator plan: r',
        '',
        '### VPC `vpc-e` (enforce)',
        '',
        '| # | | action | because |',
        '|---|---|---|---|',
        '| 1 | will | enable enableDnsSupport on the VPC | why |',
        '',
        '### VPC `vpc-a` (audit)',
        '',
        '| severity | code | service | finding | advice |',
        '|---|---|---|---|---|',
        '| info | `CUSTOM_DNS_SERVERS` |  | m |  |',
        '',
        'Plan: 0 to create, 1 to change, 0 to destroy · 1 finding needs a person · +USD 0.00/month',
      ],
    ],
    [
      'formatApplyIntentMarkdown',
      formatApplyIntentMarkdown(only),
      [
        '## ecs-endpoint-remediator apply: r',
        '',
        '### VPC `vpc-e` (enforce)',
        '',
        '| # | action |',
        '|---|---|',
        '| 1 | enable enableDnsSupport on the VPC |',
        '',
        '- VPC vpc-a [audit]: 1 finding (1 info): report only',
        '',
        'Plan: 0 to create, 1 to change, 0 to destroy · 1 finding needs a person · +USD 0.00/month',
      ],
    ],
    [
      'formatApplyMarkdown',
      formatApplyMarkdown(applied),
      [
        '## ecs-endpoint-remediator apply outcome: r',
        '',
        '### VPC `vpc-e` (enforce)',
        '',
        '| outcome | action | detail |',
        '|---|---|---|',
        '| applied | enable enableDnsSupport on the VPC | on |',
        '',
        'Apply: 1 applied, 0 failed · 1 VPC in audit not changed',
      ],
    ],
  ])('%s', (_name, text, expected) => {
    expect(lines(text)).toEqual(expected);
  });
});

/** The plan's JSON document and the human reports (CLI and Slack), line by line. */
import type { Action, ActionOutcome, ApplyReport, Plan, VpcPlan } from '../../../shared/core/domain.js';
import { describeAction, planDocument } from '../../../shared/core/report.js';
import { formatApplyReport, formatPlan } from '../../../shared/core/text-report.js';

const at = { vpcId: 'vpc-1', apply: true, reason: 'because it is needed' };
const existing = { kind: 'existing' as const, groupId: 'sg-1' };
const dedicated = { kind: 'dedicated' as const, vpcId: 'vpc-1' };
const instance = (n: number) => ({
  clusterArn: 'c',
  containerInstanceArn: `ci-${n}`,
  ec2InstanceId: `i-${n}`,
  platform: 'linux' as const,
});
const create = (o: Partial<Extract<Action, { kind: 'CreateVpcEndpoint' }>>): Action => ({
  ...at,
  id: 'x',
  kind: 'CreateVpcEndpoint',
  service: 'ecs',
  serviceName: 'com.amazonaws.us-east-1.ecs',
  endpointType: 'Interface',
  subnetIds: ['subnet-a', 'subnet-b'],
  routeTableIds: [],
  privateDnsEnabled: true,
  clientToken: 't',
  newEndpointAzs: 2,
  ...o,
});
const modify = (o: Partial<Extract<Action, { kind: 'ModifyVpcEndpoint' }>>): Action => ({
  ...at,
  id: 'x',
  kind: 'ModifyVpcEndpoint',
  service: 'logs',
  endpointId: 'vpce-1',
  addSubnetIds: [],
  enablePrivateDns: false,
  newEndpointAzs: 0,
  ...o,
});

describe('describeAction', () => {
  it.each<[Action, string]>([
    [
      { ...at, id: 'x', kind: 'EnableVpcDnsAttribute', attribute: 'enableDnsSupport' },
      'enable enableDnsSupport on the VPC',
    ],
    [
      { ...at, id: 'x', kind: 'CreateSecurityGroup', groupName: 'g', description: 'd' },
      'create security group g for the endpoints',
    ],
    [
      { ...at, id: 'x', kind: 'AuthorizeHttpsIngress', group: existing, cidrs: ['10.0.0.0/16'] },
      'allow HTTPS (443) into security group sg-1 from 10.0.0.0/16',
    ],
    [
      { ...at, id: 'x', kind: 'AuthorizeHttpsIngress', group: dedicated, cidrs: [] },
      'allow HTTPS (443) into the dedicated endpoint security group from nothing',
    ],
    [create({}), 'create interface endpoint ecs in 2 subnets with private DNS'],
    [
      create({ subnetIds: ['subnet-a'], privateDnsEnabled: false }),
      'create interface endpoint ecs in 1 subnet',
    ],
    [
      create({ service: 's3', endpointType: 'Gateway', subnetIds: [], routeTableIds: ['rtb-1'] }),
      'create gateway endpoint s3 on 1 route table',
    ],
    [
      create({ service: 's3', endpointType: 'Gateway', subnetIds: [], routeTableIds: ['rtb-1', 'rtb-2'] }),
      'create gateway endpoint s3 on 2 route tables',
    ],
    [modify({}), 'update endpoint vpce-1 (logs): no change'],
    [
      modify({
        addSubnetIds: ['s1', 's2', 's3', 's4', 's5', 's6', 's7'],
        addSecurityGroup: dedicated,
        enablePrivateDns: true,
      }),
      'update endpoint vpce-1 (logs): add s1, s2, s3, s4, s5 and 2 more, attach the dedicated endpoint security group, enable private DNS',
    ],
    [
      modify({ addSubnetIds: ['s1', 's2', 's3', 's4', 's5'] }),
      'update endpoint vpce-1 (logs): add s1, s2, s3, s4, s5',
    ],
    [modify({ addSecurityGroup: existing }), 'update endpoint vpce-1 (logs): attach security group sg-1'],
    [modify({ enablePrivateDns: true }), 'update endpoint vpce-1 (logs): enable private DNS'],
    [
      {
        ...at,
        id: 'x',
        kind: 'AddGatewayRoutes',
        service: 's3',
        endpointId: 'vpce-s3',
        routeTableIds: ['rtb-1', 'rtb-2'],
      },
      'add the s3 gateway endpoint vpce-s3 to rtb-1, rtb-2',
    ],
    [
      { ...at, id: 'x', kind: 'RestartEcsAgent', instances: [instance(1)], dependsOn: [] },
      'restart the ECS agent on 1 instance (i-1)',
    ],
    [
      { ...at, id: 'x', kind: 'RestartEcsAgent', instances: [instance(1), instance(2)], dependsOn: [] },
      'restart the ECS agent on 2 instances (i-1, i-2)',
    ],
    [{ ...at, id: 'x', kind: 'UpdateContainerAgent', instance: instance(3) }, 'update the ECS agent on i-3'],
  ])('%#: %s', (action, expected) => {
    expect({ action, text: describeAction(action) }).toEqual({ action, text: expected });
  });

  it('throws on an unknown kind', () => {
    expect(() => describeAction({ kind: 'DeleteEverything' } as unknown as Action)).toThrow(
      'unexpected action: {"kind":"DeleteEverything"}',
    );
  });
});

const vpcPlan = (o: Partial<VpcPlan>): VpcPlan => ({
  vpcId: 'vpc-1',
  mode: 'enforce',
  findings: [],
  actions: [],
  estimatedMonthlyCostUsd: 0,
  ...o,
});

describe('planDocument', () => {
  it('lists findings without empty optional fields, and copies actions and costs', () => {
    const action = modify({ enablePrivateDns: true });
    const p: Plan = {
      region: 'us-east-1',
      vpcs: [
        vpcPlan({
          findings: [
            { vpcId: 'vpc-1', code: 'CUSTOM_DNS_SERVERS', severity: 'high', message: 'm1' },
            {
              vpcId: 'vpc-1',
              code: 'PRIVATE_DNS_DISABLED',
              severity: 'critical',
              service: 'logs',
              resourceId: 'vpce-1',
              message: 'm2',
              advice: 'a2',
            },
          ],
          actions: [action],
          estimatedMonthlyCostUsd: 7.3,
        }),
      ],
      estimatedMonthlyCostUsd: 7.3,
      warnings: ['w'],
    };
    expect(planDocument(p)).toEqual({
      region: 'us-east-1',
      vpcs: [
        {
          vpcId: 'vpc-1',
          mode: 'enforce',
          findings: [
            { code: 'CUSTOM_DNS_SERVERS', severity: 'high', message: 'm1' },
            {
              code: 'PRIVATE_DNS_DISABLED',
              severity: 'critical',
              service: 'logs',
              resourceId: 'vpce-1',
              message: 'm2',
              advice: 'a2',
            },
          ],
          actions: [action],
          estimatedMonthlyCostUsd: 7.3,
        },
      ],
      estimatedMonthlyCostUsd: 7.3,
      warnings: ['w'],
    });
    expect(
      Object.keys((planDocument(p) as { vpcs: { findings: object[] }[] }).vpcs[0]!.findings[0]!),
    ).toEqual(['code', 'severity', 'message']);
  });
});

describe('formatPlan', () => {
  it('prints modes, findings with advice, numbered actions with reasons, and costs', () => {
    const p: Plan = {
      region: 'eu-west-1',
      vpcs: [
        vpcPlan({ vpcId: 'vpc-off', mode: 'off' }),
        vpcPlan({ vpcId: 'vpc-clean' }),
        vpcPlan({
          vpcId: 'vpc-e',
          findings: [
            {
              vpcId: 'vpc-e',
              code: 'MISSING_ENDPOINT',
              severity: 'critical',
              service: 'ecs',
              message: 'no ecs',
            },
            {
              vpcId: 'vpc-e',
              code: 'CUSTOM_DNS_SERVERS',
              severity: 'high',
              message: 'dns',
              advice: 'forward',
            },
          ],
          actions: [create({ reason: 'ecs is needed' })],
          estimatedMonthlyCostUsd: 16.06,
        }),
        vpcPlan({
          vpcId: 'vpc-a',
          mode: 'audit',
          actions: [modify({ enablePrivateDns: true, reason: 'dns off' })],
        }),
      ],
      estimatedMonthlyCostUsd: 16.06,
      warnings: ['w1'],
    };
    expect(formatPlan(p).split('\n')).toEqual([
      'Region eu-west-1: 4 VPCs',
      '  warning: w1',
      '',
      'VPC vpc-e [enforce]',
      '  critical (1)',
      '    MISSING_ENDPOINT (ecs): no ecs',
      '  high (1)',
      '    CUSTOM_DNS_SERVERS: dns',
      '      advice: forward',
      '   1. will create interface endpoint ecs in 2 subnets with private DNS',
      '      because ecs is needed',
      '  cost: +USD 16.06 a month',
      '',
      'VPC vpc-a [audit]',
      '   1. would (audit: not applied) update endpoint vpce-1 (logs): enable private DNS',
      '      because dns off',
      '',
      'VPC vpc-off [off]: off, not checked',
      'No drift: vpc-clean',
      '',
      'Plan: 1 to create, 0 to change, 0 to destroy · 1 finding needs a person · +USD 16.06/month · 1 action in audit VPCs not applied',
    ]);
  });

  it('numbers actions from 1, right-aligned to two places', () => {
    const actions = Array.from({ length: 10 }, (_, i) =>
      modify({ endpointId: `vpce-${i}`, reason: `r${i}` }),
    );
    const lines = formatPlan({
      region: 'r',
      vpcs: [vpcPlan({ actions })],
      estimatedMonthlyCostUsd: 0,
      warnings: [],
    }).split('\n');
    expect(lines.filter((l) => /^\s+\d+\. /.test(l)).map((l) => l.slice(0, 6))).toEqual([
      '   1. ',
      '   2. ',
      '   3. ',
      '   4. ',
      '   5. ',
      '   6. ',
      '   7. ',
      '   8. ',
      '   9. ',
      '  10. ',
    ]);
    expect(lines.at(-1)).toBe(
      'Plan: 0 to create, 10 to change, 0 to destroy · 0 findings need a person · +USD 0.00/month',
    );
  });
});

describe('formatApplyReport', () => {
  const outcome = (o: Partial<ActionOutcome> & Pick<ActionOutcome, 'status'>): ActionOutcome =>
    ({ actionId: 'vpc-1:X:y', kind: 'CreateVpcEndpoint', vpcId: 'vpc-1', ...o }) as ActionOutcome;
  const report = (o: Partial<ApplyReport>): ApplyReport => ({
    region: 'us-east-1',
    // Outcomes always belong to a planned VPC: vpc-1, in enforce.
    plan: { region: 'us-east-1', vpcs: [vpcPlan({})], estimatedMonthlyCostUsd: 0, warnings: [] },
    outcomes: [],
    writeCalls: 0,
    throttledRetries: 0,
    stoppedAtMaxChanges: false,
    converged: true,
    ...o,
  });

  it('prints each outcome and whether the run converged', () => {
    const text = formatApplyReport(
      report({
        writeCalls: 3,
        converged: false,
        outcomes: [
          outcome({ status: 'applied', resourceId: 'vpce-9', detail: 'created' }),
          outcome({ status: 'applied' }),
          outcome({ status: 'skipped', why: 'audit' }),
          outcome({ status: 'failed', error: 'boom' }),
        ],
      }),
    );
    expect(text.split('\n')).toEqual([
      'Applied in us-east-1: 3 write calls',
      'VPC vpc-1 [enforce]',
      '  applied  vpc-1:X:y -> vpce-9 (created)',
      '  applied  vpc-1:X:y',
      '  skipped  vpc-1:X:y: audit',
      '  FAILED   vpc-1:X:y: boom',
      'Not converged: see the failures above.',
      'Apply: 2 applied, 1 failed · 1 skipped',
    ]);
  });

  it('says when the change cap stopped the run', () => {
    expect(formatApplyReport(report({ stoppedAtMaxChanges: true })).split('\n')).toEqual([
      'Applied in us-east-1: 0 write calls',
      '  stopped: the change cap (--max-changes) was reached; run again to continue',
      'Converged.',
      'Apply: 0 applied, 0 failed · stopped at the change cap (0 writes)',
    ]);
  });

  it('names the throttled EC2 requests that were retried, when there were any', () => {
    expect(formatApplyReport(report({ writeCalls: 5, throttledRetries: 3 })).split('\n')[0]).toBe(
      'Applied in us-east-1: 5 write calls (3 throttled EC2 requests retried)',
    );
    expect(formatApplyReport(report({ writeCalls: 1, throttledRetries: 1 })).split('\n')[0]).toBe(
      'Applied in us-east-1: 1 write call (1 throttled EC2 request retried)',
    );
  });

  it('throws on an unknown outcome', () => {
    expect(() =>
      formatApplyReport(
        report({ outcomes: [{ status: 'lost', vpcId: 'vpc-1' } as unknown as ActionOutcome] }),
      ),
    ).toThrow('unexpected outcome');
  });
});

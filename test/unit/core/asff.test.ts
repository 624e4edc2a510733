/** Plan findings → ASFF (shared/core/asff.ts): stable ids, severity labels, merging, field limits. */
import {
  ASFF_LIMITS,
  asffFindingId,
  asffFindings,
  severityLabel,
  type AsffSeverityLabel,
} from '../../../shared/core/asff.js';
import type { Action, Finding, Plan, Severity, VpcPlan } from '../../../shared/core/domain.js';
import { FINDING_CODES } from '../../../shared/core/domain.js';

const ACCOUNT = '123456789012';
const NOW = '2026-12-04T04:00:00.000Z';
const VPC = 'vpc-0123456789abcdef0';

function finding(over: Partial<Finding> = {}): Finding {
  return {
    code: 'MISSING_ENDPOINT',
    severity: 'high',
    vpcId: VPC,
    service: 'ecs-agent',
    message: 'no ecs-agent endpoint',
    ...over,
  };
}

function planOf(findings: Finding[], over: Partial<VpcPlan> = {}, region = 'eu-west-1'): Plan {
  return {
    region,
    vpcs: [{ vpcId: VPC, mode: 'audit', findings, actions: [], estimatedMonthlyCostUsd: 0, ...over }],
    estimatedMonthlyCostUsd: 0,
    warnings: [],
  };
}

const createAction = {
  kind: 'CreateVpcEndpoint',
  id: `${VPC}:CreateVpcEndpoint:ecs-agent`,
  vpcId: VPC,
  reason: 'create the ecs-agent endpoint',
  apply: false,
  service: 'ecs-agent',
  serviceName: 'com.amazonaws.eu-west-1.ecs-agent',
  endpointType: 'Interface',
  subnetIds: ['subnet-1'],
  routeTableIds: [],
  privateDnsEnabled: true,
  clientToken: 't',
  newEndpointAzs: 1,
} as const satisfies Action;

describe('severityLabel', () => {
  it.each<[Severity, AsffSeverityLabel]>([
    ['critical', 'CRITICAL'],
    ['high', 'HIGH'],
    ['medium', 'MEDIUM'],
    ['low', 'LOW'],
    ['info', 'INFORMATIONAL'],
  ])('%s → %s', (severity, label) => {
    expect(severityLabel(severity)).toBe(label);
    const [out] = asffFindings(planOf([finding({ severity })]), { accountId: ACCOUNT, now: NOW });
    expect(out?.Severity).toEqual({ Label: label });
  });
});

describe('asffFindings', () => {
  it('maps one finding to one ASFF finding with every required field', () => {
    const out = asffFindings(planOf([finding()], { actions: [createAction] }), {
      accountId: ACCOUNT,
      now: NOW,
    });
    expect(out).toEqual([
      {
        SchemaVersion: '2018-10-08',
        Id: `ecs-endpoint-remediator/${ACCOUNT}/eu-west-1/${VPC}/MISSING_ENDPOINT/ecs-agent`,
        ProductArn: `arn:aws:securityhub:eu-west-1:${ACCOUNT}:product/${ACCOUNT}/default`,
        GeneratorId: 'ecs-endpoint-remediator/MISSING_ENDPOINT',
        AwsAccountId: ACCOUNT,
        Types: ['Software and Configuration Checks/AWS Security Best Practices/ECS VPC Endpoints'],
        CreatedAt: NOW,
        UpdatedAt: NOW,
        FirstObservedAt: NOW,
        LastObservedAt: NOW,
        Severity: { Label: 'HIGH' },
        Title: `MISSING_ENDPOINT: ecs-agent in VPC ${VPC}`,
        Description: 'no ecs-agent endpoint',
        Remediation: {
          Recommendation: {
            Text: 'In enforce mode the remediator would: create the ecs-agent endpoint.',
            Url: expect.stringMatching(/^https:\/\/docs\.aws\.amazon\.com\//),
          },
        },
        ProductFields: {
          'ecs-endpoint-remediator/Code': 'MISSING_ENDPOINT',
          'ecs-endpoint-remediator/Mode': 'audit',
          'ecs-endpoint-remediator/Service': 'ecs-agent',
        },
        Resources: [
          {
            Type: 'AwsEc2Vpc',
            Id: `arn:aws:ec2:eu-west-1:${ACCOUNT}:vpc/${VPC}`,
            Partition: 'aws',
            Region: 'eu-west-1',
          },
        ],
        Compliance: { Status: 'FAILED' },
        Workflow: { Status: 'NEW' },
        RecordState: 'ACTIVE',
      },
    ]);
  });

  it('gives the same ids on every run and a different id per VPC × code × service', () => {
    const findings = [
      finding(),
      finding({ service: 'ecs' }),
      finding({ code: 'PRIVATE_DNS_DISABLED' }),
      finding({ code: 'VPC_DNS_SUPPORT_DISABLED', service: undefined }),
    ];
    const a = asffFindings(planOf(findings), { accountId: ACCOUNT, now: NOW }).map((f) => f.Id);
    const b = asffFindings(planOf(findings), { accountId: ACCOUNT, now: '2027-01-01T00:00:00.000Z' }).map(
      (f) => f.Id,
    );
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(4);
    expect(a[3]).toBe(`ecs-endpoint-remediator/${ACCOUNT}/eu-west-1/${VPC}/VPC_DNS_SUPPORT_DISABLED/vpc`);
  });

  it('merges repeated findings of one key: the worst severity, every message, every resource', () => {
    const out = asffFindings(
      planOf([
        finding({
          code: 'ENDPOINT_AZ_NOT_COVERED',
          severity: 'low',
          resourceId: 'subnet-aaa',
          message: 'AZ a.',
        }),
        finding({
          code: 'ENDPOINT_AZ_NOT_COVERED',
          severity: 'high',
          resourceId: 'sg-bbb',
          message: 'AZ b.',
        }),
      ]),
      { accountId: ACCOUNT, now: NOW },
    );
    expect(out).toHaveLength(1);
    expect(out[0]?.Severity.Label).toBe('HIGH');
    expect(out[0]?.Description).toBe('AZ a. AZ b.');
    expect(out[0]?.Resources.map((r) => [r.Type, r.Id])).toEqual([
      ['AwsEc2Vpc', `arn:aws:ec2:eu-west-1:${ACCOUNT}:vpc/${VPC}`],
      ['AwsEc2Subnet', `arn:aws:ec2:eu-west-1:${ACCOUNT}:subnet/subnet-aaa`],
      ['AwsEc2SecurityGroup', `arn:aws:ec2:eu-west-1:${ACCOUNT}:security-group/sg-bbb`],
    ]);
  });

  it.each([
    ['cn-north-1', 'aws-cn'],
    ['us-gov-west-1', 'aws-us-gov'],
    ['eu-west-1', 'aws'],
  ])('uses the partition of %s (%s) in every ARN', (region, partition) => {
    const [out] = asffFindings(planOf([finding()], {}, region), { accountId: ACCOUNT, now: NOW });
    expect(out?.ProductArn).toBe(
      `arn:${partition}:securityhub:${region}:${ACCOUNT}:product/${ACCOUNT}/default`,
    );
    expect(out?.Resources[0]).toMatchObject({
      Partition: partition,
      Id: expect.stringMatching(`^arn:${partition}:ec2:`),
    });
  });

  it('keeps Title, Description, Recommendation and Resources within the ASFF limits', () => {
    const long = 'x'.repeat(3000);
    const many = Array.from({ length: 40 }, (_, i) => finding({ resourceId: `subnet-${i}`, message: long }));
    const [out] = asffFindings(planOf(many), { accountId: ACCOUNT, now: NOW });
    expect(out?.Description.length).toBe(ASFF_LIMITS.description);
    expect(out?.Description.endsWith('…')).toBe(true);
    expect(out?.Resources).toHaveLength(ASFF_LIMITS.resources);
    const withLongAdvice = asffFindings(planOf([finding({ advice: long, service: undefined })]), {
      accountId: ACCOUNT,
      now: NOW,
    });
    expect(withLongAdvice[0]?.Remediation.Recommendation.Text.length).toBe(ASFF_LIMITS.recommendation);
  });

  it('maps every finding code (no hard-coded list) with a Title naming the code and a recommendation', () => {
    const out = asffFindings(planOf(FINDING_CODES.map((code) => finding({ code }))), {
      accountId: ACCOUNT,
      now: NOW,
    });
    expect(out.map((f) => f.GeneratorId)).toEqual(FINDING_CODES.map((c) => `ecs-endpoint-remediator/${c}`));
    for (const f of out) {
      expect(f.Title.length).toBeLessThanOrEqual(ASFF_LIMITS.title);
      expect(f.Remediation.Recommendation.Text.length).toBeGreaterThan(0);
    }
  });

  it('says the remediator will act in an enforce VPC', () => {
    const [out] = asffFindings(
      planOf([finding()], { mode: 'enforce', actions: [{ ...createAction, apply: true }] }),
      {
        accountId: ACCOUNT,
        now: NOW,
      },
    );
    expect(out?.Remediation.Recommendation.Text).toBe('The remediator will: create the ecs-agent endpoint.');
  });

  it('exports nothing for a clean plan', () => {
    expect(asffFindings(planOf([]), { accountId: ACCOUNT, now: NOW })).toEqual([]);
    expect(asffFindingId(ACCOUNT, 'eu-west-1', { vpcId: VPC, code: 'MISSING_ENDPOINT' })).toMatch(/\/vpc$/);
  });
});

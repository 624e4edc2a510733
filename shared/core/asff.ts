/**
 * A plan's findings as AWS Security Finding Format (ASFF) findings for Security Hub's
 * BatchImportFindings. Pure. One ASFF finding per VPC × finding code × service (a VPC-wide
 * finding has no service); findings the rules repeat for one such key (one per AZ, instance, ...)
 * are merged into it. Mapped generically from the code, severity, service and VPC: a new finding
 * code exports without a change here.
 *
 * Field rules from the ASFF pages of the Security Hub user guide ("Required top-level ASFF
 * attributes", "Guidelines for mapping findings into the ASFF", "Resources ASFF object"):
 * SchemaVersion 2018-10-08; Title ≤ 256 characters; Description ≤ 1024; Id, GeneratorId ≤ 512;
 * Remediation.Recommendation.Text ≤ 512; at most 32 Resources; Types
 * `namespace/category/classifier`; Severity.Label one of INFORMATIONAL, LOW, MEDIUM, HIGH, CRITICAL.
 */
import type { Finding, Plan, Severity, VpcPlan } from './domain.js';
import { assertNever } from './domain.js';
import { FINDING_EXPLANATIONS } from './explanations.js';
import { partitionOf } from './service-names.js';

export const ASFF_SCHEMA_VERSION = '2018-10-08';
export const ASFF_TOOL = 'ecs-endpoint-remediator';
export const ASFF_LIMITS = {
  id: 512,
  title: 256,
  description: 1024,
  recommendation: 512,
  resources: 32,
} as const;

export type AsffSeverityLabel = 'INFORMATIONAL' | 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';

export interface AsffResource {
  readonly Type: string;
  readonly Id: string;
  readonly Partition: string;
  readonly Region: string;
}

export interface AsffFinding {
  readonly SchemaVersion: string;
  readonly Id: string;
  readonly ProductArn: string;
  readonly GeneratorId: string;
  readonly AwsAccountId: string;
  readonly Types: readonly string[];
  readonly CreatedAt: string;
  readonly UpdatedAt: string;
  readonly FirstObservedAt: string;
  readonly LastObservedAt: string;
  readonly Severity: { readonly Label: AsffSeverityLabel };
  readonly Title: string;
  readonly Description: string;
  readonly Remediation: { readonly Recommendation: { readonly Text: string; readonly Url?: string } };
  readonly ProductFields: Readonly<Record<string, string>>;
  readonly Resources: readonly AsffResource[];
  readonly Compliance: { readonly Status: 'FAILED' | 'PASSED' };
  readonly Workflow: { readonly Status: 'NEW' | 'RESOLVED' };
  readonly RecordState: 'ACTIVE' | 'ARCHIVED';
}

export interface AsffContext {
  readonly accountId: string;
  /** ISO 8601 time of this run: CreatedAt, UpdatedAt and the observation times of a new finding. */
  readonly now: string;
}

export function severityLabel(severity: Severity): AsffSeverityLabel {
  switch (severity) {
    case 'critical':
      return 'CRITICAL';
    case 'high':
      return 'HIGH';
    case 'medium':
      return 'MEDIUM';
    case 'low':
      return 'LOW';
    case 'info':
      return 'INFORMATIONAL';
    default:
      return assertNever(severity, 'severity');
  }
}

/** The product ARN of a custom integration in the account: `product/<account>/default`. */
export function productArn(partition: string, region: string, accountId: string): string {
  return `arn:${partition}:securityhub:${region}:${accountId}:product/${accountId}/default`;
}

/** Stable across runs: the same account, Region, VPC, code and service give the same Id. */
export function asffFindingId(
  accountId: string,
  region: string,
  f: Pick<Finding, 'vpcId' | 'code' | 'service'>,
): string {
  return `${ASFF_TOOL}/${accountId}/${region}/${f.vpcId}/${f.code}/${f.service ?? 'vpc'}`;
}

/** The GeneratorId: one per finding code (the rule that raised it). */
export function asffGeneratorId(code: string): string {
  return `${ASFF_TOOL}/${code}`;
}

/** Cuts `text` to at most `max` characters, marking the cut with an ellipsis. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The ASFF findings of a plan, in plan order. */
export function asffFindings(plan: Plan, context: AsffContext): AsffFinding[] {
  return plan.vpcs.flatMap((vpc) => vpcFindings(plan.region, vpc, context));
}

function vpcFindings(region: string, vpc: VpcPlan, context: AsffContext): AsffFinding[] {
  const groups = new Map<string, Finding[]>();
  for (const f of vpc.findings) {
    const id = asffFindingId(context.accountId, region, f);
    groups.set(id, [...(groups.get(id) ?? []), f]);
  }
  return [...groups].map(([id, findings]) => toAsff(id, region, vpc, findings, context));
}

function toAsff(
  id: string,
  region: string,
  vpc: VpcPlan,
  findings: readonly Finding[],
  ctx: AsffContext,
): AsffFinding {
  const first = findings[0];
  if (first === undefined) throw new Error('toAsff: no findings');
  const partition = partitionOf(region);
  const subject = first.service === undefined ? `VPC ${vpc.vpcId}` : `${first.service} in VPC ${vpc.vpcId}`;
  const explanation = FINDING_EXPLANATIONS[first.code];
  const worst =
    findings.map((f) => f.severity).sort((a, b) => SEVERITY_RANK[a] - SEVERITY_RANK[b])[0] ?? first.severity;
  return {
    SchemaVersion: ASFF_SCHEMA_VERSION,
    Id: truncate(id, ASFF_LIMITS.id),
    ProductArn: productArn(partition, region, ctx.accountId),
    GeneratorId: asffGeneratorId(first.code),
    AwsAccountId: ctx.accountId,
    Types: ['Software and Configuration Checks/AWS Security Best Practices/ECS VPC Endpoints'],
    CreatedAt: ctx.now,
    UpdatedAt: ctx.now,
    FirstObservedAt: ctx.now,
    LastObservedAt: ctx.now,
    Severity: { Label: severityLabel(worst) },
    Title: truncate(`${first.code}: ${subject}`, ASFF_LIMITS.title),
    Description: truncate(findings.map((f) => f.message).join(' '), ASFF_LIMITS.description),
    Remediation: {
      Recommendation: {
        Text: truncate(recommendation(vpc, findings), ASFF_LIMITS.recommendation),
        Url: explanation.docUrl,
      },
    },
    ProductFields: {
      [`${ASFF_TOOL}/Code`]: first.code,
      [`${ASFF_TOOL}/Mode`]: vpc.mode,
      ...(first.service === undefined ? {} : { [`${ASFF_TOOL}/Service`]: first.service }),
    },
    Resources: resources(partition, region, ctx.accountId, vpc.vpcId, findings),
    Compliance: { Status: 'FAILED' },
    Workflow: { Status: 'NEW' },
    RecordState: 'ACTIVE',
  };
}

const SEVERITY_RANK: Readonly<Record<Severity, number>> = {
  critical: 0,
  high: 1,
  medium: 2,
  low: 3,
  info: 4,
};

/**
 * The reasons of the planned actions for the finding's service (VPC-wide actions for a VPC-wide
 * finding), saying whether the tool applies them; else the finding's advice; else what to do by hand.
 */
function recommendation(vpc: VpcPlan, findings: readonly Finding[]): string {
  const first = findings[0];
  const service = first?.service;
  const actions = vpc.actions.filter((a) => ('service' in a ? a.service === service : service === undefined));
  if (actions.length > 0) {
    const how = vpc.mode === 'enforce' ? 'The remediator will' : 'In enforce mode the remediator would';
    return `${how}: ${actions.map((a) => a.reason).join('; ')}.`;
  }
  const advice = findings.find((f) => f.advice !== undefined)?.advice;
  if (advice !== undefined) return advice;
  return first === undefined ? '' : FINDING_EXPLANATIONS[first.code].byHand;
}

/** The VPC first, then each distinct resource the findings name, typed by its id's prefix. */
function resources(
  partition: string,
  region: string,
  accountId: string,
  vpcId: string,
  findings: readonly Finding[],
): AsffResource[] {
  const arn = (path: string) => `arn:${partition}:ec2:${region}:${accountId}:${path}`;
  const ids = [
    ...new Set(findings.flatMap((f) => (f.resourceId && f.resourceId !== vpcId ? [f.resourceId] : []))),
  ];
  const rest = ids.map((id): AsffResource => {
    const [type, path] = resourceKind(id);
    return {
      Type: type,
      Id: path === undefined ? id : arn(`${path}/${id}`),
      Partition: partition,
      Region: region,
    };
  });
  return [
    { Type: 'AwsEc2Vpc', Id: arn(`vpc/${vpcId}`), Partition: partition, Region: region },
    ...rest,
  ].slice(0, ASFF_LIMITS.resources);
}

/** The ASFF resource type and EC2 ARN resource path of an id; `Other` with the id itself when unknown. */
function resourceKind(id: string): [string, string | undefined] {
  const prefix = id.split('-')[0];
  switch (prefix) {
    case 'sg':
      return ['AwsEc2SecurityGroup', 'security-group'];
    case 'subnet':
      return ['AwsEc2Subnet', 'subnet'];
    case 'acl':
      return ['AwsEc2NetworkAcl', 'network-acl'];
    case 'rtb':
      return ['AwsEc2RouteTable', 'route-table'];
    case 'i':
      return ['AwsEc2Instance', 'instance'];
    case 'vpce':
      return ['Other', 'vpc-endpoint'];
    default:
      return ['Other', undefined];
  }
}

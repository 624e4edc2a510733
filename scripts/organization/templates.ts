/**
 * The two templates of an organisation deployment, made from the template `sls package` writes
 * (one source of truth for the rules, the permissions and the SSM document):
 *
 * - `stackSetTemplate`: the stack itself, deployable by CloudFormation StackSets (service-managed
 *   permissions) in every account and Region. StackSets deploy a template, not a serverless
 *   package: the framework's deployment bucket goes, and the functions' code comes from a bucket per
 *   Region that the operator fills (`<ArtifactBucketPrefix>-<Region>`), as Lambda needs its code in
 *   the function's own Region ("AWS::Lambda::Function Code": the bucket must be in the same Region).
 * - `memberTemplate`: for the hub shape. In each member account and Region, rules that forward the
 *   events the hub's rules match to the hub's central bus (through a role EventBridge assumes, as
 *   cross-account bus targets require), the restart document, and the role the hub's reconcile
 *   function assumes there (`<MemberRoleName>-<Region>`, trusting only the hub's reconcile role),
 *   with the reconcile role's EC2, ECS, SSM and Route 53 permissions and nothing else.
 */

export interface CfnResource {
  Type: string;
  Condition?: string;
  DependsOn?: string | string[];
  Properties?: Record<string, unknown>;
  [key: string]: unknown;
}

export interface CfnTemplate {
  AWSTemplateFormatVersion?: string;
  Description?: string;
  Parameters?: Record<string, Record<string, unknown>>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, unknown>;
  [key: string]: unknown;
}

const DEPLOYMENT_BUCKET = 'ServerlessDeploymentBucket';
const clone = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Resource ids a value refers to (Ref, Fn::GetAtt, `${Id}` / `${Id.Attr}` in Fn::Sub). */
export function referencedIds(value: unknown, into = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) referencedIds(v, into);
  } else if (value && typeof value === 'object') {
    for (const [key, arg] of Object.entries(value)) {
      if (key === 'Ref' && typeof arg === 'string') into.add(arg);
      else if (key === 'Fn::GetAtt')
        into.add(String(Array.isArray(arg) ? arg[0] : String(arg).split('.')[0]));
      else if (key === 'Fn::Sub') {
        const text = Array.isArray(arg) ? arg[0] : arg;
        for (const m of String(text).matchAll(/\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}/g))
          into.add(String(m[1]));
        if (Array.isArray(arg)) referencedIds(arg[1], into);
      } else referencedIds(arg, into);
    }
  }
  return into;
}

export interface StackSetOptions {
  /** The Region `sls package` ran for: a template that still names it would be wrong elsewhere. */
  readonly packagedRegion: string;
}

export function stackSetTemplate(packaged: CfnTemplate, options: StackSetOptions): CfnTemplate {
  const template = clone(packaged);
  delete template.Resources[DEPLOYMENT_BUCKET];
  delete template.Resources[`${DEPLOYMENT_BUCKET}Policy`];
  if (template.Outputs) delete template.Outputs[`${DEPLOYMENT_BUCKET}Name`];
  template.Parameters = {
    ...template.Parameters,
    ArtifactBucketPrefix: {
      Type: 'String',
      AllowedPattern: '^[a-z0-9][a-z0-9.-]{1,40}[a-z0-9]$',
      Description: 'Buckets holding the function code: <prefix>-<Region>, one in every target Region.',
    },
    ArtifactKeyPrefix: {
      Type: 'String',
      Default: '',
      AllowedPattern: '^([A-Za-z0-9!_.*()/-]*/)?$',
      Description: 'Key prefix of the function zips in those buckets (empty, or ending in /).',
    },
  };
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const code = resource.Properties?.Code as { S3Key?: unknown } | undefined;
    const key = typeof code?.S3Key === 'string' ? code.S3Key : undefined;
    const zip = key?.split('/').pop();
    if (!zip) throw new Error(`${id}: no S3Key to take the zip name from`);
    resource.Properties = {
      ...resource.Properties,
      Code: {
        S3Bucket: { 'Fn::Sub': '${ArtifactBucketPrefix}-${AWS::Region}' },
        S3Key: { 'Fn::Sub': `\${ArtifactKeyPrefix}${zip}` },
      },
    };
  }
  const left = [...referencedIds(template)].filter((id) => id.startsWith(DEPLOYMENT_BUCKET));
  if (left.length > 0) throw new Error(`the template still refers to ${left.join(', ')}`);
  const text = JSON.stringify(template);
  if (text.includes(options.packagedRegion)) {
    throw new Error(
      `the template names the packaging Region ${options.packagedRegion}: it would be wrong in other Regions`,
    );
  }
  return template;
}

/** Actions the member role may keep: the reads and writes the hub makes in a member's network. */
const MEMBER_ACTION_PREFIXES = ['ec2:', 'ecs:', 'ssm:', 'route53:', 'route53resolver:'];
const EVENT_RULES = ['Ec2ApiCallRule', 'EcsApiCallRule', 'EcsAgentDisconnectedRule'];

interface Statement {
  Sid?: string;
  Action: string | string[];
  [key: string]: unknown;
}

const actions = (s: Statement) => (Array.isArray(s.Action) ? s.Action : [s.Action]);

function memberStatements(statements: readonly Statement[], available: ReadonlySet<string>): Statement[] {
  return statements.filter(
    (s) =>
      actions(s).every((a) => MEMBER_ACTION_PREFIXES.some((p) => a.startsWith(p))) &&
      [...referencedIds(s)].every((id) => available.has(id) || id.startsWith('AWS::')),
  );
}

/** Replaces the hub's own roles in a rule's loop guard (`anything-but` role ARNs) with the member role. */
function guardedByMemberRole(pattern: unknown): unknown {
  if (Array.isArray(pattern)) return pattern.map(guardedByMemberRole);
  if (!pattern || typeof pattern !== 'object') return pattern;
  return Object.fromEntries(
    Object.entries(pattern).map(([key, value]) =>
      key === 'anything-but' && Array.isArray(value) && value.some((v) => referencedIds(v).size > 0)
        ? [key, [{ 'Fn::GetAtt': ['MemberRole', 'Arn'] }]]
        : [key, guardedByMemberRole(value)],
    ),
  );
}

export function memberTemplate(packaged: CfnTemplate): CfnTemplate {
  const source = packaged.Resources;
  const changePolicy = source.RemediatorChangePolicy;
  const reconcileRole = source.ReconcileRole;
  const document = source.RestartEcsAgentDocument;
  if (!changePolicy || !reconcileRole || !document) {
    throw new Error(
      'the packaged template lacks RemediatorChangePolicy, ReconcileRole or RestartEcsAgentDocument',
    );
  }
  const available = new Set(['MemberRole', 'RestartEcsAgentDocument', 'MemberChangePolicy']);
  const inline =
    (reconcileRole.Properties?.Policies as { PolicyDocument: { Statement: Statement[] } }[]) ?? [];
  const changes = (changePolicy.Properties?.PolicyDocument as { Statement: Statement[] }).Statement;
  // The findings export: the hub imports a member's findings through the member role (with the
  // default product ARN the caller's account must be the findings' account: "BatchImportFindings",
  // Security Hub API reference), so the member role gets the hub's Security Hub statements, in the
  // member's own account, when the member stack's SecurityHubExport says so.
  const securityHub = source.ReconcileSecurityHubPolicy;
  const securityHubStatements = securityHub
    ? clone((securityHub.Properties?.PolicyDocument as { Statement: Statement[] }).Statement)
    : undefined;
  const reads = memberStatements(
    inline.flatMap((p) => p.PolicyDocument.Statement),
    available,
  );
  const rules = Object.fromEntries(
    EVENT_RULES.map((id) => {
      const rule = source[id];
      if (!rule) throw new Error(`the packaged template lacks ${id}`);
      const props = clone(rule.Properties ?? {});
      return [
        `Forward${id}`,
        {
          Type: 'AWS::Events::Rule',
          Properties: {
            Description: `Forwards to the hub: ${String(props.Description ?? id)}`,
            State: 'ENABLED',
            EventPattern: guardedByMemberRole(props.EventPattern),
            Targets: [
              {
                Id: 'hub-event-bus',
                Arn: { Ref: 'HubEventBusArn' },
                RoleArn: { 'Fn::GetAtt': ['ForwardToHubRole', 'Arn'] },
              },
            ],
          },
        },
      ];
    }),
  );
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description:
      'ecs-endpoint-remediator member account: forwards the events the hub reconciles and lets the hub repair this account.',
    Parameters: {
      HubEventBusArn: {
        Type: 'String',
        AllowedPattern: '^arn:aws[a-z-]*:events:[a-z0-9-]+:\\d{12}:event-bus/[A-Za-z0-9._-]+$',
        Description: 'The hub stack central event bus in this Region (the hub stack CentralEventBus).',
      },
      HubReconcileRoleArn: {
        Type: 'String',
        AllowedPattern: '^arn:aws[a-z-]*:iam::\\d{12}:role/[A-Za-z0-9+=,.@_/-]+$',
        Description:
          'The hub reconcile function role in this Region: the only principal trusted by the member role.',
      },
      MemberRoleName: {
        Type: 'String',
        Default: 'ecs-endpoint-remediator-member',
        AllowedPattern: '^[A-Za-z0-9+=,.@_-]{1,40}$',
        Description:
          'Name prefix of the member role (the role is <prefix>-<Region>; the hub stack has the same parameter).',
      },
      ...(securityHubStatements
        ? {
            SecurityHubExport: {
              Type: 'String',
              Default: 'false',
              AllowedValues: ['true', 'false'],
              Description:
                'The hub writes this account findings to its Security Hub (true, as the hub stack SecurityHubExport) or not.',
            },
          }
        : {}),
    },
    ...(securityHubStatements
      ? { Conditions: { ExportsToSecurityHub: { 'Fn::Equals': [{ Ref: 'SecurityHubExport' }, 'true'] } } }
      : {}),
    Resources: {
      ...(securityHubStatements
        ? {
            MemberSecurityHubPolicy: {
              Type: 'AWS::IAM::Policy',
              Condition: 'ExportsToSecurityHub',
              Properties: {
                PolicyName: 'security-hub-export',
                Roles: [{ Ref: 'MemberRole' }],
                PolicyDocument: { Version: '2012-10-17', Statement: securityHubStatements },
              },
            },
          }
        : {}),
      MemberRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          RoleName: { 'Fn::Sub': '${MemberRoleName}-${AWS::Region}' },
          Description: 'Assumed by the ecs-endpoint-remediator hub to read and repair this account network.',
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              {
                Effect: 'Allow',
                Principal: { AWS: { Ref: 'HubReconcileRoleArn' } },
                Action: 'sts:AssumeRole',
              },
            ],
          },
          ManagedPolicyArns: [{ Ref: 'MemberChangePolicy' }],
          Policies: [
            { PolicyName: 'member-reads', PolicyDocument: { Version: '2012-10-17', Statement: reads } },
          ],
        },
      },
      MemberChangePolicy: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: {
          Description: String(changePolicy.Properties?.Description ?? 'ecs-endpoint-remediator changes'),
          PolicyDocument: { Version: '2012-10-17', Statement: memberStatements(changes, available) },
        },
      },
      RestartEcsAgentDocument: clone(document),
      ForwardToHubRole: {
        Type: 'AWS::IAM::Role',
        Properties: {
          AssumeRolePolicyDocument: {
            Version: '2012-10-17',
            Statement: [
              { Effect: 'Allow', Principal: { Service: 'events.amazonaws.com' }, Action: 'sts:AssumeRole' },
            ],
          },
          Policies: [
            {
              PolicyName: 'put-events-on-hub-bus',
              PolicyDocument: {
                Version: '2012-10-17',
                Statement: [
                  { Effect: 'Allow', Action: 'events:PutEvents', Resource: { Ref: 'HubEventBusArn' } },
                ],
              },
            },
          ],
        },
      },
      ...rules,
    },
    Outputs: {
      MemberRoleArn: { Value: { 'Fn::GetAtt': ['MemberRole', 'Arn'] } },
    },
  };
}

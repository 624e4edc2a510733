/**
 * The packaged template (`sls package`) with its intrinsic functions evaluated by cfn-resolver-lib,
 * as a deployment into a stand-in account would give them. Nothing is deployed, so the only values
 * supplied here are what a deployment would assign: the pseudo parameters, and the physical ids of
 * the resources whose Ref or Arn something reads, in the formats of their CloudFormation reference
 * pages, from the resources' own name properties in the template:
 * - AWS::SQS::Queue: Ref is the queue URL
 *   (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-sqs-queue.html);
 * - AWS::StepFunctions::StateMachine: Ref is the state machine ARN
 *   (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-stepfunctions-statemachine.html);
 * - AWS::IAM::Role: Arn from RoleName
 *   (https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-iam-role.html).
 * cfn-resolver-lib 1.1.8 cannot evaluate conditions (it throws on the template's Conditions), so the
 * resources using Fn::If or created under a `Condition` (the dead-letter alarm, the organisation
 * hub's bus and the Security Hub export's grants) are left out: nothing the bench reads is there.
 */
import NodeEvaluator from 'cfn-resolver-lib';
import type { CfnResource, CfnTemplate } from '../../test/support/sls-package.js';

export const STAND_IN_ACCOUNT = '123456789012';

export interface StandInStack {
  readonly region: string;
  readonly accountId: string;
}

function refOf(resource: CfnResource, stack: StandInStack): string | undefined {
  const props = resource.Properties ?? {};
  switch (resource.Type) {
    case 'AWS::SQS::Queue':
      return typeof props.QueueName === 'string'
        ? `https://sqs.${stack.region}.amazonaws.com/${stack.accountId}/${props.QueueName}`
        : undefined;
    case 'AWS::StepFunctions::StateMachine':
      return typeof props.StateMachineName === 'string'
        ? `arn:aws:states:${stack.region}:${stack.accountId}:stateMachine:${props.StateMachineName}`
        : undefined;
    default:
      return undefined;
  }
}

/** The template with every intrinsic the library evaluates replaced by its value. */
export function resolvePackagedTemplate(template: CfnTemplate, stack: StandInStack): CfnTemplate {
  const resources = Object.fromEntries(
    Object.entries(template.Resources).filter(
      ([, r]) => !('Condition' in r) && !JSON.stringify(r).includes('"Fn::If"'),
    ),
  );
  const refs = Object.fromEntries(
    Object.entries(resources).flatMap(([id, r]) => {
      const ref = refOf(r, stack);
      return ref ? [[id, ref]] : [];
    }),
  );
  const parameters = {
    RefResolvers: {
      'AWS::Region': stack.region,
      'AWS::Partition': 'aws',
      'AWS::AccountId': stack.accountId,
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': 'ecs-endpoint-remediator-bench',
      ...refs,
    },
    ArnSchemas: {
      'AWS::IAM::Role': 'arn:${Partition}:iam::${Account}:role/${RoleName}',
      'AWS::StepFunctions::StateMachine':
        'arn:${Partition}:states:${Region}:${Account}:stateMachine:${StateMachineName}',
    },
  };
  // The library warns for every Fn::GetAtt it resolves without an override (none is given here).
  const warn = console.warn;
  const warnings: string[] = [];
  console.warn = (...args: unknown[]) => void warnings.push(args.map(String).join(' '));
  try {
    const { Conditions: _conditions, ...rest } = template;
    // The library reads the Parameters section unconditionally.
    const input = { ...rest, Parameters: rest.Parameters ?? {}, Resources: resources };
    return new NodeEvaluator(input, parameters).evaluateNodes() as CfnTemplate;
  } finally {
    console.warn = warn;
    for (const w of warnings.filter((w) => !w.startsWith('Fn::GetAttResolvers not found'))) warn(w);
  }
}

/** Each function's Lambda environment, resolved, keyed by its artifact's file name (`reconcile.zip`). */
export function functionEnvironments(resolved: CfnTemplate): Map<string, Record<string, string>> {
  const environments = new Map<string, Record<string, string>>();
  for (const [id, resource] of Object.entries(resolved.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function') continue;
    const key = (resource.Properties?.Code as { S3Key?: unknown } | undefined)?.S3Key;
    if (typeof key !== 'string') continue;
    const variables =
      (resource.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ??
      {};
    const env: Record<string, string> = {};
    for (const [name, value] of Object.entries(variables)) {
      if (typeof value !== 'string') {
        throw new Error(`${id}: environment variable ${name} is still unresolved: ${JSON.stringify(value)}`);
      }
      env[name] = value;
    }
    environments.set(key.split('/').at(-1) ?? key, env);
  }
  return environments;
}

/** The runbook's state machine definition (ASL), resolved. */
export function stateMachineDefinition(resolved: CfnTemplate): unknown {
  const machines = Object.values(resolved.Resources).filter(
    (r) => r.Type === 'AWS::StepFunctions::StateMachine',
  );
  if (machines.length !== 1) throw new Error(`expected one state machine, found ${machines.length}`);
  const text = machines[0]?.Properties?.DefinitionString;
  if (typeof text !== 'string')
    throw new Error(`the state machine definition is unresolved: ${JSON.stringify(text)}`);
  return JSON.parse(text) as unknown;
}

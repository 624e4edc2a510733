import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { configFromEnvironment } from '../../shared/core/config.js';
import { SERVICE_NAMES } from '../../shared/core/domain.js';
import { HANDLED_EVENT_NAMES } from '../../shared/events/index.js';
import {
  SERVICE_DIR,
  actionsOf,
  iamStatements,
  packageService,
  resourcesOf,
} from '../support/sls-package.js';
import type { CfnResource, PackagedService, PolicyStatement } from '../support/sls-package.js';
import { COORDINATION_KEY, COORDINATION_TTL_ATTRIBUTE } from '../support/coordination-table.js';

let packaged: PackagedService;

beforeAll(async () => {
  packaged = await packageService({ stage: 'test' });
}, 180_000);

afterAll(async () => {
  if (packaged) await rm(packaged.dir, { recursive: true, force: true });
});

const resources = () => packaged.template.Resources;
const ofType = (type: string): Array<[string, CfnResource]> =>
  Object.entries(resources()).filter(([, r]) => r.Type === type);
const props = (id: string): Record<string, unknown> => {
  const resource = resources()[id];
  if (!resource) throw new Error(`no resource ${id} in the template`);
  return resource.Properties ?? {};
};
const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });

function functionsByName(): Record<string, Record<string, unknown>> {
  return Object.fromEntries(
    ofType('AWS::Lambda::Function').map(([, r]) => {
      const p = r.Properties ?? {};
      return [String(p.FunctionName).replace(/^ecs-endpoint-remediator-test-/, ''), p];
    }),
  );
}

function ruleWithDetailType(detailType: string, source: string): Record<string, unknown> {
  const matches = ofType('AWS::Events::Rule').filter(([, r]) => {
    const pattern = r.Properties?.EventPattern as Record<string, unknown[]> | undefined;
    return pattern?.['detail-type']?.includes(detailType) && pattern.source?.includes(source);
  });
  expect(matches).toHaveLength(1);
  return matches[0]?.[1].Properties?.EventPattern as Record<string, unknown>;
}

describe('packaged functions', () => {
  it('packages exactly the reconcile, sweep, runbook and Slack functions, each an ESM bundle', () => {
    const handlerFiles: Record<string, string> = {
      reconcile: 'functions/reconcile/handler.mjs',
      sweep: 'functions/sweep/handler.mjs',
      runbookTasks: 'functions/runbook/handler.mjs',
      runbookChanges: 'functions/runbook/handler.mjs',
      slackInteractions: 'functions/slack-interactions/handler.mjs',
    };
    expect(Object.keys(functionsByName()).sort()).toEqual(Object.keys(handlerFiles).sort());
    for (const [name, file] of Object.entries(handlerFiles)) {
      const zip = readFileSync(join(packaged.dir, `${name}.zip`));
      // Zip entry names are stored uncompressed in the archive's directory.
      expect({ file, inZip: zip.includes(file) }).toEqual({ file, inZip: true });
    }
    console.log(
      `packaged bundle sizes: ${Object.entries(packaged.artifacts)
        .map(([zip, bytes]) => `${zip} ${(bytes / 1024).toFixed(1)} KiB`)
        .join(', ')}`,
    );
  });

  it('runs every function on nodejs22.x, arm64, with its own role', () => {
    const functions = functionsByName();
    const roles = new Set<string>();
    for (const [name, fn] of Object.entries(functions)) {
      expect([name, fn.Runtime, fn.Architectures]).toEqual([name, 'nodejs22.x', ['arm64']]);
      const role = (fn.Role as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'];
      expect(role[1]).toBe('Arn');
      expect(resources()[role[0]]?.Type).toBe('AWS::IAM::Role');
      roles.add(role[0]);
    }
    expect(roles.size).toBe(Object.keys(functions).length);
    expect(functions.reconcile?.Handler).toBe('functions/reconcile/handler.handler');
    expect(functions.sweep?.Handler).toBe('functions/sweep/handler.handler');
  });

  it('gives every function the configuration the code reads, parseable by configFromEnvironment', () => {
    const configSource = readFileSync(join(SERVICE_DIR, 'shared/core/config.ts'), 'utf8');
    const readByConfig = [...configSource.matchAll(/env\.([A-Z][A-Z0-9_]*)/g)].map((m) => m[1] as string);
    // Lists and tuning knobs with code defaults need not be set; the rest are the documented parameters.
    const required = [
      'DEFAULT_MODE',
      'MODE_TAG_KEY',
      'MANAGED_TAG_KEY',
      'MAX_CHANGES',
      'RESTART_DOCUMENT_NAME',
    ];
    for (const name of required) expect(readByConfig).toContain(name);
    for (const fn of Object.values(functionsByName())) {
      const variables = (fn.Environment as { Variables: Record<string, unknown> }).Variables;
      for (const name of required) expect(Object.keys(variables)).toContain(name);
      for (const name of Object.keys(variables)) {
        if (!readByConfig.includes(name)) continue;
        expect(typeof variables[name]).toBe('string');
      }
      const strings = Object.fromEntries(
        Object.entries(variables).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
      );
      const config = configFromEnvironment(strings);
      expect(config).toMatchObject({ defaultMode: 'audit', maxChanges: 20, updateOldAgents: true });
      expect(config.restartDocumentName).toBe(props('RestartEcsAgentDocument').Name);
      expect(variables.SELF_ROLE_ARNS).toEqual({
        'Fn::Join': [',', [getAtt('ReconcileRole'), getAtt('SweepRole'), getAtt('RunbookChangesRole')]],
      });
    }
  });
});

describe('queue, dead letters and schedule', () => {
  it('drains the queue into reconcile in batches, one run at a time, reporting item failures', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping');
    expect(mappings).toHaveLength(1);
    expect(mappings[0]?.[1].Properties).toMatchObject({
      EventSourceArn: getAtt('EventQueue'),
      FunctionName: getAtt('ReconcileLambdaFunction'),
      BatchSize: 100,
      MaximumBatchingWindowInSeconds: 60,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    expect(props('ReconcileLambdaFunction').ReservedConcurrentExecutions).toBe(1);
  });

  it('hides a received batch for at least six times the reconcile timeout', () => {
    const timeout = props('ReconcileLambdaFunction').Timeout as number;
    expect(props('EventQueue').VisibilityTimeout as number).toBeGreaterThanOrEqual(6 * timeout);
  });

  it('moves a message to the dead-letter queue after three receives and alarms on it', () => {
    expect(props('EventQueue').RedrivePolicy).toEqual({
      deadLetterTargetArn: getAtt('EventDeadLetterQueue'),
      maxReceiveCount: 3,
    });
    const alarm = props('EventDeadLetterAlarm');
    expect(alarm).toMatchObject({
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{ Name: 'QueueName', Value: getAtt('EventDeadLetterQueue', 'QueueName') }],
      ComparisonOperator: 'GreaterThanThreshold',
      Threshold: 0,
    });
    expect(alarm.AlarmActions).toEqual({
      'Fn::If': ['HasAlarmTopic', [{ Ref: 'AlarmTopicArn' }], { Ref: 'AWS::NoValue' }],
    });
    expect(packaged.template.Parameters?.AlarmTopicArn?.Default).toBe('');
    expect(packaged.template.Conditions?.HasAlarmTopic).toEqual({
      'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'AlarmTopicArn' }, ''] }],
    });
  });

  it('runs the sweep on the sweep rate', () => {
    const schedules = ofType('AWS::Events::Rule').filter(([, r]) => r.Properties?.ScheduleExpression);
    expect(schedules).toHaveLength(1);
    expect(schedules[0]?.[1].Properties).toMatchObject({
      ScheduleExpression: 'rate(1 hour)',
      Targets: [expect.objectContaining({ Arn: getAtt('SweepLambdaFunction') })],
    });
  });
});

describe('event rules', () => {
  const selfExclusion = {
    $or: [
      { userIdentity: { sessionContext: { sessionIssuer: { arn: [{ exists: false }] } } } },
      {
        userIdentity: {
          sessionContext: {
            sessionIssuer: {
              arn: [
                {
                  'anything-but': [
                    getAtt('ReconcileRole'),
                    getAtt('SweepRole'),
                    getAtt('RunbookChangesRole'),
                  ],
                },
              ],
            },
          },
        },
      },
    ],
  };

  it('listens to exactly the handled EC2 API calls, without the remediator’s own or failed calls', () => {
    const pattern = ruleWithDetailType('AWS API Call via CloudTrail', 'aws.ec2');
    const detail = pattern.detail as Record<string, unknown>;
    expect([...(detail.eventName as string[])].sort()).toEqual([...HANDLED_EVENT_NAMES['aws.ec2']].sort());
    expect(detail.eventSource).toEqual(['ec2.amazonaws.com']);
    expect(detail.errorCode).toEqual([{ exists: false }]);
    expect({ $or: detail.$or }).toEqual(selfExclusion);
  });

  it('listens to exactly the handled ECS API calls, without the remediator’s own or failed calls', () => {
    const pattern = ruleWithDetailType('AWS API Call via CloudTrail', 'aws.ecs');
    const detail = pattern.detail as Record<string, unknown>;
    expect(detail.eventName).toEqual([...HANDLED_EVENT_NAMES['aws.ecs']]);
    expect(detail.eventSource).toEqual(['ecs.amazonaws.com']);
    expect({ $or: detail.$or }).toEqual(selfExclusion);
  });

  it('listens to container instances whose agent disconnected', () => {
    const pattern = ruleWithDetailType('ECS Container Instance State Change', 'aws.ecs');
    expect(pattern.detail).toEqual({ agentConnected: [false] });
  });

  it('sends every event rule to the queue, which accepts exactly those rules', () => {
    const eventRules = ofType('AWS::Events::Rule').filter(([, r]) => r.Properties?.EventPattern);
    expect(eventRules.map(([id]) => id).sort()).toEqual([
      'CentralMemberEventsRule',
      'Ec2ApiCallRule',
      'EcsAgentDisconnectedRule',
      'EcsApiCallRule',
    ]);
    for (const [, rule] of eventRules) {
      expect(rule.Properties?.Targets).toEqual([expect.objectContaining({ Arn: getAtt('EventQueue') })]);
    }
    const [statement, central, ...others] = (
      props('EventQueuePolicy').PolicyDocument as { Statement: PolicyStatement[] }
    ).Statement;
    expect(others).toEqual([]);
    for (const s of [statement, central]) {
      expect(s).toMatchObject({
        Effect: 'Allow',
        Principal: { Service: 'events.amazonaws.com' },
        Action: 'sqs:SendMessage',
        Resource: getAtt('EventQueue'),
      });
    }
    const sources = (statement?.Condition?.ArnEquals?.['aws:SourceArn'] as unknown[]).map((a) =>
      JSON.stringify(a),
    );
    const defaultBusRules = eventRules.filter(([id]) => id !== 'CentralMemberEventsRule');
    expect(sources.sort()).toEqual(defaultBusRules.map(([id]) => JSON.stringify(getAtt(id))).sort());
    // The hub-only rule (conditional, so not Fn::GetAtt) is named by its ARN on the central bus.
    const rule = props('CentralMemberEventsRule');
    expect(central?.Condition?.ArnEquals?.['aws:SourceArn']).toEqual({
      'Fn::Sub': `arn:\${AWS::Partition}:events:\${AWS::Region}:\${AWS::AccountId}:rule/ecs-endpoint-remediator-test-central/${String(rule.Name)}`,
    });
    expect(props('CentralEventBus').Name).toBe('ecs-endpoint-remediator-test-central');
  });
});

describe('SSM document', () => {
  it('deploys documents/restart-ecs-agent.yml unchanged (shell ${...} included) under a fixed name', () => {
    const document = props('RestartEcsAgentDocument');
    expect(document).toMatchObject({
      Name: 'EcsEndpointRemediator-RestartEcsAgent',
      DocumentType: 'Command',
      DocumentFormat: 'YAML',
      UpdateMethod: 'NewVersion',
    });
    const source: unknown = parseYaml(
      readFileSync(join(SERVICE_DIR, 'documents/restart-ecs-agent.yml'), 'utf8'),
    );
    expect(document.Content).toEqual(source);
  });
});

describe('IAM', () => {
  const statements = () => iamStatements(packaged.template);
  const region = (type: string) => ({
    'Fn::Sub': `arn:\${AWS::Partition}:ec2:\${AWS::Region}:\${AWS::AccountId}:${type}/*`,
  });
  const granting = (action: string) => statements().filter((s) => actionsOf(s).includes(action));

  /**
   * Write actions allowed on Resource "*" without a condition, each with the reason:
   * - xray:PutTraceSegments, xray:PutTelemetryRecords: X-Ray supports no resource-level permissions.
   */
  // Actions AWS offers no resource-level permission for (Service Authorization Reference): X-Ray's
  // trace upload for Lambda tracing, and Step Functions' task-token answers (the token is the capability).
  const UNCONDITIONED_WRITES_ON_STAR = [
    'xray:PutTraceSegments',
    'xray:PutTelemetryRecords',
    'states:SendTaskSuccess',
    'states:SendTaskFailure',
  ];
  const isRead = (action: string) => /^[a-z0-9-]+:(Describe|List|Get|BatchGet)/.test(action);

  it('lets only the reconcile function start executions, and only of the runbook state machine it is told to use', () => {
    const grants = granting('states:StartExecution');
    expect(grants.map((g) => g.owner)).toEqual(['ReconcileRole']);
    const name = props('RunbookStateMachine').StateMachineName as string;
    expect(grants.flatMap(resourcesOf)).toEqual([
      { 'Fn::Sub': `arn:\${AWS::Partition}:states:\${AWS::Region}:\${AWS::AccountId}:stateMachine:${name}` },
    ]);
    const env = (functionsByName().reconcile?.Environment as { Variables: Record<string, unknown> })
      .Variables;
    expect(env.REPAIR_STATE_MACHINE_ARN).toEqual({ Ref: 'RunbookStateMachine' });
  });

  it('never grants a whole service or everything', () => {
    expect(statements().length).toBeGreaterThan(0);
    for (const statement of statements()) {
      expect(statement.Effect).toBe('Allow');
      for (const action of actionsOf(statement)) expect(action).not.toMatch(/^\*$|:\*$/);
    }
  });

  it('puts a condition on every write to Resource "*" outside the commented allow-list', () => {
    const offenders = statements()
      .filter((s) => resourcesOf(s).includes('*') && !s.Condition)
      .flatMap((s) => actionsOf(s).map((action) => `${s.owner} ${action}`))
      .filter((entry) => {
        const action = entry.split(' ')[1] ?? '';
        return !isRead(action) && !UNCONDITIONED_WRITES_ON_STAR.includes(action);
      });
    expect(offenders).toEqual([]);
  });

  it('creates endpoints only for the services ECS needs, in this Region', () => {
    const onEndpoints = granting('ec2:CreateVpcEndpoint').filter((s) =>
      resourcesOf(s).some((r) => JSON.stringify(r).includes('vpc-endpoint/') || r === '*'),
    );
    expect(onEndpoints).toHaveLength(1);
    const [statement] = onEndpoints;
    expect(resourcesOf(statement as PolicyStatement)).toEqual([region('vpc-endpoint')]);
    const names = statement?.Condition?.StringEquals?.['ec2:VpceServiceName'];
    expect(names).toEqual(SERVICE_NAMES.map((s) => ({ 'Fn::Sub': `com.amazonaws.\${AWS::Region}.${s}` })));
  });

  it('authorizes ingress only on groups carrying the managed tag; repairs endpoints of this account and Region only', () => {
    // The functions tag with MANAGED_TAG_KEY; IAM must name the same key.
    const env = (functionsByName().reconcile?.Environment as { Variables: Record<string, string> }).Variables;
    const key = env.MANAGED_TAG_KEY;
    expect(key).toBe('ecs-endpoint-remediator:managed');
    const tagged = { Null: { [`aws:ResourceTag/${key}`]: 'false' } };
    const onGroups = granting('ec2:AuthorizeSecurityGroupIngress').filter((s) =>
      JSON.stringify(s.Resource).includes(':security-group/*'),
    );
    expect(onGroups.map((s) => s.Condition)).toEqual([tagged]);
    // Users' own endpoints get the repairs the plan names: one grant, on this account and Region's
    // endpoints (ModifyVpcEndpoint has no service-name condition key).
    const onEndpoints = granting('ec2:ModifyVpcEndpoint').filter((s) =>
      JSON.stringify(s.Resource).includes(':vpc-endpoint/*'),
    );
    expect(onEndpoints.map((s) => s.Resource)).toEqual([
      { 'Fn::Sub': 'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:vpc-endpoint/*' },
    ]);
    const creates = granting('ec2:CreateSecurityGroup').filter((s) =>
      JSON.stringify(s.Resource).includes(':security-group/*'),
    );
    expect(creates.map((s) => s.Condition)).toEqual([{ Null: { [`aws:RequestTag/${key}`]: 'false' } }]);
  });

  it('tags only while creating', () => {
    const tagging = granting('ec2:CreateTags');
    expect(tagging.length).toBeGreaterThan(0);
    for (const statement of tagging) {
      expect(statement.Condition?.StringEquals?.['ec2:CreateAction']).toEqual(
        expect.arrayContaining(['CreateVpcEndpoint', 'CreateSecurityGroup']),
      );
    }
  });

  it('sends commands only with the tool’s own document', () => {
    const sending = granting('ssm:SendCommand');
    expect(sending).toHaveLength(1);
    const documents = resourcesOf(sending[0] as PolicyStatement)
      .map((r) => JSON.stringify(r))
      .filter((r) => r.includes(':document/'));
    expect(documents).toEqual([
      JSON.stringify({
        'Fn::Sub':
          'arn:${AWS::Partition}:ssm:${AWS::Region}:${AWS::AccountId}:document/EcsEndpointRemediator-RestartEcsAgent',
      }),
    ]);
    expect(resourcesOf(sending[0] as PolicyStatement)).toContainEqual({
      'Fn::Sub': 'arn:${AWS::Partition}:ec2:${AWS::Region}:${AWS::AccountId}:instance/*',
    });
  });

  it('updates agents on container instances and reads only the Slack secret', () => {
    for (const statement of granting('ecs:UpdateContainerAgent')) {
      expect(statement.Resource).toEqual({
        'Fn::Sub': 'arn:${AWS::Partition}:ecs:${AWS::Region}:${AWS::AccountId}:container-instance/*',
      });
    }
    // The approvals endpoint reads only the signing secret (checked in the runbook tests below).
    const secrets = granting('secretsmanager:GetSecretValue').filter(
      (s) => s.owner !== 'SlackInteractionsRole',
    );
    expect(secrets.length).toBeGreaterThan(0);
    for (const statement of secrets) {
      expect(statement.Resource).toEqual({
        'Fn::Sub':
          'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:ecs-endpoint-remediator/slack-??????',
      });
    }
  });

  it('changes EC2, ECS and SSM only through the change policy (agent updates only in the reconcile role)', () => {
    const changers = statements().filter((s) =>
      actionsOf(s).some((a) => /^(ec2|ecs|ssm):/.test(a) && !isRead(a)),
    );
    expect(changers.length).toBeGreaterThan(0);
    // The runbook never updates agents, so UpdateContainerAgent is the reconcile role's own grant.
    const agentUpdates = changers.filter((s) => actionsOf(s).includes('ecs:UpdateContainerAgent'));
    expect(agentUpdates.map((s) => [s.owner, actionsOf(s)])).toEqual([
      ['ReconcileRole', ['ecs:UpdateContainerAgent']],
    ]);
    expect(new Set(changers.filter((s) => !agentUpdates.includes(s)).map((s) => s.owner))).toEqual(
      new Set(['RemediatorChangePolicy']),
    );
    expect(resources().RemediatorChangePolicy?.Type).toBe('AWS::IAM::ManagedPolicy');
    const attachedTo = ofType('AWS::IAM::Role')
      .filter(([, role]) =>
        JSON.stringify(role.Properties?.ManagedPolicyArns ?? []).includes('RemediatorChangePolicy'),
      )
      .map(([id]) => id);
    // The runbook's change function applies approved plans with the same policy.
    expect(attachedTo.sort()).toEqual(['ReconcileRole', 'RunbookChangesRole']);
    // The sweep only queues a whole-region request.
    const sweep = statements().filter((s) => s.owner === 'SweepRole');
    expect(sweep.flatMap(actionsOf).filter((a) => !a.startsWith('logs:') && !a.startsWith('xray:'))).toEqual([
      'sqs:SendMessage',
    ]);
  });
});

describe('runbook', () => {
  const statements = () => iamStatements(packaged.template);
  const granting = (action: string) => statements().filter((s) => actionsOf(s).includes(action));
  type AslState = {
    Type: string;
    Resource?: string;
    Retry?: { ErrorEquals: string[] }[];
    Catch?: { ErrorEquals: string[]; Next: string }[];
    ItemProcessor?: { States: Record<string, AslState> };
    Next?: string;
    Default?: string;
    SecondsPath?: string;
    TimeoutSeconds?: number;
    Choices?: { Variable: string; BooleanEquals?: boolean; Next: string }[];
  };
  const machine = () => {
    const machines = ofType('AWS::StepFunctions::StateMachine');
    expect(machines.map(([id]) => id)).toEqual(['RunbookStateMachine']);
    return machines[0]?.[1].Properties ?? {};
  };
  const definition = () => {
    const [text, variables] = (
      machine().DefinitionString as { 'Fn::Sub': [string, Record<string, unknown>] }
    )['Fn::Sub'];
    return { states: (JSON.parse(text) as { States: Record<string, AslState> }).States, variables };
  };
  const allStates = (states: Record<string, AslState>): Array<[string, AslState]> =>
    Object.entries(states).flatMap(([name, state]) => [
      [name, state] as [string, AslState],
      ...(state.ItemProcessor ? allStates(state.ItemProcessor.States) : []),
    ]);
  const LAMBDA_ERRORS = [
    'Lambda.ServiceException',
    'Lambda.AWSLambdaException',
    'Lambda.SdkClientException',
    'Lambda.TooManyRequestsException',
  ];

  it('has one state machine, with its own role, invoking only the two runbook functions', () => {
    expect(machine().RoleArn).toEqual(getAtt('RunbookStateMachineRole'));
    expect(
      Object.values(definition().variables).sort((a, b) =>
        JSON.stringify(a).localeCompare(JSON.stringify(b)),
      ),
    ).toEqual([getAtt('RunbookChangesLambdaFunction'), getAtt('RunbookTasksLambdaFunction')]);
    const own = statements().filter((s) => s.owner === 'RunbookStateMachineRole');
    expect(own.flatMap(actionsOf)).toEqual(['lambda:InvokeFunction']);
    expect(JSON.stringify(own.flatMap(resourcesOf))).not.toMatch(/Reconcile|Sweep|SlackInteractions|"\*"/);
    const trust = props('RunbookStateMachineRole').AssumeRolePolicyDocument as {
      Statement: PolicyStatement[];
    };
    expect(trust.Statement.map((s) => (s as unknown as { Principal: unknown }).Principal)).toEqual([
      { Service: 'states.amazonaws.com' },
    ]);
  });

  it('retries Lambda’s transient errors on every Task and catches everything else', () => {
    const tasks = allStates(definition().states).filter(([, s]) => s.Type === 'Task');
    expect(tasks.map(([name]) => name).sort()).toEqual([
      'NotifyFailure',
      'NotifyPlan',
      'NotifyRejected',
      'NotifyResult',
      'Plan',
      'Repair',
      'RequestApproval',
    ]);
    for (const [name, task] of tasks) {
      const retried = (task.Retry ?? []).flatMap((r) => r.ErrorEquals);
      expect([name, retried]).toEqual([name, expect.arrayContaining(LAMBDA_ERRORS)]);
      expect([name, task.Catch?.at(-1)?.ErrorEquals]).toEqual([name, ['States.ALL']]);
    }
    const { states } = definition();
    // Top-level failures end in the failure notification; a failed restart batch is recorded in its Map.
    for (const [name, task] of Object.entries(states).filter(([, s]) => s.Type === 'Task')) {
      if (name === 'NotifyFailure') continue;
      expect([name, task.Catch?.at(-1)?.Next]).toEqual([name, 'NotifyFailure']);
    }
    expect(states.RequestApproval?.Resource).toBe('arn:aws:states:::lambda:invoke.waitForTaskToken');
    expect(states.RequestApproval?.Catch?.[0]).toMatchObject({
      ErrorEquals: ['Rejected', 'States.Timeout'],
      Next: 'NotifyRejected',
    });
  });

  it('waits in Wait states, not in Lambda: Repair → RepairDone → WaitForRepair (its seconds from the step) → Repair', () => {
    const { states } = definition();
    expect(states.StartRepair).toMatchObject({ Type: 'Pass', Next: 'Repair' });
    expect(states.Repair).toMatchObject({ Type: 'Task', Next: 'RepairDone' });
    expect(states.RepairDone).toMatchObject({
      Type: 'Choice',
      Choices: [{ Variable: '$.repair.done', BooleanEquals: true, Next: 'NotifyResult' }],
      Default: 'WaitForRepair',
    });
    expect(states.WaitForRepair).toEqual({
      Type: 'Wait',
      SecondsPath: '$.repair.waitSeconds',
      Next: 'Repair',
    });
    // One step is short: the changes function's timeout is five minutes, the Task's a little more.
    const changes = props('RunbookChangesLambdaFunction');
    expect(changes.Timeout).toBe(300);
    expect(states.Repair?.TimeoutSeconds).toBeGreaterThan(300);
    // No other loop: the only Wait is the repair's.
    expect(
      allStates(states)
        .filter(([, st]) => st.Type === 'Wait')
        .map(([name]) => name),
    ).toEqual(['WaitForRepair']);
  });

  it('routes POST /slack/interactions to the approvals function', () => {
    const routes = ofType('AWS::ApiGatewayV2::Route').map(([, r]) => r.Properties ?? {});
    expect(routes.map((r) => r.RouteKey)).toEqual(['POST /slack/interactions']);
    const integration = ofType('AWS::ApiGatewayV2::Integration')[0]?.[1].Properties ?? {};
    expect(integration.IntegrationUri).toEqual(getAtt('SlackInteractionsLambdaFunction'));
    const env = (functionsByName().slackInteractions?.Environment as { Variables: Record<string, unknown> })
      .Variables;
    expect(env).toMatchObject({
      SLACK_SIGNING_SECRET_NAME: 'ecs-endpoint-remediator/slack-signing-secret',
      SLACK_APPROVER_IDS: '',
      RUNBOOK_STATE_MACHINE_ARN: { Ref: 'RunbookStateMachine' },
    });
  });

  it('lets only the approvals function answer task tokens, and read only the signing secret', () => {
    const own = statements().filter((s) => s.owner === 'SlackInteractionsRole');
    const callbacks = own.filter((s) => actionsOf(s).some((a) => a.startsWith('states:')));
    expect(callbacks.map((s) => [actionsOf(s), s.Resource])).toEqual([
      // No resource type exists for these actions: "*" (the task token is the capability).
      [['states:SendTaskSuccess', 'states:SendTaskFailure'], '*'],
    ]);
    expect(granting('states:SendTaskSuccess').map((s) => s.owner)).toEqual(['SlackInteractionsRole']);
    expect(
      own.filter((s) => actionsOf(s).includes('secretsmanager:GetSecretValue')).map((s) => s.Resource),
    ).toEqual([
      {
        'Fn::Sub':
          'arn:${AWS::Partition}:secretsmanager:${AWS::Region}:${AWS::AccountId}:secret:ecs-endpoint-remediator/slack-signing-secret-??????',
      },
    ]);
  });
});

describe('coordination table (one writer per VPC, durable Slack caches)', () => {
  it('is one CloudFormation-named table keyed and expired as the code writes it', () => {
    const tables = ofType('AWS::DynamoDB::Table');
    expect(tables.map(([id]) => id)).toEqual(['CoordinationTable']);
    const p = props('CoordinationTable');
    expect({
      name: p.TableName,
      key: p.KeySchema,
      attributes: p.AttributeDefinitions,
      ttl: p.TimeToLiveSpecification,
      billing: p.BillingMode,
    }).toEqual({
      // No name: stacks in other accounts and Regions never collide.
      name: undefined,
      key: [{ AttributeName: COORDINATION_KEY, KeyType: 'HASH' }],
      attributes: [{ AttributeName: COORDINATION_KEY, AttributeType: 'S' }],
      ttl: { AttributeName: COORDINATION_TTL_ATTRIBUTE, Enabled: true },
      billing: 'PAY_PER_REQUEST',
    });
  });

  it('gives the table to exactly the functions that coordinate, with the account id the keys carry', () => {
    const fns = functionsByName();
    const withTable = Object.entries(fns)
      .filter(
        ([, f]) =>
          (f.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables
            ?.COORDINATION_TABLE_NAME,
      )
      .map(([name, f]) => [name, (f.Environment as { Variables: Record<string, unknown> }).Variables]);
    expect(withTable.map(([name]) => name).sort()).toEqual([
      'reconcile',
      'runbookChanges',
      'slackInteractions',
    ]);
    for (const [, vars] of withTable) {
      expect(vars).toMatchObject({
        COORDINATION_TABLE_NAME: { Ref: 'CoordinationTable' },
        STACK_ACCOUNT_ID: { Ref: 'AWS::AccountId' },
      });
    }
  });

  it('lets each role touch only its own key prefixes: leases and announcements, leases, replays', () => {
    const grants = iamStatements(packaged.template)
      .filter((s) => actionsOf(s).some((a) => a.startsWith('dynamodb:')))
      .map((s) => ({
        owner: s.owner,
        actions: actionsOf(s),
        resource: s.Resource,
        leadingKeys: (s.Condition as Record<string, Record<string, unknown>> | undefined)?.[
          'ForAllValues:StringLike'
        ]?.['dynamodb:LeadingKeys'],
      }));
    const table = getAtt('CoordinationTable');
    expect(grants).toEqual([
      {
        owner: 'ReconcileRole',
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resource: table,
        leadingKeys: ['lease#*', 'announce#*'],
      },
      {
        owner: 'RunbookChangesRole',
        actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
        resource: table,
        leadingKeys: ['lease#*'],
      },
      {
        owner: 'SlackInteractionsRole',
        actions: ['dynamodb:PutItem'],
        resource: table,
        leadingKeys: ['replay#*'],
      },
    ]);
  });
});

describe('cfn-lint', () => {
  it('finds no errors or warnings in the packaged template', async () => {
    const result = await new Promise<{ code: number; output: string }>((resolve) => {
      execFile(
        join(SERVICE_DIR, '.venv/bin/cfn-lint'),
        // W3005 (redundant DependsOn) is generated by the framework for functions with explicit roles.
        ['--ignore-checks', 'W3005', '--', packaged.templatePath],
        (error, stdout, stderr) => {
          const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
          resolve({ code, output: `${stdout}${stderr}` });
        },
      );
    });
    if (result.code !== 0) console.error(result.output);
    expect(result).toEqual({ code: 0, output: '' });
  });
});

describe('the Security Hub export switch', () => {
  it('is the SecurityHubExport parameter, false by default, given to the reconcile function', () => {
    const parameters = (packaged.template as { Parameters?: Record<string, Record<string, unknown>> })
      .Parameters;
    expect(parameters?.SecurityHubExport).toMatchObject({
      Type: 'String',
      Default: 'false',
      AllowedValues: ['true', 'false'],
    });
    const env = (functionsByName().reconcile?.Environment as { Variables: Record<string, unknown> })
      .Variables;
    expect(env.SECURITY_HUB_EXPORT).toEqual({ Ref: 'SecurityHubExport' });
    for (const name of ['sweep', 'runbookTasks', 'runbookChanges', 'slackInteractions']) {
      const other = (
        functionsByName()[name]?.Environment as { Variables?: Record<string, unknown> } | undefined
      )?.Variables;
      expect(other?.SECURITY_HUB_EXPORT).toBeUndefined();
    }
  });

  it('grants the reconcile role BatchImportFindings on its own product and GetFindings on its hub, only when on', () => {
    const policy = resources().ReconcileSecurityHubPolicy;
    expect(policy?.Type).toBe('AWS::IAM::Policy');
    expect((policy as { Condition?: string }).Condition).toBe('ExportsToSecurityHub');
    expect(props('ReconcileSecurityHubPolicy').Roles).toEqual([{ Ref: 'ReconcileRole' }]);
    const statements = (
      props('ReconcileSecurityHubPolicy').PolicyDocument as { Statement: PolicyStatement[] }
    ).Statement;
    expect(statements.map((s) => [s.Action, s.Resource])).toEqual([
      [
        'securityhub:BatchImportFindings',
        {
          'Fn::Sub':
            'arn:${AWS::Partition}:securityhub:${AWS::Region}:${AWS::AccountId}:product/${AWS::AccountId}/default',
        },
      ],
      [
        'securityhub:GetFindings',
        { 'Fn::Sub': 'arn:${AWS::Partition}:securityhub:${AWS::Region}:${AWS::AccountId}:hub/default' },
      ],
    ]);
    const conditions = (packaged.template as { Conditions?: Record<string, unknown> }).Conditions;
    expect(conditions?.ExportsToSecurityHub).toEqual({
      'Fn::Equals': [{ Ref: 'SecurityHubExport' }, 'true'],
    });
    // No other policy grants Security Hub actions.
    const elsewhere = iamStatements(packaged.template).filter(
      (s) =>
        s.owner !== 'ReconcileSecurityHubPolicy' && actionsOf(s).some((a) => a.startsWith('securityhub:')),
    );
    expect(elsewhere).toEqual([]);
  });
});

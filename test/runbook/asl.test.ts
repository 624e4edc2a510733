/**
 * The runbook state machine as packaged (serverless.yml → CloudFormation), validated with asl-validator
 * and executed locally with aws-local-stepfunctions. Every Task state runs the REAL task handlers
 * (functions/runbook/handler.ts, middy chain and all) in-process against the emulator; the approval
 * buttons are pressed through the REAL slack-interactions handler with signed requests. Slack is a
 * real local HTTP server.
 *
 * The repair runs as the state machine runs it: Repair steps with real Wait states between them (the
 * handlers pace endpoint writes at AWS's rate, so a Wait follows each endpoint create), the agent
 * restarts over the emulator's SSM and ECS. Step Functions' callback API (SendTaskSuccess/Failure) is
 * an SFNClient mock that resolves the local execution's waiting task.
 */
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { DescribeVpcEndpointsCommand, EC2Client, type VpcEndpoint } from '@aws-sdk/client-ec2';
import { CreateSecretCommand } from '@aws-sdk/client-secrets-manager';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
  SendTaskFailureCommand,
  SendTaskSuccessCommand,
} from '@aws-sdk/client-sfn';
import { ListCommandsCommand, SSMClient } from '@aws-sdk/client-ssm';
import type { Context } from 'aws-lambda';
import { lambdaContext } from '../support/lambda-context.js';
import aslValidator from 'asl-validator';
import { StateMachine, type RunOptions, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { mockClient } from 'aws-sdk-client-mock';
import { createAwsClients } from '../../shared/aws/clients.js';
import { seedDemoAccount, type DemoAccount } from '../../scripts/seed/demo-account.js';
import { resetEmulator } from '../support/emulator.js';
import { useEmulatorForHandlers } from '../support/handler-env.js';
import { startRecordingServer, type RecordingServer } from '../support/local-http-server.js';
import { packageService, type PackagedService } from '../support/sls-package.js';

const ACCOUNT = '123456789012';
const EVENTS = resolve(import.meta.dirname, '../../events');
const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' };
const STATE_MACHINE_ARN = `arn:aws:states:us-east-1:${ACCOUNT}:stateMachine:ecs-endpoint-remediator-test-runbook`;
const EXECUTION_ARN = `arn:aws:states:us-east-1:${ACCOUNT}:execution:ecs-endpoint-remediator-test-runbook:run-1`;
const TASK_TOKEN = 'AQCEAAAAKgAAAAMAAAAAAAAAAfaketasktoken0123456789abcdefghijklmnopqrstuvwxyz';
const SIGNING_SECRET = 'runbook-signing-secret-0123456789abcdef';
const APPROVER = 'U0APPROVER';

type Json = Record<string, unknown>;
type LambdaHandler = (event: unknown, context: Context) => Promise<unknown>;
type StateDefinition = {
  Type: string;
  Resource?: string;
  ItemProcessor?: { States: Record<string, StateDefinition> };
};
type Definition = { StartAt: string; States: Record<string, StateDefinition> };

let packaged: PackagedService;
let definition: Definition;
let slack: RecordingServer;
let endpoint: string;
let ec2: EC2Client;
let ssm: SSMClient;
let account: DemoAccount;
let tasks: LambdaHandler;
let changes: LambdaHandler;
let slackHandler: LambdaHandler;
let reconcile: LambdaHandler;
/** What the lost invocations returned (nobody saw it). */
const lostResults: unknown[] = [];
const sfn = new SFNClient({ region: 'us-east-1' });
const sfnMock = mockClient(sfn);

/** Resolves the plugin's `Fn::Sub` over the Lambda ARNs into a plain ASL document. */
function resolveDefinition(template: PackagedService['template']): Definition {
  const machines = Object.values(template.Resources).filter(
    (r) => r.Type === 'AWS::StepFunctions::StateMachine',
  );
  expect(machines).toHaveLength(1);
  const sub = (machines[0]?.Properties?.DefinitionString as { 'Fn::Sub': [string, Record<string, unknown>] })[
    'Fn::Sub'
  ];
  const [text, variables] = sub;
  const resolved = text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
    const value = variables[name] as { 'Fn::GetAtt'?: [string, string] } | undefined;
    const logicalId = value?.['Fn::GetAtt']?.[0];
    if (!logicalId) throw new Error(`unresolved \${${name}} in the state machine definition`);
    return `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${logicalId}`;
  });
  return JSON.parse(resolved) as Definition;
}

const named = (name: string, message = name) => Object.assign(new Error(message), { name });

/** Waiting `.waitForTaskToken` tasks, resumed by the SFN mock the way Step Functions resumes them. */
const waiting = new Map<string, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
function waitForToken(token: string): Promise<unknown> {
  return new Promise((resolve, reject) => waiting.set(token, { resolve, reject }));
}
function answer(token: string, outcome: { output?: unknown; error?: Error }) {
  const waiter = waiting.get(token);
  if (!waiter) throw named('TaskTimedOut', 'no task waits for this token');
  waiting.delete(token);
  if (outcome.error) waiter.reject(outcome.error);
  else waiter.resolve(outcome.output);
}

type LocalHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;

type Human = 'approve' | 'reject' | 'timeout';

interface Run {
  output?: Json;
  error?: Error;
  calls: string[];
}

/** Presses a button of the last approval message through the real slack-interactions handler. */
async function press(action: 'approve' | 'reject', userId = APPROVER) {
  const approval = [...slack.requests]
    .reverse()
    .map(
      (r) => JSON.parse(r.body) as { blocks: Array<{ type: string; elements?: Array<{ value?: string }> }> },
    )
    .find((m) => m.blocks.some((b) => b.type === 'actions'));
  const value = approval?.blocks.find((b) => b.type === 'actions')?.elements?.[0]?.value;
  expect(value).toBeDefined();
  const body = new URLSearchParams({
    payload: JSON.stringify({
      type: 'block_actions',
      user: { id: userId },
      actions: [{ action_id: action, value }],
    }),
  }).toString();
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = `v0=${createHmac('sha256', SIGNING_SECRET).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return (await slackHandler(
    {
      version: '2.0',
      routeKey: 'POST /slack/interactions',
      rawPath: '/slack/interactions',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        'x-slack-request-timestamp': timestamp,
        'x-slack-signature': signature,
      },
      body: Buffer.from(body).toString('base64'),
      isBase64Encoded: true,
    },
    lambdaContext('slackInteractions'),
  )) as { statusCode: number };
}

async function execute(
  input: unknown,
  options: {
    human?: Human;
    failState?: { name: string; error: string };
    /** This invocation of the state runs, then its result is lost (a Lambda that timed out after it wrote). */
    loseResult?: { state: string; invocation: number };
  } = {},
): Promise<Run> {
  const calls: string[] = [];
  const byArn: Record<string, LambdaHandler> = {
    [`arn:aws:lambda:us-east-1:${ACCOUNT}:function:RunbookTasksLambdaFunction`]: tasks,
    [`arn:aws:lambda:us-east-1:${ACCOUNT}:function:RunbookChangesLambdaFunction`]: changes,
  };
  const handlers: Record<string, (input: Json) => Promise<unknown>> = {};
  const retryIntervals: Record<string, number> = {};
  const visit = (states: Record<string, StateDefinition>) => {
    for (const [name, state] of Object.entries(states)) {
      if (state.ItemProcessor) visit(state.ItemProcessor.States);
      if (state.Type !== 'Task') continue;
      retryIntervals[name] = 0;
      handlers[name] = async (taskInput: Json) => {
        calls.push(name);
        if (options.failState?.name === name) throw named(options.failState.error);
        const fn = byArn[String(taskInput.FunctionName)];
        if (!fn) throw new Error(`no local function for ${String(taskInput.FunctionName)}`);
        const payload = await fn(
          taskInput.Payload,
          lambdaContext(String(taskInput.FunctionName).split(':').at(-1) ?? ''),
        );
        if (
          options.loseResult?.state === name &&
          calls.filter((c) => c === name).length === options.loseResult.invocation
        ) {
          lostResults.push({ input: taskInput.Payload, result: payload });
          throw named('States.Timeout', `${name} timed out after it ran`);
        }
        if (!state.Resource?.endsWith('.waitForTaskToken')) return { StatusCode: 200, Payload: payload };
        // Callback pattern: the task ends when someone answers its token (or the timeout fires).
        const token = String((taskInput.Payload as Json).taskToken);
        const result = waitForToken(token);
        const human = options.human ?? 'timeout';
        if (human === 'timeout') answer(token, { error: named('States.Timeout', 'approval timed out') });
        else expect((await press(human)).statusCode).toBe(200);
        return result;
      };
    }
  };
  visit(definition.States);
  const execution = new StateMachine(definition as unknown as StateMachineDefinition).run(
    input as Parameters<StateMachine['run']>[0],
    {
      overrides: {
        taskResourceLocalHandlers: handlers as unknown as LocalHandlers,
        retryIntervalOverrides: retryIntervals,
      },
      context: { Execution: { Id: EXECUTION_ARN, Name: 'run-1' }, Task: { Token: TASK_TOKEN } },
    },
  );
  try {
    return { output: (await execution.result) as Json, calls };
  } catch (error) {
    return { error: error as Error, calls };
  }
}

/** The Task states run: `before`, then one or more Repair steps (Wait states between them), then the result. */
function expectRepairSteps(calls: readonly string[], before: readonly string[]) {
  const steps = calls.slice(before.length, -1);
  console.log(`task states: ${calls.join(' → ')}`);
  expect(calls.slice(0, before.length)).toEqual(before);
  expect(calls.at(-1)).toBe('NotifyResult');
  expect(steps.length).toBeGreaterThan(0);
  expect(new Set(steps)).toEqual(new Set(['Repair']));
}

/** The agent restart outcomes of the repair's report, as the execution's output carries them. */
function restartOutcomes(run: Run) {
  const repair = run.output?.repair as { report?: { outcomes?: { kind: string }[] } } | undefined;
  return (repair?.report?.outcomes ?? []).filter((o) => o.kind === 'RestartEcsAgent');
}

async function liveEndpoints(vpcId?: string): Promise<VpcEndpoint[]> {
  const { VpcEndpoints = [] } = await ec2.send(
    new DescribeVpcEndpointsCommand(vpcId ? { Filters: [{ Name: 'vpc-id', Values: [vpcId] }] } : {}),
  );
  return VpcEndpoints.filter((e) => !['deleted', 'deleting'].includes(String(e.State).toLowerCase()));
}

const services = (endpoints: VpcEndpoint[]) =>
  endpoints.map((e) => String(e.ServiceName).replace('com.amazonaws.us-east-1.', '')).sort();

const slackTexts = () => slack.requests.map((r) => (JSON.parse(r.body) as { text: string }).text);

beforeAll(async () => {
  packaged = await packageService({ stage: 'test' });
  definition = resolveDefinition(packaged.template);
  slack = await startRecordingServer();
  endpoint = await resetEmulator();
  useEmulatorForHandlers(endpoint, {
    MAX_CHANGES: '40',
    SLACK_SECRET_NAME: 'runbook-test/slack',
    SLACK_SIGNING_SECRET_NAME: 'runbook-test/signing',
    SLACK_APPROVER_IDS: APPROVER,
    RUNBOOK_STATE_MACHINE_ARN: STATE_MACHINE_ARN,
    // The event path hands its repairs to this state machine (created on the emulator per test).
    REPAIR_STATE_MACHINE_ARN: STATE_MACHINE_ARN,
    STACK_ACCOUNT_ID: ACCOUNT,
  });
  const runbook = (await import('../../functions/runbook/handler.js')) as unknown as Record<
    string,
    LambdaHandler
  >;
  tasks = runbook.tasks as LambdaHandler;
  changes = runbook.changes as LambdaHandler;
  reconcile = ((await import('../../functions/reconcile/handler.js')) as { handler: LambdaHandler }).handler;
  const interactions = await import('../../functions/slack-interactions/handler.js');
  slackHandler = interactions.createSlackInteractionsHandler({ sfn }) as unknown as LambdaHandler;
}, 240_000);

afterAll(async () => {
  await slack?.close();
  if (packaged) await rm(packaged.dir, { recursive: true, force: true });
  for (const key of [
    'AWS_ENDPOINT_URL',
    'AWS_MAX_ATTEMPTS',
    'UPDATE_OLD_AGENTS',
    'MAX_CHANGES',
    'SLACK_SECRET_NAME',
    'REPAIR_STATE_MACHINE_ARN',
    'STACK_ACCOUNT_ID',
  ]) {
    delete process.env[key];
  }
});

beforeEach(async () => {
  await resetEmulator();
  const clients = createAwsClients({ region: 'us-east-1', endpointUrl: endpoint });
  ec2 = clients.ec2;
  ssm = clients.ssm;
  account = await seedDemoAccount(clients);
  await clients.secretsManager.send(
    new CreateSecretCommand({
      Name: 'runbook-test/slack',
      SecretString: JSON.stringify({ webhookUrl: `${slack.url}/hook` }),
    }),
  );
  await clients.secretsManager.send(
    new CreateSecretCommand({ Name: 'runbook-test/signing', SecretString: SIGNING_SECRET }),
  );
  slack.requests.length = 0;
  sfnMock.reset();
  sfnMock.on(SendTaskSuccessCommand).callsFake((input: { taskToken: string; output: string }) => {
    answer(input.taskToken, { output: JSON.parse(input.output) as unknown });
    return {};
  });
  sfnMock
    .on(SendTaskFailureCommand)
    .callsFake((input: { taskToken: string; error: string; cause: string }) => {
      answer(input.taskToken, { error: named(input.error, input.cause) });
      return {};
    });
}, 120_000);

describe('the packaged definition', () => {
  it('is valid Amazon States Language', () => {
    const result = aslValidator(definition);
    expect(result.errors).toEqual([]);
    expect(result.isValid).toBe(true);
  });
});

describe('runbook executions', () => {
  it('plan mode on a drifted account: plans, posts the drift and changes nothing', async () => {
    const before = await liveEndpoints();
    const run = await execute({ mode: 'plan' });
    expect(run.error).toBeUndefined();
    expect(run.calls).toEqual(['Plan', 'NotifyPlan']);
    expect(run.output?.result).toEqual({ outcome: 'drift', converged: true, delivered: true });
    expect(slackTexts()).toHaveLength(1);
    expect(slackTexts()[0]).toMatch(/^ECS endpoint drift found in us-east-1/);
    expect(await liveEndpoints()).toEqual(before);
  });

  it('no drift in scope: ends in the no-drift notification without applying', async () => {
    const run = await execute({ mode: 'apply', vpcIds: [account.vpcIds.sandbox] });
    expect(run.error).toBeUndefined();
    expect(run.calls).toEqual(['Plan', 'NotifyPlan']);
    expect(run.output?.result).toMatchObject({ outcome: 'no-drift' });
    expect(slackTexts()).toEqual([expect.stringMatching(/^No ECS endpoint drift in us-east-1/)]);
  });

  it('apply without approval: repairs the enforce VPC, restarts its agents over SSM and sees them reconnect', async () => {
    const analyticsBefore = await liveEndpoints(account.vpcIds.analytics);
    const run = await execute({ mode: 'apply' });
    expect(run.error).toBeUndefined();
    expectRepairSteps(run.calls, ['Plan']);
    expect(restartOutcomes(run)).toEqual([
      expect.objectContaining({
        status: 'applied',
        detail: expect.stringMatching(/^(\d+)\/\1 restarted, \1 reconnected$/),
      }),
    ]);
    expect(run.output?.result).toEqual({ outcome: 'applied', converged: true, delivered: true });
    const payments = await liveEndpoints(account.vpcIds.payments);
    expect(services(payments)).toEqual(
      expect.arrayContaining(['ecs-agent', 'ecs-telemetry', 'ecs', 'logs', 's3']),
    );
    // One endpoint per service: the apply never duplicated one.
    expect(new Set(services(payments)).size).toBe(payments.length);
    // The audit VPC was reported, never changed.
    expect(await liveEndpoints(account.vpcIds.analytics)).toEqual(analyticsBefore);
    expect(slackTexts()).toEqual([expect.stringMatching(/^ECS endpoint drift handled in us-east-1/)]);
  });

  it('approved through Slack: applies, restarts the agents in a batch over SSM and verifies them through ECS', async () => {
    const paymentsInstances = account.vpcs.payments.containerInstances.map((ci) => ci.instanceId).sort();
    const run = await execute({ mode: 'apply', requireApproval: true }, { human: 'approve' });
    expect(run.error).toBeUndefined();
    expectRepairSteps(run.calls, ['Plan', 'RequestApproval']);
    expect(run.output?.approval).toEqual({ approved: true, by: APPROVER });
    expect(sfnMock.commandCalls(SendTaskSuccessCommand).map((c) => c.args[0].input.taskToken)).toEqual([
      TASK_TOKEN,
    ]);

    // One command with the tool's document for every SSM-managed payments instance, as SSM recorded it.
    const { Commands = [] } = await ssm.send(new ListCommandsCommand({}));
    expect(Commands).toHaveLength(1);
    expect(Commands[0]?.DocumentName).toBe('EcsEndpointRemediator-RestartEcsAgent');
    expect([...(Commands[0]?.InstanceIds ?? [])].sort()).toEqual(paymentsInstances);
    expect(Commands[0]?.Status).toBe('Success');
    expect(restartOutcomes(run)).toEqual([
      expect.objectContaining({
        status: 'applied',
        detail: `${paymentsInstances.length}/${paymentsInstances.length} restarted, ${paymentsInstances.length} reconnected`,
      }),
    ]);
    expect(run.output?.result).toEqual({ outcome: 'applied', converged: true, delivered: true });

    // The SSM endpoints the restart depends on were created before it.
    expect(services(await liveEndpoints(account.vpcIds.payments))).toEqual(
      expect.arrayContaining(['ecs-telemetry', 'ssm', 'ssmmessages', 'ec2messages']),
    );
    const texts = slackTexts();
    expect(texts).toHaveLength(2);
    expect(texts[0]).toMatch(/^Approval needed: \d+ ECS endpoint change\(s\) in us-east-1/);
    expect(texts[1]).toMatch(/^ECS endpoint drift handled in us-east-1/);
    // Every planned action, the agent restart included, was applied (the section lists the first ones).
    expect(texts[1]).toMatch(/; \d+ applied$/);
    // The token travels only in the approval buttons, never in the final report.
    expect(slack.requests[1]?.body).not.toContain(TASK_TOKEN);
  });

  it('a Repair step whose result is lost after it wrote (timed out) is retried from the same carry: nothing twice', async () => {
    lostResults.length = 0;
    const run = await execute({ mode: 'apply' }, { loseResult: { state: 'Repair', invocation: 2 } });
    type Carried = { carry: { state: { writes: number } } };
    const lost = lostResults[0] as { input: Carried; result: Carried } | undefined;
    const wrote = (lost?.result.carry.state.writes ?? 0) - (lost?.input.carry.state.writes ?? 0);
    console.log(`the lost step wrote ${wrote} time(s); task states: ${run.calls.join(' → ')}`);
    expect(run.error).toBeUndefined();
    // The second step wrote, its result was lost, and it was retried (Repair retries States.Timeout).
    expect(wrote).toBeGreaterThan(0);
    expect(run.output?.result).toEqual({ outcome: 'applied', converged: true, delivered: true });
    const payments = await liveEndpoints(account.vpcIds.payments);
    expect(new Set(services(payments)).size).toBe(payments.length);
    const report = (run.output?.repair as { report: { outcomes: { status: string; why?: string }[] } })
      .report;
    // The retried step found what the lost one had created and skipped it.
    expect(report.outcomes).toContainEqual(
      expect.objectContaining({ status: 'skipped', why: expect.stringMatching(/^already exists: vpce-/) }),
    );
  });

  it('rejected in Slack: posts the rejection and changes nothing', async () => {
    const before = await liveEndpoints();
    const run = await execute({ mode: 'apply', requireApproval: true }, { human: 'reject' });
    expect(run.error).toBeUndefined();
    expect(run.calls).toEqual(['Plan', 'RequestApproval', 'NotifyRejected']);
    expect(sfnMock.commandCalls(SendTaskFailureCommand).map((c) => c.args[0].input)).toEqual([
      { taskToken: TASK_TOKEN, error: 'Rejected', cause: `rejected by Slack user ${APPROVER}` },
    ]);
    expect(run.output?.result).toMatchObject({ outcome: 'rejected' });
    expect(slackTexts()[1]).toMatch(/rejected; nothing changed$/);
    expect(await liveEndpoints()).toEqual(before);
  });

  it('approval timed out: ends as rejected and changes nothing', async () => {
    const before = await liveEndpoints();
    const run = await execute({ mode: 'apply', requireApproval: true }, { human: 'timeout' });
    expect(run.error).toBeUndefined();
    expect(run.calls).toEqual(['Plan', 'RequestApproval', 'NotifyRejected']);
    expect(run.output?.error).toMatchObject({ Error: 'States.Timeout' });
    expect(slackTexts()[1]).toMatch(/approval timed out; nothing changed$/);
    expect(sfnMock.calls()).toHaveLength(0);
    expect(await liveEndpoints()).toEqual(before);
  });

  it('a task failing after its retries ends in the failure notification', async () => {
    const before = await liveEndpoints();
    const run = await execute(
      { mode: 'apply' },
      { failState: { name: 'Plan', error: 'Lambda.TooManyRequestsException' } },
    );
    expect(run.error?.message).toMatch(/the runbook failed/);
    // One try and three retries, then the catch.
    expect(run.calls).toEqual(['Plan', 'Plan', 'Plan', 'Plan', 'NotifyFailure']);
    const texts = slackTexts();
    expect(texts).toEqual([
      expect.stringMatching(/^ECS endpoint runbook failed in us-east-1: Lambda\.TooManyRequestsException/),
    ]);
    expect(await liveEndpoints()).toEqual(before);
  });

  it('bad input is not retried: it goes straight to the failure notification with the reason', async () => {
    const run = await execute({ mode: 'fix-everything', requireAproval: true });
    expect(run.error?.message).toMatch(/the runbook failed/);
    expect(run.calls).toEqual(['Plan', 'NotifyFailure']);
    expect(slackTexts()).toEqual([expect.stringMatching(/InvalidRunbookInput/)]);
    expect(slack.requests[0]?.body).toMatch(/requireAproval/);
  });
});

describe('the event path', () => {
  /** An SQS batch of one EventBridge event (events/ec2-modify-vpc-attribute.json) naming `vpcId`. */
  function eventBatch(vpcId: string) {
    const event = JSON.parse(readFileSync(resolve(EVENTS, 'ec2-modify-vpc-attribute.json'), 'utf8')) as {
      detail: { requestParameters: { vpcId: string } };
    };
    event.detail.requestParameters.vpcId = vpcId;
    const template = (
      JSON.parse(readFileSync(resolve(EVENTS, 'sqs-batch.json'), 'utf8')) as { Records: Json[] }
    ).Records[0];
    return { Records: [{ ...template, messageId: 'm-1', body: JSON.stringify(event) }] };
  }

  it('the reconcile function hands the repair to this workflow, once per batch; the execution it started repairs the VPC', async () => {
    const sfnEmulator = new SFNClient({ region: 'us-east-1', endpoint, credentials: TEST_CREDENTIALS });
    await sfnEmulator.send(
      new CreateStateMachineCommand({
        name: 'ecs-endpoint-remediator-test-runbook',
        definition: JSON.stringify(definition),
        roleArn: `arn:aws:iam::${ACCOUNT}:role/ecs-endpoint-remediator-test-runbook`,
      }),
    );
    const payments = account.vpcIds.payments;
    const before = await liveEndpoints(payments);
    const batch = eventBatch(payments);
    const first = (await reconcile(batch, lambdaContext('reconcile'))) as { batchItemFailures: unknown[] };
    // The queue delivers the same batch again (a retry): the same execution, not a second repair.
    const again = (await reconcile(batch, lambdaContext('reconcile'))) as { batchItemFailures: unknown[] };
    expect([first.batchItemFailures, again.batchItemFailures]).toEqual([[], []]);
    // The reconcile Lambda wrote nothing in the enforce VPC: the workflow does.
    expect(await liveEndpoints(payments)).toEqual(before);
    const { executions = [] } = await sfnEmulator.send(
      new ListExecutionsCommand({ stateMachineArn: STATE_MACHINE_ARN }),
    );
    expect(executions.map((e) => e.name)).toEqual([expect.stringMatching(/^reconcile-[0-9a-f]{40}$/)]);
    const described = await sfnEmulator.send(
      new DescribeExecutionCommand({ executionArn: executions[0]?.executionArn ?? '' }),
    );
    const input = JSON.parse(described.input ?? '{}') as Json;
    console.log(`the reconcile started ${executions[0]?.name} with ${described.input}`);
    expect(input).toEqual({ region: 'us-east-1', vpcIds: [payments], mode: 'apply', requireApproval: false });

    // That execution, run here by the packaged state machine with the real handlers.
    const run = await execute(input);
    expect(run.error).toBeUndefined();
    expectRepairSteps(run.calls, ['Plan']);
    expect(run.output?.result).toEqual({ outcome: 'applied', converged: true, delivered: true });
    const repaired = await liveEndpoints(payments);
    expect(services(repaired)).toEqual(expect.arrayContaining(['ecs-agent', 'ecs-telemetry', 'ecs', 'logs']));
    expect(new Set(services(repaired)).size).toBe(repaired.length);
  });
});

/**
 * The benchmark's wiring (scripts/bench/): its arguments, a measure run end to end on fakes, the
 * packaged template's values as cfn-resolver-lib evaluates them, and the esbuild options shared
 * with serverless.yml. The emulator-backed measures run in `npm run bench` only.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { bareBuildOptions, functionEsbuildOptions } from '../../scripts/bench/bundles.js';
import { benchConfig, type BenchContext } from '../../scripts/bench/context.js';
import { MEASURES, parseArgs } from '../../scripts/bench/main.js';
import {
  functionEnvironments,
  resolvePackagedTemplate,
  stateMachineDefinition,
} from '../../scripts/bench/packaged-values.js';
import { restartBatching } from '../../scripts/bench/restart-batching.js';
import type { CfnTemplate } from '../support/sls-package.js';

describe('bench arguments', () => {
  it('runs every measure by default, in order, and takes --only lists and --json', () => {
    expect(parseArgs([])).toEqual({ only: undefined, json: undefined });
    expect(MEASURES.map((m) => m.name)).toEqual([
      'plan-at-scale',
      'event-scoped-reads',
      'apply',
      'aws-shape-apply',
      'repair',
      'lambda-wait',
      'restart',
      'bundles',
    ]);
    expect(
      parseArgs(['--only', 'repair,restart', '--json', 'out/figures.json', '--only', 'bundles']),
    ).toEqual({
      only: ['repair', 'restart', 'bundles'],
      json: 'out/figures.json',
    });
  });

  it('refuses unknown measures and arguments and a flag without its value, naming them', () => {
    expect(() => parseArgs(['--only', 'repairs'])).toThrow(
      /unknown measure repairs\nusage: .*repair, lambda-wait/,
    );
    expect(() => parseArgs(['--json'])).toThrow(/--json needs a value/);
    expect(() => parseArgs(['--json', '--only', 'repair'])).toThrow(/--json needs a value/);
    expect(() => parseArgs(['--fast'])).toThrow(/unknown argument --fast/);
  });
});

describe('the restart measure on fake ports and the fake clock', () => {
  it('batches 1,000 instances into 20 commands of 50 and checks reconnection per cluster', async () => {
    const refuse = () => Promise.reject(new Error('the restart measure needs no emulator or package'));
    const ctx: BenchContext = {
      region: 'us-east-1',
      config: benchConfig,
      emulator: refuse,
      packaged: refuse,
    };
    const { json, report } = await restartBatching.run(ctx);
    expect(json.restart).toMatchObject({
      instances: 1000,
      sendCommand: 20,
      largestBatch: 50,
      listInvocations: 20,
      describePortCalls: 4,
      describeApiCalls: 12,
      ec2Calls: 0,
      outcome: 'applied: 1000/1000 restarted, 1000 reconnected',
    });
    expect(report.toString()).toMatch(/SendCommand calls 20 <= 20/);
  });
});

describe('packaged template values (cfn-resolver-lib)', () => {
  const template: CfnTemplate = {
    Conditions: { HasTopic: { 'Fn::Not': [{ 'Fn::Equals': ['', ''] }] } },
    Resources: {
      EventQueue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'svc-bench-events' } },
      ReconcileRole: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'svc-bench-reconcile' } },
      TasksFunction: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: 'svc-bench-tasks' } },
      Machine: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: {
          StateMachineName: 'svc-bench-runbook',
          DefinitionString: {
            'Fn::Sub': [
              '{"StartAt":"A","States":{"A":{"Resource":"${Tasks}"}}}',
              { Tasks: { 'Fn::GetAtt': ['TasksFunction', 'Arn'] } },
            ],
          },
        },
      },
      Sweep: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          FunctionName: 'svc-bench-sweep',
          Code: { S3Key: 'serverless/svc/bench/1/sweep.zip' },
          Environment: {
            Variables: {
              MODE: 'audit',
              EVENT_QUEUE_URL: { Ref: 'EventQueue' },
              SELF_ROLE_ARNS: { 'Fn::Join': [',', [{ 'Fn::GetAtt': ['ReconcileRole', 'Arn'] }, 'x']] },
              LOGS: { 'Fn::Sub': 'arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}:log-group:/x' },
              MACHINE: { Ref: 'Machine' },
            },
          },
        },
      },
      Alarm: {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: { AlarmActions: { 'Fn::If': ['HasTopic', ['t'], { Ref: 'AWS::NoValue' }] } },
      },
    },
  };
  const stack = { region: 'eu-west-1', accountId: '111122223333' };

  it("gives each function's environment as a deployment would, keyed by its artifact", () => {
    const environments = functionEnvironments(resolvePackagedTemplate(template, stack));
    expect([...environments.keys()]).toEqual(['sweep.zip']);
    expect(environments.get('sweep.zip')).toEqual({
      MODE: 'audit',
      EVENT_QUEUE_URL: 'https://sqs.eu-west-1.amazonaws.com/111122223333/svc-bench-events',
      SELF_ROLE_ARNS: 'arn:aws:iam::111122223333:role/svc-bench-reconcile,x',
      LOGS: 'arn:aws:logs:eu-west-1:111122223333:log-group:/x',
      MACHINE: 'arn:aws:states:eu-west-1:111122223333:stateMachine:svc-bench-runbook',
    });
  });

  it('resolves the state machine definition, and refuses a value it could not resolve', () => {
    expect(stateMachineDefinition(resolvePackagedTemplate(template, stack))).toEqual({
      StartAt: 'A',
      States: { A: { Resource: 'arn:aws:lambda:eu-west-1:111122223333:function:svc-bench-tasks' } },
    });
    const unresolvable: CfnTemplate = {
      Resources: {
        Fn: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            Code: { S3Key: 'a/fn.zip' },
            Environment: { Variables: { V: { 'Fn::Base64': 'x' } } },
          },
        },
      },
    };
    expect(() => functionEnvironments(resolvePackagedTemplate(unresolvable, stack))).toThrow(
      /Fn: environment variable V is still unresolved: \{"Fn::Base64":"x"\}/,
    );
  });
});

describe('esbuild options', () => {
  it('serverless.yml reads them from the file the bench builds its bare bundle with', () => {
    const yml = parse(readFileSync(new URL('../../serverless.yml', import.meta.url), 'utf8')) as {
      custom: { esbuild: unknown };
    };
    expect(yml.custom.esbuild).toBe('${file(serverless/esbuild-options.cjs)}');
    const { exclude, outExtension, ...rest } = functionEsbuildOptions();
    expect({ exclude, outExtension }).toEqual({ exclude: [], outExtension: { '.js': '.mjs' } });
    expect(bareBuildOptions()).toEqual(rest);
    expect(rest).toMatchObject({ bundle: true, format: 'esm', platform: 'node', target: 'node22' });
  });
});

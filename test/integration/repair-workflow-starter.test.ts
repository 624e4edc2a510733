/**
 * The Step Functions adapter of the repair hand-over (shared/aws/repair-workflow-starter.ts) against
 * the emulator's Step Functions: StartExecution with a name is idempotent while the execution runs
 * with the same input; once it is closed the same name answers ExecutionAlreadyExists, which the
 * adapter reports as "already handed over" with the execution's ARN; any other error is thrown.
 */
import {
  CreateStateMachineCommand,
  ListExecutionsCommand,
  SFNClient,
  StopExecutionCommand,
} from '@aws-sdk/client-sfn';
import { StepFunctionsRepairWorkflow } from '../../shared/aws/repair-workflow-starter.js';
import { resetEmulator } from '../support/emulator.js';

const INPUT = {
  region: 'us-east-1',
  vpcIds: ['vpc-1'],
  mode: 'apply' as const,
  requireApproval: false as const,
};

let sfn: SFNClient;
let stateMachineArn: string;

beforeEach(async () => {
  const endpoint = await resetEmulator();
  sfn = new SFNClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
  const created = await sfn.send(
    new CreateStateMachineCommand({
      name: 'remediator-runbook',
      definition: JSON.stringify({ StartAt: 'Done', States: { Done: { Type: 'Succeed' } } }),
      roleArn: 'arn:aws:iam::123456789012:role/remediator-runbook',
    }),
  );
  stateMachineArn = created.stateMachineArn ?? '';
});

describe('StepFunctionsRepairWorkflow', () => {
  it('starts once per name: a second start while it runs is the same execution, after it closed it is "already handed over"', async () => {
    const workflow = new StepFunctionsRepairWorkflow(sfn, stateMachineArn);
    const first = await workflow.start('reconcile-abc', INPUT);
    const again = await workflow.start('reconcile-abc', INPUT);
    await sfn.send(new StopExecutionCommand({ executionArn: first.executionArn }));
    const afterClose = await workflow.start('reconcile-abc', INPUT);
    const { executions = [] } = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
    console.log(`starts: ${JSON.stringify([first, again, afterClose])}; executions: ${executions.length}`);
    expect(first).toEqual({
      executionArn: 'arn:aws:states:us-east-1:123456789012:execution:remediator-runbook:reconcile-abc',
      started: true,
    });
    expect(again).toEqual(first);
    expect(afterClose).toEqual({ executionArn: first.executionArn, started: false });
    expect(executions).toHaveLength(1);
  });

  it('another error (no such state machine) is thrown, not taken as done', async () => {
    const workflow = new StepFunctionsRepairWorkflow(
      sfn,
      'arn:aws:states:us-east-1:123456789012:stateMachine:no-such-machine',
    );
    await expect(workflow.start('reconcile-abc', INPUT)).rejects.toMatchObject({
      name: 'StateMachineDoesNotExist',
    });
  });
});

/**
 * Starts the runbook state machine's executions (Step Functions StartExecution,
 * https://docs.aws.amazon.com/step-functions/latest/apireference/API_StartExecution.html). A name
 * already used answers ExecutionAlreadyExists when that execution is closed (or had another input):
 * for a name derived from the same events and VPCs that means the repair was already handed over,
 * so it is not an error. The execution's ARN is the state machine's with `execution` and the name.
 */
import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import type { RepairExecutionInput, RepairWorkflow } from '../app/repair-workflow.js';
import { isErrorNamed } from './aws-errors.js';

export class StepFunctionsRepairWorkflow implements RepairWorkflow {
  constructor(
    private readonly sfn: SFNClient,
    private readonly stateMachineArn: string,
  ) {}

  async start(
    name: string,
    input: RepairExecutionInput,
  ): Promise<{ executionArn: string; started: boolean }> {
    try {
      const out = await this.sfn.send(
        new StartExecutionCommand({
          stateMachineArn: this.stateMachineArn,
          name,
          input: JSON.stringify(input),
        }),
      );
      return { executionArn: out.executionArn ?? this.executionArnOf(name), started: true };
    } catch (error) {
      if (!isErrorNamed(error, 'ExecutionAlreadyExists')) throw error;
      return { executionArn: this.executionArnOf(name), started: false };
    }
  }

  private executionArnOf(name: string): string {
    return `${this.stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
  }
}

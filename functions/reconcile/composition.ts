/**
 * The reconcile function's composition root: exactly the clients it uses (EC2, ECS and SSM for the
 * reconcile; Secrets Manager for the Slack webhook when Slack is configured; DynamoDB for the
 * coordination table when the stack gives one; STS for the member roles in the organisation hub
 * shape; Security Hub when the findings export is on, a member's through its role; Step Functions
 * when this account's repairs are handed to the runbook state machine), each built once per
 * container and traced.
 */
import { SFNClient } from '@aws-sdk/client-sfn';
import { STSClient } from '@aws-sdk/client-sts';
import { StepFunctionsRepairWorkflow } from '../../shared/aws/repair-workflow-starter.js';
import { clientConfig, createCoreClients } from '../../shared/aws/core-clients.js';
import { memberAccounts } from '../../shared/app/member-accounts.js';
import { createRemediatorPorts } from '../../shared/app/ports.js';
import type { ReconcileDeps } from '../../shared/app/reconcile-batch.js';
import { findingsExportOf } from '../../shared/app/security-hub-export.js';
import { findingsPortsFor } from '../../shared/aws/security-hub-ports.js';
import { slackReporter } from '../../shared/app/slack-reporter.js';
import { DriftAnnouncements } from '../../shared/notify/dedupe.js';
import { announcementStore, coordinationTable, vpcLeasing } from '../coordination.js';
import { countMetric, logSink, slackNotifier, type Observability } from '../lambda-runtime.js';
import type { ReconcileEnvironment } from './environment.js';

export function composeReconcile(
  environment: ReconcileEnvironment,
  observability: Observability,
): ReconcileDeps {
  const clients = createCoreClients({ region: environment.region });
  for (const client of [clients.ec2, clients.ecs, clients.ssm])
    observability.tracer.captureAWSv3Client(client);
  const { slack, memberRoleName, securityHubExport } = environment;
  const members = memberRoleName
    ? memberAccounts({
        sts: observability.tracer.captureAWSv3Client(
          new STSClient(clientConfig({ region: environment.region })),
        ),
        region: environment.region,
        roleName: memberRoleName,
        sessionName: 'ecs-endpoint-remediator-reconcile',
        onClients: (member) => {
          for (const client of [member.ec2, member.ecs, member.ssm])
            observability.tracer.captureAWSv3Client(client);
        },
        ...(securityHubExport
          ? {
              securityHub: true,
              onSecurityHubClient: (client: object) => observability.tracer.captureAWSv3Client(client),
            }
          : {}),
      })
    : undefined;
  const findingsExport = securityHubExport
    ? findingsExportOf(
        findingsPortsFor({ region: environment.region }, (client) =>
          observability.tracer.captureAWSv3Client(client),
        ),
        environment.accountId,
        members,
      )
    : undefined;
  const table = coordinationTable(environment.coordination, environment.region, observability);
  const leasing = vpcLeasing(table, environment.coordination, observability);
  const report = slack
    ? slackReporter(
        slackNotifier(slack.secretName, environment.region, observability),
        new DriftAnnouncements(announcementStore(table), slack.dedupeWindowSeconds * 1000),
      )
    : undefined;
  const repairWorkflow = environment.repairStateMachineArn
    ? new StepFunctionsRepairWorkflow(
        observability.tracer.captureAWSv3Client(new SFNClient(clientConfig({ region: environment.region }))),
        environment.repairStateMachineArn,
      )
    : undefined;
  return {
    ports: createRemediatorPorts(clients),
    ...(repairWorkflow ? { repairWorkflow } : {}),
    config: environment.config,
    region: clients.region,
    selfRoleArns: environment.selfRoleArns,
    ...(environment.accountId ? { accountId: environment.accountId } : {}),
    ...(members ? { members } : {}),
    log: logSink(observability.logger),
    metrics: { count: countMetric(observability.metrics) },
    ...(report ? { report } : {}),
    ...(findingsExport ? { findingsExport } : {}),
    ...(leasing ? { leasing: { ...leasing, owner: environment.writerName } } : {}),
  };
}

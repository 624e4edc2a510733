/**
 * The organisation hub's event path on the emulator: an event a member account forwarded is
 * reconciled in that account through its member role (moto keeps state per account and gives an
 * assumed role's credentials the role's account), never in the hub's; without the hub shape such an
 * event is ignored; a member role that cannot be assumed reads and writes nothing and is retried.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DescribeVpcEndpointsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { reconcileBatch, type ReconcileDeps } from '../../shared/app/reconcile-batch.js';
import { memberAccounts, type MemberAccounts } from '../../shared/app/member-accounts.js';
import { createRemediatorPorts } from '../../shared/app/ports.js';
import { createAwsClients } from '../../shared/aws/clients.js';
import { createCoreClients } from '../../shared/aws/core-clients.js';
import { assumedRoleCredentials } from '../../shared/aws/assumed-role-credentials.js';
import { seedDemoAccount, type DemoAccount } from '../../scripts/seed/demo-account.js';
import { EMULATOR_APPLY_CONFIG } from '../support/emulator-config.js';
import { createRoleInAccount, resetEmulator } from '../support/emulator.js';
import {
  EnableSecurityHubCommand,
  GetFindingsCommand,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { createSecurityHubClient } from '../../shared/aws/clients.js';
import { findingsPortsFor } from '../../shared/aws/security-hub-ports.js';
import { findingsExportOf } from '../../shared/app/security-hub-export.js';

const REGION = 'us-east-1';
const HUB = '123456789012';
const MEMBER = '111111111111';
const ROLE_NAME = 'ecs-endpoint-remediator-member-us-east-1';

let endpoint: string;
let member: DemoAccount;
let memberEc2: EC2Client;
let hubEc2: EC2Client;

const event = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../../events/ec2-modify-vpc-attribute.json'), 'utf8'),
) as { id: string; account: string; detail: { requestParameters: { vpcId: string } } };

/** The sample event as the member's forwarding rule delivers it: from the member, naming its VPC. */
function memberEvent(id: string, vpcId: string) {
  const copy = structuredClone(event);
  copy.id = id;
  (copy.detail as Record<string, unknown>).eventID = id;
  copy.account = MEMBER;
  copy.detail.requestParameters.vpcId = vpcId;
  return { messageId: `m-${id}`, body: JSON.stringify(copy) };
}

function recorder() {
  const logs: { level: string; message: string; extra?: Record<string, unknown> }[] = [];
  const metrics: Record<string, number> = {};
  return {
    logs,
    metrics,
    log: {
      info: (message: string, extra?: Record<string, unknown>) =>
        logs.push({ level: 'info', message, extra }),
      warn: (message: string, extra?: Record<string, unknown>) =>
        logs.push({ level: 'warn', message, extra }),
      error: (message: string, extra?: Record<string, unknown>) =>
        logs.push({ level: 'error', message, extra }),
    },
    metricSink: { count: (name: string, value = 1) => (metrics[name] = (metrics[name] ?? 0) + value) },
  };
}

function hubDeps(members: MemberAccounts | undefined, rec: ReturnType<typeof recorder>): ReconcileDeps {
  const clients = createCoreClients({ region: REGION, endpointUrl: endpoint, ec2Pacing: 'off' });
  return {
    ports: createRemediatorPorts(clients),
    config: EMULATOR_APPLY_CONFIG,
    region: REGION,
    accountId: HUB,
    selfRoleArns: [],
    log: rec.log,
    metrics: rec.metricSink,
    ...(members ? { members } : {}),
  };
}

const stsClient = () =>
  new STSClient({ region: REGION, endpoint, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });

async function managedEndpoints(ec2: EC2Client, vpcId: string): Promise<string[]> {
  const { VpcEndpoints = [] } = await ec2.send(
    new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }),
  );
  return VpcEndpoints.filter((e) => e.Tags?.some((t) => t.Key === 'ecs-endpoint-remediator:managed'))
    .map((e) => String(e.ServiceName))
    .sort();
}

async function hubEndpointCount(): Promise<number> {
  const { VpcEndpoints = [] } = await hubEc2.send(new DescribeVpcEndpointsCommand({}));
  return VpcEndpoints.length;
}

beforeAll(async () => {
  endpoint = await resetEmulator();
  // What the member stack creates (the emulator refuses to assume a role that does not exist).
  await createRoleInAccount(endpoint, MEMBER, ROLE_NAME);
  // The member's own view of itself, through the same role the hub assumes.
  const credentials = assumedRoleCredentials(stsClient(), `arn:aws:iam::${MEMBER}:role/${ROLE_NAME}`, 'seed');
  const { Credentials } = await stsClient().send(
    new AssumeRoleCommand({ RoleArn: `arn:aws:iam::${MEMBER}:role/${ROLE_NAME}`, RoleSessionName: 'probe' }),
  );
  expect(Credentials?.AccessKeyId).toBeDefined();
  const memberClients = createAwsClients({
    region: REGION,
    endpointUrl: endpoint,
    credentials,
    ec2Pacing: 'off',
  });
  memberEc2 = memberClients.ec2;
  member = await seedDemoAccount(memberClients);
  hubEc2 = createCoreClients({ region: REGION, endpointUrl: endpoint, ec2Pacing: 'off' }).ec2;
}, 120_000);

describe('the organisation hub', () => {
  it('ignores a member event when the stack is not a hub, and writes nowhere', async () => {
    const rec = recorder();
    const vpcId = member.vpcIds.payments;
    const before = await managedEndpoints(memberEc2, vpcId);
    const result = await reconcileBatch(hubDeps(undefined, rec), [memberEvent('e-1', vpcId)]);
    expect(result).toMatchObject({ batchItemFailures: [], reports: [] });
    expect(rec.logs.filter((l) => l.level !== 'info')).toEqual([
      {
        level: 'warn',
        message: 'event from another account ignored: this stack is not an organisation hub',
        extra: { account: MEMBER, eventIds: ['e-1'] },
      },
    ]);
    expect(rec.metrics.EventsOtherAccount).toBe(1);
    expect(await managedEndpoints(memberEc2, vpcId)).toEqual(before);
  });

  it('reports a member role that cannot be assumed, reads and writes nothing, and retries the records', async () => {
    const rec = recorder();
    const refusing = stsClient();
    let assumeCalls = 0;
    refusing.middlewareStack.add(
      () => async () => {
        assumeCalls += 1;
        throw Object.assign(new Error(`User is not authorized to perform: sts:AssumeRole`), {
          name: 'AccessDenied',
        });
      },
      { step: 'initialize', name: 'refuseAssumeRole' },
    );
    const members = memberAccounts({
      sts: refusing,
      region: REGION,
      roleName: ROLE_NAME,
      sessionName: 'ecs-endpoint-remediator-reconcile',
      clientOptions: { endpointUrl: endpoint, ec2Pacing: 'off' },
    });
    const vpcId = member.vpcIds.payments;
    const before = await managedEndpoints(memberEc2, vpcId);
    const result = await reconcileBatch(hubDeps(members, rec), [memberEvent('e-2', vpcId)]);
    expect(result.batchItemFailures).toEqual([{ itemIdentifier: 'm-e-2' }]);
    expect(result.reports).toEqual([]);
    expect(assumeCalls).toBe(1);
    expect(rec.logs.filter((l) => l.level === 'error')).toEqual([
      {
        level: 'error',
        message: 'member account cannot be reached: nothing read or written there; its records are retried',
        extra: {
          account: MEMBER,
          roleArn: `arn:aws:iam::${MEMBER}:role/${ROLE_NAME}`,
          error: expect.stringContaining(
            `cannot assume arn:aws:iam::${MEMBER}:role/${ROLE_NAME}: AccessDenied`,
          ),
          eventIds: ['e-2'],
        },
      },
    ]);
    expect(rec.metrics).toMatchObject({ MemberAccessErrors: 1 });
    expect(rec.metrics.Reconciles).toBeUndefined();
    expect(await managedEndpoints(memberEc2, vpcId)).toEqual(before);
  });

  it("repairs the member's VPC through the member role, and nothing in the hub's account (nor in its workflow)", async () => {
    const rec = recorder();
    const members = memberAccounts({
      sts: stsClient(),
      region: REGION,
      roleName: ROLE_NAME,
      sessionName: 'ecs-endpoint-remediator-reconcile',
      clientOptions: { endpointUrl: endpoint, ec2Pacing: 'off' },
    });
    const vpcId = member.vpcIds.payments;
    const hubBefore = await hubEndpointCount();
    const before = await managedEndpoints(memberEc2, vpcId);
    // The hub's repair workflow acts in the hub's account only: a member's repair never goes there.
    const handedOver: string[] = [];
    const repairWorkflow = {
      start: async (name: string) => {
        handedOver.push(name);
        return { executionArn: `arn:aws:states:${REGION}:${HUB}:execution:runbook:${name}`, started: true };
      },
    };
    const result = await reconcileBatch({ ...hubDeps(members, rec), repairWorkflow }, [
      memberEvent('e-3', vpcId),
    ]);
    expect(handedOver).toEqual([]);
    expect(result.batchItemFailures).toEqual([]);
    const [report] = result.reports;
    const applied = report?.outcomes.filter((o) => o.status === 'applied').length ?? 0;
    expect({ applied, converged: report?.converged }).toEqual({
      applied: expect.any(Number),
      converged: true,
    });
    expect(applied).toBeGreaterThan(0);
    const after = await managedEndpoints(memberEc2, vpcId);
    expect(after.length).toBeGreaterThan(before.length);
    expect(after).toEqual(
      expect.arrayContaining(['com.amazonaws.us-east-1.ecs-telemetry', 'com.amazonaws.us-east-1.ssm']),
    );
    expect(await hubEndpointCount()).toBe(hubBefore);
    expect(rec.logs.find((l) => l.message === 'reconciling')?.extra).toMatchObject({ vpcIds: [vpcId] });
  });

  it('with the export on, writes the member’s findings to the member’s Security Hub through its role, none to the hub’s', async () => {
    const rec = recorder();
    const credentials = assumedRoleCredentials(
      stsClient(),
      `arn:aws:iam::${MEMBER}:role/${ROLE_NAME}`,
      'check',
    );
    const memberHub: SecurityHubClient = createSecurityHubClient({
      region: REGION,
      endpointUrl: endpoint,
      credentials,
    });
    const hubHub = createSecurityHubClient({ region: REGION, endpointUrl: endpoint });
    await memberHub.send(new EnableSecurityHubCommand({}));
    await hubHub.send(new EnableSecurityHubCommand({}));
    const members = memberAccounts({
      sts: stsClient(),
      region: REGION,
      roleName: ROLE_NAME,
      sessionName: 'ecs-endpoint-remediator-reconcile',
      clientOptions: { endpointUrl: endpoint, ec2Pacing: 'off' },
      securityHub: true,
    });
    const deps: ReconcileDeps = {
      ...hubDeps(members, rec),
      findingsExport: findingsExportOf(
        findingsPortsFor({ region: REGION, endpointUrl: endpoint }),
        HUB,
        members,
      ),
    };
    const vpcId = member.vpcIds.analytics;
    const result = await reconcileBatch(deps, [memberEvent('e-4', vpcId)]);
    expect(result.batchItemFailures).toEqual([]);
    const inMember = (await memberHub.send(new GetFindingsCommand({}))).Findings ?? [];
    const inHub = (await hubHub.send(new GetFindingsCommand({}))).Findings ?? [];
    expect(inMember.length).toBeGreaterThan(0);
    expect(
      inMember.every((f) => f.AwsAccountId === MEMBER && f.Id?.includes(`/${MEMBER}/${REGION}/${vpcId}/`)),
    ).toBe(true);
    expect(inHub).toEqual([]);
    expect(rec.logs.find((l) => l.message.startsWith('Security Hub:'))?.message).toBe(
      `Security Hub: imported ${inMember.length}, updated 0, resolved 0, failed 0`,
    );
    expect(rec.metrics.SecurityHubImported).toBe(inMember.length);
  });
});

/**
 * `plan --export-security-hub` against the emulator seeded with the demo account: the findings go
 * into Security Hub (one per VPC × code × service, the stable ids of `--output asff`), a second
 * run adds no duplicates, a change updates (CreatedAt kept), a fix resolves (ARCHIVED, PASSED),
 * a one-VPC plan leaves the other VPCs' findings alone, and several accounts export each through
 * their own clients. One summary line on stderr; exit 1 when Security Hub refuses.
 */
import { CreateTagsCommand, ModifyVpcAttributeCommand } from '@aws-sdk/client-ec2';
import {
  EnableSecurityHubCommand,
  GetFindingsCommand,
  SecurityHubClient,
  type AwsSecurityFinding,
} from '@aws-sdk/client-securityhub';
import { STSClient } from '@aws-sdk/client-sts';
import { assumedRoleCredentials } from '../../shared/aws/assumed-role-credentials.js';
import {
  createAwsClients,
  createSecurityHubClient,
  type AwsClientOptions,
} from '../../shared/aws/clients.js';
import { seedDemoAccount, MODE_TAG_KEY, type DemoAccount } from '../../scripts/seed/demo-account.js';
import { runCli } from '../support/cli-run.js';
import { createRoleInAccount, resetEmulator } from '../support/emulator.js';

const REGION = 'us-east-1';
const CALLER = '123456789012';
const MEMBER = '111111111111';
const ROLE = 'remediator-audit';

let endpoint: string;
let account: DemoAccount;
let hub: SecurityHubClient;

const cli = (args: string[]) => runCli(['plan', '--region', REGION, '--endpoint-url', endpoint, ...args]);
const summaryOf = (stderr: string) => stderr.split('\n').filter((l) => l.includes('Security Hub:'));

async function findingsIn(client: SecurityHubClient): Promise<AwsSecurityFinding[]> {
  const all: AwsSecurityFinding[] = [];
  let NextToken: string | undefined;
  do {
    const page = await client.send(
      new GetFindingsCommand({ MaxResults: 100, ...(NextToken ? { NextToken } : {}) }),
    );
    all.push(...(page.Findings ?? []));
    NextToken = page.NextToken || undefined;
  } while (NextToken);
  return all;
}

const active = (all: AwsSecurityFinding[]) => all.filter((f) => f.RecordState === 'ACTIVE');
const inVpc = (all: AwsSecurityFinding[], vpcId: string) => all.filter((f) => f.Id?.includes(`/${vpcId}/`));

describe('plan --export-security-hub', () => {
  beforeAll(async () => {
    endpoint = await resetEmulator();
    account = await seedDemoAccount(
      createAwsClients({ region: REGION, endpointUrl: endpoint, ec2Pacing: 'off' }),
    );
    hub = createSecurityHubClient({ region: REGION, endpointUrl: endpoint });
  }, 120_000);

  it('fails with one line and exit 1 while Security Hub is not enabled, writing nothing', async () => {
    const run = await cli(['--export-security-hub']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/InvalidAccessException|not subscribed to AWS Security Hub/);
  }, 60_000);

  it('imports one finding per VPC × code × service with the ids --output asff prints', async () => {
    await hub.send(new EnableSecurityHubCommand({}));
    const asff = JSON.parse((await cli(['--output', 'asff'])).stdout) as { Findings: { Id: string }[] };
    const run = await cli(['--export-security-hub']);
    expect(run.code).toBe(2);
    expect(summaryOf(run.stderr)).toEqual([
      `ecs-endpoint-remediator: Security Hub: imported ${asff.Findings.length}, updated 0, resolved 0, failed 0`,
    ]);
    const stored = await findingsIn(hub);
    expect(stored.map((f) => f.Id).sort()).toEqual(asff.Findings.map((f) => f.Id).sort());
    for (const f of stored) {
      expect(f.AwsAccountId).toBe(CALLER);
      expect(f.ProductArn).toBe(`arn:aws:securityhub:${REGION}:${CALLER}:product/${CALLER}/default`);
      expect(f.RecordState).toBe('ACTIVE');
      expect(f.Compliance?.Status).toBe('FAILED');
      expect(f.Workflow?.Status).toBe('NEW');
    }
  }, 60_000);

  it('a second run sends nothing and adds no duplicate', async () => {
    const before = await findingsIn(hub);
    const run = await cli(['--export-security-hub']);
    expect(run.code).toBe(2);
    expect(summaryOf(run.stderr)).toEqual([
      `ecs-endpoint-remediator: Security Hub: imported 0, updated 0, resolved 0, failed 0 (${before.length} unchanged, not sent)`,
    ]);
    const after = await findingsIn(hub);
    expect(after.length).toBe(before.length);
    expect(new Set(after.map((f) => f.Id)).size).toBe(after.length);
  }, 60_000);

  it('updates the findings of a VPC whose mode changed, keeping CreatedAt', async () => {
    const before = inVpc(await findingsIn(hub), account.vpcIds.analytics);
    expect(before.length).toBeGreaterThan(0);
    const { ec2 } = createAwsClients({ region: REGION, endpointUrl: endpoint, ec2Pacing: 'off' });
    await ec2.send(
      new CreateTagsCommand({
        Resources: [account.vpcIds.analytics],
        Tags: [{ Key: MODE_TAG_KEY, Value: 'enforce' }],
      }),
    );
    const run = await cli(['--export-security-hub']);
    expect(summaryOf(run.stderr)[0]).toMatch(
      new RegExp(`Security Hub: imported \\d+, updated ${before.length}, resolved \\d+, failed 0`),
    );
    const after = inVpc(await findingsIn(hub), account.vpcIds.analytics);
    const createdBefore = new Map(before.map((f) => [f.Id, f.CreatedAt]));
    for (const f of after.filter((a) => createdBefore.has(a.Id))) {
      expect(f.CreatedAt).toBe(createdBefore.get(f.Id));
      expect(f.ProductFields?.['ecs-endpoint-remediator/Mode']).toBe('enforce');
    }
    await ec2.send(
      new CreateTagsCommand({
        Resources: [account.vpcIds.analytics],
        Tags: [{ Key: MODE_TAG_KEY, Value: 'audit' }],
      }),
    );
  }, 60_000);

  it('a one-VPC plan resolves what was fixed there and leaves the other VPCs’ findings alone', async () => {
    const payments = account.vpcIds.payments;
    const hostnames = `ecs-endpoint-remediator/${CALLER}/${REGION}/${payments}/VPC_DNS_HOSTNAMES_DISABLED/vpc`;
    const before = await findingsIn(hub);
    expect(active(before).map((f) => f.Id)).toContain(hostnames);
    const othersBefore = active(before).filter((f) => !f.Id?.includes(`/${payments}/`));
    const { ec2 } = createAwsClients({ region: REGION, endpointUrl: endpoint, ec2Pacing: 'off' });
    await ec2.send(new ModifyVpcAttributeCommand({ VpcId: payments, EnableDnsHostnames: { Value: true } }));

    // A plan of another VPC only: the payments fix is not seen, nothing of payments is resolved.
    const sandbox = await cli(['--vpc', account.vpcIds.sandbox, '--export-security-hub']);
    expect(summaryOf(sandbox.stderr)[0]).toMatch(/resolved 0, failed 0/);
    expect(active(await findingsIn(hub)).map((f) => f.Id)).toContain(hostnames);

    const run = await cli(['--vpc', payments, '--export-security-hub']);
    expect(run.code).toBe(2);
    expect(summaryOf(run.stderr)[0]).toMatch(/resolved [1-9]\d*, failed 0/);
    const after = await findingsIn(hub);
    const resolved = after.find((f) => f.Id === hostnames);
    expect(resolved?.RecordState).toBe('ARCHIVED');
    expect(resolved?.Compliance?.Status).toBe('PASSED');
    expect(Date.parse(resolved?.UpdatedAt ?? '')).toBeGreaterThan(
      Date.parse(before.find((f) => f.Id === hostnames)?.UpdatedAt ?? ''),
    );
    // Every other VPC's findings are as they were: still ACTIVE.
    const othersAfter = active(after).filter((f) => !f.Id?.includes(`/${payments}/`));
    expect(othersAfter.map((f) => f.Id).sort()).toEqual(othersBefore.map((f) => f.Id).sort());
  }, 60_000);
});

describe('plan --export-security-hub over several accounts', () => {
  let member: SecurityHubClient;

  beforeAll(async () => {
    endpoint = await resetEmulator();
    await createRoleInAccount(endpoint, MEMBER, ROLE);
    const sts = new STSClient({
      region: REGION,
      endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const memberOptions: AwsClientOptions = {
      region: REGION,
      endpointUrl: endpoint,
      credentials: assumedRoleCredentials(sts, `arn:aws:iam::${MEMBER}:role/${ROLE}`, 'seed'),
      ec2Pacing: 'off',
    };
    await seedDemoAccount(createAwsClients(memberOptions));
    await seedDemoAccount(createAwsClients({ region: REGION, endpointUrl: endpoint, ec2Pacing: 'off' }));
    member = createSecurityHubClient(memberOptions);
    hub = createSecurityHubClient({ region: REGION, endpointUrl: endpoint });
    await member.send(new EnableSecurityHubCommand({}));
    await hub.send(new EnableSecurityHubCommand({}));
  }, 180_000);

  it('writes each account’s findings into that account’s Security Hub, through its own clients', async () => {
    const run = await cli([
      '--accounts',
      `${MEMBER},${CALLER}`,
      '--role-name',
      ROLE,
      '--export-security-hub',
    ]);
    expect(run.code).toBe(2);
    const mine = await findingsIn(hub);
    const theirs = await findingsIn(member);
    expect(mine.length).toBeGreaterThan(0);
    expect(theirs.length).toBeGreaterThan(0);
    expect(
      mine.every((f) => f.AwsAccountId === CALLER && f.Id?.startsWith(`ecs-endpoint-remediator/${CALLER}/`)),
    ).toBe(true);
    expect(
      theirs.every(
        (f) => f.AwsAccountId === MEMBER && f.Id?.startsWith(`ecs-endpoint-remediator/${MEMBER}/`),
      ),
    ).toBe(true);
    expect(summaryOf(run.stderr)).toEqual([
      `ecs-endpoint-remediator: Security Hub: imported ${mine.length + theirs.length}, updated 0, resolved 0, failed 0`,
    ]);
  }, 120_000);

  it('a pair whose Security Hub is not enabled is an error line and exit 1; the others are exported', async () => {
    const run = await runCli([
      'plan',
      '--endpoint-url',
      endpoint,
      '--region',
      `${REGION},us-west-2`,
      '--export-security-hub',
    ]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(
      /error: account 123456789012 Region us-west-2: Security Hub export: .*InvalidAccess|not subscribed/,
    );
    expect(summaryOf(run.stderr)).toHaveLength(1);
  }, 120_000);
});

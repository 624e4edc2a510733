/**
 * `plan` over several accounts and Regions on the emulator (moto keeps state per account and
 * Region; an assumed role's credentials act in the role's account; the project's extension refuses
 * a role that does not exist, as AWS does).
 */
import { CreateVpcCommand, DescribeVpcEndpointsCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateAccountCommand,
  CreateOrganizationCommand,
  ListAccountsCommand,
  OrganizationsClient,
} from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';
import { createAwsClients } from '../../shared/aws/clients.js';
import { createCoreClients } from '../../shared/aws/core-clients.js';
import { assumedRoleCredentials } from '../../shared/aws/assumed-role-credentials.js';
import { seedDemoAccount } from '../../scripts/seed/demo-account.js';
import { runCli } from '../support/cli-run.js';
import { createRoleInAccount, resetEmulator } from '../support/emulator.js';

const CALLER = '123456789012';
const MEMBER = '111111111111';
const ROLE = 'remediator-audit';

let endpoint: string;
let memberVpc: string;
let memberClients: ReturnType<typeof createAwsClients>;
let westVpc: string;

interface ManyPlans {
  pairs: { accountId: string; region: string; vpcs: number }[];
  vpcs: { accountId: string; region: string; vpcId: string; findings: unknown[] }[];
  errors: { accountId: string; region: string; reason: string }[];
}

const plan = (args: readonly string[]) => runCli(['plan', '--endpoint-url', endpoint, ...args]);

beforeAll(async () => {
  endpoint = await resetEmulator();
  await createRoleInAccount(endpoint, MEMBER, ROLE);
  const sts = new STSClient({
    region: 'us-east-1',
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
  });
  const credentials = assumedRoleCredentials(sts, `arn:aws:iam::${MEMBER}:role/${ROLE}`, 'seed');
  memberClients = createAwsClients({
    region: 'us-east-1',
    endpointUrl: endpoint,
    credentials,
    ec2Pacing: 'off',
  });
  const member = await seedDemoAccount(memberClients);
  memberVpc = member.vpcIds.payments;
  await seedDemoAccount(createAwsClients({ region: 'us-east-1', endpointUrl: endpoint, ec2Pacing: 'off' }));
  const west = createCoreClients({ region: 'us-west-2', endpointUrl: endpoint, ec2Pacing: 'off' });
  westVpc = (await west.ec2.send(new CreateVpcCommand({ CidrBlock: '10.9.0.0/16' }))).Vpc?.VpcId ?? '';
}, 120_000);

describe('plan over several accounts and Regions', () => {
  it('plans every account × Region pair, each VPC with its account and Region', async () => {
    const run = await plan([
      '--json',
      '--region',
      'us-west-2,us-east-1',
      '--accounts',
      `${MEMBER},${CALLER}`,
      '--role-name',
      ROLE,
    ]);
    const doc = JSON.parse(run.stdout) as ManyPlans;
    expect({ code: run.code, stderr: run.stderr, errors: doc.errors }).toEqual({
      code: 2,
      stderr: '',
      errors: [],
    });
    expect(doc.pairs.map((p) => `${p.accountId}/${p.region}`)).toEqual([
      `${MEMBER}/us-east-1`,
      `${MEMBER}/us-west-2`,
      `${CALLER}/us-east-1`,
      `${CALLER}/us-west-2`,
    ]);
    const where = (vpcId: string) =>
      doc.vpcs.filter((v) => v.vpcId === vpcId).map((v) => `${v.accountId}/${v.region}`);
    expect({ member: where(memberVpc), west: where(westVpc) }).toEqual({
      member: [`${MEMBER}/us-east-1`],
      west: [`${CALLER}/us-west-2`],
    });
    // Each account's VPCs are its own: no VPC id appears under two accounts.
    const idsOf = (accountId: string) =>
      new Set(doc.vpcs.filter((v) => v.accountId === accountId).map((v) => v.vpcId));
    const callerIds = idsOf(CALLER);
    expect([...idsOf(MEMBER)].filter((id) => callerIds.has(id))).toEqual([]);
    expect(
      doc.pairs.find((p) => p.accountId === MEMBER && p.region === 'us-east-1')?.vpcs,
    ).toBeGreaterThanOrEqual(4);
  }, 60_000);

  it('reports an account whose role cannot be assumed, still plans the others, and exits 1', async () => {
    const run = await plan([
      '--json',
      '--region',
      'us-east-1',
      '--accounts',
      `${CALLER},222222222222`,
      '--role-name',
      ROLE,
    ]);
    const doc = JSON.parse(run.stdout) as ManyPlans;
    expect(run.code).toBe(1);
    expect(doc.errors).toEqual([
      {
        accountId: '222222222222',
        region: 'us-east-1',
        reason: expect.stringContaining(`cannot assume arn:aws:iam::222222222222:role/${ROLE}: AccessDenied`),
      },
    ]);
    expect(run.stderr).toMatch(
      /^ecs-endpoint-remediator: error: account 222222222222 Region us-east-1: .*AccessDenied/,
    );
    expect(run.stderr.split('\n')).toHaveLength(1);
    expect(doc.pairs.map((p) => p.accountId)).toEqual([CALLER]);
    expect(doc.vpcs.length).toBeGreaterThan(0);
  }, 60_000);

  it('groups human output by account, then Region', async () => {
    const run = await plan([
      '--region',
      'us-east-1,us-west-2',
      '--accounts',
      `${CALLER},${MEMBER}`,
      '--role-name',
      ROLE,
    ]);
    const headers = run.stdout.split('\n').filter((l) => /^(==|--) /.test(l));
    expect(headers).toEqual([
      `== Account ${MEMBER}`,
      `-- ${MEMBER} / us-east-1`,
      `-- ${MEMBER} / us-west-2`,
      `== Account ${CALLER}`,
      `-- ${CALLER} / us-east-1`,
      `-- ${CALLER} / us-west-2`,
    ]);
    expect(run.stdout).toMatch(/4 of 4 account\/Region pair\(s\) planned$/);
  }, 60_000);

  it('--output asff prints one BatchImportFindings body, each finding in its own account and Region', async () => {
    const run = await plan([
      '--output',
      'asff',
      '--region',
      'us-east-1,us-west-2',
      '--accounts',
      `${CALLER},${MEMBER}`,
      '--role-name',
      ROLE,
    ]);
    const doc = JSON.parse(run.stdout) as {
      Findings: { Id: string; AwsAccountId: string; Resources: { Id: string; Region: string }[] }[];
    };
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 2, stderr: '' });
    const accountsOf = (vpcId: string) => [
      ...new Set(doc.Findings.filter((f) => f.Id.includes(`/${vpcId}/`)).map((f) => f.AwsAccountId)),
    ];
    expect({
      member: accountsOf(memberVpc),
      all: [...new Set(doc.Findings.map((f) => f.AwsAccountId))].sort(),
    }).toEqual({
      member: [MEMBER],
      all: [MEMBER, CALLER].sort(),
    });
    // The id names the finding's own account and Region: tool/account/region/vpc/code/service.
    const disagreeing = doc.Findings.filter((f) => {
      const [, account, region] = f.Id.split('/');
      return account !== f.AwsAccountId || region !== f.Resources[0]?.Region;
    });
    expect(disagreeing).toEqual([]);
    expect(new Set(doc.Findings.map((f) => f.Id)).size).toBe(doc.Findings.length);
  }, 60_000);

  it('--all-regions plans the Regions enabled for the account, not the opt-in ones left disabled', async () => {
    // DescribeRegions is asked in the configured Region (AWS_REGION).
    const run = await runCli(
      ['plan', '--endpoint-url', endpoint, '--json', '--all-regions', '--vpc', westVpc],
      {
        AWS_REGION: 'us-east-1',
      },
    );
    const doc = JSON.parse(run.stdout) as ManyPlans;
    const regions = [...doc.pairs, ...doc.errors].map((p) => p.region);
    expect(regions).toEqual(expect.arrayContaining(['us-east-1', 'us-west-2', 'eu-west-1']));
    // ap-east-1 is an opt-in Region the emulator lists as not opted in.
    expect(regions).not.toContain('ap-east-1');
    // --vpc names a VPC of us-west-2: every other Region reports it missing, as an error entry.
    expect(doc.vpcs.map((v) => `${v.vpcId}/${v.region}`)).toEqual([`${westVpc}/us-west-2`]);
    expect(doc.errors.length).toBeGreaterThan(0);
    expect(doc.errors.every((e) => e.region !== 'us-west-2' && e.reason.includes(westVpc))).toBe(true);
    expect(run.code).toBe(1);
  }, 120_000);

  it('--org plans every active account of the organisation through the role', async () => {
    const organizations = new OrganizationsClient({
      region: 'us-east-1',
      endpoint,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    await organizations.send(new CreateOrganizationCommand({ FeatureSet: 'ALL' }));
    await organizations.send(new CreateAccountCommand({ AccountName: 'spoke', Email: 'spoke@example.com' }));
    const { Accounts = [] } = await organizations.send(new ListAccountsCommand({}));
    const others = Accounts.map((a) => a.Id ?? '').filter((id) => id !== CALLER);
    expect(others.length).toBeGreaterThan(0);
    const run = await plan(['--json', '--region', 'us-east-1', '--org', '--role-name', ROLE]);
    const doc = JSON.parse(run.stdout) as ManyPlans;
    // The new account has no such role yet: it is an error entry; the caller is planned directly.
    expect({ code: run.code, planned: doc.pairs.map((p) => p.accountId) }).toEqual({
      code: 1,
      planned: [CALLER],
    });
    expect(doc.errors.map((e) => e.accountId).sort()).toEqual(others.sort());
  }, 60_000);

  it.each([
    [['--accounts', '123'], /--accounts: "123" is not a 12-digit AWS account id.*needs --role-name/],
    [['--accounts', MEMBER], /--accounts needs --role-name NAME/],
    [['--role-name', ROLE, '--region', 'us-east-1'], /--role-name needs --accounts or --org/],
    [['--region', 'us-east-1,mars-1'], /--region: "mars-1" is not a Region code/],
    [['--region', 'us-east-1,us-west-2', '--out', 'x.json'], /--out saves one account and Region/],
    [['--region', 'us-east-1', '--all-regions'], /--region and --all-regions cannot be combined/],
    [['--all-regions', '--concurrency', '0'], /--concurrency takes a whole number from 1 to 32/],
  ])('refuses %j with a clear one-line error and exit 1, reading nothing', async (args, message) => {
    const run = await plan(args);
    expect({ code: run.code, stdout: run.stdout }).toEqual({ code: 1, stdout: '' });
    expect(run.stderr).toMatch(message);
  });

  it('apply FILE applies one saved pair: not with several accounts or Regions', async () => {
    const run = await runCli([
      'apply',
      '/tmp/never-read-plan.json',
      '--yes',
      '--endpoint-url',
      endpoint,
      '--region',
      'us-east-1,us-west-2',
    ]);
    expect(run).toMatchObject({ code: 1, stdout: '' });
    expect(run.stderr).toMatch(
      /apply FILE applies one saved account and Region: it does not go with several/,
    );
  });

  it('apply over two accounts writes each through its own clients; a role that cannot be assumed is an error entry', async () => {
    const liveServices = async (ec2: EC2Client, vpcId: string) =>
      (
        (await ec2.send(new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] })))
          .VpcEndpoints ?? []
      )
        .filter((e) => !['deleted', 'deleting'].includes(String(e.State).toLowerCase()))
        .map((e) => String(e.ServiceName).split('.').slice(3).join('.'))
        .sort();
    const memberBefore = await liveServices(memberClients.ec2, memberVpc);
    const run = await runCli([
      'apply',
      '--yes',
      '--json',
      '--endpoint-url',
      endpoint,
      '--region',
      'us-east-1',
      '--accounts',
      `${CALLER},${MEMBER},222222222222`,
      '--role-name',
      ROLE,
      '--max-changes',
      '60',
    ]);
    const doc = JSON.parse(run.stdout) as {
      pairs: { accountId: string; region: string; writeCalls: number; converged: boolean }[];
      outcomes: { accountId: string; region: string; vpcId: string; kind: string; status: string }[];
      errors: { accountId: string; reason: string }[];
    };
    expect(run.code).toBe(1);
    expect(doc.errors.map((e) => e.accountId)).toEqual(['222222222222']);
    expect(doc.errors[0]?.reason).toMatch(/AccessDenied/);
    expect(doc.pairs.map((p) => `${p.accountId}/${p.region}`)).toEqual([
      `${MEMBER}/us-east-1`,
      `${CALLER}/us-east-1`,
    ]);
    for (const pair of doc.pairs)
      expect([pair.accountId, pair.writeCalls > 0]).toEqual([pair.accountId, true]);
    // The member's enforce VPC got its endpoints in the member account (through the role).
    const memberCreates = doc.outcomes.filter(
      (o) =>
        o.accountId === MEMBER &&
        o.vpcId === memberVpc &&
        o.kind === 'CreateVpcEndpoint' &&
        o.status === 'applied',
    );
    expect(memberCreates.length).toBeGreaterThan(0);
    const memberAfter = await liveServices(memberClients.ec2, memberVpc);
    expect(memberAfter.length).toBe(memberBefore.length + memberCreates.length);
    // Each account's outcomes are its own VPCs': no VPC id under both.
    const vpcsOf = (accountId: string) =>
      new Set(doc.outcomes.filter((o) => o.accountId === accountId).map((o) => o.vpcId));
    const callerVpcs = vpcsOf(CALLER);
    expect(callerVpcs.size).toBeGreaterThan(0);
    expect([...vpcsOf(MEMBER)].filter((id) => callerVpcs.has(id))).toEqual([]);
  }, 240_000);
});

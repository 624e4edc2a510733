/**
 * The CLI's workflow against the local emulator seeded with the demo account: saved plans applied
 * exactly or refused (and then nothing written), summary lines, quiet and verbose apply, markdown,
 * `explain` for every finding code, per-command help and --version.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DescribeSecurityGroupsCommand,
  DescribeVpcEndpointsCommand,
  ModifyVpcAttributeCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import type { CliIo } from '../../functions/cli/main.js';
import { runCli } from '../support/cli-run.js';
import { readSavedPlan, writeSavedPlan } from '../../functions/cli/saved-plan.js';
import { createAwsClients } from '../../shared/aws/clients.js';
import { FINDING_CODES } from '../../shared/core/domain.js';
import { seedDemoAccount, type DemoAccount } from '../../scripts/seed/demo-account.js';
import { resetEmulator } from '../support/emulator.js';

const cli = (args: string[], options: Partial<CliIo> = {}) => runCli(args, {}, options);

const lastLine = (text: string) => text.trimEnd().split('\n').at(-1) ?? '';
const PACKAGE_VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

let endpoint: string;
let account: DemoAccount;
let ec2: EC2Client;
let target: string[];
let dir: string;

async function freshAccount(): Promise<void> {
  endpoint = await resetEmulator();
  const clients = createAwsClients({ region: 'us-east-1', endpointUrl: endpoint });
  account = await seedDemoAccount(clients);
  ec2 = clients.ec2;
  target = ['--region', 'us-east-1', '--endpoint-url', endpoint];
}

/** Everything apply could have written in the region: endpoints (with their subnets, groups, routes) and groups. */
async function writableState(): Promise<unknown> {
  const { VpcEndpoints = [] } = await ec2.send(new DescribeVpcEndpointsCommand({}));
  const { SecurityGroups = [] } = await ec2.send(new DescribeSecurityGroupsCommand({}));
  return {
    endpoints: VpcEndpoints.map((e) => [e.VpcEndpointId, e.State, e.SubnetIds, e.Groups, e.RouteTableIds]),
    groups: SecurityGroups.map((g) => [g.GroupId, g.IpPermissions]),
  };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'cli-workflow-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('summary lines and quiet output', () => {
  beforeAll(freshAccount, 120000);

  it('plan ends with the Terraform-like summary line, counting only what apply would do', async () => {
    const run = await cli(['plan', ...target]);
    expect(run.code).toBe(2);
    // The payments VPC (enforce): 14 actions, 8 of which create (group + 7 endpoints), one restarts
    // the agents of its SSM-managed instances.
    expect(lastLine(run.stdout)).toBe(
      'Plan: 8 to create, 6 to change, 0 to destroy · 19 findings need a person · +USD 138.70/month · 17 actions in audit VPCs not applied',
    );
    // Findings grouped by severity, most severe first, in each VPC.
    const payments = run.stdout.slice(run.stdout.indexOf(`VPC ${account.vpcIds.payments}`));
    expect(payments.indexOf('critical (')).toBeLessThan(payments.indexOf('high ('));
    // VPCs without drift are one line.
    expect(run.stdout).toMatch(new RegExp(`^No drift: .*${account.vpcIds.sandbox}`, 'm'));
    expect(run.stdout).not.toContain(`VPC ${account.vpcIds.sandbox}`);
  });

  it('--output markdown gives a table per VPC and the summary line last', async () => {
    const run = await cli(['plan', '--output', 'markdown', ...target]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(`### VPC \`${account.vpcIds.payments}\` (enforce)`);
    expect(run.stdout).toContain(`### VPC \`${account.vpcIds.analytics}\` (audit)`);
    expect(run.stdout).toContain('| severity | code | service | finding | advice |');
    expect(run.stdout).toMatch(/^\| critical \| `MISSING_ENDPOINT` \| ecs-telemetry \| /m);
    expect(run.stdout).toMatch(/^\| 1 \| will \| enable enableDnsHostnames on the VPC \| /m);
    expect(lastLine(run.stdout)).toMatch(/^Plan: 8 to create, 6 to change, 0 to destroy/);
    const json = await cli(['plan', '--output', 'json', ...target]);
    const shorthand = await cli(['plan', '--json', ...target]);
    expect(JSON.parse(json.stdout)).toEqual(JSON.parse(shorthand.stdout));
    const clash = await cli(['plan', '--json', '--output', 'markdown', ...target]);
    expect(clash.code).toBe(1);
    expect(clash.stderr).toMatch(/--json is --output json/);
  });

  it('apply is quiet by default: no findings, one line per audit VPC, the apply summary last', async () => {
    const run = await cli(['apply', '--yes', ...target]);
    expect(run.code).toBe(0);
    const lines = run.stdout.split('\n');
    expect(run.stdout).not.toMatch(/MISSING_ENDPOINT|ENDPOINT_SG_BLOCKS_HTTPS|because /);
    expect(run.stdout).not.toContain('report only\n  ');
    expect(lines.filter((l) => l.includes(account.vpcIds.analytics))).toEqual([
      expect.stringMatching(
        /^VPC vpc-\S+ \[audit\]: 15 findings \(3 critical, 9 high, 3 medium\), 12 actions not applied: report only$/,
      ),
    ]);
    expect(lines.filter((l) => l.includes(account.vpcIds.batch))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('No drift: '))).toHaveLength(1);
    expect(lines.filter((l) => l.startsWith('  applied  '))).toHaveLength(14);
    expect(lastLine(run.stdout)).toBe('Apply: 14 applied, 0 failed · 2 VPCs in audit not changed');
  }, 120000);
});

describe('verbose apply', () => {
  beforeAll(freshAccount, 120000);

  it('--verbose restores the whole plan and every outcome', async () => {
    const run = await cli(['apply', '--yes', '--verbose', ...target]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('MISSING_ENDPOINT (ecs-telemetry)');
    expect(run.stdout).toMatch(/because /);
    expect(run.stdout).toContain(`VPC ${account.vpcIds.sandbox} [`);
    // 17 actions of the two audit VPCs, each with its skipped line.
    expect(run.stdout.split('\n').filter((l) => l.endsWith(': audit VPC: report only'))).toHaveLength(17);
    expect(lastLine(run.stdout)).toBe('Apply: 14 applied, 0 failed · 2 VPCs in audit not changed');
  }, 120000);
});

describe('markdown apply', () => {
  beforeAll(freshAccount, 120000);

  it('--output markdown: the actions and outcomes as tables, no findings, the apply summary last', async () => {
    const run = await cli(['apply', '--yes', '--output', 'markdown', ...target]);
    expect(run.code).toBe(0);
    expect(run.stdout).not.toContain('MISSING_ENDPOINT');
    expect(run.stdout).toContain(`### VPC \`${account.vpcIds.payments}\` (enforce)`);
    expect(run.stdout).toMatch(/^\| 1 \| enable enableDnsHostnames on the VPC \|$/m);
    expect(run.stdout).toMatch(
      new RegExp(`^- VPC ${account.vpcIds.analytics} \\[audit\\]: 15 findings`, 'm'),
    );
    expect(run.stdout.split('\n').filter((l) => l.startsWith('| applied | '))).toHaveLength(14);
    expect(lastLine(run.stdout)).toBe('Apply: 14 applied, 0 failed · 2 VPCs in audit not changed');
  }, 120000);
});

describe('saved plans', () => {
  beforeEach(freshAccount, 120000);

  it('plan --out then apply FILE applies exactly the saved actions', async () => {
    const file = join(dir, 'applied.json');
    const planned = await cli(['plan', '--vpc', account.vpcIds.payments, '--out', file, ...target]);
    expect(planned.code).toBe(2);
    expect(planned.stderr).toContain(`apply ${file}`);
    const saved = readSavedPlan(file);
    expect(saved).toMatchObject({
      region: 'us-east-1',
      account: '123456789012',
      toolVersion: PACKAGE_VERSION,
    });
    const savedIds = saved.plan.vpcs.flatMap((v) => v.actions.map((a) => a.id));
    expect(savedIds).toHaveLength(14);
    expect(Object.keys(saved.fingerprints).sort()).toEqual([...savedIds].sort());

    // Drift appears elsewhere after the plan: the saved plan still applies, and only its actions.
    await ec2.send(
      new ModifyVpcAttributeCommand({ VpcId: account.vpcIds.sandbox, EnableDnsHostnames: { Value: false } }),
    );
    const run = await cli(['apply', file, '--yes', '--json', '--endpoint-url', endpoint]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const doc = JSON.parse(run.stdout) as {
      outcomes: { actionId: string; status: string }[];
      converged: boolean;
    };
    expect(doc.converged).toBe(true);
    expect(doc.outcomes.map((o) => o.actionId)).toEqual(savedIds);
    expect(doc.outcomes.filter((o) => o.status !== 'applied')).toEqual([]);
    const after = await cli(['plan', '--json', '--vpc', account.vpcIds.payments, ...target]);
    const vpc = (JSON.parse(after.stdout) as { vpcs: { actions: unknown[] }[] }).vpcs[0];
    expect(vpc?.actions).toEqual([]);
  }, 120000);

  it('refuses with one line and writes nothing when the state an action depends on changed', async () => {
    const file = join(dir, 'stale.json');
    expect((await cli(['plan', '--out', file, ...target])).code).toBe(2);
    // Someone turns DNS hostnames on by hand: the plan's EnableVpcDnsAttribute depended on it being off.
    await ec2.send(
      new ModifyVpcAttributeCommand({ VpcId: account.vpcIds.payments, EnableDnsHostnames: { Value: true } }),
    );
    const before = await writableState();
    const run = await cli(['apply', file, '--yes', '--endpoint-url', endpoint]);
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(
      /^ecs-endpoint-remediator: refused: the state changed since the plan was made for 1 of its 14 action\(s\) \(vpc-\S+: enable enableDnsHostnames on the VPC\); nothing was applied/,
    );
    expect(await writableState()).toEqual(before);
  }, 120000);

  it('refuses a plan from another account, Region or tool version, and an edited file', async () => {
    const file = join(dir, 'original.json');
    expect((await cli(['plan', '--out', file, ...target])).code).toBe(2);
    const saved = readSavedPlan(file);
    const variant = (name: string, change: Partial<typeof saved>) => {
      const path = join(dir, name);
      writeSavedPlan(path, { ...saved, ...change });
      return path;
    };
    const before = await writableState();
    const cases: [string[], RegExp][] = [
      [
        [variant('account.json', { account: '210987654321' })],
        /plan for account 210987654321, these credentials are for 123456789012/,
      ],
      [
        [variant('version.json', { toolVersion: '0.0.1' })],
        /made by ecs-endpoint-remediator 0\.0\.1, this is /,
      ],
      [[file, '--region', 'us-west-2'], /is a plan for us-east-1, not us-west-2/],
    ];
    const edited = join(dir, 'edited.json');
    writeFileSync(edited, readFileSync(file, 'utf8').replace('"apply": true', '"apply": false'));
    cases.push([[edited], /was changed after it was saved/]);
    for (const [args, pattern] of cases) {
      const run = await cli(['apply', ...args, '--yes', '--endpoint-url', endpoint]);
      expect(run.code).toBe(1);
      expect(run.stdout).toBe('');
      expect(run.stderr.split('\n')).toHaveLength(1);
      expect(run.stderr).toMatch(pattern);
    }
    expect(await writableState()).toEqual(before);
  }, 120000);
});

describe('explain, help and version', () => {
  it.each(FINDING_CODES)('explain %s: meaning, why ECS breaks, what to do, the AWS page', async (code) => {
    const run = await cli(['explain', code]);
    expect(run.code).toBe(0);
    expect(run.stdout.split('\n')[0]).toBe(code);
    for (const label of ['What it means:', 'Why ECS breaks:', 'What the tool does:', 'By hand:']) {
      expect(run.stdout).toMatch(new RegExp(`^  ${label} +\\S.{10,}`, 'm'));
    }
    expect(run.stdout).toMatch(/^ {2}AWS documentation: +https:\/\/docs\.aws\.amazon\.com\/\S+\.html$/m);
  });

  it('an unknown code lists the known ones; no code lists them all', async () => {
    const unknown = await cli(['explain', 'NO_SUCH_CODE']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown finding code "NO_SUCH_CODE"');
    for (const code of FINDING_CODES) expect(unknown.stderr).toContain(code);
    const list = await cli(['explain']);
    expect(list.code).toBe(0);
    for (const code of FINDING_CODES) expect(list.stdout).toMatch(new RegExp(`^  ${code} `, 'm'));
  });

  it.each([
    ['plan', /--out FILE/],
    ['apply', /--max-changes N/],
    ['explain', /explain \[CODE\]/],
  ])('%s --help is that command’s own help', async (command, pattern) => {
    const run = await cli([command, '--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(new RegExp(`^Usage: ecs-endpoint-remediator ${command}`));
    expect(run.stdout).toMatch(pattern);
  });

  it('--version prints the package version; a flag of another command is refused', async () => {
    expect(await cli(['--version'])).toEqual({ code: 0, stdout: PACKAGE_VERSION, stderr: '' });
    const wrong = await cli(['plan', '--yes']);
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/--yes does not go with plan/);
  });
});

/**
 * The CLI against the real local emulator, seeded with the demo account: the `--json` document, exit
 * codes, bad input, and apply's promises (converges, idempotent, audit and the default group untouched).
 */
import { DescribeSecurityGroupsCommand, DescribeVpcEndpointsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { z } from 'zod';
import { runCli } from '../support/cli-run.js';
import { createAwsClients } from '../../shared/aws/clients.js';
import { FINDING_CODES, SERVICE_NAMES } from '../../shared/core/domain.js';
import { emulatorControl } from '../../scripts/emulator/moto-server.js';
import { seedDemoAccount, type DemoAccount } from '../../scripts/seed/demo-account.js';
import { resetEmulator } from '../support/emulator.js';

const cli = runCli;

const planSchema = z.object({
  region: z.string(),
  vpcs: z.array(
    z.object({
      vpcId: z.string().regex(/^vpc-/),
      mode: z.enum(['enforce', 'audit', 'off']),
      findings: z.array(
        z.object({
          code: z.enum(FINDING_CODES),
          severity: z.enum(['critical', 'high', 'medium', 'low', 'info']),
          service: z.enum(SERVICE_NAMES).optional(),
          resourceId: z.string().optional(),
          message: z.string().min(10),
        }),
      ),
      actions: z.array(
        z.looseObject({
          kind: z.string(),
          service: z.enum(SERVICE_NAMES).optional(),
          reason: z.string().min(10),
          apply: z.boolean(),
        }),
      ),
    }),
  ),
  estimatedMonthlyCostUsd: z.number().nonnegative(),
});

let endpoint: string;
let account: DemoAccount;
let ec2: EC2Client;
let target: string[];

async function liveEndpoints(vpcId: string) {
  const { VpcEndpoints = [] } = await ec2.send(
    new DescribeVpcEndpointsCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }),
  );
  return VpcEndpoints.filter((e) => !['deleted', 'deleting'].includes(String(e.State).toLowerCase()));
}

async function defaultGroup(vpcId: string) {
  const { SecurityGroups = [] } = await ec2.send(
    new DescribeSecurityGroupsCommand({
      Filters: [
        { Name: 'vpc-id', Values: [vpcId] },
        { Name: 'group-name', Values: ['default'] },
      ],
    }),
  );
  return SecurityGroups[0];
}

beforeAll(async () => {
  endpoint = await resetEmulator();
  const clients = createAwsClients({ region: 'us-east-1', endpointUrl: endpoint });
  account = await seedDemoAccount(clients);
  ec2 = clients.ec2;
  target = ['--region', 'us-east-1', '--endpoint-url', endpoint];
}, 120000);

describe('plan', () => {
  it('prints exactly one JSON document with the documented schema and exits 2 on drift', async () => {
    const run = await cli(['plan', '--json', ...target]);
    expect(run.code).toBe(2);
    const doc = planSchema.parse(JSON.parse(run.stdout));
    expect(doc.region).toBe('us-east-1');
    const payments = doc.vpcs.find((v) => v.vpcId === account.vpcIds.payments);
    expect(payments?.mode).toBe('enforce');
    const found = payments?.findings.map((f) => `${f.code}:${f.service ?? ''}`) ?? [];
    expect(found).toEqual(
      expect.arrayContaining([
        'MISSING_ENDPOINT:ecs-telemetry',
        'ENDPOINT_AZ_NOT_COVERED:ecs',
        'ENDPOINT_SG_BLOCKS_HTTPS:ecr.api',
        'ENDPOINT_SG_BLOCKS_HTTPS:ecr.dkr',
        'VPC_DNS_HOSTNAMES_DISABLED:',
        'MISSING_ENDPOINT:s3',
      ]),
    );
    const order = payments?.actions.map((a) => a.kind) ?? [];
    expect(order.indexOf('EnableVpcDnsAttribute')).toBe(0);
    const analytics = doc.vpcs.find((v) => v.vpcId === account.vpcIds.analytics);
    expect(analytics?.mode).toBe('audit');
    expect(analytics?.actions.length).toBeGreaterThan(0);
    expect(analytics?.actions.filter((a) => a.apply !== false)).toEqual([]);
    const sandbox = doc.vpcs.find((v) => v.vpcId === account.vpcIds.sandbox);
    expect(sandbox).toMatchObject({ findings: [], actions: [] });
    const batch = doc.vpcs.find((v) => v.vpcId === account.vpcIds.batch);
    expect(batch?.actions.flatMap((a) => (a.kind === 'CreateVpcEndpoint' ? [a.service] : []))).toEqual([
      'ecr.api',
      'ecr.dkr',
      's3',
    ]);
    expect(doc.estimatedMonthlyCostUsd).toBeGreaterThan(0);
    expect(run.stderr).toBe('');
  });

  it('prints a human report per VPC with mode, findings, reasons and cost', async () => {
    const run = await cli(['plan', '--vpc', account.vpcIds.payments, ...target]);
    expect(run.code).toBe(2);
    expect(run.stdout).toContain(`VPC ${account.vpcIds.payments} [enforce]`);
    expect(run.stdout).toContain('MISSING_ENDPOINT (ecs-telemetry)');
    expect(run.stdout).toMatch(/because .+/);
    expect(run.stdout).toMatch(/cost: \+USD \d+\.\d\d a month/);
    expect(run.stdout).not.toContain(account.vpcIds.analytics);
  });

  it.each([
    [
      'a VPC that does not exist',
      ['plan', '--vpc', 'vpc-0123456789abcdef0'],
      /vpc-0123456789abcdef0.*does not exist/,
    ],
    ['an unknown region', ['plan', '--region', 'mars-central'], /unknown region/],
    ['a malformed VPC id', ['plan', '--vpc', 'my-vpc'], /not a VPC id/],
    ['an unknown command', ['destroy'], /unknown command/],
    ['an unknown flag', ['plan', '--force'], /Unknown option|unknown option/i],
  ])('%s: one clear line on stderr, exit 1', async (_name, args, pattern) => {
    const run = await cli([...args, ...(args.includes('--region') ? ['--endpoint-url', endpoint] : target)]);
    expect(run.code).toBe(1);
    expect(run.stderr.split('\n')[0]).toMatch(pattern);
    expect(run.stdout).toBe('');
  });

  it('an unreachable endpoint: one clear line, exit 1', async () => {
    const run = await cli(['plan', '--region', 'us-east-1', '--endpoint-url', 'http://127.0.0.1:9']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^ecs-endpoint-remediator: .*ECONNREFUSED/);
    expect(run.stderr.split('\n')).toHaveLength(1);
  });

  it('no credentials: one clear line, exit 1', async () => {
    const saved = { ...process.env };
    for (const key of Object.keys(process.env)) if (key.startsWith('AWS_')) delete process.env[key];
    Object.assign(process.env, {
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/credentials',
      AWS_CONFIG_FILE: '/nonexistent/config',
    });
    try {
      const run = await cli(['plan', '--region', 'us-east-1'], { AWS_EC2_METADATA_DISABLED: 'true' });
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(/^ecs-endpoint-remediator: .*[Cc]redential/);
    } finally {
      process.env = saved;
    }
  });
});

describe('apply', () => {
  it('refuses to change anything without --yes when there is no terminal, or when the answer is no', async () => {
    const before = (await liveEndpoints(account.vpcIds.payments)).length;
    const noTerminal = await cli(['apply', ...target]);
    expect(noTerminal.code).toBe(1);
    expect(noTerminal.stderr).toContain('--yes');
    const declined = await cli(['apply', ...target], {}, { interactive: true, confirm: async () => false });
    expect(declined.code).toBe(1);
    expect(declined.stderr).toContain('not applied');
    expect((await liveEndpoints(account.vpcIds.payments)).length).toBe(before);
  });

  it('stops at --max-changes, then a second run converges without duplicates, and a third writes nothing', async () => {
    const defaultBefore = await defaultGroup(account.vpcIds.payments);
    const analyticsBefore = await liveEndpoints(account.vpcIds.analytics);

    const capped = await cli(['apply', '--yes', '--json', '--max-changes', '3', ...target]);
    expect(capped.code).toBe(1);
    const cappedDoc = JSON.parse(capped.stdout) as { writeCalls: number; stoppedAtMaxChanges: boolean };
    expect(cappedDoc).toMatchObject({ writeCalls: 3, stoppedAtMaxChanges: true });

    const full = await cli(['apply', '--yes', '--json', ...target]);
    expect(full.code).toBe(0);
    const fullDoc = JSON.parse(full.stdout) as { converged: boolean; outcomes: { status: string }[] };
    expect(fullDoc.converged).toBe(true);
    expect(fullDoc.outcomes.filter((o) => o.status === 'failed')).toEqual([]);

    const again = await cli(['apply', '--yes', '--json', ...target]);
    expect(again.code).toBe(0);
    expect(JSON.parse(again.stdout)).toMatchObject({ writeCalls: 0, converged: true });

    // Exactly one endpoint per required service in the enforce VPC.
    const endpoints = await liveEndpoints(account.vpcIds.payments);
    const names = endpoints.map((e) => e.ServiceName);
    expect(new Set(names).size).toBe(names.length);
    for (const service of [
      'ecs-agent',
      'ecs-telemetry',
      'ecs',
      'ecr.api',
      'ecr.dkr',
      's3',
      'logs',
      'secretsmanager',
    ]) {
      expect(names).toContain(`com.amazonaws.us-east-1.${service}`);
    }
    const created = endpoints.filter((e) => e.Tags?.some((t) => t.Key === 'ecs-endpoint-remediator:managed'));
    expect(created.length).toBeGreaterThan(0);

    // Plan after apply: no endpoint drift left in the enforce VPC (agent updates are off here: the old
    // agent stays; the next test switches them on).
    const after = await cli(['plan', '--json', '--vpc', account.vpcIds.payments, ...target]);
    const doc = planSchema.parse(JSON.parse(after.stdout));
    expect(doc.vpcs[0]?.findings.filter((f) => f.code !== 'AGENT_TOO_OLD')).toEqual([]);
    expect(doc.vpcs[0]?.actions).toEqual([]);

    // The default group is untouched; audit VPCs unchanged.
    expect(await defaultGroup(account.vpcIds.payments)).toEqual(defaultBefore);
    expect(await liveEndpoints(account.vpcIds.analytics)).toEqual(analyticsBefore);
  }, 120000);

  it('with the default settings (agent updates on) updates the old agent: the enforce VPC ends with no finding at all', async () => {
    const applied = await cli(['apply', '--yes', '--json', ...target], { UPDATE_OLD_AGENTS: 'true' });
    expect(applied.code).toBe(0);
    const doc = JSON.parse(applied.stdout) as { outcomes: { actionId: string; status: string }[] };
    expect(doc.outcomes.filter((o) => o.status === 'applied').map((o) => o.actionId)).toEqual([
      expect.stringMatching(/:UpdateContainerAgent:/),
    ]);
    // ECS walks the update through its stages (a second each on the emulator's clock).
    await emulatorControl(endpoint, 'clock', { advanceSeconds: 10 });
    const after = await cli(['plan', '--json', '--vpc', account.vpcIds.payments, ...target], {
      UPDATE_OLD_AGENTS: 'true',
    });
    expect(after.code).toBe(0);
    const plan = planSchema.parse(JSON.parse(after.stdout));
    expect(plan.vpcs[0]?.findings).toEqual([]);
    expect(plan.vpcs[0]?.actions).toEqual([]);
  }, 120000);
});

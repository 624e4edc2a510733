/**
 * `plan --output asff` against the local emulator seeded with the demo account: the findings as a
 * BatchImportFindings body (one per VPC × code × service, the same ids on every run), nothing on
 * stderr, and the flag refused where it does not belong.
 */
import { runCli } from '../support/cli-run.js';
import { createAwsClients } from '../../shared/aws/clients.js';
import { seedDemoAccount, type DemoAccount } from '../../scripts/seed/demo-account.js';
import { resetEmulator } from '../support/emulator.js';

const cli = (args: string[]) => runCli(args, {}, {});

interface PlanJson {
  vpcs: { vpcId: string; findings: { code: string; service?: string; severity: string }[] }[];
}
interface AsffJson {
  Findings: {
    Id: string;
    AwsAccountId: string;
    Severity: { Label: string };
    Resources: { Type: string; Id: string }[];
    RecordState: string;
    Compliance: { Status: string };
  }[];
}

let account: DemoAccount;
let target: string[];

beforeAll(async () => {
  const endpoint = await resetEmulator();
  account = await seedDemoAccount(createAwsClients({ region: 'us-east-1', endpointUrl: endpoint }));
  target = ['--region', 'us-east-1', '--endpoint-url', endpoint];
}, 120000);

describe('plan --output asff', () => {
  it('prints one ASFF finding per VPC × code × service, with stable ids, and only the document', async () => {
    const json = await cli(['plan', '--json', ...target]);
    const first = await cli(['plan', '--output', 'asff', ...target]);
    const second = await cli(['plan', '--output', 'asff', ...target]);
    expect(first.code).toBe(2);
    expect(first.stderr).toBe('');
    const plan = JSON.parse(json.stdout) as PlanJson;
    const asff = JSON.parse(first.stdout) as AsffJson;
    const keys = new Set(
      plan.vpcs.flatMap((v) => v.findings.map((f) => `${v.vpcId}/${f.code}/${f.service ?? 'vpc'}`)),
    );
    expect(asff.Findings.map((f) => f.Id.split('/').slice(3).join('/')).sort()).toEqual([...keys].sort());
    expect((JSON.parse(second.stdout) as AsffJson).Findings.map((f) => f.Id)).toEqual(
      asff.Findings.map((f) => f.Id),
    );
    const payments = asff.Findings.filter((f) => f.Id.includes(`/${account.vpcIds.payments}/`));
    expect(payments.length).toBeGreaterThan(0);
    for (const f of asff.Findings) {
      expect(f.AwsAccountId).toMatch(/^\d{12}$/);
      expect(f.RecordState).toBe('ACTIVE');
      expect(f.Compliance.Status).toBe('FAILED');
      expect(f.Resources[0]?.Type).toBe('AwsEc2Vpc');
    }
    expect(asff.Findings.some((f) => f.Severity.Label === 'CRITICAL')).toBe(true);
  }, 120000);

  it('is refused with apply and with --out, and an unknown format names asff', async () => {
    const apply = await cli(['apply', '--output', 'asff', '--yes', ...target]);
    expect(apply.code).toBe(1);
    expect(apply.stderr).toMatch(/--output asff goes with plan only/);
    const out = await cli(['plan', '--output', 'asff', '--out', '/tmp/never-written.json', ...target]);
    expect(out.code).toBe(1);
    expect(out.stderr).toMatch(/--out does not go with it/);
    const bad = await cli(['plan', '--output', 'yaml', ...target]);
    expect(bad.stderr).toMatch(/text, json, markdown or asff/);
  });
});

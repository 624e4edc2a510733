/**
 * The Security Hub export (shared/app/security-hub-export.ts) through the emulator-backed adapters
 * (shared/aws/security-hub-*.ts): more than 100 findings go in several BatchImportFindings calls
 * and are read back over several GetFindings pages; a finding Security Hub refuses is reported
 * (FailedFindings), logged, and counted as failed; resolutions stay in the VPCs covered.
 */
import {
  EnableSecurityHubCommand,
  GetFindingsCommand,
  SecurityHubClient,
  type AwsSecurityFinding,
} from '@aws-sdk/client-securityhub';
import type { Finding, Plan } from '../../shared/core/domain.js';
import { createSecurityHubClient } from '../../shared/aws/clients.js';
import { aroundEveryCommand } from '../../shared/aws/command-middleware.js';
import { createFindingsPorts } from '../../shared/aws/security-hub-ports.js';
import { exportFindings } from '../../shared/app/security-hub-export.js';
import type { LogSink } from '../../shared/app/observability.js';
import { resetEmulator } from '../support/emulator.js';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';

let client: SecurityHubClient;
let calls: string[];

const vpc = (i: number) => `vpc-${i.toString(16).padStart(17, '0')}`;

function planOf(vpcCount: number, findingsPer: (vpcId: string) => Finding[]): Plan {
  return {
    region: REGION,
    vpcs: Array.from({ length: vpcCount }, (_, i) => ({
      vpcId: vpc(i),
      mode: 'audit' as const,
      findings: findingsPer(vpc(i)),
      actions: [],
      estimatedMonthlyCostUsd: 0,
    })),
    estimatedMonthlyCostUsd: 0,
    warnings: [],
  };
}

const two = (vpcId: string): Finding[] => [
  {
    code: 'MISSING_ENDPOINT',
    severity: 'high',
    vpcId,
    service: 'ecs-agent',
    message: 'no ecs-agent endpoint',
  },
  { code: 'VPC_DNS_SUPPORT_DISABLED', severity: 'critical', vpcId, message: 'DNS support is off' },
];

async function stored(): Promise<AwsSecurityFinding[]> {
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

beforeEach(async () => {
  const endpoint = await resetEmulator();
  client = createSecurityHubClient({ region: REGION, endpointUrl: endpoint });
  calls = [];
  aroundEveryCommand(client, 'record-calls', (operation, send) => {
    calls.push(operation);
    return send();
  });
  await client.send(new EnableSecurityHubCommand({}));
});

describe('exportFindings through the emulator', () => {
  it('sends 250 findings in three BatchImportFindings calls and reads them back over three pages', async () => {
    const ports = createFindingsPorts(client);
    const plan = planOf(125, two);
    const first = await exportFindings(ports, { plan, accountId: ACCOUNT, coverage: { kind: 'region' } });
    expect(first).toMatchObject({ imported: 250, updated: 0, resolved: 0, failed: 0, importRequests: 3 });
    expect(calls.filter((c) => c === 'BatchImportFindings')).toHaveLength(3);
    expect((await stored()).length).toBe(250);

    calls = [];
    const second = await exportFindings(ports, { plan, accountId: ACCOUNT, coverage: { kind: 'region' } });
    expect(second).toMatchObject({ imported: 0, updated: 0, resolved: 0, failed: 0, unchanged: 250 });
    // The read back pages through all 250 (100 per page); nothing is sent.
    expect(calls).toEqual(['GetFindings', 'GetFindings', 'GetFindings']);
    expect((await stored()).length).toBe(250);
  });

  it('resolves only the covered VPCs’ vanished findings, in as many calls as it takes', async () => {
    const ports = createFindingsPorts(client);
    await exportFindings(ports, { plan: planOf(60, two), accountId: ACCOUNT, coverage: { kind: 'region' } });
    // VPCs 0-59 fixed their DNS; only 0-9 are covered by this plan.
    const fixed = planOf(10, (vpcId) => two(vpcId).slice(0, 1));
    const covered = fixed.vpcs.map((v) => v.vpcId);
    const out = await exportFindings(ports, {
      plan: fixed,
      accountId: ACCOUNT,
      coverage: { kind: 'vpcs', vpcIds: covered },
    });
    expect(out).toMatchObject({ imported: 0, resolved: 10, failed: 0, unchanged: 10 });
    const archived = (await stored()).filter((f) => f.RecordState === 'ARCHIVED');
    expect(archived).toHaveLength(10);
    for (const f of archived) {
      expect(f.Compliance?.Status).toBe('PASSED');
      expect(f.Id).toMatch(/VPC_DNS_SUPPORT_DISABLED\/vpc$/);
      expect(covered.some((v) => f.Id?.includes(`/${v}/`))).toBe(true);
    }
  });

  it('reports each finding Security Hub refuses (FailedFindings), logs it, and counts it as failed', async () => {
    const errors: { message: string; extra?: Record<string, unknown> }[] = [];
    const log: LogSink = {
      info: () => {},
      warn: () => {},
      error: (message, extra) => errors.push({ message, ...(extra ? { extra } : {}) }),
    };
    // Clients of account 123456789012 exporting another account's findings: the default product
    // ARN needs the caller's account to be each finding's AwsAccountId.
    const out = await exportFindings(
      createFindingsPorts(client),
      { plan: planOf(2, two), accountId: '222222222222', coverage: { kind: 'region' } },
      log,
    );
    expect(out).toMatchObject({ imported: 0, failed: 4 });
    expect(out.failures.map((f) => [f.kind, f.errorCode])).toEqual([
      ['new', 'AccessDeniedException'],
      ['new', 'AccessDeniedException'],
      ['new', 'AccessDeniedException'],
      ['new', 'AccessDeniedException'],
    ]);
    expect(errors).toHaveLength(4);
    expect(errors[0]?.message).toBe('Security Hub did not import a finding');
    expect(errors[0]?.extra).toMatchObject({ accountId: '222222222222', errorCode: 'AccessDeniedException' });
    expect(await stored()).toEqual([]);
  });

  it('keeps CreatedAt on an update and never overwrites the customer’s workflow', async () => {
    const ports = createFindingsPorts(client);
    await exportFindings(ports, {
      plan: planOf(1, two),
      accountId: ACCOUNT,
      coverage: { kind: 'region' },
      now: '2026-12-01T00:00:00.000Z',
    });
    const changed = planOf(1, (vpcId) =>
      two(vpcId).map((f) => ({ ...f, severity: 'low' as const, message: `${f.message} (still)` })),
    );
    const out = await exportFindings(ports, {
      plan: changed,
      accountId: ACCOUNT,
      coverage: { kind: 'region' },
      now: '2026-12-02T00:00:00.000Z',
    });
    expect(out).toMatchObject({ imported: 0, updated: 2 });
    for (const f of await stored()) {
      expect(f.CreatedAt).toBe('2026-12-01T00:00:00.000Z');
      expect(f.UpdatedAt).toBe('2026-12-02T00:00:00.000Z');
      expect(f.Description).toMatch(/\(still\)$/);
      // The new severity went through FindingProviderFields, and Security Hub shows it.
      expect(f.FindingProviderFields?.Severity?.Label).toBe('LOW');
      expect(f.Severity?.Label).toBe('LOW');
      expect(f.Workflow?.Status).toBe('NEW');
    }
  });
});

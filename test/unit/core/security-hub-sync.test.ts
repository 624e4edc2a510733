/** Plan findings vs Security Hub's copy (shared/core/security-hub-sync.ts): what to import, update, resolve. */
import { asffFindings } from '../../../shared/core/asff.js';
import type { Finding, Plan, VpcPlan } from '../../../shared/core/domain.js';
import {
  chunk,
  formatExportSummary,
  idPrefixes,
  parseFindingId,
  syncFindings,
  type Coverage,
  type ExistingFinding,
  type ImportKind,
} from '../../../shared/core/security-hub-sync.js';

const ACCOUNT = '123456789012';
const REGION = 'eu-west-1';
const VPC_A = 'vpc-0aaaaaaaaaaaaaaa1';
const VPC_B = 'vpc-0bbbbbbbbbbbbbbb2';
const T0 = '2026-12-01T00:00:00.000Z';
const NOW = '2026-12-04T04:00:00.000Z';
const HOUR_AGO = '2026-12-04T03:00:00.000Z';

function finding(vpcId: string, over: Partial<Finding> = {}): Finding {
  return {
    code: 'MISSING_ENDPOINT',
    severity: 'high',
    vpcId,
    service: 'ecs-agent',
    message: 'no ecs-agent endpoint',
    ...over,
  };
}

function planOf(vpcs: Record<string, Finding[]>): Plan {
  return {
    region: REGION,
    vpcs: Object.entries(vpcs).map(([vpcId, findings]): VpcPlan => ({
      vpcId,
      mode: 'audit',
      findings,
      actions: [],
      estimatedMonthlyCostUsd: 0,
    })),
    estimatedMonthlyCostUsd: 0,
    warnings: [],
  };
}

/** What Security Hub holds after an earlier run imported `plan` at `at`. */
function existingOf(plan: Plan, at: string, over: Partial<ExistingFinding> = {}): ExistingFinding[] {
  return asffFindings(plan, { accountId: ACCOUNT, now: at }).map((f) => ({
    SchemaVersion: f.SchemaVersion,
    Id: f.Id,
    ProductArn: f.ProductArn,
    GeneratorId: f.GeneratorId,
    AwsAccountId: f.AwsAccountId,
    Types: f.Types,
    CreatedAt: f.CreatedAt,
    UpdatedAt: f.UpdatedAt,
    FirstObservedAt: f.FirstObservedAt,
    LastObservedAt: f.LastObservedAt,
    Severity: f.Severity,
    Title: f.Title,
    Description: f.Description,
    Remediation: f.Remediation,
    // Security Hub adds its own product fields; they are not a change.
    ProductFields: { ...f.ProductFields, 'aws/securityhub/FindingId': `arn:aws:securityhub:::${f.Id}` },
    Resources: f.Resources,
    ComplianceStatus: f.Compliance.Status,
    RecordState: f.RecordState,
    ...over,
  }));
}

const agent = (vpc: string, over: Partial<Finding> = {}) => finding(vpc, over);
const dns = (vpc: string) =>
  finding(vpc, { code: 'VPC_DNS_SUPPORT_DISABLED', service: undefined, message: 'DNS support is off' });

interface Case {
  name: string;
  before: Plan | undefined;
  beforeAt?: string;
  existingOver?: Partial<ExistingFinding>;
  now: Plan;
  coverage: Coverage;
  refreshAfterMs?: number;
  expected: [ImportKind, string][];
  unchanged: number;
}

const id = (vpc: string, code = 'MISSING_ENDPOINT', service = 'ecs-agent') =>
  `ecs-endpoint-remediator/${ACCOUNT}/${REGION}/${vpc}/${code}/${service}`;

const cases: Case[] = [
  {
    name: 'nothing in Security Hub yet: every finding is new',
    before: undefined,
    now: planOf({ [VPC_A]: [agent(VPC_A), dns(VPC_A)] }),
    coverage: { kind: 'region' },
    expected: [
      ['new', id(VPC_A)],
      ['new', id(VPC_A, 'VPC_DNS_SUPPORT_DISABLED', 'vpc')],
    ],
    unchanged: 0,
  },
  {
    name: 'the same findings an hour later: nothing sent',
    before: planOf({ [VPC_A]: [agent(VPC_A)] }),
    beforeAt: HOUR_AGO,
    now: planOf({ [VPC_A]: [agent(VPC_A)] }),
    coverage: { kind: 'region' },
    expected: [],
    unchanged: 1,
  },
  {
    name: 'the same findings after the refresh age: sent again (refreshed)',
    before: planOf({ [VPC_A]: [agent(VPC_A)] }),
    beforeAt: T0,
    now: planOf({ [VPC_A]: [agent(VPC_A)] }),
    coverage: { kind: 'region' },
    expected: [['refreshed', id(VPC_A)]],
    unchanged: 0,
  },
  {
    name: 'a refresh age of 0 sends every existing finding',
    before: planOf({ [VPC_A]: [agent(VPC_A)] }),
    beforeAt: NOW,
    now: planOf({ [VPC_A]: [agent(VPC_A)] }),
    coverage: { kind: 'region' },
    refreshAfterMs: 0,
    expected: [['refreshed', id(VPC_A)]],
    unchanged: 0,
  },
  {
    name: 'a changed severity is an update',
    before: planOf({ [VPC_A]: [agent(VPC_A)] }),
    beforeAt: HOUR_AGO,
    now: planOf({ [VPC_A]: [agent(VPC_A, { severity: 'critical' })] }),
    coverage: { kind: 'region' },
    expected: [['changed', id(VPC_A)]],
    unchanged: 0,
  },
  {
    name: 'a changed message is an update',
    before: planOf({ [VPC_A]: [agent(VPC_A)] }),
    beforeAt: HOUR_AGO,
    now: planOf({ [VPC_A]: [agent(VPC_A, { message: 'the ecs-agent endpoint was deleted' })] }),
    coverage: { kind: 'region' },
    expected: [['changed', id(VPC_A)]],
    unchanged: 0,
  },
  {
    name: 'a fixed finding in a covered VPC is resolved',
    before: planOf({ [VPC_A]: [agent(VPC_A), dns(VPC_A)] }),
    beforeAt: HOUR_AGO,
    now: planOf({ [VPC_A]: [dns(VPC_A)] }),
    coverage: { kind: 'vpcs', vpcIds: [VPC_A] },
    expected: [['resolved', id(VPC_A)]],
    unchanged: 1,
  },
  {
    name: 'a one-VPC plan never resolves another VPC’s findings',
    before: planOf({ [VPC_A]: [agent(VPC_A)], [VPC_B]: [agent(VPC_B)] }),
    beforeAt: HOUR_AGO,
    now: planOf({ [VPC_A]: [] }),
    coverage: { kind: 'vpcs', vpcIds: [VPC_A] },
    expected: [['resolved', id(VPC_A)]],
    unchanged: 0,
  },
  {
    name: 'a whole-Region plan resolves the findings of a VPC that is gone',
    before: planOf({ [VPC_A]: [agent(VPC_A)], [VPC_B]: [agent(VPC_B)] }),
    beforeAt: HOUR_AGO,
    now: planOf({ [VPC_A]: [agent(VPC_A)] }),
    coverage: { kind: 'region' },
    expected: [['resolved', id(VPC_B)]],
    unchanged: 1,
  },
  {
    name: 'an ARCHIVED finding read back is not resolved again; the plan raising it imports it anew',
    before: planOf({ [VPC_A]: [agent(VPC_A)] }),
    beforeAt: HOUR_AGO,
    existingOver: { RecordState: 'ARCHIVED', ComplianceStatus: 'PASSED' },
    now: planOf({ [VPC_A]: [agent(VPC_A)] }),
    coverage: { kind: 'region' },
    expected: [['new', id(VPC_A)]],
    unchanged: 0,
  },
  {
    name: 'another account’s findings (in the hub’s view) are neither updated nor resolved',
    before: planOf({ [VPC_A]: [agent(VPC_A)] }),
    beforeAt: HOUR_AGO,
    existingOver: { AwsAccountId: '210987654321' },
    now: planOf({ [VPC_A]: [] }),
    coverage: { kind: 'region' },
    expected: [],
    unchanged: 0,
  },
];

describe('syncFindings', () => {
  it.each(cases)('$name', (c) => {
    const existing = c.before ? existingOf(c.before, c.beforeAt ?? T0, c.existingOver) : [];
    const out = syncFindings({
      current: asffFindings(c.now, { accountId: ACCOUNT, now: NOW }),
      existing,
      accountId: ACCOUNT,
      region: REGION,
      coverage: c.coverage,
      now: NOW,
      ...(c.refreshAfterMs !== undefined ? { refreshAfterMs: c.refreshAfterMs } : {}),
    });
    expect(out.imports.map((i) => [i.kind, i.finding.Id])).toEqual(c.expected);
    expect(out.unchanged).toBe(c.unchanged);
  });

  it('keeps CreatedAt and FirstObservedAt of an existing finding, never sends Workflow on an update', () => {
    const before = planOf({ [VPC_A]: [agent(VPC_A)] });
    const out = syncFindings({
      current: asffFindings(planOf({ [VPC_A]: [agent(VPC_A, { severity: 'critical' })] }), {
        accountId: ACCOUNT,
        now: NOW,
      }),
      existing: existingOf(before, T0),
      accountId: ACCOUNT,
      region: REGION,
      coverage: { kind: 'region' },
      now: NOW,
    });
    const sent = out.imports[0]?.finding;
    expect(sent?.CreatedAt).toBe(T0);
    expect(sent?.FirstObservedAt).toBe(T0);
    expect(sent?.UpdatedAt).toBe(NOW);
    expect(sent?.LastObservedAt).toBe(NOW);
    expect(sent && 'Workflow' in sent).toBe(false);
    // A provider updates Severity and Types through FindingProviderFields, not the top level.
    expect(sent?.FindingProviderFields.Severity.Label).toBe('CRITICAL');
    expect(sent && ('Severity' in sent || 'Types' in sent)).toBe(false);
  });

  it('a new finding starts in workflow NEW with its provider fields filled in', () => {
    const out = syncFindings({
      current: asffFindings(planOf({ [VPC_A]: [agent(VPC_A)] }), { accountId: ACCOUNT, now: NOW }),
      existing: [],
      accountId: ACCOUNT,
      region: REGION,
      coverage: { kind: 'region' },
      now: NOW,
    });
    const sent = out.imports[0]?.finding;
    expect(sent?.Workflow).toEqual({ Status: 'NEW' });
    expect(sent?.Severity).toEqual({ Label: 'HIGH' });
    expect(sent?.CreatedAt).toBe(NOW);
    expect(sent?.FindingProviderFields).toEqual({
      Severity: { Label: 'HIGH' },
      Types: ['Software and Configuration Checks/AWS Security Best Practices/ECS VPC Endpoints'],
    });
  });

  it('a resolution is PASSED and ARCHIVED at this run, keeps the rest, drops Security Hub’s product fields', () => {
    const out = syncFindings({
      current: [],
      existing: existingOf(planOf({ [VPC_A]: [agent(VPC_A)] }), T0),
      accountId: ACCOUNT,
      region: REGION,
      coverage: { kind: 'region' },
      now: NOW,
    });
    const sent = out.imports[0]?.finding;
    expect(out.imports[0]?.kind).toBe('resolved');
    expect(sent?.Compliance).toEqual({ Status: 'PASSED' });
    expect(sent?.RecordState).toBe('ARCHIVED');
    expect(sent?.UpdatedAt).toBe(NOW);
    expect(sent?.CreatedAt).toBe(T0);
    expect(sent?.LastObservedAt).toBe(T0);
    expect(sent && ('Workflow' in sent || 'Severity' in sent)).toBe(false);
    expect(sent?.FindingProviderFields.Severity).toEqual({ Label: 'HIGH' });
    expect(
      Object.keys(sent?.ProductFields ?? {}).every((k) => k.startsWith('ecs-endpoint-remediator/')),
    ).toBe(true);
  });

  it('refuses a time that is not ISO 8601 and a negative refresh age', () => {
    const base = {
      current: [],
      existing: [],
      accountId: ACCOUNT,
      region: REGION,
      coverage: { kind: 'region' } as const,
    };
    expect(() => syncFindings({ ...base, now: 'yesterday' })).toThrow(/ISO 8601/);
    expect(() => syncFindings({ ...base, now: NOW, refreshAfterMs: -1 })).toThrow(/refreshAfterMs/);
  });
});

describe('chunk', () => {
  it.each([
    [0, []],
    [1, [1]],
    [100, [100]],
    [101, [100, 1]],
    [250, [100, 100, 50]],
  ])('%i findings → requests of %j', (n, sizes) => {
    const items = Array.from({ length: n }, (_, i) => i);
    const chunks = chunk(items);
    expect(chunks.map((c) => c.length)).toEqual(sizes);
    expect(chunks.flat()).toEqual(items);
  });

  it('refuses a size below 1', () => {
    expect(() => chunk([1], 0)).toThrow(/size/);
  });
});

describe('parseFindingId and idPrefixes', () => {
  it('reads the parts of a stable id, and nothing from another shape', () => {
    expect(parseFindingId(id(VPC_A))).toEqual({
      accountId: ACCOUNT,
      region: REGION,
      vpcId: VPC_A,
      code: 'MISSING_ENDPOINT',
      service: 'ecs-agent',
    });
    expect(parseFindingId('other-tool/1/2/3/4/5')).toBeUndefined();
    expect(parseFindingId('ecs-endpoint-remediator/too/short')).toBeUndefined();
  });

  it('one Id prefix per VPC up to 20; more VPCs (or none named) read the whole Region', () => {
    const query = { productArn: 'p', accountId: ACCOUNT, region: REGION };
    expect(idPrefixes({ ...query, vpcIds: [VPC_A] })).toEqual([
      `ecs-endpoint-remediator/${ACCOUNT}/${REGION}/${VPC_A}/`,
    ]);
    expect(idPrefixes({ ...query, vpcIds: Array.from({ length: 20 }, (_, i) => `vpc-${i}`) })).toHaveLength(
      20,
    );
    expect(
      idPrefixes({ ...query, vpcIds: Array.from({ length: 21 }, (_, i) => `vpc-${i}`) }),
    ).toBeUndefined();
    expect(idPrefixes(query)).toBeUndefined();
  });
});

describe('formatExportSummary', () => {
  it('names the four counts, and the unchanged ones when there are any', () => {
    expect(formatExportSummary({ imported: 3, updated: 1, resolved: 2, failed: 0, unchanged: 0 })).toBe(
      'Security Hub: imported 3, updated 1, resolved 2, failed 0',
    );
    expect(formatExportSummary({ imported: 0, updated: 0, resolved: 0, failed: 1, unchanged: 4 })).toBe(
      'Security Hub: imported 0, updated 0, resolved 0, failed 1 (4 unchanged, not sent)',
    );
  });
});

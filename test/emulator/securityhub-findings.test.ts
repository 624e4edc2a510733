/**
 * The emulator's Security Hub (emulator/securityhub_findings.py): BatchImportFindings and
 * GetFindings as the AWS pages describe them, where moto 5.2.5 ignores filters, imports for any
 * account, overwrites the customer's workflow and takes any number of findings.
 */
import {
  BatchImportFindingsCommand,
  EnableSecurityHubCommand,
  GetFindingsCommand,
  SecurityHubClient,
  type AwsSecurityFinding,
} from '@aws-sdk/client-securityhub';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { markDeliberate } from '../support/deliberate.js';
import { createRoleInAccount, resetEmulator } from '../support/emulator.js';

const REGION = 'us-east-1';
const ACCOUNT = '123456789012';
const OTHER = '222222222222';
const PRODUCT = `arn:aws:securityhub:${REGION}:${ACCOUNT}:product/${ACCOUNT}/default`;

let endpoint: string;
let hub: SecurityHubClient;

const clientFor = (credentials = { accessKeyId: 'test', secretAccessKey: 'test' }) =>
  new SecurityHubClient({ endpoint, region: REGION, credentials, maxAttempts: 1 });

function finding(id: string, over: Partial<AwsSecurityFinding> = {}): AwsSecurityFinding {
  return {
    SchemaVersion: '2018-10-08',
    Id: id,
    ProductArn: PRODUCT,
    GeneratorId: 'ecs-endpoint-remediator/MISSING_ENDPOINT',
    AwsAccountId: ACCOUNT,
    Types: ['Software and Configuration Checks/AWS Security Best Practices/ECS VPC Endpoints'],
    CreatedAt: '2026-12-01T00:00:00.000Z',
    UpdatedAt: '2026-12-01T00:00:00.000Z',
    Severity: { Label: 'HIGH' },
    Title: `title of ${id}`,
    Description: 'no ecs-agent endpoint',
    Resources: [{ Type: 'AwsEc2Vpc', Id: 'arn:aws:ec2:us-east-1:123456789012:vpc/vpc-1' }],
    Compliance: { Status: 'FAILED' },
    RecordState: 'ACTIVE',
    ...over,
  };
}

const errorOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: unknown) => error as { name: string; message: string; $metadata: { httpStatusCode?: number } },
  );

beforeEach(async () => {
  endpoint = await resetEmulator();
  hub = clientFor();
});

describe('Security Hub in the emulator', () => {
  it('answers InvalidAccessException (401) until Security Hub is enabled in the account and Region', async () => {
    const imported = await errorOf(hub.send(new BatchImportFindingsCommand({ Findings: [finding('a')] })));
    expect(imported?.name).toBe('InvalidAccessException');
    expect(imported?.$metadata.httpStatusCode).toBe(401);
    const read = await errorOf(hub.send(new GetFindingsCommand({})));
    expect(read?.name).toBe('InvalidAccessException');
  });

  it('refuses more than 100 findings in one request', async () => {
    await hub.send(new EnableSecurityHubCommand({}));
    const many = Array.from({ length: 101 }, (_, i) => finding(`f-${i}`));
    const bad = markDeliberate(clientFor(), 'Security Hub emulator test: 101 findings, the model allows 100');
    const error = await errorOf(bad.send(new BatchImportFindingsCommand({ Findings: many })));
    expect(error?.name).toBe('InvalidInputException');
    const fine = await hub.send(new BatchImportFindingsCommand({ Findings: many.slice(0, 100) }));
    expect(fine.SuccessCount).toBe(100);
  });

  it('lists a finding of another account, or of another account’s product, under FailedFindings and imports the rest', async () => {
    await hub.send(new EnableSecurityHubCommand({}));
    const bad = markDeliberate(clientFor(), 'Security Hub emulator test: a finding with an empty Title');
    const out = await bad.send(
      new BatchImportFindingsCommand({
        Findings: [
          finding('mine'),
          finding('theirs', { AwsAccountId: OTHER }),
          finding('their-product', {
            ProductArn: `arn:aws:securityhub:${REGION}:${OTHER}:product/${OTHER}/default`,
          }),
          finding('no-title', { Title: '' }),
        ],
      }),
    );
    expect(out.SuccessCount).toBe(1);
    expect(out.FailedCount).toBe(3);
    expect(out.FailedFindings?.map((f) => [f.Id, f.ErrorCode])).toEqual([
      ['theirs', 'AccessDeniedException'],
      ['their-product', 'AccessDeniedException'],
      ['no-title', 'InvalidInput'],
    ]);
    const { Findings } = await hub.send(new GetFindingsCommand({}));
    expect(Findings?.map((f) => f.Id)).toEqual(['mine']);
  });

  it('imports another account’s findings through that account’s own credentials', async () => {
    const roleArn = await createRoleInAccount(endpoint, OTHER, 'member');
    const sts = new STSClient({
      endpoint,
      region: REGION,
      credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    });
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'emulator-test' }),
    );
    const member = clientFor({
      accessKeyId: Credentials!.AccessKeyId!,
      secretAccessKey: Credentials!.SecretAccessKey!,
      sessionToken: Credentials!.SessionToken!,
    } as { accessKeyId: string; secretAccessKey: string });
    await member.send(new EnableSecurityHubCommand({}));
    const out = await member.send(
      new BatchImportFindingsCommand({
        Findings: [
          finding('theirs', {
            AwsAccountId: OTHER,
            ProductArn: `arn:aws:securityhub:${REGION}:${OTHER}:product/${OTHER}/default`,
          }),
        ],
      }),
    );
    expect(out.SuccessCount).toBe(1);
  });

  it('fills in Region, the workflow and the provider fields of a new finding', async () => {
    await hub.send(new EnableSecurityHubCommand({}));
    await hub.send(new BatchImportFindingsCommand({ Findings: [finding('a')] }));
    const [stored] = (await hub.send(new GetFindingsCommand({}))).Findings ?? [];
    expect(stored?.Region).toBe(REGION);
    expect(stored?.Workflow?.Status).toBe('NEW');
    expect(stored?.FindingProviderFields?.Severity?.Label).toBe('HIGH');
    expect(stored?.ProductFields?.['aws/securityhub/FindingId']).toBe(`${PRODUCT}/a`);
  });

  it('an update keeps the customer’s workflow and takes Severity from FindingProviderFields; a finding that comes back reopens', async () => {
    await hub.send(new EnableSecurityHubCommand({}));
    await hub.send(
      new BatchImportFindingsCommand({ Findings: [finding('a', { Workflow: { Status: 'NOTIFIED' } })] }),
    );
    await hub.send(
      new BatchImportFindingsCommand({
        Findings: [
          finding('a', {
            UpdatedAt: '2026-12-02T00:00:00.000Z',
            Workflow: { Status: 'SUPPRESSED' },
            FindingProviderFields: { Severity: { Label: 'CRITICAL' } },
            Compliance: { Status: 'PASSED' },
            RecordState: 'ARCHIVED',
          }),
        ],
      }),
    );
    let [stored] = (await hub.send(new GetFindingsCommand({}))).Findings ?? [];
    expect(stored?.Workflow?.Status).toBe('NOTIFIED');
    expect(stored?.Severity?.Label).toBe('CRITICAL');
    expect(stored?.RecordState).toBe('ARCHIVED');
    await hub.send(
      new BatchImportFindingsCommand({
        Findings: [finding('a', { UpdatedAt: '2026-12-03T00:00:00.000Z', Workflow: undefined })],
      }),
    );
    [stored] = (await hub.send(new GetFindingsCommand({}))).Findings ?? [];
    expect(stored?.RecordState).toBe('ACTIVE');
    // NOTIFIED is reset to NEW when the record goes back from ARCHIVED to ACTIVE ("Workflow").
    expect(stored?.Workflow?.Status).toBe('NEW');
  });

  it('filters GetFindings: EQUALS and PREFIX joined by OR within an attribute, attributes by AND', async () => {
    await hub.send(new EnableSecurityHubCommand({}));
    await hub.send(
      new BatchImportFindingsCommand({
        Findings: [
          finding('tool/vpc-1/a'),
          finding('tool/vpc-2/b'),
          finding('tool/vpc-3/c', { RecordState: 'ARCHIVED' }),
          finding('other/vpc-1/d', { GeneratorId: 'someone-else/X' }),
        ],
      }),
    );
    const ids = async (Filters: object) =>
      ((await hub.send(new GetFindingsCommand({ Filters }))).Findings ?? []).map((f) => f.Id).sort();
    expect(await ids({ RecordState: [{ Value: 'ACTIVE', Comparison: 'EQUALS' }] })).toEqual([
      'other/vpc-1/d',
      'tool/vpc-1/a',
      'tool/vpc-2/b',
    ]);
    expect(
      await ids({
        Id: [
          { Value: 'tool/vpc-1/', Comparison: 'PREFIX' },
          { Value: 'tool/vpc-3/', Comparison: 'PREFIX' },
        ],
        GeneratorId: [{ Value: 'ecs-endpoint-remediator/', Comparison: 'PREFIX' }],
      }),
    ).toEqual(['tool/vpc-1/a', 'tool/vpc-3/c']);
    expect(
      await ids({
        Region: [{ Value: REGION, Comparison: 'EQUALS' }],
        AwsAccountId: [{ Value: ACCOUNT, Comparison: 'EQUALS' }],
        ProductArn: [{ Value: PRODUCT, Comparison: 'EQUALS' }],
        Id: [{ Value: 'tool/', Comparison: 'PREFIX_NOT_EQUALS' }],
      }),
    ).toEqual(['other/vpc-1/d']);
    expect(await ids({ Region: [{ Value: 'eu-west-1', Comparison: 'EQUALS' }] })).toEqual([]);
    const unknown = await errorOf(
      hub.send(new GetFindingsCommand({ Filters: { ResourceId: [{ Value: 'x', Comparison: 'EQUALS' }] } })),
    );
    expect(unknown?.name).toBe('InvalidInputException');
  });

  it('pages GetFindings with MaxResults and NextToken', async () => {
    await hub.send(new EnableSecurityHubCommand({}));
    await hub.send(
      new BatchImportFindingsCommand({ Findings: Array.from({ length: 5 }, (_, i) => finding(`p-${i}`)) }),
    );
    const first = await hub.send(new GetFindingsCommand({ MaxResults: 2 }));
    expect(first.Findings).toHaveLength(2);
    expect(first.NextToken).toBeTruthy();
    const seen = [...(first.Findings ?? [])];
    let token = first.NextToken;
    while (token) {
      const page = await hub.send(new GetFindingsCommand({ MaxResults: 2, NextToken: token }));
      seen.push(...(page.Findings ?? []));
      token = page.NextToken;
    }
    expect(seen.map((f) => f.Id)).toEqual(['p-0', 'p-1', 'p-2', 'p-3', 'p-4']);
  });
});

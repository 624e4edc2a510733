/**
 * Security Hub → domain: this tool's ACTIVE findings in one account and Region (GetFindings,
 * https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_GetFindings.html), every page
 * (`MaxResults` 100, `NextToken`), each page paced (security-hub-pacing.ts). The filter names the
 * default product ARN of the account, this tool's GeneratorId prefix, `RecordState` ACTIVE, the
 * account and the Region, and, for up to 20 VPCs, one `Id` PREFIX per VPC (PREFIX filters on one
 * attribute are joined by OR; "StringFilter").
 */
import {
  GetFindingsCommand,
  type AwsSecurityFinding,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import { ASFF_TOOL, type AsffResource, type AsffSeverityLabel } from '../core/asff.js';
import type { SecurityHubFindingsReader } from '../core/ports.js';
import {
  GET_FINDINGS_MAX_RESULTS,
  idPrefixes,
  type ExistingFinding,
  type FindingsQuery,
} from '../core/security-hub-sync.js';
import type { SecurityHubPacer } from './security-hub-pacing.js';

const LABELS: ReadonlySet<string> = new Set(['INFORMATIONAL', 'LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);

const equals = (Value: string) => [{ Value, Comparison: 'EQUALS' as const }];

/** The domain view of one finding; undefined when it lacks what a re-import needs. */
export function toExistingFinding(f: AwsSecurityFinding): ExistingFinding | undefined {
  const label = f.FindingProviderFields?.Severity?.Label ?? f.Severity?.Label;
  if (
    !f.SchemaVersion ||
    !f.Id ||
    !f.ProductArn ||
    !f.GeneratorId ||
    !f.AwsAccountId ||
    !f.CreatedAt ||
    !f.UpdatedAt ||
    !f.Title ||
    !f.Description ||
    !f.Resources?.length ||
    label === undefined ||
    !LABELS.has(label)
  )
    return undefined;
  const resources = f.Resources.flatMap((r): AsffResource[] =>
    r.Type && r.Id
      ? [{ Type: r.Type, Id: r.Id, Partition: r.Partition ?? 'aws', Region: r.Region ?? '' }]
      : [],
  );
  const text = f.Remediation?.Recommendation?.Text;
  const url = f.Remediation?.Recommendation?.Url;
  return {
    SchemaVersion: f.SchemaVersion,
    Id: f.Id,
    ProductArn: f.ProductArn,
    GeneratorId: f.GeneratorId,
    AwsAccountId: f.AwsAccountId,
    Types: f.FindingProviderFields?.Types ?? f.Types ?? [],
    CreatedAt: f.CreatedAt,
    UpdatedAt: f.UpdatedAt,
    ...(f.FirstObservedAt ? { FirstObservedAt: f.FirstObservedAt } : {}),
    ...(f.LastObservedAt ? { LastObservedAt: f.LastObservedAt } : {}),
    Severity: { Label: label as AsffSeverityLabel },
    Title: f.Title,
    Description: f.Description,
    ...(text ? { Remediation: { Recommendation: { Text: text, ...(url ? { Url: url } : {}) } } } : {}),
    ProductFields: f.ProductFields ?? {},
    Resources: resources,
    ...(f.Compliance?.Status ? { ComplianceStatus: f.Compliance.Status } : {}),
    RecordState: f.RecordState ?? 'ACTIVE',
  };
}

export class SecurityHubFindingsReaderAdapter implements SecurityHubFindingsReader {
  constructor(
    private readonly client: SecurityHubClient,
    private readonly pacer: SecurityHubPacer,
  ) {}

  async activeFindings(query: FindingsQuery): Promise<readonly ExistingFinding[]> {
    const prefixes = idPrefixes(query);
    const Filters = {
      ProductArn: equals(query.productArn),
      GeneratorId: [{ Value: `${ASFF_TOOL}/`, Comparison: 'PREFIX' as const }],
      RecordState: equals('ACTIVE'),
      AwsAccountId: equals(query.accountId),
      Region: equals(query.region),
      ...(prefixes ? { Id: prefixes.map((Value) => ({ Value, Comparison: 'PREFIX' as const })) } : {}),
    };
    const found: ExistingFinding[] = [];
    let NextToken: string | undefined;
    do {
      await this.pacer.acquire('GetFindings');
      const page = await this.client.send(
        new GetFindingsCommand({
          Filters,
          MaxResults: GET_FINDINGS_MAX_RESULTS,
          ...(NextToken ? { NextToken } : {}),
        }),
      );
      for (const f of page.Findings ?? []) {
        const mapped = toExistingFinding(f);
        if (mapped) found.push(mapped);
      }
      NextToken = page.NextToken || undefined;
    } while (NextToken);
    return found;
  }
}

/**
 * Domain → Security Hub: BatchImportFindings
 * (https://docs.aws.amazon.com/securityhub/1.0/APIReference/API_BatchImportFindings.html), at most
 * 100 findings per call (refused here before any request), each call paced
 * (security-hub-pacing.ts). The answer's `FailedFindings` (`Id`, `ErrorCode`, `ErrorMessage`) are
 * returned, never dropped: the caller reports each one.
 */
import {
  BatchImportFindingsCommand,
  type AwsSecurityFinding,
  type SecurityHubClient,
} from '@aws-sdk/client-securityhub';
import type { ImportOutcome, SecurityHubFindingsWriter } from '../core/ports.js';
import { BATCH_IMPORT_MAX_FINDINGS, type ImportFinding } from '../core/security-hub-sync.js';
import type { SecurityHubPacer } from './security-hub-pacing.js';

export class SecurityHubFindingsWriterAdapter implements SecurityHubFindingsWriter {
  constructor(
    private readonly client: SecurityHubClient,
    private readonly pacer: SecurityHubPacer,
  ) {}

  async importFindings(findings: readonly ImportFinding[]): Promise<ImportOutcome> {
    if (findings.length === 0) return { succeeded: 0, failed: [] };
    if (findings.length > BATCH_IMPORT_MAX_FINDINGS)
      throw new Error(
        `BatchImportFindings takes at most ${BATCH_IMPORT_MAX_FINDINGS} findings per request, got ${findings.length}`,
      );
    await this.pacer.acquire('BatchImportFindings');
    const out = await this.client.send(
      // The SDK's shape has mutable arrays; the findings are not changed.
      new BatchImportFindingsCommand({ Findings: findings as unknown as AwsSecurityFinding[] }),
    );
    const failed = (out.FailedFindings ?? []).map((f) => ({
      id: f.Id ?? '(no id)',
      errorCode: f.ErrorCode ?? '(no code)',
      errorMessage: f.ErrorMessage ?? '',
    }));
    return { succeeded: out.SuccessCount ?? findings.length - failed.length, failed };
  }
}

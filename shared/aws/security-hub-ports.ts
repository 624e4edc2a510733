/**
 * The Security Hub ports of one account and Region: its reader and writer share the client and
 * one pacer (Security Hub's rates are per account and Region). Kept apart from createRemediatorPorts
 * so that only the functions that export findings reach Security Hub's calls.
 */
import type { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { FindingsPorts } from '../core/ports.js';
import type { PacingClock } from './ec2-pacing.js';
import { SecurityHubPacer } from './security-hub-pacing.js';
import { SecurityHubFindingsReaderAdapter } from './security-hub-reader.js';
import { SecurityHubFindingsWriterAdapter } from './security-hub-writer.js';

export function createFindingsPorts(client: SecurityHubClient, clock?: PacingClock): FindingsPorts {
  const pacer = new SecurityHubPacer(clock);
  return {
    reader: new SecurityHubFindingsReaderAdapter(client, pacer),
    writer: new SecurityHubFindingsWriterAdapter(client, pacer),
  };
}

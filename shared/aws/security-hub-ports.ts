/**
 * The Security Hub ports of one account and Region: its reader and writer share the client and
 * one pacer (Security Hub's rates are per account and Region). Kept apart from createRemediatorPorts
 * so that only the functions that export findings reach Security Hub's calls.
 */
import { SecurityHubClient } from '@aws-sdk/client-securityhub';
import type { FindingsPorts } from '../core/ports.js';
import { clientConfig, type AwsClientOptions } from './core-clients.js';
import type { PacingClock } from './ec2-pacing.js';
import { SecurityHubPacer } from './security-hub-pacing.js';
import { SecurityHubFindingsReaderAdapter } from './security-hub-reader.js';
import { SecurityHubFindingsWriterAdapter } from './security-hub-writer.js';

/**
 * Ports on a new Security Hub client built with the shared configuration (Region, retries,
 * emulator endpoint, a role's credentials); `onClient` sees the client (e.g. to trace it).
 */
export function findingsPortsFor(
  options: AwsClientOptions,
  onClient?: (client: SecurityHubClient) => void,
): FindingsPorts {
  const client = new SecurityHubClient(clientConfig(options));
  onClient?.(client);
  return createFindingsPorts(client);
}

export function createFindingsPorts(client: SecurityHubClient, clock?: PacingClock): FindingsPorts {
  const pacer = new SecurityHubPacer(clock);
  return {
    reader: new SecurityHubFindingsReaderAdapter(client, pacer),
    writer: new SecurityHubFindingsWriterAdapter(client, pacer),
  };
}

import { resetMoto } from '../../scripts/emulator/moto-server.js';

/** The moto server that belongs to this jest worker (started by global-setup). */
export function emulatorEndpoint(): string {
  const endpoints = (process.env.TEST_MOTO_ENDPOINTS ?? '').split(',').filter(Boolean);
  const worker = Number(process.env.JEST_WORKER_ID ?? '1');
  const endpoint = endpoints[(worker - 1) % Math.max(1, endpoints.length)];
  if (!endpoint) throw new Error('no emulator: TEST_MOTO_ENDPOINTS is empty (is global-setup configured?)');
  return endpoint;
}

export async function resetEmulator(): Promise<string> {
  const endpoint = emulatorEndpoint();
  await resetMoto(endpoint);
  return endpoint;
}

/** Creates a role in any account of the emulator (`POST /_emulator/iam-roles`), as a member stack would. */
export async function createRoleInAccount(
  endpoint: string,
  accountId: string,
  roleName: string,
): Promise<string> {
  const response = await fetch(`${endpoint}/_emulator/iam-roles`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ accountId, roleName }),
  });
  const body = (await response.json()) as { arn?: string; error?: string };
  if (response.status !== 200 || !body.arn)
    throw new Error(`POST /_emulator/iam-roles refused: ${JSON.stringify(body)}`);
  return body.arn;
}

/**
 * Associates a VPC of another account with a private hosted zone (`POST
 * /_emulator/route53-zone-association`): what CreateVPCAssociationAuthorization in the zone's account
 * and AssociateVPCWithHostedZone in the VPC's account do together on AWS.
 */
export async function associateZoneAcrossAccounts(
  endpoint: string,
  association: { zoneOwnerAccountId: string; zoneId: string; vpcId: string; vpcRegion: string },
): Promise<void> {
  const response = await fetch(`${endpoint}/_emulator/route53-zone-association`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(association),
  });
  if (response.status !== 200)
    throw new Error(`POST /_emulator/route53-zone-association refused: ${await response.text()}`);
}

/**
 * The organisation hub's reach into its member accounts: the remediator's ports in a member account,
 * through the role the member stack creates (`<MemberRoleName>-<Region>`, trusting only the hub's
 * reconcile role). One set of clients per account, built on first use and kept for the container's
 * life; each has its own EC2 pacing, because EC2's buckets are per account and Region.
 */
import type { STSClient } from '@aws-sdk/client-sts';
import type { RemediatorPorts } from '../core/ports.js';
import { roleArnFor as roleArnIn } from '../core/service-names.js';
import { isAccountId } from '../core/id-patterns.js';
import { clientsInRole } from '../aws/role-clients.js';
import type { AwsClientOptions, CoreClients } from '../aws/core-clients.js';
import { createRemediatorPorts } from './ports.js';

export interface MemberAccounts {
  /** The member role's ARN in an account (what the hub assumes there). */
  roleArnFor(accountId: string): string;
  /** Ports acting in the account through its member role; rejects when the role cannot be assumed. */
  portsFor(accountId: string): Promise<RemediatorPorts>;
}

export interface MemberAccountsOptions {
  readonly sts: STSClient;
  readonly region: string;
  readonly roleName: string;
  /** Names the hub's sessions in the members' CloudTrail. */
  readonly sessionName: string;
  /** Endpoint, pacing and environment of the hub's own clients. */
  readonly clientOptions?: Omit<AwsClientOptions, 'region' | 'credentials'>;
  /** Called with each new account's clients (e.g. to trace them). */
  readonly onClients?: (clients: CoreClients) => void;
}

export function memberAccounts(options: MemberAccountsOptions): MemberAccounts {
  const ports = new Map<string, Promise<RemediatorPorts>>();
  const roleArnFor = (accountId: string) => roleArnIn(accountId, options.roleName, options.region);
  const build = async (accountId: string): Promise<RemediatorPorts> => {
    // Rejects here, before any read, when the role cannot be assumed.
    const clients = await clientsInRole(
      { sts: options.sts, roleArn: roleArnFor(accountId), sessionName: options.sessionName },
      { ...options.clientOptions, region: options.region },
    );
    options.onClients?.(clients);
    return createRemediatorPorts(clients);
  };
  return {
    roleArnFor,
    portsFor(accountId) {
      if (!isAccountId(accountId)) return Promise.reject(new Error(`not an account id: "${accountId}"`));
      let entry = ports.get(accountId);
      if (!entry) {
        entry = build(accountId);
        // A failed assumption is not kept: the retry of the records tries again.
        entry.catch(() => ports.delete(accountId));
        ports.set(accountId, entry);
      }
      return entry;
    },
  };
}

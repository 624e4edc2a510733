/**
 * The organisation hub's reach into its member accounts: the remediator's ports in a member account,
 * through the role the member stack creates (`<MemberRoleName>-<Region>`, trusting only the hub's
 * reconcile role). One set of clients per account, built on first use and kept for the container's
 * life; each has its own EC2 pacing, because EC2's buckets are per account and Region.
 */
import type { STSClient } from '@aws-sdk/client-sts';
import type { FindingsPorts, RemediatorPorts } from '../core/ports.js';
import { roleArnFor as roleArnIn } from '../core/service-names.js';
import { isAccountId } from '../core/id-patterns.js';
import { roleClientOptions } from '../aws/role-clients.js';
import { createCoreClients, type AwsClientOptions, type CoreClients } from '../aws/core-clients.js';
import { findingsPortsFor } from '../aws/security-hub-ports.js';
import { createRemediatorPorts } from './ports.js';

export interface MemberAccounts {
  /** The member role's ARN in an account (what the hub assumes there). */
  roleArnFor(accountId: string): string;
  /** Ports acting in the account through its member role; rejects when the role cannot be assumed. */
  portsFor(accountId: string): Promise<RemediatorPorts>;
  /**
   * Security Hub in the account, through the same member role (with the default product ARN, a
   * finding is imported by its own account: "BatchImportFindings", API reference); rejects when the
   * role cannot be assumed or the hub was built without `securityHub`.
   */
  findingsFor(accountId: string): Promise<FindingsPorts>;
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
  /** Also build each member's Security Hub client (the findings export is on). */
  readonly securityHub?: boolean;
  /** Called with each new Security Hub client (e.g. to trace it). */
  readonly onSecurityHubClient?: (client: object) => void;
}

export function memberAccounts(options: MemberAccountsOptions): MemberAccounts {
  interface Member {
    readonly ports: RemediatorPorts;
    readonly findings?: FindingsPorts;
  }
  const members = new Map<string, Promise<Member>>();
  const roleArnFor = (accountId: string) => roleArnIn(accountId, options.roleName, options.region);
  const build = async (accountId: string): Promise<Member> => {
    // Rejects here, before any read, when the role cannot be assumed.
    const clientOptions = await roleClientOptions(
      { sts: options.sts, roleArn: roleArnFor(accountId), sessionName: options.sessionName },
      { ...options.clientOptions, region: options.region },
    );
    const clients = createCoreClients(clientOptions);
    options.onClients?.(clients);
    return {
      ports: createRemediatorPorts(clients),
      ...(options.securityHub
        ? { findings: findingsPortsFor(clientOptions, (client) => options.onSecurityHubClient?.(client)) }
        : {}),
    };
  };
  const member = (accountId: string): Promise<Member> => {
    if (!isAccountId(accountId)) return Promise.reject(new Error(`not an account id: "${accountId}"`));
    let entry = members.get(accountId);
    if (!entry) {
      entry = build(accountId);
      // A failed assumption is not kept: the retry of the records tries again.
      entry.catch(() => members.delete(accountId));
      members.set(accountId, entry);
    }
    return entry;
  };
  return {
    roleArnFor,
    portsFor: async (accountId) => (await member(accountId)).ports,
    async findingsFor(accountId) {
      const { findings } = await member(accountId);
      if (!findings)
        throw new Error('the findings export is off: no Security Hub client for member accounts');
      return findings;
    },
  };
}

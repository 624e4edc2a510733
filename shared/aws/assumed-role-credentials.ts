/**
 * Credentials of a role assumed with STS AssumeRole, refreshed before they expire. The first call
 * assumes the role, so a role that cannot be assumed fails there, before any read or write (AWS STS
 * API Reference, "AssumeRole": AccessDenied when the caller may not assume the role or the role's
 * trust policy does not name it).
 */
import { AssumeRoleCommand, type STSClient } from '@aws-sdk/client-sts';

export interface TemporaryCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
  readonly expiration: Date;
}

/** Renew this long before the credentials expire (they last an hour by default). */
export const RENEW_BEFORE_MS = 5 * 60 * 1000;

export class AssumeRoleError extends Error {
  constructor(
    readonly roleArn: string,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? `${cause.name}: ${cause.message}` : String(cause);
    super(`cannot assume ${roleArn}: ${reason}`);
    this.name = 'AssumeRoleError';
  }
}

export function assumedRoleCredentials(
  sts: STSClient,
  roleArn: string,
  sessionName: string,
  now: () => number = Date.now,
): () => Promise<TemporaryCredentials> {
  let current: TemporaryCredentials | undefined;
  return async () => {
    if (current && current.expiration.getTime() - RENEW_BEFORE_MS > now()) return current;
    let answer;
    try {
      answer = await sts.send(new AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: sessionName }));
    } catch (error) {
      throw new AssumeRoleError(roleArn, error);
    }
    const c = answer.Credentials;
    if (!c?.AccessKeyId || !c.SecretAccessKey || !c.SessionToken || !c.Expiration) {
      throw new AssumeRoleError(roleArn, new Error('AssumeRole returned no credentials'));
    }
    current = {
      accessKeyId: c.AccessKeyId,
      secretAccessKey: c.SecretAccessKey,
      sessionToken: c.SessionToken,
      expiration: c.Expiration,
    };
    return current;
  };
}

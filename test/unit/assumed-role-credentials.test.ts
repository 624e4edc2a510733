/** The member role's credentials: assumed once, kept until five minutes before they expire, errors named. */
import { STSClient } from '@aws-sdk/client-sts';
import {
  assumedRoleCredentials,
  AssumeRoleError,
  RENEW_BEFORE_MS,
} from '../../shared/aws/assumed-role-credentials.js';

const ROLE = 'arn:aws:iam::111111111111:role/member-us-east-1';

/** An STS client whose AssumeRole answers from `answer` (a fake handed in; no network). */
function fakeSts(answer: (call: number) => unknown) {
  const sts = new STSClient({ region: 'us-east-1', credentials: { accessKeyId: 'a', secretAccessKey: 'b' } });
  const inputs: unknown[] = [];
  sts.middlewareStack.add(
    (_next, context) => async (args) => {
      expect(context.commandName).toBe('AssumeRoleCommand');
      inputs.push(args.input);
      const output = answer(inputs.length);
      if (output instanceof Error) throw output;
      return { output: output as never, response: {} };
    },
    { step: 'initialize', name: 'fakeAssumeRole' },
  );
  return { sts, inputs };
}

const credentialsExpiringAt = (ms: number, n: number) => ({
  Credentials: { AccessKeyId: `AK${n}`, SecretAccessKey: 's', SessionToken: 't', Expiration: new Date(ms) },
});

describe('assumedRoleCredentials', () => {
  it('assumes the role once and renews it only inside the last five minutes', async () => {
    let now = 1_000_000;
    const expiry = now + 3_600_000;
    const { sts, inputs } = fakeSts((n) => credentialsExpiringAt(expiry + (n - 1) * 3_600_000, n));
    const provider = assumedRoleCredentials(sts, ROLE, 'hub', () => now);
    expect((await provider()).accessKeyId).toBe('AK1');
    now = expiry - RENEW_BEFORE_MS - 1;
    expect((await provider()).accessKeyId).toBe('AK1');
    now = expiry - RENEW_BEFORE_MS;
    expect((await provider()).accessKeyId).toBe('AK2');
    expect(inputs).toEqual([
      { RoleArn: ROLE, RoleSessionName: 'hub' },
      { RoleArn: ROLE, RoleSessionName: 'hub' },
    ]);
  });

  it('names the role and the reason when it cannot be assumed, or when STS returns no credentials', async () => {
    const denied = fakeSts(() => Object.assign(new Error('not authorized'), { name: 'AccessDenied' }));
    await expect(assumedRoleCredentials(denied.sts, ROLE, 'hub')()).rejects.toThrow(
      new AssumeRoleError(ROLE, Object.assign(new Error('not authorized'), { name: 'AccessDenied' })),
    );
    await expect(assumedRoleCredentials(denied.sts, ROLE, 'hub')()).rejects.toThrow(
      `cannot assume ${ROLE}: AccessDenied: not authorized`,
    );
    const empty = fakeSts(() => ({}));
    await expect(assumedRoleCredentials(empty.sts, ROLE, 'hub')()).rejects.toThrow(
      `cannot assume ${ROLE}: Error: AssumeRole returned no credentials`,
    );
  });
});

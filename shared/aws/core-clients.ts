/**
 * Composition root for AWS: one SDK client per service, all for one Region, built the same way for
 * real AWS (standard credential chain, adaptive retries) and for a local emulator (`endpointUrl`,
 * same retries: it throttles like EC2).
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { SSMClient } from '@aws-sdk/client-ssm';

/** The clients the remediator itself needs; Lambda bundles import only these (cold start). */
export interface CoreClients {
  readonly region: string;
  readonly ec2: EC2Client;
  readonly ecs: ECSClient;
  readonly ssm: SSMClient;
}

export interface AwsClientOptions {
  /** Wins over AWS_REGION / AWS_DEFAULT_REGION. */
  readonly region?: string;
  /** An emulator (moto) endpoint, e.g. http://127.0.0.1:5000: every client talks to it. */
  readonly endpointUrl?: string;
  /** Default: 3 (adaptive retry mode), for real AWS and an emulator endpoint alike. */
  readonly maxAttempts?: number;
  /** The environment to read the region and credential hints from (default: process.env). */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * Credentials an emulator accepts; used only with `endpointUrl` and nothing configured. A new object
 * each time: the SDK writes its feature tracking (`$source`) into the credentials object.
 */
export const emulatorCredentials = () => ({ accessKeyId: 'test', secretAccessKey: 'test' });

/** The Region from the option, else AWS_REGION, else AWS_DEFAULT_REGION; throws when none is set. */
export function resolveRegion(
  region?: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  const resolved = [region, env.AWS_REGION, env.AWS_DEFAULT_REGION]
    .map((value) => value?.trim())
    .find((value): value is string => Boolean(value));
  if (!resolved) throw new Error('no AWS region: pass --region or set AWS_REGION');
  return resolved;
}

/** True when the environment points the SDK's default chain at some credentials. */
function environmentHasCredentials(env: Readonly<Record<string, string | undefined>>): boolean {
  return [
    'AWS_ACCESS_KEY_ID',
    'AWS_PROFILE',
    'AWS_WEB_IDENTITY_TOKEN_FILE',
    'AWS_CONTAINER_CREDENTIALS_RELATIVE_URI',
    'AWS_CONTAINER_CREDENTIALS_FULL_URI',
  ].some((name) => Boolean(env[name]));
}

/** The SDK configuration every client of the composition root shares. */
export function clientConfig(options: AwsClientOptions = {}) {
  const env = options.env ?? process.env;
  const region = resolveRegion(options.region, env);
  const endpoint = options.endpointUrl?.trim() || undefined;
  if (
    options.maxAttempts !== undefined &&
    (!Number.isInteger(options.maxAttempts) || options.maxAttempts < 1)
  ) {
    throw new Error(`maxAttempts must be a positive integer, got ${options.maxAttempts}`);
  }
  // The SDK's retries answer EC2's RequestLimitExceeded and 5xx ("Request throttling for the Amazon
  // EC2 API": retry with exponential backoff); an emulator that throttles like EC2 gets the same.
  const retries = { maxAttempts: options.maxAttempts ?? 3, retryMode: 'adaptive' };
  const config = endpoint
    ? {
        region,
        endpoint,
        ...retries,
        // With nothing configured the default chain would end at the instance metadata service.
        ...(environmentHasCredentials(env) ? {} : { credentials: emulatorCredentials() }),
      }
    : { region, ...retries };
  return config;
}

export function createCoreClients(options: AwsClientOptions = {}): CoreClients {
  const config = clientConfig(options);
  return {
    region: config.region,
    ec2: new EC2Client(config),
    ecs: new ECSClient(config),
    ssm: new SSMClient(config),
  };
}

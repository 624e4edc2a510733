/**
 * Composition root for AWS: one SDK client per service, all for one Region, built the same way for
 * real AWS (standard credential chain, adaptive retries) and for a local emulator (`endpointUrl`,
 * same retries: it throttles like EC2). The EC2 client carries the run's one pacer
 * (shared/aws/ec2-pacing.ts).
 */
import { EC2Client } from '@aws-sdk/client-ec2';
import { ECSClient } from '@aws-sdk/client-ecs';
import { Route53Client } from '@aws-sdk/client-route-53';
import { Route53ResolverClient } from '@aws-sdk/client-route53resolver';
import { SSMClient } from '@aws-sdk/client-ssm';
import { defaultConfig, ec2PacingFromEnvironment } from '../core/config.js';
import { Ec2Pacer, paceEc2Client, type Ec2PacingOptions } from './ec2-pacing.js';
import { paceRoute53Client } from './route53-pacing.js';

/** The clients the remediator itself needs; Lambda bundles import only these (cold start). */
export interface CoreClients {
  readonly region: string;
  readonly ec2: EC2Client;
  readonly ecs: ECSClient;
  readonly ssm: SSMClient;
  /**
   * Route 53 (private hosted zones) and Route 53 Resolver (forwarding rules), read to see how each
   * service is served (shared/core/serving.ts); absent in fakes: zones and rules are then not read.
   */
  readonly route53?: Route53Client;
  readonly resolver?: Route53ResolverClient;
  /** The EC2 client's pacer (its counts feed the apply report); undefined when pacing is off. */
  readonly ec2Pacer?: Ec2Pacer;
}

export interface AwsClientOptions {
  /** Wins over AWS_REGION / AWS_DEFAULT_REGION. */
  readonly region?: string;
  /** An emulator (moto) endpoint, e.g. http://127.0.0.1:5000: every client talks to it. */
  readonly endpointUrl?: string;
  /** Default: 3 (adaptive retry mode), for real AWS and an emulator endpoint alike. */
  readonly maxAttempts?: number;
  /**
   * Client-side pacing of EC2 requests. Default: the environment's EC2_RATE_SHARE / EC2_REFILL_FACTOR
   * when set, else AWS's published rates at the default share for AWS, and off for an `endpointUrl`
   * (an emulator meters requests only when asked to; pace it by setting the same refill factor).
   */
  readonly ec2Pacing?: Ec2PacingOptions | 'off';
  /** Credentials to use instead of the default chain (e.g. a member account's assumed role). */
  readonly credentials?: () => Promise<{
    accessKeyId: string;
    secretAccessKey: string;
    sessionToken?: string;
    expiration?: Date;
  }>;
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
        ...(options.credentials
          ? { credentials: options.credentials }
          : environmentHasCredentials(env)
            ? {}
            : { credentials: emulatorCredentials() }),
      }
    : { region, ...retries, ...(options.credentials ? { credentials: options.credentials } : {}) };
  return config;
}

/** The pacing the options ask for (see `AwsClientOptions.ec2Pacing`); throws on a bad environment value. */
export function pacingOptions(options: AwsClientOptions = {}): Ec2PacingOptions | undefined {
  if (options.ec2Pacing === 'off') return undefined;
  if (options.ec2Pacing) return options.ec2Pacing;
  const env = options.env ?? process.env;
  const configured = ec2PacingFromEnvironment(env);
  if (configured) return { share: configured.ec2RateShare, refillFactor: configured.ec2RefillFactor };
  if (options.endpointUrl?.trim()) return undefined;
  return { share: defaultConfig.ec2RateShare, refillFactor: defaultConfig.ec2RefillFactor };
}

export function createCoreClients(options: AwsClientOptions = {}): CoreClients {
  const config = clientConfig(options);
  const ec2 = new EC2Client(config);
  const pacing = pacingOptions(options);
  const ec2Pacer = pacing ? new Ec2Pacer(pacing) : undefined;
  if (ec2Pacer) paceEc2Client(ec2, ec2Pacer);
  const route53 = new Route53Client(config);
  if (pacing) paceRoute53Client(route53, pacing.share);
  return {
    region: config.region,
    ec2,
    ecs: new ECSClient(config),
    ssm: new SSMClient(config),
    route53,
    resolver: new Route53ResolverClient(config),
    ...(ec2Pacer ? { ec2Pacer } : {}),
  };
}

import type { ObservedEndpoint, ServiceName } from './domain.js';
import { stableHash } from './hash.js';

/**
 * The `ClientToken` of a CreateVpcEndpoint, derived only from what the plan observed: the VPC, the
 * service, the placement (subnets or route tables) and the ids and states of the service's endpoints
 * already in the VPC, deleted ones included. EC2 answers a repeated token with the original request's
 * result, even when that endpoint has since been deleted, and keeps tokens far longer than an hour
 * ("Ensuring idempotency in Amazon EC2 API requests", EC2 API reference). So a retry, or a crashed run
 * re-running the same plan, reuses the token and cannot create a second endpoint; and once the endpoint
 * a token produced has been deleted, the state that is observed differs and so does the token: a
 * recreation is never answered with the deleted endpoint. No clock takes part.
 */
export function endpointClientToken(
  vpcId: string,
  service: ServiceName,
  placement: readonly string[],
  endpoints: readonly Pick<ObservedEndpoint, 'endpointId' | 'service' | 'state'>[],
): string {
  const existing = endpoints
    .filter((e) => e.service === service)
    .map((e) => `${e.endpointId}=${e.state}`)
    .sort();
  return `eer-${stableHash([vpcId, service, [...placement].sort().join(','), existing.join(',')].join('|'))}`;
}

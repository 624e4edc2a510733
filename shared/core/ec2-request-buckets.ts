/**
 * Which of EC2's request token buckets an EC2 action draws from, and its published size ("Request
 * throttling for the Amazon EC2 API", Request token bucket sizes and refill rates,
 * https://docs.aws.amazon.com/ec2/latest/devguide/ec2-api-throttling.html). Invariants from that
 * page: buckets are per account and Region and "each API is evaluated individually", so every action
 * has a bucket of its own, sized by its category; the unfiltered and unpaginated form of a few
 * Describe actions has a smaller bucket of its own.
 */
import type { BucketRate } from './token-bucket.js';

export interface Ec2Bucket {
  /** The action, or `<action>/unfiltered` for the smaller bucket of an unfiltered, unpaginated read. */
  readonly name: string;
  readonly category:
    | 'vpc-endpoint'
    | 'resource-intensive'
    | 'uncategorized'
    | 'mutating'
    | 'non-mutating'
    | 'unfiltered-non-mutating';
  readonly rate: BucketRate;
}

/** Non-mutating actions (Describe*, List*, Get*, Search*): 100 tokens, 20 per second. */
export const NON_MUTATING: BucketRate = { capacity: 100, refillPerSecond: 20 };
/** Unfiltered and unpaginated non-mutating actions: 50 tokens, 10 per second. */
export const UNFILTERED_NON_MUTATING: BucketRate = { capacity: 50, refillPerSecond: 10 };
/** Mutating actions not listed elsewhere: 50 tokens, 5 per second. */
export const MUTATING: BucketRate = { capacity: 50, refillPerSecond: 5 };
/** Resource-intensive actions (AuthorizeSecurityGroupIngress among them): 50 tokens, 5 per second. */
export const RESOURCE_INTENSIVE: BucketRate = { capacity: 50, refillPerSecond: 5 };
/**
 * The VPC endpoint writes (uncategorized actions of their own size): 4 tokens, 0.3 per second, so
 * after a burst of four an account gets about one endpoint write every 3.3 s, shared by every tool.
 */
export const VPC_ENDPOINT_WRITE: BucketRate = { capacity: 4, refillPerSecond: 0.3 };
/** CreateTags and DeleteTags (uncategorized): 100 tokens, 10 per second. */
export const TAGS: BucketRate = { capacity: 100, refillPerSecond: 10 };

const VPC_ENDPOINT_ACTIONS = new Set(['CreateVpcEndpoint', 'ModifyVpcEndpoint', 'DeleteVpcEndpoints']);

const RESOURCE_INTENSIVE_ACTIONS = new Set([
  'AcceptVpcPeeringConnection',
  'AuthorizeSecurityGroupIngress',
  'CancelSpotInstanceRequests',
  'CreateKeyPair',
  'CreateVpcPeeringConnection',
  'DeleteVpcPeeringConnection',
  'RejectVpcPeeringConnection',
  'RevokeSecurityGroupIngress',
  'RequestSpotInstances',
]);

const TAG_ACTIONS = new Set(['CreateTags', 'DeleteTags']);

/** The reads whose unfiltered, unpaginated form uses the smaller bucket. */
const UNFILTERED_ACTIONS = new Set([
  'DescribeInstances',
  'DescribeInstanceStatus',
  'DescribeNetworkInterfaces',
  'DescribeSecurityGroups',
  'DescribeSnapshots',
  'DescribeSpotInstanceRequests',
  'DescribeVolumes',
]);

const NON_MUTATING_PREFIXES = ['Describe', 'List', 'Get', 'Search'];

/** The parts of a request's input that decide between the filtered and unfiltered read buckets. */
export interface ReadShape {
  readonly Filters?: readonly unknown[] | undefined;
  readonly MaxResults?: number | undefined;
  readonly NextToken?: string | undefined;
}

function filteredOrPaginated(input: ReadShape | undefined): boolean {
  return Boolean(
    (input?.Filters && input.Filters.length > 0) || input?.MaxResults !== undefined || input?.NextToken,
  );
}

/** The bucket of one EC2 request (`action` as the API names it, e.g. CreateVpcEndpoint). */
export function ec2BucketFor(action: string, input?: ReadShape): Ec2Bucket {
  if (VPC_ENDPOINT_ACTIONS.has(action))
    return { name: action, category: 'vpc-endpoint', rate: VPC_ENDPOINT_WRITE };
  if (TAG_ACTIONS.has(action)) return { name: action, category: 'uncategorized', rate: TAGS };
  if (RESOURCE_INTENSIVE_ACTIONS.has(action))
    return { name: action, category: 'resource-intensive', rate: RESOURCE_INTENSIVE };
  if (NON_MUTATING_PREFIXES.some((prefix) => action.startsWith(prefix))) {
    if (UNFILTERED_ACTIONS.has(action) && !filteredOrPaginated(input))
      return {
        name: `${action}/unfiltered`,
        category: 'unfiltered-non-mutating',
        rate: UNFILTERED_NON_MUTATING,
      };
    return { name: action, category: 'non-mutating', rate: NON_MUTATING };
  }
  return { name: action, category: 'mutating', rate: MUTATING };
}

/**
 * The one builder of AWS endpoint service names, for every partition. Pure.
 *
 * AWS names the endpoint services it offers `com.amazonaws.<region>.<service>` ("AWS services that
 * integrate with AWS PrivateLink", https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html),
 * in the aws and aws-us-gov partitions alike. In the China Regions (aws-cn) many services are named
 * `cn.com.amazonaws.<region>.<service>` instead, while others keep the plain prefix ("Amazon VPC" in
 * "Getting Started with Amazon Web Services in China", https://docs.amazonaws.cn/en_us/aws/latest/userguide/vpc.html,
 * and `DescribeVpcEndpointServices` there). So a China Region is asked for both spellings, and the
 * planner uses the name EC2 answers with (the offer's `serviceName`), never a rebuilt one.
 */
import { isServiceName, type ServiceName } from './domain.js';

export type Partition = 'aws' | 'aws-cn' | 'aws-us-gov';

/**
 * The partition of a Region code: `cn-…` is aws-cn, `us-gov-…` is aws-us-gov, anything else aws
 * ("Regions and Availability Zones", https://docs.aws.amazon.com/global-infrastructure/latest/regions/aws-regions.html).
 */
export function partitionOf(region: string): Partition {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The ARN of role `roleName` in `accountId`, for work in `region` (partition from the Region). */
export function roleArnFor(accountId: string, roleName: string, region: string): string {
  return `arn:${partitionOf(region)}:iam::${accountId}:role/${roleName}`;
}

/** The prefixes endpoint service names take in a Region, the partition's own first. */
export function endpointServicePrefixes(region: string): readonly string[] {
  const plain = `com.amazonaws.${region}.`;
  return partitionOf(region) === 'aws-cn' ? [`cn.${plain}`, plain] : [plain];
}

/** Every name an AWS service may be offered under in a Region (two in China, one elsewhere). */
export function endpointServiceNames(region: string, service: string): readonly string[] {
  return endpointServicePrefixes(region).map((prefix) => `${prefix}${service}`);
}

/** The partition's own name of an AWS service in a Region (`cn.com.amazonaws.…` in China). */
export function endpointServiceName(region: string, service: string): string {
  return `${endpointServicePrefixes(region)[0] ?? ''}${service}`;
}

/** The short name when `serviceName` is, in `region`, one of the services the remediator knows. */
export function shortServiceName(serviceName: string, region: string): ServiceName | undefined {
  const prefix = endpointServicePrefixes(region).find((p) => serviceName.startsWith(p));
  if (prefix === undefined) return undefined;
  const short = serviceName.slice(prefix.length);
  return isServiceName(short) ? short : undefined;
}

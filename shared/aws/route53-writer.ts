/**
 * Route 53 writes for the remediator (issue #13 §1): associating a VPC with a private hosted zone of
 * the same account ("AssociateVPCWithHostedZone", Amazon Route 53 API Reference). The VPC must be the
 * caller's (InvalidVPCId otherwise); a VPC already associated with a zone of that name answers
 * `ConflictingDomainExists`, which here means there is nothing to do. IAM: route53:AssociateVPCWithHostedZone
 * on the zone and ec2:DescribeVpcs ("Actions, resources, and condition keys for Amazon Route 53").
 */
import {
  AssociateVPCWithHostedZoneCommand,
  type Route53Client,
  type VPCRegion,
} from '@aws-sdk/client-route-53';
import type { DnsWriter } from '../core/ports.js';
import { isErrorNamed } from './aws-errors.js';

export class Route53WriterAdapter implements DnsWriter {
  constructor(private readonly route53: Route53Client) {}

  async associateVpcWithHostedZone(
    zoneId: string,
    vpcId: string,
    region: string,
  ): Promise<'associated' | 'alreadyAssociated'> {
    try {
      await this.route53.send(
        new AssociateVPCWithHostedZoneCommand({
          HostedZoneId: zoneId,
          VPC: { VPCId: vpcId, VPCRegion: region as VPCRegion },
          Comment: 'ecs-endpoint-remediator: the hub zone serves this VPC',
        }),
      );
      return 'associated';
    } catch (error) {
      if (isErrorNamed(error, 'ConflictingDomainExists')) return 'alreadyAssociated';
      throw error;
    }
  }
}

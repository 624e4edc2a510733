/**
 * EC2 writes: the few changes the remediator makes (DNS attributes, its dedicated security group and
 * its 443 rules, endpoint creation and additions), and the endpoint status re-read the apply waits on.
 * Every write is idempotent on retry (ClientToken, duplicate errors treated as done).
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  CreateVpcEndpointCommand,
  DescribeSecurityGroupsCommand,
  ModifyVpcAttributeCommand,
  ModifyVpcEndpointCommand,
  paginateDescribeVpcEndpoints,
  type EC2Client,
  type Filter,
  type IpPermission,
} from '@aws-sdk/client-ec2';
import type { ObservedEndpoint } from '../core/domain.js';
import { stableHash } from '../core/hash.js';
import { ruleCoversHttps } from '../core/network.js';
import type { CreateVpcEndpointRequest, Ec2Writer, ModifyVpcEndpointRequest } from '../core/ports.js';
import { isErrorNamed } from './aws-errors.js';
import { collectPages as collect } from './collect-pages.js';
import { recordToTags, toObservedEndpoint, toSecurityGroupRule } from './ec2-mappers.js';

const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();

const HTTPS_PORT = 443;

/** The VPC default security group: never used and never changed by the remediator. */
export class DefaultSecurityGroupRefusedError extends Error {
  constructor(what: string) {
    super(`refusing to ${what}: the VPC default security group is never changed or used by the remediator`);
    this.name = 'DefaultSecurityGroupRefusedError';
  }
}

const isIpv6 = (cidr: string) => cidr.includes(':');

function httpsPermission(cidrs: readonly string[], description: string): IpPermission {
  const v4 = cidrs.filter((c) => !isIpv6(c));
  const v6 = cidrs.filter(isIpv6);
  return {
    IpProtocol: 'tcp',
    FromPort: HTTPS_PORT,
    ToPort: HTTPS_PORT,
    ...(v4.length ? { IpRanges: v4.map((CidrIp) => ({ CidrIp, Description: description })) } : {}),
    ...(v6.length ? { Ipv6Ranges: v6.map((CidrIpv6) => ({ CidrIpv6, Description: description })) } : {}),
  };
}

export class Ec2WriterAdapter implements Ec2Writer {
  constructor(private readonly ec2: EC2Client) {}

  async enableVpcDnsAttribute(
    vpcId: string,
    attribute: 'enableDnsSupport' | 'enableDnsHostnames',
  ): Promise<void> {
    // ModifyVpcAttribute takes one attribute per call.
    await this.ec2.send(
      new ModifyVpcAttributeCommand(
        attribute === 'enableDnsSupport'
          ? { VpcId: vpcId, EnableDnsSupport: { Value: true } }
          : { VpcId: vpcId, EnableDnsHostnames: { Value: true } },
      ),
    );
  }

  async findDedicatedSecurityGroup(vpcId: string, groupName: string): Promise<string | undefined> {
    if (groupName === 'default') throw new DefaultSecurityGroupRefusedError('use a group named "default"');
    const result = await this.ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'vpc-id', Values: [vpcId] },
          { Name: 'group-name', Values: [groupName] },
        ],
      }),
    );
    return (result.SecurityGroups ?? []).find((g) => g.GroupName === groupName && g.VpcId === vpcId)?.GroupId;
  }

  async createSecurityGroup(
    vpcId: string,
    groupName: string,
    description: string,
    tags: Readonly<Record<string, string>>,
  ): Promise<string> {
    if (groupName === 'default') throw new DefaultSecurityGroupRefusedError('create a group named "default"');
    try {
      const result = await this.ec2.send(
        new CreateSecurityGroupCommand({
          VpcId: vpcId,
          GroupName: groupName,
          Description: description,
          ...(Object.keys(tags).length
            ? { TagSpecifications: [{ ResourceType: 'security-group', Tags: recordToTags(tags) }] }
            : {}),
        }),
      );
      if (!result.GroupId)
        throw new Error(`CreateSecurityGroup returned no group id for ${groupName} in ${vpcId}`);
      return result.GroupId;
    } catch (error) {
      if (!isErrorNamed(error, 'InvalidGroup.Duplicate')) throw error;
      const existing = await this.findDedicatedSecurityGroup(vpcId, groupName);
      if (!existing) throw error;
      return existing;
    }
  }

  async authorizeHttpsIngress(groupId: string, cidrs: readonly string[], description: string): Promise<void> {
    const described = await this.ec2.send(new DescribeSecurityGroupsCommand({ GroupIds: [groupId] }));
    const group = (described.SecurityGroups ?? []).find((g) => g.GroupId === groupId);
    if (!group) throw new Error(`security group ${groupId} was not found`);
    if (group.GroupName === 'default') throw new DefaultSecurityGroupRefusedError(`change ${groupId}`);
    const present = new Set(
      (group.IpPermissions ?? [])
        .map(toSecurityGroupRule)
        .filter(ruleCoversHttps)
        .flatMap((rule) => rule.cidrBlocks),
    );
    const missing = sorted(cidrs).filter((cidr) => !present.has(cidr));
    if (missing.length === 0) return;
    try {
      await this.authorize(groupId, missing, description);
    } catch (error) {
      if (!isErrorNamed(error, 'InvalidPermission.Duplicate')) throw error;
      // The whole call fails when one range exists already (a rule added meanwhile): add one by one.
      if (missing.length === 1) return;
      for (const cidr of missing) {
        try {
          await this.authorize(groupId, [cidr], description);
        } catch (inner) {
          if (!isErrorNamed(inner, 'InvalidPermission.Duplicate')) throw inner;
        }
      }
    }
  }

  private async authorize(groupId: string, cidrs: readonly string[], description: string): Promise<void> {
    await this.ec2.send(
      new AuthorizeSecurityGroupIngressCommand({
        GroupId: groupId,
        IpPermissions: [httpsPermission(cidrs, description)],
      }),
    );
  }

  /**
   * EC2 answers a repeated ClientToken with the original result even when that endpoint has been
   * deleted since ("Ensuring idempotency in Amazon EC2 API requests", EC2 developer guide). A
   * create that gets a deleted (or deleting) endpoint back is therefore a re-creation after
   * someone deleted it: it is sent once more with a token derived from the old one and that
   * endpoint's id, so a retry of the re-creation is idempotent too.
   */
  async createVpcEndpoint(request: CreateVpcEndpointRequest): Promise<string> {
    const first = await this.sendCreateVpcEndpoint(request, request.clientToken);
    if (first.state !== 'deleted' && first.state !== 'deleting') return first.id;
    const token = `eer-${stableHash(`${request.clientToken}|${first.id}`)}`;
    return (await this.sendCreateVpcEndpoint(request, token)).id;
  }

  private async sendCreateVpcEndpoint(
    request: CreateVpcEndpointRequest,
    clientToken: string,
  ): Promise<{ id: string; state: string }> {
    const isInterface = request.endpointType === 'Interface';
    const result = await this.ec2.send(
      new CreateVpcEndpointCommand({
        VpcId: request.vpcId,
        ServiceName: request.serviceName,
        VpcEndpointType: request.endpointType,
        ClientToken: clientToken,
        ...(isInterface
          ? {
              PrivateDnsEnabled: request.privateDnsEnabled,
              ...(request.subnetIds.length ? { SubnetIds: [...request.subnetIds] } : {}),
              ...(request.securityGroupIds.length ? { SecurityGroupIds: [...request.securityGroupIds] } : {}),
            }
          : { ...(request.routeTableIds.length ? { RouteTableIds: [...request.routeTableIds] } : {}) }),
        ...(Object.keys(request.tags).length
          ? { TagSpecifications: [{ ResourceType: 'vpc-endpoint', Tags: recordToTags(request.tags) }] }
          : {}),
      }),
    );
    const id = result.VpcEndpoint?.VpcEndpointId;
    if (!id)
      throw new Error(
        `CreateVpcEndpoint returned no endpoint id for ${request.serviceName} in ${request.vpcId}`,
      );
    return { id, state: String(result.VpcEndpoint?.State ?? '').toLowerCase() };
  }

  async modifyVpcEndpoint(request: ModifyVpcEndpointRequest): Promise<void> {
    const add = (ids: readonly string[] | undefined) => (ids && ids.length ? [...ids] : undefined);
    const input = {
      VpcEndpointId: request.endpointId,
      AddSubnetIds: add(request.addSubnetIds),
      AddSecurityGroupIds: add(request.addSecurityGroupIds),
      AddRouteTableIds: add(request.addRouteTableIds),
      PrivateDnsEnabled: request.enablePrivateDns ? true : undefined,
    };
    if (
      !input.AddSubnetIds &&
      !input.AddSecurityGroupIds &&
      !input.AddRouteTableIds &&
      !input.PrivateDnsEnabled
    )
      return;
    await this.ec2.send(new ModifyVpcEndpointCommand(input));
  }

  async describeVpcEndpoints(
    vpcId: string,
    endpointIds?: readonly string[],
  ): Promise<readonly ObservedEndpoint[]> {
    if (endpointIds && endpointIds.length === 0) return [];
    const region = await this.ec2.config.region();
    // "DescribeVpcEndpoints" (EC2 API Reference) filters: vpc-id, and vpc-endpoint-id when the
    // caller asks about given endpoints (an unknown id in a filter matches nothing, where
    // VpcEndpointIds would fail the whole call).
    const filters: Filter[] = [
      { Name: 'vpc-id', Values: [vpcId] },
      ...(endpointIds ? [{ Name: 'vpc-endpoint-id', Values: [...endpointIds] }] : []),
    ];
    const endpoints = await collect(
      paginateDescribeVpcEndpoints({ client: this.ec2, pageSize: 1000 }, { Filters: filters }),
      (p) => p.VpcEndpoints,
    );
    return endpoints.flatMap((e) => {
      const observed = e.VpcId === vpcId ? toObservedEndpoint(e, region) : undefined;
      return observed && observed.state !== 'deleted' ? [observed] : [];
    });
  }
}

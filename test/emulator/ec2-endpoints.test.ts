/**
 * The emulator's EC2 behaviour (emulator/ec2_endpoints.py, ec2_throttle.py, ec2_settings.py)
 * through the AWS SDK v3, time moved through `/_emulator/clock` (never slept).
 */
import {
  CreateSecurityGroupCommand,
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcEndpointCommand,
  DeleteVpcEndpointsCommand,
  DescribeSecurityGroupsCommand,
  DescribeVpcEndpointServicesCommand,
  DescribeVpcEndpointsCommand,
  DescribeVpcsCommand,
  ModifyVpcAttributeCommand,
  ModifyVpcEndpointCommand,
  type EC2Client,
  type VpcEndpoint,
} from '@aws-sdk/client-ec2';
import { Ec2WriterAdapter } from '../../shared/aws/ec2-writer.js';
import { resetEmulator } from '../support/emulator.js';
import { DELIBERATE_HEADER } from '../support/deliberate.js';
import { advanceClock, control, freezeClock, setEc2, singleAttemptEc2 } from './ec2-control.js';

const REGION = 'us-east-1';
const ECS = `com.amazonaws.${REGION}.ecs`;
const LOGS = `com.amazonaws.${REGION}.logs`;
const S3 = `com.amazonaws.${REGION}.s3`;

interface Network {
  vpcId: string;
  subnetA: string;
  subnetA2: string;
  subnetB: string;
  groupId: string;
}

let endpoint: string;
let ec2: EC2Client;
let net: Network;
let other: Network;

async function network(client: EC2Client, octet: number, dns = true): Promise<Network> {
  const vpcId = (await client.send(new CreateVpcCommand({ CidrBlock: `10.${octet}.0.0/16` }))).Vpc!.VpcId!;
  if (dns)
    await client.send(new ModifyVpcAttributeCommand({ VpcId: vpcId, EnableDnsHostnames: { Value: true } }));
  const subnet = async (third: number, az: string) =>
    (
      await client.send(
        new CreateSubnetCommand({
          VpcId: vpcId,
          CidrBlock: `10.${octet}.${third}.0/24`,
          AvailabilityZone: az,
        }),
      )
    ).Subnet!.SubnetId!;
  const groupId = (
    await client.send(
      new CreateSecurityGroupCommand({ VpcId: vpcId, GroupName: 'endpoints', Description: 'e' }),
    )
  ).GroupId!;
  return {
    vpcId,
    subnetA: await subnet(1, `${REGION}a`),
    subnetA2: await subnet(2, `${REGION}a`),
    subnetB: await subnet(3, `${REGION}b`),
    groupId,
  };
}

const createInterface = (extra: Partial<ConstructorParameters<typeof CreateVpcEndpointCommand>[0]> = {}) =>
  ec2.send(
    new CreateVpcEndpointCommand({
      VpcId: net.vpcId,
      ServiceName: ECS,
      VpcEndpointType: 'Interface',
      SubnetIds: [net.subnetA, net.subnetB],
      SecurityGroupIds: [net.groupId],
      PrivateDnsEnabled: true,
      ...extra,
    }),
  );

async function describe1(id: string): Promise<VpcEndpoint> {
  const { VpcEndpoints = [] } = await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [id] }));
  expect(VpcEndpoints).toHaveLength(1);
  return VpcEndpoints[0]!;
}

async function errorOf(
  promise: Promise<unknown>,
): Promise<{ name: string; message: string; status?: number }> {
  try {
    await promise;
  } catch (error) {
    const e = error as { name: string; message: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, message: e.message, status: e.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail');
}

/**
 * Route 53 CreateHostedZone (REST-XML, "CreateHostedZone", Route 53 API Reference) for a private zone
 * associated with a VPC; moto routes it by the signing name in the Authorization header.
 */
async function createPrivateHostedZone(name: string, vpcId: string): Promise<void> {
  const body =
    '<?xml version="1.0" encoding="UTF-8"?>' +
    '<CreateHostedZoneRequest xmlns="https://route53.amazonaws.com/doc/2013-04-01/">' +
    `<Name>${name}</Name><CallerReference>${name}-${vpcId}</CallerReference>` +
    `<VPC><VPCRegion>${REGION}</VPCRegion><VPCId>${vpcId}</VPCId></VPC>` +
    '<HostedZoneConfig><PrivateZone>true</PrivateZone></HostedZoneConfig>' +
    '</CreateHostedZoneRequest>';
  const response = await fetch(`${endpoint}/2013-04-01/hostedzone`, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/xml',
      // Test setup, not a product request: the fidelity guard does not read REST-XML (Route 53).
      [DELIBERATE_HEADER]: 'test setup: Route 53 CreateHostedZone (REST-XML, not a product API)',
      authorization:
        'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/route53/aws4_request, SignedHeaders=host, Signature=0',
    },
  });
  if (response.status !== 201)
    throw new Error(`CreateHostedZone: HTTP ${response.status} ${await response.text()}`);
}

beforeEach(async () => {
  endpoint = await resetEmulator();
  ec2 = singleAttemptEc2(endpoint);
  net = await network(ec2, 10);
  other = await network(ec2, 20);
});

describe('provisioning time', () => {
  it('keeps a new interface endpoint pending for the configured time, then makes it available', async () => {
    await setEc2(endpoint, { endpointPendingSeconds: 90 });
    await freezeClock(endpoint);
    const created = (await createInterface()).VpcEndpoint!;
    expect(created.State).toBe('pending');
    await advanceClock(endpoint, 89);
    expect((await describe1(created.VpcEndpointId!)).State).toBe('pending');
    await advanceClock(endpoint, 1);
    expect((await describe1(created.VpcEndpointId!)).State).toBe('available');
  });

  it('with the default of 0 seconds an endpoint is available at once (today’s behaviour)', async () => {
    expect((await control(endpoint, 'ec2')).body).toMatchObject({
      endpointPendingSeconds: 0,
      throttle: 'off',
    });
    expect((await createInterface()).VpcEndpoint!.State).toBe('available');
  });

  it('makes a gateway endpoint available at once, as EC2 does', async () => {
    await setEc2(endpoint, { endpointPendingSeconds: 90 });
    await freezeClock(endpoint);
    const { VpcEndpoint } = await ec2.send(
      new CreateVpcEndpointCommand({ VpcId: net.vpcId, ServiceName: S3, VpcEndpointType: 'Gateway' }),
    );
    expect(VpcEndpoint!.State).toBe('available');
  });

  it('puts a modified interface endpoint back to pending, and a deleted one through deleting to deleted', async () => {
    const id = (await createInterface({ SubnetIds: [net.subnetA] })).VpcEndpoint!.VpcEndpointId!;
    await setEc2(endpoint, { endpointPendingSeconds: 60 });
    await freezeClock(endpoint);
    await ec2.send(new ModifyVpcEndpointCommand({ VpcEndpointId: id, AddSubnetIds: [net.subnetB] }));
    expect((await describe1(id)).State).toBe('pending');
    await advanceClock(endpoint, 60);
    expect((await describe1(id)).State).toBe('available');
    await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [id] }));
    expect((await describe1(id)).State).toBe('deleting');
    await advanceClock(endpoint, 60);
    expect((await describe1(id)).State).toBe('deleted');
  });

  it('adds up to the jitter to the pending time', async () => {
    await setEc2(endpoint, { endpointPendingSeconds: 10, endpointPendingJitterSeconds: 20 });
    await freezeClock(endpoint);
    const ids = [];
    for (const [index, service] of [ECS, LOGS].entries()) {
      const subnet = index === 0 ? net.subnetA : net.subnetB;
      ids.push(
        (await createInterface({ ServiceName: service, SubnetIds: [subnet] })).VpcEndpoint!.VpcEndpointId!,
      );
    }
    await advanceClock(endpoint, 9.9);
    for (const id of ids) expect((await describe1(id)).State).toBe('pending');
    await advanceClock(endpoint, 20.1);
    for (const id of ids) expect((await describe1(id)).State).toBe('available');
  });
});

describe('throttling (EC2 request token buckets)', () => {
  it('drains the CreateVpcEndpoint bucket (4 tokens), answers RequestLimitExceeded as EC2 does, refills at 0.3/s', async () => {
    await setEc2(endpoint, { throttle: 'aws' });
    await freezeClock(endpoint);
    const gateway = () =>
      ec2.send(
        new CreateVpcEndpointCommand({ VpcId: net.vpcId, ServiceName: S3, VpcEndpointType: 'Gateway' }),
      );
    for (let i = 0; i < 4; i++) await gateway();
    const refused = await errorOf(gateway());
    expect(refused).toMatchObject({
      name: 'RequestLimitExceeded',
      message: 'Request limit exceeded.',
      status: 503,
    });
    // Other APIs have their own buckets.
    await ec2.send(new DescribeVpcsCommand({}));
    await advanceClock(endpoint, 3);
    expect((await errorOf(gateway())).name).toBe('RequestLimitExceeded');
    await advanceClock(endpoint, 0.4); // 3.4 s × 0.3 tokens/s ≥ 1 token
    await gateway();
    const state = (await control(endpoint, 'ec2-throttle')).body as { buckets: unknown[] };
    expect(state).toMatchObject({ throttled: { CreateVpcEndpoint: 2 }, speed: 1 });
    // The page's size for the bucket: what a client paces itself by.
    expect(state.buckets).toContainEqual(
      expect.objectContaining({ bucket: 'CreateVpcEndpoint', capacity: 4, refillPerSecond: 0.3 }),
    );
  });

  it('meters each account and Region separately, and the speed factor multiplies the refill', async () => {
    await setEc2(endpoint, { throttle: 'aws', throttleSpeed: 10 });
    await freezeClock(endpoint);
    const modify = (client: EC2Client, id: string) =>
      client.send(new ModifyVpcEndpointCommand({ VpcEndpointId: id, ResetPolicy: true }));
    const id = (await createInterface()).VpcEndpoint!.VpcEndpointId!;
    for (let i = 0; i < 4; i++) await modify(ec2, id);
    expect((await errorOf(modify(ec2, id))).name).toBe('RequestLimitExceeded');

    const west = singleAttemptEc2(endpoint, 'us-west-2');
    expect((await errorOf(modify(west, id))).name).toBe('InvalidVpcEndpointId.NotFound'); // not throttled
    const otherAccount = singleAttemptEc2(endpoint, REGION, '111122223333');
    expect((await errorOf(modify(otherAccount, id))).name).toBe('InvalidVpcEndpointId.NotFound');

    await advanceClock(endpoint, 0.34); // 0.34 s × 0.3/s × 10 ≥ 1 token
    await modify(ec2, id);
  });

  it('gives unfiltered, unpaginated DescribeSecurityGroups the smaller bucket (50, refill 10/s)', async () => {
    await setEc2(endpoint, { throttle: 'aws' });
    await freezeClock(endpoint);
    for (let i = 0; i < 50; i++) await ec2.send(new DescribeSecurityGroupsCommand({}));
    expect((await errorOf(ec2.send(new DescribeSecurityGroupsCommand({})))).name).toBe(
      'RequestLimitExceeded',
    );
    // Filtered or paginated requests draw on the standard non-mutating bucket (100, refill 20/s).
    await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [net.vpcId] }] }));
    await ec2.send(new DescribeSecurityGroupsCommand({ MaxResults: 5 }));
    await advanceClock(endpoint, 0.1);
    await ec2.send(new DescribeSecurityGroupsCommand({}));
  });

  it('sets one bucket’s level through POST /_emulator/ec2-throttle (a test control): drained, it refuses until the refill', async () => {
    const gateway = (client = ec2) =>
      client.send(
        new CreateVpcEndpointCommand({ VpcId: net.vpcId, ServiceName: S3, VpcEndpointType: 'Gateway' }),
      );
    const drain = { bucket: 'CreateVpcEndpoint', region: REGION };
    const off = await control(endpoint, 'ec2-throttle', drain);
    expect(off.status).toBe(400);
    expect(off.body.error).toMatch(/throttling is off/);

    await setEc2(endpoint, { throttle: 'aws' });
    await freezeClock(endpoint);
    // A bucket no request has used yet: the control makes it, empty, at the emulator's now.
    const drained = await control(endpoint, 'ec2-throttle', drain);
    expect(drained.status).toBe(200);
    expect(drained.body.buckets).toContainEqual({
      account: '123456789012',
      region: REGION,
      bucket: 'CreateVpcEndpoint',
      tokens: 0,
      capacity: 4,
      refillPerSecond: 0.3,
    });
    expect((await errorOf(gateway())).name).toBe('RequestLimitExceeded');
    // Only that account's bucket in that Region (the VPC is unknown there, so moto answers).
    expect((await errorOf(gateway(singleAttemptEc2(endpoint, 'us-west-2')))).name).toBe(
      'InvalidVpcID.NotFound',
    );
    expect((await errorOf(gateway(singleAttemptEc2(endpoint, REGION, '111122223333')))).name).toBe(
      'InvalidVpcID.NotFound',
    );
    // It refills from the drain at its usual rate: 3.4 s × 0.3/s ≥ 1 token.
    await advanceClock(endpoint, 3);
    expect((await errorOf(gateway())).name).toBe('RequestLimitExceeded');
    await advanceClock(endpoint, 0.4);
    await gateway();
    expect((await errorOf(gateway())).name).toBe('RequestLimitExceeded');

    // A level other than empty: two tokens, two creates.
    expect((await control(endpoint, 'ec2-throttle', { ...drain, tokens: 2 })).status).toBe(200);
    await gateway();
    await gateway();
    expect((await errorOf(gateway())).name).toBe('RequestLimitExceeded');
    expect((await control(endpoint, 'ec2-throttle')).body.throttled).toEqual({ CreateVpcEndpoint: 4 });

    // The bucket names of GET, `<action>/unfiltered` included.
    await control(endpoint, 'ec2-throttle', { bucket: 'DescribeSecurityGroups/unfiltered', region: REGION });
    expect((await errorOf(ec2.send(new DescribeSecurityGroupsCommand({})))).name).toBe(
      'RequestLimitExceeded',
    );
    await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [net.vpcId] }] }));

    for (const [body, reason] of [
      [{ ...drain, tokens: 5 }, /tokens must be a number from 0 to the bucket's capacity \(4\)/],
      [{ ...drain, tokens: -1 }, /tokens must be a number/],
      [{ bucket: 'DescribeVpcs/unfiltered', region: REGION }, /DescribeVpcs has no unfiltered bucket/],
      [{ bucket: 'not an action', region: REGION }, /bucket must be an EC2 action/],
      [{ ...drain, account: 'mine' }, /account must be 12 digits/],
      [{ bucket: 'CreateVpcEndpoint' }, /takes \{"bucket"/],
      [{ ...drain, level: 0 }, /unknown keys \['level'\]/],
    ] as const) {
      const answer = await control(endpoint, 'ec2-throttle', body);
      expect(answer.status).toBe(400);
      expect(answer.body.error).toMatch(reason);
    }
  });

  it('is off by default: a burst of endpoint writes is never refused', async () => {
    for (let i = 0; i < 8; i++) {
      await ec2.send(
        new CreateVpcEndpointCommand({ VpcId: net.vpcId, ServiceName: S3, VpcEndpointType: 'Gateway' }),
      );
    }
  });
});

describe('ClientToken idempotency', () => {
  it('same token and parameters: the same endpoint, even after it was deleted; other parameters: IdempotentParameterMismatch', async () => {
    const first = (await createInterface({ ClientToken: 'token-1' })).VpcEndpoint!;
    const again = (await createInterface({ ClientToken: 'token-1' })).VpcEndpoint!;
    expect(again.VpcEndpointId).toBe(first.VpcEndpointId);
    const live = (await ec2.send(new DescribeVpcEndpointsCommand({}))).VpcEndpoints!;
    expect(live).toHaveLength(1);

    await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [first.VpcEndpointId!] }));
    const afterDelete = (await createInterface({ ClientToken: 'token-1' })).VpcEndpoint!;
    expect(afterDelete).toMatchObject({ VpcEndpointId: first.VpcEndpointId, State: 'deleted' });

    const mismatch = await errorOf(createInterface({ ClientToken: 'token-1', SubnetIds: [net.subnetA] }));
    expect(mismatch.name).toBe('IdempotentParameterMismatch');
  });

  it('the adapter re-creates an endpoint someone deleted although the plan’s token is the same', async () => {
    const writer = new Ec2WriterAdapter(ec2);
    const request = {
      vpcId: net.vpcId,
      serviceName: ECS,
      endpointType: 'Interface' as const,
      subnetIds: [net.subnetA],
      securityGroupIds: [net.groupId],
      routeTableIds: [],
      privateDnsEnabled: true,
      clientToken: 'eer-same-hour',
      tags: {},
    };
    const first = await writer.createVpcEndpoint(request);
    expect(await writer.createVpcEndpoint(request)).toBe(first);
    await ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [first] }));
    const second = await writer.createVpcEndpoint(request);
    expect(second).not.toBe(first);
    expect(await writer.createVpcEndpoint(request)).toBe(second); // the re-creation is idempotent too
    expect((await writer.describeVpcEndpoints(net.vpcId)).map((e) => e.endpointId)).toEqual([second]);
  });
});

describe('validation moto skips, with EC2’s error codes', () => {
  it('two subnets in one AZ: DuplicateSubnetsInSameZone', async () => {
    expect((await errorOf(createInterface({ SubnetIds: [net.subnetA, net.subnetA2] }))).name).toBe(
      'DuplicateSubnetsInSameZone',
    );
  });

  it('a subnet or a security group of another VPC: InvalidParameter', async () => {
    const subnet = await errorOf(createInterface({ SubnetIds: [net.subnetA, other.subnetB] }));
    expect(subnet).toMatchObject({ name: 'InvalidParameter', status: 400 });
    expect(subnet.message).toContain(other.subnetB);
    const group = await errorOf(createInterface({ SecurityGroupIds: [other.groupId] }));
    expect(group.name).toBe('InvalidParameter');
    expect(group.message).toContain(other.groupId);
  });

  it('an unknown service name: InvalidServiceName', async () => {
    expect(
      (await errorOf(createInterface({ ServiceName: `com.amazonaws.${REGION}.no-such-thing` }))).name,
    ).toBe('InvalidServiceName');
  });

  it('private DNS on a VPC without both DNS attributes: InvalidParameter; without private DNS it is allowed', async () => {
    const plain = await network(ec2, 30, false); // DNS hostnames off, as CreateVpc leaves it
    const request = {
      VpcId: plain.vpcId,
      SubnetIds: [plain.subnetA],
      SecurityGroupIds: [plain.groupId],
    };
    const refused = await errorOf(createInterface(request));
    expect(refused.name).toBe('InvalidParameter');
    expect(refused.message).toMatch(/enableDnsSupport and enableDnsHostnames/);
    const withoutDns = (await createInterface({ ...request, PrivateDnsEnabled: false })).VpcEndpoint!;
    const modify = await errorOf(
      ec2.send(
        new ModifyVpcEndpointCommand({ VpcEndpointId: withoutDns.VpcEndpointId, PrivateDnsEnabled: true }),
      ),
    );
    expect(modify.name).toBe('InvalidParameter');
  });

  it('private DNS whose name a private hosted zone associated with the VPC holds (or another endpoint’s private DNS): InvalidParameter', async () => {
    await createPrivateHostedZone(`ecs.${REGION}.amazonaws.com`, net.vpcId);
    const refused = await errorOf(createInterface());
    expect(refused.name).toBe('InvalidParameter');
    expect(refused.message).toContain(`conflicting DNS domain for ecs.${REGION}.amazonaws.com`);
    // Another VPC without that zone may.
    await createInterface({
      VpcId: other.vpcId,
      SubnetIds: [other.subnetA],
      SecurityGroupIds: [other.groupId],
    });
    // A second private-DNS endpoint for a service in one VPC conflicts with the first.
    await createInterface({ ServiceName: LOGS });
    expect((await errorOf(createInterface({ ServiceName: LOGS, SubnetIds: [net.subnetB] }))).name).toBe(
      'InvalidParameter',
    );
  });

  it('ModifyVpcEndpoint validates added subnets and groups the same way', async () => {
    const id = (await createInterface({ SubnetIds: [net.subnetA] })).VpcEndpoint!.VpcEndpointId!;
    const modify = (
      input: Omit<ConstructorParameters<typeof ModifyVpcEndpointCommand>[0], 'VpcEndpointId'>,
    ) => errorOf(ec2.send(new ModifyVpcEndpointCommand({ VpcEndpointId: id, ...input })));
    expect((await modify({ AddSubnetIds: [net.subnetA2] })).name).toBe('DuplicateSubnetsInSameZone');
    expect((await modify({ AddSubnetIds: [other.subnetB] })).name).toBe('InvalidParameter');
    expect((await modify({ AddSecurityGroupIds: [other.groupId] })).name).toBe('InvalidParameter');
    // Swapping the subnet of an AZ in one call is allowed.
    await ec2.send(
      new ModifyVpcEndpointCommand({
        VpcEndpointId: id,
        AddSubnetIds: [net.subnetA2],
        RemoveSubnetIds: [net.subnetA],
      }),
    );
    expect((await describe1(id)).SubnetIds).toEqual([net.subnetA2]);
  });
});

describe('ModifyVpcEndpoint', () => {
  it('honours PrivateDnsEnabled, ResetPolicy and adding/removing subnets and groups', async () => {
    const custom = JSON.stringify({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Principal: '*', Action: 'ecs:List*', Resource: '*' }],
    });
    const id = (
      await createInterface({ PrivateDnsEnabled: false, SubnetIds: [net.subnetA], PolicyDocument: custom })
    ).VpcEndpoint!.VpcEndpointId!;
    const extra = (
      await ec2.send(
        new CreateSecurityGroupCommand({ VpcId: net.vpcId, GroupName: 'extra', Description: 'x' }),
      )
    ).GroupId!;
    await ec2.send(
      new ModifyVpcEndpointCommand({
        VpcEndpointId: id,
        PrivateDnsEnabled: true,
        ResetPolicy: true,
        AddSubnetIds: [net.subnetB],
        AddSecurityGroupIds: [extra],
        RemoveSecurityGroupIds: [net.groupId],
      }),
    );
    const after = await describe1(id);
    expect(after.PrivateDnsEnabled).toBe(true);
    expect(JSON.parse(after.PolicyDocument!)).toMatchObject({ Statement: [{ Action: '*', Resource: '*' }] });
    expect([...after.SubnetIds!].sort()).toEqual([net.subnetA, net.subnetB].sort());
    expect(after.NetworkInterfaceIds).toHaveLength(2);
    expect(after.Groups!.map((g) => g.GroupId)).toEqual([extra]);

    await ec2.send(
      new ModifyVpcEndpointCommand({
        VpcEndpointId: id,
        PrivateDnsEnabled: false,
        RemoveSubnetIds: [net.subnetA],
      }),
    );
    const removed = await describe1(id);
    expect(removed.PrivateDnsEnabled).toBe(false);
    expect(removed.SubnetIds).toEqual([net.subnetB]);
    expect(removed.NetworkInterfaceIds).toHaveLength(1);
  });
});

describe('DescribeVpcEndpoints and DescribeVpcEndpointServices', () => {
  it('honours the vpc-endpoint-id filter and VpcEndpointIds', async () => {
    const a = (await createInterface({ SubnetIds: [net.subnetA] })).VpcEndpoint!.VpcEndpointId!;
    const b = (await createInterface({ ServiceName: LOGS, SubnetIds: [net.subnetA] })).VpcEndpoint!
      .VpcEndpointId!;
    const byFilter = await ec2.send(
      new DescribeVpcEndpointsCommand({
        Filters: [{ Name: 'vpc-endpoint-id', Values: [b, 'vpce-0000000000'] }],
      }),
    );
    expect(byFilter.VpcEndpoints!.map((e) => e.VpcEndpointId)).toEqual([b]);
    const byIds = await ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: [a] }));
    expect(byIds.VpcEndpoints!.map((e) => e.VpcEndpointId)).toEqual([a]);
    expect(
      (await errorOf(ec2.send(new DescribeVpcEndpointsCommand({ VpcEndpointIds: ['vpce-0000000000'] }))))
        .name,
    ).toBe('InvalidVpcEndpointId.NotFound');
  });

  it('paginates with MaxResults and NextToken; a bad token is InvalidNextToken', async () => {
    const ids = [];
    for (let i = 0; i < 5; i++) {
      ids.push(
        (
          await ec2.send(
            new CreateVpcEndpointCommand({ VpcId: net.vpcId, ServiceName: S3, VpcEndpointType: 'Gateway' }),
          )
        ).VpcEndpoint!.VpcEndpointId!,
      );
    }
    const seen: string[] = [];
    const sizes: number[] = [];
    let token: string | undefined;
    do {
      const page = await ec2.send(new DescribeVpcEndpointsCommand({ MaxResults: 2, NextToken: token }));
      sizes.push(page.VpcEndpoints!.length);
      seen.push(...page.VpcEndpoints!.map((e) => e.VpcEndpointId!));
      token = page.NextToken;
    } while (token);
    expect(sizes).toEqual([2, 2, 1]);
    expect(seen).toEqual(ids);
    const all = await ec2.send(new DescribeVpcEndpointsCommand({ MaxResults: 5000 }));
    expect(all.VpcEndpoints).toHaveLength(5);
    expect(all.NextToken).toBeUndefined();
    expect((await errorOf(ec2.send(new DescribeVpcEndpointsCommand({ NextToken: 'garbage!' })))).name).toBe(
      'InvalidNextToken',
    );
  });

  it('DescribeVpcEndpointServices honours the service-name filter', async () => {
    const { ServiceDetails = [] } = await ec2.send(
      new DescribeVpcEndpointServicesCommand({ Filters: [{ Name: 'service-name', Values: [ECS, LOGS] }] }),
    );
    expect(ServiceDetails.map((d) => d.ServiceName).sort()).toEqual([ECS, LOGS].sort());
  });
});

describe('runtime settings (/_emulator/ec2)', () => {
  it('shows the settings, refuses bad values with the reason, and /moto-api/reset restores the defaults', async () => {
    const defaults = (await control(endpoint, 'ec2')).body;
    expect(defaults).toEqual({
      endpointPendingSeconds: 0,
      endpointPendingJitterSeconds: 0,
      throttle: 'off',
      throttleSpeed: 1,
    });
    const bad = [
      [{ endpointPendingSeconds: -1 }, /endpointPendingSeconds must be a number >= 0/],
      [{ endpointPendingSeconds: '5' }, /endpointPendingSeconds must be a number/],
      [{ throttle: 'sometimes' }, /throttle must be one of off, aws/],
      [{ throttleSpeed: 0 }, /throttleSpeed must be a number > 0/],
      [{ pendingSeconds: 1 }, /unknown setting\(s\) pendingSeconds/],
      [[], /takes a JSON object/],
    ] as const;
    for (const [body, reason] of bad) {
      const answer = await control(endpoint, 'ec2', body);
      expect(answer.status).toBe(400);
      expect(String(answer.body.error)).toMatch(reason);
    }
    // A refused change changes nothing, not even its valid part.
    expect((await control(endpoint, 'ec2', { endpointPendingSeconds: 3, throttle: 'bogus' })).status).toBe(
      400,
    );
    expect((await control(endpoint, 'ec2')).body).toEqual(defaults);

    const changed = await control(endpoint, 'ec2', {
      endpointPendingSeconds: 2,
      throttle: 'aws',
      throttleSpeed: 10,
    });
    expect(changed).toEqual({
      status: 200,
      body: {
        endpointPendingSeconds: 2,
        endpointPendingJitterSeconds: 0,
        throttle: 'aws',
        throttleSpeed: 10,
      },
    });
    await resetEmulator();
    expect((await control(endpoint, 'ec2')).body).toEqual(defaults);
  });
});

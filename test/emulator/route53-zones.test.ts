/**
 * The emulator's Route 53 private zones across accounts (emulator/route53_zones.py): a VPC must be
 * the caller's to be associated (InvalidVPCId otherwise), and ListHostedZonesByVPC lists every
 * account's zones associated with the VPC in that Region, each with its owner.
 */
import { CreateVpcCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  AssociateVPCWithHostedZoneCommand,
  CreateHostedZoneCommand,
  ListHostedZonesByVPCCommand,
  Route53Client,
  type VPCRegion,
} from '@aws-sdk/client-route-53';
import { STSClient } from '@aws-sdk/client-sts';
import { assumedRoleCredentials } from '../../shared/aws/assumed-role-credentials.js';
import { associateZoneAcrossAccounts, createRoleInAccount, resetEmulator } from '../support/emulator.js';

const CALLER = '123456789012';
const MEMBER = '111111111111';
const REGION = 'us-east-1';

let endpoint: string;
let route53: Route53Client;
let ec2: EC2Client;
let memberRoute53: Route53Client;
let memberEc2: EC2Client;

beforeEach(async () => {
  endpoint = await resetEmulator();
  const base = { endpoint, region: REGION, maxAttempts: 1 };
  const caller = { ...base, credentials: { accessKeyId: 'test', secretAccessKey: 'test' } };
  route53 = new Route53Client(caller);
  ec2 = new EC2Client(caller);
  await createRoleInAccount(endpoint, MEMBER, 'member');
  const credentials = assumedRoleCredentials(
    new STSClient(caller),
    `arn:aws:iam::${MEMBER}:role/member`,
    'test',
  );
  memberRoute53 = new Route53Client({ ...base, credentials });
  memberEc2 = new EC2Client({ ...base, credentials });
});

const vpcIn = async (client: EC2Client, cidr: string) =>
  (await client.send(new CreateVpcCommand({ CidrBlock: cidr }))).Vpc!.VpcId!;

const privateZone = (client: Route53Client, name: string, vpcId: string, vpcRegion = REGION) =>
  client.send(
    new CreateHostedZoneCommand({
      Name: name,
      CallerReference: `${name}-${vpcId}`,
      HostedZoneConfig: { PrivateZone: true },
      VPC: { VPCId: vpcId, VPCRegion: vpcRegion as VPCRegion },
    }),
  );

describe('Route 53 private zones on the emulator', () => {
  it('refuses a VPC the caller does not have, in CreateHostedZone and AssociateVPCWithHostedZone', async () => {
    const memberVpc = await vpcIn(memberEc2, '10.2.0.0/16');
    const own = await vpcIn(ec2, '10.1.0.0/16');
    await expect(privateZone(route53, 'ecs.us-east-1.amazonaws.com', memberVpc)).rejects.toMatchObject({
      name: 'InvalidVPCId',
    });
    await expect(privateZone(route53, 'ecs.us-east-1.amazonaws.com', own, 'us-west-2')).rejects.toMatchObject(
      {
        name: 'InvalidVPCId',
      },
    );
    const { HostedZone } = await privateZone(route53, 'ecs.us-east-1.amazonaws.com', own);
    await expect(
      route53.send(
        new AssociateVPCWithHostedZoneCommand({
          HostedZoneId: HostedZone!.Id!,
          VPC: { VPCId: memberVpc, VPCRegion: REGION },
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidVPCId' });
  });

  it("lists another account's zone associated with the VPC, with its owner, in that Region only", async () => {
    const hubVpc = await vpcIn(ec2, '10.1.0.0/16');
    const memberVpc = await vpcIn(memberEc2, '10.2.0.0/16');
    const { HostedZone } = await privateZone(route53, 'ecs.us-east-1.amazonaws.com', hubVpc);
    const zoneId = HostedZone!.Id!.replace('/hostedzone/', '');
    await associateZoneAcrossAccounts(endpoint, {
      zoneOwnerAccountId: CALLER,
      zoneId,
      vpcId: memberVpc,
      vpcRegion: REGION,
    });
    const listed = await memberRoute53.send(
      new ListHostedZonesByVPCCommand({ VPCId: memberVpc, VPCRegion: REGION }),
    );
    expect(listed.HostedZoneSummaries).toEqual([
      { HostedZoneId: zoneId, Name: 'ecs.us-east-1.amazonaws.com.', Owner: { OwningAccount: CALLER } },
    ]);
    expect(Number(listed.MaxItems)).toBe(100);
    const elsewhere = await memberRoute53.send(
      new ListHostedZonesByVPCCommand({ VPCId: memberVpc, VPCRegion: 'us-west-2' }),
    );
    expect(elsewhere.HostedZoneSummaries ?? []).toEqual([]);
  });

  it('refuses a VPC already associated with a zone of the same name (ConflictingDomainExists)', async () => {
    const hubVpc = await vpcIn(ec2, '10.1.0.0/16');
    const spokeVpc = await vpcIn(ec2, '10.2.0.0/16');
    const { HostedZone } = await privateZone(route53, 'ecs.us-east-1.amazonaws.com', hubVpc);
    const associate = () =>
      route53.send(
        new AssociateVPCWithHostedZoneCommand({
          HostedZoneId: HostedZone!.Id!,
          VPC: { VPCId: spokeVpc, VPCRegion: REGION },
        }),
      );
    await associate();
    await expect(associate()).rejects.toMatchObject({ name: 'ConflictingDomainExists' });
    await expect(privateZone(route53, 'ecs.us-east-1.amazonaws.com', spokeVpc)).rejects.toMatchObject({
      name: 'ConflictingDomainExists',
    });
  });

  it('refuses, through the control, a VPC no account has', async () => {
    const hubVpc = await vpcIn(ec2, '10.1.0.0/16');
    const { HostedZone } = await privateZone(route53, 'ecs.us-east-1.amazonaws.com', hubVpc);
    await expect(
      associateZoneAcrossAccounts(endpoint, {
        zoneOwnerAccountId: CALLER,
        zoneId: HostedZone!.Id!,
        vpcId: 'vpc-0000000000000dead',
        vpcRegion: REGION,
      }),
    ).rejects.toThrow(/no account has VPC vpc-0000000000000dead/);
  });
});

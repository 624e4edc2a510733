/**
 * Centralised endpoints on the emulator (issue #13 §1): a hub VPC serves the spoke's ECS and SSM
 * endpoints through Route 53 private hosted zones; `plan` reads the zones (Route 53) and forwarding
 * rules (Route 53 Resolver) and reports each broken link instead of planning local endpoints.
 */
import { DeleteRouteCommand, DeleteVpcEndpointsCommand, CreateVpcCommand } from '@aws-sdk/client-ec2';
import { AssociateResolverRuleCommand, CreateResolverRuleCommand } from '@aws-sdk/client-route53resolver';
import {
  DisassociateVPCFromHostedZoneCommand,
  ListHostedZonesByVPCCommand,
  type VPCRegion,
} from '@aws-sdk/client-route-53';
import { MODE_TAG_KEY } from '../../scripts/seed/demo-account.js';
import { STSClient } from '@aws-sdk/client-sts';
import { createAwsClients, type AwsClients } from '../../shared/aws/clients.js';
import { assumedRoleCredentials } from '../../shared/aws/assumed-role-credentials.js';
import {
  HUB_CIDR,
  HUB_SERVICES,
  seedHubAndSpoke,
  type HubAndSpoke,
} from '../../scripts/seed/hub-and-spoke.js';
import {
  launchContainerInstance,
  createCluster,
  createPrivateSubnets,
  createGatewayEndpoint,
  availabilityZones,
} from '../../scripts/seed/builders.js';
import { runCli } from '../support/cli-run.js';
import { associateZoneAcrossAccounts, createRoleInAccount, resetEmulator } from '../support/emulator.js';

const REGION = 'us-east-1';

interface PlanJson {
  vpcs: {
    vpcId: string;
    findings: { code: string; service?: string; resourceId?: string; message: string }[];
    actions: { kind: string; service?: string }[];
    estimatedMonthlyCostUsd: number;
  }[];
  warnings: string[];
}

let endpoint: string;
let clients: AwsClients;
let world: HubAndSpoke;

async function planSpoke(vpcId = world.spokeVpcId, extra: string[] = []) {
  const run = await runCli([
    'plan',
    '--json',
    '--region',
    REGION,
    '--endpoint-url',
    endpoint,
    '--vpc',
    vpcId,
    ...extra,
  ]);
  const doc = JSON.parse(run.stdout) as PlanJson;
  const vpc = doc.vpcs.find((v) => v.vpcId === vpcId);
  if (!vpc) throw new Error(`no plan for ${vpcId}: ${run.stdout} ${run.stderr}`);
  return {
    code: run.code,
    stderr: run.stderr,
    warnings: doc.warnings,
    codes: vpc.findings.map((f) => `${f.code}:${f.service ?? 'vpc'}`).sort(),
    creates: vpc.actions.filter((a) => a.kind === 'CreateVpcEndpoint').map((a) => a.service ?? '?'),
    cost: vpc.estimatedMonthlyCostUsd,
    findings: vpc.findings,
  };
}

beforeEach(async () => {
  endpoint = await resetEmulator();
  clients = createAwsClients({ region: REGION, endpointUrl: endpoint, ec2Pacing: 'off' });
  world = await seedHubAndSpoke({ ...clients, route53: clients.route53! });
}, 120_000);

const centralCodes = (codes: string[]) =>
  codes.filter((c) => /^(CENTRAL|DNS_FORWARDED|MISSING_ENDPOINT)/.test(c));

describe('apply with centralised endpoints (emulator)', () => {
  it('enforce: associates the spoke with the hub zone it lacks, once, and the next plan is clean of it', async () => {
    endpoint = await resetEmulator();
    clients = createAwsClients({ region: REGION, endpointUrl: endpoint, ec2Pacing: 'off' });
    world = await seedHubAndSpoke(
      { ...clients, route53: clients.route53! },
      { spokeTags: { [MODE_TAG_KEY]: 'enforce' }, unassociated: ['ecs-agent'], spokeSsmManaged: false },
    );
    const args = ['--region', REGION, '--endpoint-url', endpoint, '--vpc', world.spokeVpcId];
    const applied = await runCli(['apply', '--json', '--yes', ...args]);
    const report = JSON.parse(applied.stdout) as {
      outcomes: { kind: string; status: string; resourceId?: string; detail?: string }[];
    };
    const associations = report.outcomes.filter((o) => o.kind === 'AssociateVpcWithHostedZone');
    expect(associations).toEqual([
      expect.objectContaining({ status: 'applied', resourceId: world.zoneIds['ecs-agent'] }),
    ]);
    expect(report.outcomes.filter((o) => o.kind === 'CreateVpcEndpoint')).toEqual([]);
    const { HostedZoneSummaries = [] } = await clients.route53!.send(
      new ListHostedZonesByVPCCommand({ VPCId: world.spokeVpcId, VPCRegion: REGION as VPCRegion }),
    );
    expect(HostedZoneSummaries.map((z) => z.HostedZoneId).sort()).toEqual(
      Object.values(world.zoneIds).sort(),
    );
    const after = await planSpoke();
    expect(centralCodes(after.codes)).toEqual([]);
    const again = JSON.parse((await runCli(['apply', '--json', '--yes', ...args])).stdout) as typeof report;
    expect(again.outcomes.filter((o) => o.kind === 'AssociateVpcWithHostedZone')).toEqual([]);
  }, 120_000);
});

describe('plan with centralised endpoints (emulator)', () => {
  it('a spoke fully served by the hub: no local endpoint planned, no central finding, no cost', async () => {
    // Scoped to the spoke, the hub is read as context (the endpoints its zones alias); whole-Region alike.
    const whole = await runCli(['plan', '--json', '--region', REGION, '--endpoint-url', endpoint]);
    const spokeInWhole = (JSON.parse(whole.stdout) as PlanJson).vpcs.find(
      (v) => v.vpcId === world.spokeVpcId,
    );
    expect(
      centralCodes((spokeInWhole?.findings ?? []).map((f) => `${f.code}:${f.service ?? 'vpc'}`)),
    ).toEqual([]);
    expect(spokeInWhole?.actions.filter((a) => a.kind === 'CreateVpcEndpoint')).toEqual([]);
    const plan = await planSpoke();
    expect({
      central: centralCodes(plan.codes),
      creates: plan.creates,
      cost: plan.cost,
      warnings: plan.warnings,
    }).toEqual({
      central: [],
      creates: [],
      cost: 0,
      warnings: [],
    });
  }, 60_000);

  it("a zone not associated with the spoke: CENTRAL_ZONE_NOT_ASSOCIATED, and that service's endpoint is not created", async () => {
    await clients.route53!.send(
      new DisassociateVPCFromHostedZoneCommand({
        HostedZoneId: world.zoneIds['ecs-agent'],
        VPC: { VPCId: world.spokeVpcId, VPCRegion: REGION as VPCRegion },
      }),
    );
    const plan = await planSpoke();
    expect({ central: centralCodes(plan.codes), creates: plan.creates }).toEqual({
      central: ['CENTRAL_ZONE_NOT_ASSOCIATED:ecs-agent'],
      creates: [],
    });
    expect(plan.findings.find((f) => f.code === 'CENTRAL_ZONE_NOT_ASSOCIATED')?.resourceId).toBe(
      world.zoneIds['ecs-agent'],
    );
  }, 60_000);

  it('a record aliasing a deleted hub endpoint: CENTRAL_ZONE_RECORD_BROKEN, no local endpoint', async () => {
    await clients.ec2.send(new DeleteVpcEndpointsCommand({ VpcEndpointIds: [world.endpointIds['ecs']!] }));
    const plan = await planSpoke();
    expect({ central: centralCodes(plan.codes), creates: plan.creates }).toEqual({
      central: ['CENTRAL_ZONE_RECORD_BROKEN:ecs'],
      creates: [],
    });
  }, 60_000);

  it('a spoke without a route to the hub: CENTRAL_ENDPOINT_NO_ROUTE for every hub service', async () => {
    for (const routeTableId of world.spokeRouteTableIds) {
      await clients.ec2.send(
        new DeleteRouteCommand({ RouteTableId: routeTableId, DestinationCidrBlock: HUB_CIDR }),
      );
    }
    const plan = await planSpoke();
    expect(centralCodes(plan.codes)).toEqual(
      HUB_SERVICES.map((s) => `CENTRAL_ENDPOINT_NO_ROUTE:${s}`).sort(),
    );
    expect(plan.creates).toEqual([]);
  }, 60_000);

  it('a forwarding rule for amazonaws.com: DNS_FORWARDED_BY_RESOLVER_RULE, which wins over the zones', async () => {
    const resolver = clients.resolver!;
    const { ResolverRule } = await resolver.send(
      new CreateResolverRuleCommand({
        CreatorRequestId: 'forward-aws',
        Name: 'forward-aws',
        RuleType: 'FORWARD',
        DomainName: 'amazonaws.com',
        TargetIps: [{ Ip: '10.9.0.2', Port: 53 }],
      }),
    );
    await resolver.send(
      new AssociateResolverRuleCommand({
        ResolverRuleId: ResolverRule!.Id!,
        VPCId: world.spokeVpcId,
        Name: 'spoke',
      }),
    );
    const plan = await planSpoke();
    const central = centralCodes(plan.codes);
    expect(central.length).toBeGreaterThan(0);
    expect(central.every((c) => c.startsWith('DNS_FORWARDED_BY_RESOLVER_RULE:'))).toBe(true);
    expect(central).toEqual(
      expect.arrayContaining(HUB_SERVICES.map((s) => `DNS_FORWARDED_BY_RESOLVER_RULE:${s}`)),
    );
    expect(plan.creates).toEqual([]);
  }, 60_000);

  it("a spoke in another account associated with the hub's zones: CENTRAL_ZONE_OTHER_ACCOUNT, no local endpoint", async () => {
    const MEMBER = '111111111111';
    await createRoleInAccount(endpoint, MEMBER, 'remediator');
    const credentials = assumedRoleCredentials(
      new STSClient({
        region: REGION,
        endpoint,
        credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
      }),
      `arn:aws:iam::${MEMBER}:role/remediator`,
      'seed',
    );
    const member = createAwsClients({ region: REGION, endpointUrl: endpoint, credentials, ec2Pacing: 'off' });
    const memberVpc = (await member.ec2.send(new CreateVpcCommand({ CidrBlock: '10.3.0.0/16' }))).Vpc!.VpcId!;
    const subnets = await createPrivateSubnets(member.ec2, {
      vpcId: memberVpc,
      cidrs: ['10.3.1.0/24'],
      availabilityZones: availabilityZones(REGION, 1),
      namePrefix: 'member',
    });
    await createGatewayEndpoint(member.ec2, {
      region: REGION,
      vpcId: memberVpc,
      service: 's3',
      routeTableIds: subnets.flatMap((s) => (s.routeTableId ? [s.routeTableId] : [])),
    });
    const clusterArn = await createCluster(member.ecs, 'member-cluster');
    await launchContainerInstance(member, {
      clusterArn,
      subnet: subnets[0]!,
      name: 'member-ecs',
      ssmManaged: true,
    });
    for (const zoneId of Object.values(world.zoneIds)) {
      await associateZoneAcrossAccounts(endpoint, {
        zoneOwnerAccountId: '123456789012',
        zoneId,
        vpcId: memberVpc,
        vpcRegion: REGION,
      });
    }
    // Through the role, one pair: the member's plan.
    const run = await runCli([
      'plan',
      '--json',
      '--region',
      REGION,
      '--endpoint-url',
      endpoint,
      '--accounts',
      MEMBER,
      '--role-name',
      'remediator',
      '--vpc',
      memberVpc,
    ]);
    const doc = JSON.parse(run.stdout) as {
      vpcs: { vpcId: string; findings: { code: string; service?: string }[]; actions: { kind: string }[] }[];
    };
    const vpc = doc.vpcs.find((v) => v.vpcId === memberVpc)!;
    const codes = vpc.findings.map((f) => `${f.code}:${f.service ?? 'vpc'}`);
    expect(centralCodes(codes).sort()).toEqual(
      HUB_SERVICES.map((s) => `CENTRAL_ZONE_OTHER_ACCOUNT:${s}`).sort(),
    );
    expect(vpc.actions.filter((a) => a.kind === 'CreateVpcEndpoint')).toEqual([]);

    // Both accounts in one run: the hub account's zones and VPC are lent to the member's view, so the
    // links are checked: the member has no route to the hub, and the hub's group admits only
    // 10.1.0.0/16 and 10.2.0.0/16, not the member's 10.3.0.0/16.
    const both = await runCli([
      'plan',
      '--json',
      '--region',
      REGION,
      '--endpoint-url',
      endpoint,
      '--accounts',
      `123456789012,${MEMBER}`,
      '--role-name',
      'remediator',
    ]);
    const bothDoc = JSON.parse(both.stdout) as {
      vpcs: {
        accountId: string;
        vpcId: string;
        findings: { code: string; service?: string }[];
        actions: { kind: string }[];
      }[];
    };
    const memberInBoth = bothDoc.vpcs.find((v) => v.accountId === MEMBER && v.vpcId === memberVpc)!;
    const checked = centralCodes(memberInBoth.findings.map((f) => `${f.code}:${f.service ?? 'vpc'}`)).sort();
    expect(checked).toEqual(
      HUB_SERVICES.flatMap((s) => [
        `CENTRAL_ENDPOINT_NO_ROUTE:${s}`,
        `CENTRAL_ENDPOINT_SG_BLOCKS_HTTPS:${s}`,
      ]).sort(),
    );
    expect(memberInBoth.actions.filter((a) => a.kind === 'CreateVpcEndpoint')).toEqual([]);
  }, 90_000);
});

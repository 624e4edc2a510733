/**
 * Network ACLs between the workload subnets and the endpoint subnets are reported, never changed.
 * Both directions matter because ACLs are stateless (AWS VPC User Guide, "Control subnet traffic with
 * network access control lists"): 443 in and ephemeral ports out on the endpoint side, the reverse
 * on the client side.
 */
import { CORE_DEFAULTS as defaultConfig } from '../../support/core-config.js';
import { deriveDesired } from '../../../shared/core/desired.js';
import type {
  NaclEntry,
  ObservedNetworkAcl,
  ObservedSubnet,
  ObservedVpc,
  VpcPlan,
} from '../../../shared/core/domain.js';
import { plan } from '../../../shared/core/plan.js';
import { healthyVpc, region } from '../../support/fixtures.js';

const base = healthyVpc();
const planOne = (vpc: ObservedVpc): VpcPlan => {
  const observed = region([vpc]);
  return plan(deriveDesired(observed, defaultConfig).vpcs, observed, {
    securityGroupName: defaultConfig.endpointSecurityGroupName,
    managedTagKey: defaultConfig.managedTagKey,
  }).vpcs[0]!;
};
const allow = (egress: boolean): NaclEntry => ({
  ruleNumber: 100,
  egress,
  protocol: '-1',
  action: 'allow',
  cidrBlock: '0.0.0.0/0',
});
const deny = (egress: boolean, portFrom: number, portTo: number, cidrBlock = '0.0.0.0/0'): NaclEntry => ({
  ruleNumber: 50,
  egress,
  protocol: '6',
  action: 'deny',
  cidrBlock,
  portFrom,
  portTo,
});
const acl = (naclId: string, entries: NaclEntry[]): ObservedNetworkAcl => ({
  naclId,
  isDefault: false,
  subnetIds: [],
  entries,
});

/** Workloads in subnet-1w (acl-w); endpoints in the three private subnets (acl-1). */
function vpcWith(endpointAcl: NaclEntry[], clientAcl: NaclEntry[]): ObservedVpc {
  const client: ObservedSubnet = {
    ...base.subnets[0]!,
    subnetId: 'subnet-1w',
    cidrBlock: '10.1.50.0/24',
    networkAclId: 'acl-w',
  };
  return {
    ...base,
    subnets: [...base.subnets, client],
    networkAcls: [acl('acl-1', endpointAcl), acl('acl-w', clientAcl)],
    workloads: { ...base.workloads, subnetIds: ['subnet-1w'] },
    // The dedicated group allows the VPC CIDR: no other finding.
  };
}
const open = [allow(false), allow(true)];

describe('NACL_BLOCKS_HTTPS', () => {
  it.each<[string, NaclEntry[], NaclEntry[], string[]]>([
    ['both open', open, open, []],
    [
      'endpoint side denies 443 in',
      [deny(false, 443, 443), ...open],
      open,
      [
        'network ACL acl-1 blocks inbound 443 from 10.1.50.0/24 to subnet-1p0; inbound 443 from 10.1.50.0/24 to subnet-1p1; inbound 443 from 10.1.50.0/24 to subnet-1p2',
      ],
    ],
    [
      'endpoint side denies ephemeral ports out',
      [deny(true, 1024, 65535), ...open],
      open,
      [
        'network ACL acl-1 blocks outbound ephemeral ports to 10.1.50.0/24 from subnet-1p0; outbound ephemeral ports to 10.1.50.0/24 from subnet-1p1; outbound ephemeral ports to 10.1.50.0/24 from subnet-1p2',
      ],
    ],
    [
      'endpoint side denies only the top ephemeral port out',
      [deny(true, 65535, 65535), ...open],
      open,
      [
        'network ACL acl-1 blocks outbound ephemeral ports to 10.1.50.0/24 from subnet-1p0; outbound ephemeral ports to 10.1.50.0/24 from subnet-1p1; outbound ephemeral ports to 10.1.50.0/24 from subnet-1p2',
      ],
    ],
    [
      'client side denies 443 out to one endpoint subnet',
      open,
      [deny(true, 443, 443, '10.1.1.0/24'), ...open],
      ['network ACL acl-w blocks outbound 443 from subnet-1w to 10.1.1.0/24'],
    ],
    [
      'client side denies ephemeral ports in',
      open,
      [deny(false, 1024, 1024), ...open],
      [
        'network ACL acl-w blocks inbound ephemeral ports to subnet-1w from 10.1.0.0/24; inbound ephemeral ports to subnet-1w from 10.1.1.0/24; inbound ephemeral ports to subnet-1w from 10.1.2.0/24',
      ],
    ],
    [
      'both directions on both sides: three shown, the rest counted',
      [deny(false, 443, 443), deny(true, 1024, 65535), ...open],
      open,
      [
        'network ACL acl-1 blocks inbound 443 from 10.1.50.0/24 to subnet-1p0; outbound ephemeral ports to 10.1.50.0/24 from subnet-1p0; inbound 443 from 10.1.50.0/24 to subnet-1p1 (+3 more)',
      ],
    ],
  ])('%s', (_name, endpointAcl, clientAcl, messages) => {
    const p = planOne(vpcWith(endpointAcl, clientAcl));
    const found = p.findings.filter((f) => f.code === 'NACL_BLOCKS_HTTPS');
    expect({
      messages: found.map((f) => f.message),
      others: p.findings.length - found.length,
      actions: p.actions,
    }).toEqual({
      messages,
      others: 0,
      actions: [],
    });
    for (const f of found)
      expect(f).toMatchObject({
        vpcId: 'vpc-1',
        severity: 'critical',
        resourceId: f.message.split(' ')[2],
        advice:
          'Allow TCP 443 into the endpoint subnets and ephemeral ports 1024-65535 back; the tool never edits network ACLs',
      });
  });

  it('a client in an endpoint subnet is not checked against its own ACL, and a subnet without an ACL is skipped', () => {
    const vpc: ObservedVpc = {
      ...base,
      networkAcls: [acl('acl-1', [deny(true, 443, 443), allow(false), allow(true)])],
      workloads: { ...base.workloads, subnetIds: ['subnet-1p0'] },
    };
    // Workloads in subnet-1p0 reach the endpoint in subnet-1p0 without crossing an ACL, but the
    // other two endpoint subnets are behind acl-1's outbound deny.
    expect(planOne(vpc).findings.map((f) => f.message)).toEqual([
      'network ACL acl-1 blocks outbound 443 from subnet-1p0 to 10.1.1.0/24; outbound 443 from subnet-1p0 to 10.1.2.0/24',
    ]);
    const noAcl: ObservedVpc = {
      ...vpc,
      subnets: base.subnets.map((s) => ({ ...s, networkAclId: undefined })),
    };
    expect(planOne(noAcl).findings).toEqual([]);
    const unknownAcl: ObservedVpc = {
      ...vpc,
      subnets: base.subnets.map((s) => ({ ...s, networkAclId: 'acl-nope' })),
    };
    expect(planOne(unknownAcl).findings).toEqual([]);
  });

  it('checks the subnets of endpoints that will be created too', () => {
    const vpc = { ...vpcWith([deny(false, 443, 443), ...open], open), endpoints: [] };
    expect(planOne(vpc).findings.filter((f) => f.code === 'NACL_BLOCKS_HTTPS')).toHaveLength(1);
  });
});

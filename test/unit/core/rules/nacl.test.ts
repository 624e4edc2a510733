/**
 * The NACL rule alone: between each workload subnet and each endpoint subnet, the endpoint side
 * must allow 443 in and ephemeral ports out, the client side 443 out and ephemeral ports in
 * (network ACLs are stateless). One finding per ACL, never a write.
 */
import type { NaclEntry, ObservedNetworkAcl, ObservedSubnet } from '../../../../shared/core/domain.js';
import { naclRule } from '../../../../shared/core/rules/nacl.js';
import { AZS } from '../../../support/fixtures.js';
import { HEALTHY, endpointsWith, only, viewOf, type ViewTweak } from '../../../support/rule-view.js';

const [A, B] = HEALTHY.subnets as [ObservedSubnet, ObservedSubnet];
const ALLOW: NaclEntry[] = [
  {
    ruleNumber: 100,
    egress: false,
    protocol: '-1',
    action: 'allow',
    cidrBlock: '0.0.0.0/0',
  },
  {
    ruleNumber: 100,
    egress: true,
    protocol: '-1',
    action: 'allow',
    cidrBlock: '0.0.0.0/0',
  },
];
const deny = (egress: boolean, portFrom: number, portTo = portFrom): NaclEntry => ({
  ruleNumber: 50,
  egress,
  protocol: '6',
  action: 'deny',
  cidrBlock: '0.0.0.0/0',
  portFrom,
  portTo,
});
const IN_443 = deny(false, 443);
const OUT_443 = deny(true, 443);
const IN_EPHEMERAL = deny(false, 1024, 65535);
const OUT_EPHEMERAL = deny(true, 1024, 65535);
const acl = (naclId: string, subnetIds: string[], denies: NaclEntry[]): ObservedNetworkAcl => ({
  naclId,
  isDefault: false,
  subnetIds,
  entries: [...denies, ...ALLOW],
});

/**
 * The ecs endpoint in subnet A only (acl-e), the workloads in subnet B (acl-c), unless a row says
 * otherwise.
 */
function setup(o: {
  endpointDenies?: NaclEntry[];
  clientDenies?: NaclEntry[];
  workloads?: string[];
  subnets?: ObservedSubnet[];
  sameAcl?: boolean;
}): ViewTweak {
  const clientAcl = o.sameAcl ? 'acl-e' : 'acl-c';
  return {
    desired: { ...only('ecs'), requiredAzs: [AZS[0]] },
    vpc: {
      subnets: o.subnets ?? [
        { ...A, networkAclId: 'acl-e' },
        { ...B, networkAclId: clientAcl },
      ],
      networkAcls: [
        acl(
          'acl-e',
          [A.subnetId],
          [...(o.endpointDenies ?? []), ...(o.sameAcl ? (o.clientDenies ?? []) : [])],
        ),
        acl('acl-c', [B.subnetId], o.clientDenies ?? []),
      ],
      endpoints: endpointsWith({ service: 'ecs', subnetIds: [A.subnetId] }),
      workloads: {
        ...HEALTHY.workloads,
        subnetIds: o.workloads ?? [B.subnetId],
      },
    },
  };
}
const messages = (tweak: ViewTweak) =>
  naclRule(viewOf(tweak)).findings.map((f) => `${f.resourceId}: ${f.message}`);

describe('nacl rule', () => {
  it.each<[string, ViewTweak, string[]]>([
    ['healthy VPC: nothing', {}, []],
    ['allow-all ACLs: nothing', setup({}), []],
    [
      'endpoint ACL denies 443 in',
      setup({ endpointDenies: [IN_443] }),
      ['acl-e: network ACL acl-e blocks inbound 443 from 10.1.1.0/24 to subnet-1p0'],
    ],
    [
      'endpoint ACL denies ephemeral ports out',
      setup({ endpointDenies: [OUT_EPHEMERAL] }),
      ['acl-e: network ACL acl-e blocks outbound ephemeral ports to 10.1.1.0/24 from subnet-1p0'],
    ],
    [
      'client ACL denies 443 out',
      setup({ clientDenies: [OUT_443] }),
      ['acl-c: network ACL acl-c blocks outbound 443 from subnet-1p1 to 10.1.0.0/24'],
    ],
    [
      'client ACL denies ephemeral ports in',
      setup({ clientDenies: [IN_EPHEMERAL] }),
      ['acl-c: network ACL acl-c blocks inbound ephemeral ports to subnet-1p1 from 10.1.0.0/24'],
    ],
    [
      'only the highest ephemeral port denied: still blocked',
      setup({ clientDenies: [deny(false, 65535)] }),
      ['acl-c: network ACL acl-c blocks inbound ephemeral ports to subnet-1p1 from 10.1.0.0/24'],
    ],
    [
      'both ACLs block: one finding each, endpoint side first',
      setup({ endpointDenies: [IN_443], clientDenies: [OUT_443] }),
      [
        'acl-e: network ACL acl-e blocks inbound 443 from 10.1.1.0/24 to subnet-1p0',
        'acl-c: network ACL acl-c blocks outbound 443 from subnet-1p1 to 10.1.0.0/24',
      ],
    ],
    [
      'three problems on one ACL: all named',
      setup({
        sameAcl: true,
        endpointDenies: [IN_443, OUT_EPHEMERAL],
        clientDenies: [OUT_443],
      }),
      [
        'acl-e: network ACL acl-e blocks inbound 443 from 10.1.1.0/24 to subnet-1p0; outbound ephemeral ports to 10.1.1.0/24 from subnet-1p0; outbound 443 from subnet-1p1 to 10.1.0.0/24',
      ],
    ],
    [
      'four problems on one ACL: three named, the rest counted',
      setup({
        sameAcl: true,
        endpointDenies: [IN_443, OUT_EPHEMERAL],
        clientDenies: [OUT_443, IN_EPHEMERAL],
      }),
      [
        'acl-e: network ACL acl-e blocks inbound 443 from 10.1.1.0/24 to subnet-1p0; outbound ephemeral ports to 10.1.1.0/24 from subnet-1p0; outbound 443 from subnet-1p1 to 10.1.0.0/24 (+1 more)',
      ],
    ],
    [
      'a workload subnet listed twice: each problem named once',
      setup({ endpointDenies: [IN_443], workloads: [B.subnetId, B.subnetId] }),
      ['acl-e: network ACL acl-e blocks inbound 443 from 10.1.1.0/24 to subnet-1p0'],
    ],
    [
      'workloads in the endpoint subnet: traffic stays in the subnet, the client side is not checked',
      setup({
        clientDenies: [OUT_443],
        sameAcl: true,
        workloads: [A.subnetId],
      }),
      [],
    ],
    [
      'a subnet without a known ACL is not checked',
      setup({
        endpointDenies: [IN_443],
        clientDenies: [OUT_443],
        subnets: [
          { ...A, networkAclId: undefined },
          { ...B, networkAclId: 'acl-unknown' },
        ],
      }),
      [],
    ],
    [
      'a workload subnet the VPC does not have is not checked',
      setup({ endpointDenies: [IN_443], workloads: ['subnet-gone'] }),
      [],
    ],
  ])('%s', (_name, tweak, expected) => {
    expect(messages(tweak)).toEqual(expected);
  });

  it('is critical, advises the rules to add and writes nothing', () => {
    expect(naclRule(viewOf(setup({ endpointDenies: [IN_443] })))).toEqual({
      findings: [
        {
          code: 'NACL_BLOCKS_HTTPS',
          severity: 'critical',
          resourceId: 'acl-e',
          message: 'network ACL acl-e blocks inbound 443 from 10.1.1.0/24 to subnet-1p0',
          advice:
            'Allow TCP 443 into the endpoint subnets and ephemeral ports 1024-65535 back; the tool never edits network ACLs',
        },
      ],
      drafts: [],
    });
  });
});

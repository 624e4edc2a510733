/**
 * The security group rule alone: which endpoints block 443 from the workloads, and the writes that
 * fix it (the dedicated group created only when absent, 443 opened only where missing, the group
 * attached only where it is not). The VPC's default group is never written to or attached.
 */
import type { SecurityGroupRef, ServiceName } from '../../../../shared/core/domain.js';
import type { RuleDraft } from '../../../../shared/core/rules/rule.js';
import { securityGroupRule } from '../../../../shared/core/rules/security-group.js';
import {
  HEALTHY,
  endpointsWith,
  endpointsWithout,
  only,
  viewOf,
  type ViewTweak,
} from '../../../support/rule-view.js';

const [SG_DEFAULT, SG_DEDICATED] = HEALTHY.securityGroups as [
  (typeof HEALTHY.securityGroups)[number],
  (typeof HEALTHY.securityGroups)[number],
];
const EXISTING: SecurityGroupRef = { kind: 'existing', groupId: 'sg-1eer' };
const NEW_GROUP: SecurityGroupRef = { kind: 'dedicated', vpcId: 'vpc-1' };
const CREATE_GROUP: RuleDraft = {
  kind: 'CreateSecurityGroup',
  groupName: 'ecs-endpoint-remediator-endpoints',
  description: 'ecs-endpoint-remediator: HTTPS from the VPC to its interface endpoints',
  reason: 'interface endpoints need a dedicated group allowing 443 (the default group is never used)',
};
const authorize = (group: SecurityGroupRef, cidrs: string[]): RuleDraft => ({
  kind: 'AuthorizeHttpsIngress',
  group,
  cidrs,
  reason: `endpoint clients in ${cidrs.join(', ')} must reach the endpoints on TCP 443`,
});
const attach = (service: ServiceName, group: SecurityGroupRef): RuleDraft => ({
  kind: 'EndpointRepair',
  service,
  endpointId: `vpce-1${service.replace(/\W/g, '')}`,
  addSecurityGroup: group,
  part: 'attach the dedicated security group that allows 443',
});
const creating = (service: ServiceName, endpointType: 'Interface' | 'Gateway'): RuleDraft => ({
  kind: 'CreateVpcEndpoint',
  service,
  serviceName: `com.amazonaws.us-east-1.${service}`,
  endpointType,
  subnetIds: endpointType === 'Interface' ? ['subnet-1p0'] : [],
  ...(endpointType === 'Interface' ? { securityGroup: EXISTING } : {}),
  routeTableIds: [],
  privateDnsEnabled: endpointType === 'Interface',
  clientToken: 'eer-0000000000000000',
  newEndpointAzs: endpointType === 'Interface' ? 1 : 0,
  reason: 'needed',
});
/** The endpoints' group still allows 443 but is not the tool's (another name). */
const noDedicated = { securityGroups: [SG_DEFAULT, { ...SG_DEDICATED, groupName: 'someone-elses-443' }] };
const dedicatedWithout443 = { securityGroups: [SG_DEFAULT, { ...SG_DEDICATED, ingress: [] }] };
const default443 = {
  ...SG_DEFAULT,
  ingress: SG_DEDICATED.ingress,
};

describe('security-group rule', () => {
  it.each<[string, ViewTweak, RuleDraft[], string[], RuleDraft[]]>([
    ['healthy VPC, nothing created: nothing', {}, [], [], []],
    [
      'an interface endpoint is created and the dedicated group allows 443: nothing',
      {},
      [creating('ecs', 'Interface')],
      [],
      [],
    ],
    [
      'an interface endpoint is created, no dedicated group: create it and open 443 to the VPC CIDR',
      { vpc: noDedicated },
      [creating('ecs', 'Interface')],
      [],
      [CREATE_GROUP, authorize(NEW_GROUP, ['10.1.0.0/16'])],
    ],
    [
      'only a gateway endpoint is created, no dedicated group: no group needed',
      { vpc: noDedicated },
      [creating('s3', 'Gateway')],
      [],
      [],
    ],
    [
      'an interface endpoint is created, the dedicated group lacks 443: open it, never create a second group',
      { vpc: { ...dedicatedWithout443, endpoints: endpointsWithout('ecs') }, desired: only('ecs') },
      [creating('ecs', 'Interface')],
      [],
      [authorize(EXISTING, ['10.1.0.0/16'])],
    ],
    [
      'VPC CIDRs not read: 443 opened to the workload subnets instead',
      { vpc: { ...noDedicated, cidrBlocks: [] } },
      [creating('ecs', 'Interface')],
      [],
      [CREATE_GROUP, authorize(NEW_GROUP, ['10.1.0.0/24', '10.1.1.0/24', '10.1.2.0/24'])],
    ],
    [
      'two VPC CIDRs, the dedicated group allows one: only the other is opened',
      { vpc: { cidrBlocks: ['10.1.0.0/16', '100.64.0.0/16'] } },
      [creating('ecs', 'Interface')],
      [],
      [authorize(EXISTING, ['100.64.0.0/16'])],
    ],
    [
      'an endpoint behind the default group only: finding, dedicated group attached (default never written)',
      { vpc: { endpoints: endpointsWith({ service: 'ecs-agent', securityGroupIds: ['sg-1default'] }) } },
      [],
      ['ENDPOINT_SG_BLOCKS_HTTPS:ecs-agent'],
      [attach('ecs-agent', EXISTING)],
    ],
    [
      'an endpoint without groups and no dedicated group: create, open, attach the new group',
      { vpc: { ...noDedicated, endpoints: endpointsWith({ service: 'logs', securityGroupIds: [] }) } },
      [],
      ['ENDPOINT_SG_BLOCKS_HTTPS:logs'],
      [CREATE_GROUP, authorize(NEW_GROUP, ['10.1.0.0/16']), attach('logs', NEW_GROUP)],
    ],
    [
      'the dedicated group is attached but lacks 443: open 443 in it, attach nothing',
      { vpc: dedicatedWithout443 },
      [],
      HEALTHY.endpoints
        .filter((e) => e.type === 'Interface')
        .map((e) => `ENDPOINT_SG_BLOCKS_HTTPS:${e.service}`),
      [authorize(EXISTING, ['10.1.0.0/16'])],
    ],
    [
      'the default group allows 443: no finding, nothing written',
      {
        vpc: {
          securityGroups: [default443, SG_DEDICATED],
          endpoints: endpointsWith({ service: 'ecs', securityGroupIds: ['sg-1default'] }),
        },
      },
      [],
      [],
      [],
    ],
    [
      'a waiting or unusable endpoint is not checked',
      {
        vpc: {
          endpoints: endpointsWith(
            { service: 'ecs', state: 'pending', securityGroupIds: [] },
            { service: 'logs', state: 'failed', securityGroupIds: [] },
          ),
        },
      },
      [],
      [],
      [],
    ],
    [
      'two endpoints block: one finding each, in service order, one group write',
      {
        vpc: {
          ...noDedicated,
          endpoints: endpointsWith(
            { service: 'ecs', securityGroupIds: [] },
            { service: 'ecs-agent', securityGroupIds: [] },
          ),
        },
      },
      [],
      ['ENDPOINT_SG_BLOCKS_HTTPS:ecs-agent', 'ENDPOINT_SG_BLOCKS_HTTPS:ecs'],
      [
        CREATE_GROUP,
        authorize(NEW_GROUP, ['10.1.0.0/16']),
        attach('ecs-agent', NEW_GROUP),
        attach('ecs', NEW_GROUP),
      ],
    ],
  ])('%s', (_name, tweak, earlier, expectedCodes, expectedDrafts) => {
    const result = securityGroupRule(viewOf(tweak), earlier);
    const seen = { codes: result.findings.map((f) => `${f.code}:${f.service}`), drafts: result.drafts };
    expect(seen).toEqual({ codes: expectedCodes, drafts: expectedDrafts });
  });

  it('names the endpoint and only the client CIDRs it blocks', () => {
    const narrow = { ...SG_DEDICATED, groupId: 'sg-1narrow', groupName: 'narrow', tags: {} };
    const view = viewOf({
      vpc: {
        securityGroups: [
          SG_DEFAULT,
          SG_DEDICATED,
          { ...narrow, ingress: [{ ...SG_DEDICATED.ingress[0]!, cidrBlocks: ['10.1.1.0/24'] }] },
        ],
        endpoints: endpointsWith({ service: 'ecr.api', securityGroupIds: ['sg-1narrow'] }),
      },
    });
    expect(securityGroupRule(view, []).findings).toEqual([
      {
        code: 'ENDPOINT_SG_BLOCKS_HTTPS',
        severity: 'critical',
        service: 'ecr.api',
        resourceId: 'vpce-1ecrapi',
        message: 'security group(s) of vpce-1ecrapi do not allow TCP 443 from 10.1.0.0/24, 10.1.2.0/24',
      },
    ]);
  });

  it('never names the default group in a write, whatever blocks', () => {
    const view = viewOf({
      vpc: {
        ...noDedicated,
        endpoints: endpointsWith({ service: 'ecs', securityGroupIds: ['sg-1default'] }),
      },
    });
    const text = JSON.stringify(securityGroupRule(view, [creating('ssm', 'Interface')]).drafts);
    expect(text).not.toContain('sg-1default');
    expect(text).toContain('"kind":"dedicated"');
  });
});

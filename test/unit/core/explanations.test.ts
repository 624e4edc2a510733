/**
 * `ecs-endpoint-remediator explain CODE` (shared/core/explanations.ts): every finding code has all
 * five parts, each a sentence a person can act on, and the AWS documentation page its rule comes
 * from; the printed text is the product's interface, so its exact lines are pinned for one code.
 */
import { FINDING_CODES, type FindingCode } from '../../../shared/core/domain.js';
import { FINDING_EXPLANATIONS, formatExplanation, isFindingCode } from '../../../shared/core/explanations.js';

const TEXT_FIELDS = ['meaning', 'whyEcsBreaks', 'whatTheToolDoes', 'byHand'] as const;

describe('FINDING_EXPLANATIONS', () => {
  it('explains exactly the finding codes', () => {
    expect(Object.keys(FINDING_EXPLANATIONS).sort()).toEqual([...FINDING_CODES].sort());
  });

  it.each(FINDING_CODES.map((code) => [code]))('%s: every part is a sentence', (code) => {
    const e = FINDING_EXPLANATIONS[code];
    // A blank or cut part would leave the user with a heading and nothing after it.
    const bad = TEXT_FIELDS.filter((field) => !/^[A-Z`].{9,}\.$/.test(e[field]));
    expect({ code, bad, explanation: e }).toEqual({ code, bad: [], explanation: e });
  });

  // The page each rule comes from (the docs the tool's findings and advice are based on).
  const ECS = 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/vpc-endpoints.html';
  const CREATE = 'https://docs.aws.amazon.com/vpc/latest/privatelink/create-interface-endpoint.html';
  const DNS = 'https://docs.aws.amazon.com/vpc/latest/userguide/vpc-dns.html';
  it.each<[FindingCode, string]>([
    ['MISSING_ENDPOINT', ECS],
    ['ENDPOINT_NOT_AVAILABLE', CREATE],
    ['ENDPOINT_AZ_NOT_COVERED', CREATE],
    [
      'PRIVATE_DNS_DISABLED',
      'https://docs.aws.amazon.com/vpc/latest/privatelink/privatelink-access-aws-services.html',
    ],
    ['VPC_DNS_SUPPORT_DISABLED', DNS],
    ['VPC_DNS_HOSTNAMES_DISABLED', DNS],
    ['ENDPOINT_SG_BLOCKS_HTTPS', ECS],
    ['NACL_BLOCKS_HTTPS', 'https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html'],
    ['CUSTOM_DNS_SERVERS', 'https://docs.aws.amazon.com/vpc/latest/userguide/VPC_DHCP_Options.html'],
    ['ENDPOINT_POLICY_UNSUPPORTED', ECS],
    ['S3_GATEWAY_ROUTE_MISSING', 'https://docs.aws.amazon.com/AmazonECR/latest/userguide/vpc-endpoints.html'],
    ['SERVICE_NOT_OFFERED_IN_AZ', CREATE],
    ['AGENT_TOO_OLD', 'https://docs.aws.amazon.com/AmazonECS/latest/developerguide/ecs-agent-update.html'],
    ['AGENT_DISCONNECTED', ECS],
    [
      'INSTANCE_NOT_SSM_MANAGED',
      'https://docs.aws.amazon.com/systems-manager/latest/userguide/managed_instances.html',
    ],
    [
      'SSM_PATH_MISSING',
      'https://docs.aws.amazon.com/systems-manager/latest/userguide/setup-create-vpc.html',
    ],
  ])('%s cites %s', (code, url) => {
    expect({ code, docUrl: FINDING_EXPLANATIONS[code].docUrl }).toEqual({ code, docUrl: url });
  });

  it('names the numbers a user acts on: the minimum agent version, the ports, the SSM trio', () => {
    expect({
      agent: FINDING_EXPLANATIONS.AGENT_TOO_OLD.meaning,
      nacl: FINDING_EXPLANATIONS.NACL_BLOCKS_HTTPS.byHand,
      ssm: FINDING_EXPLANATIONS.SSM_PATH_MISSING.byHand,
    }).toEqual({
      agent: 'A container instance runs an ECS agent older than 1.25.1.',
      nacl: 'Add allow rules for TCP 443 inbound to the endpoint subnets and TCP 1024-65535 back to the clients.',
      ssm: 'Create the ssm, ssmmessages and ec2messages interface endpoints in the VPC.',
    });
  });
});

describe('isFindingCode', () => {
  it.each<[string, boolean]>([
    ...FINDING_CODES.map((code): [string, boolean] => [code, true]),
    ['NO_SUCH_CODE', false],
    ['missing_endpoint', false], // codes are upper case
    ['MISSING_ENDPOINT ', false],
    ['', false],
  ])('%j: %s', (value, expected) => {
    expect({ value, code: isFindingCode(value) }).toEqual({ value, code: expected });
  });
});

describe('formatExplanation', () => {
  it('prints the code, then five labelled lines with the text aligned in one column', () => {
    expect(formatExplanation('NACL_BLOCKS_HTTPS').split('\n')).toEqual([
      'NACL_BLOCKS_HTTPS',
      '  What it means:       A network ACL blocks TCP 443 into the endpoint subnets, or the ephemeral ports (1024-65535) back.',
      '  Why ECS breaks:      Network ACLs are stateless: either direction blocked drops the HTTPS connections to the endpoint.',
      '  What the tool does:  Reports it only: network ACLs are shared by other traffic and never changed.',
      '  By hand:             Add allow rules for TCP 443 inbound to the endpoint subnets and TCP 1024-65535 back to the clients.',
      '  AWS documentation:   https://docs.aws.amazon.com/vpc/latest/userguide/vpc-network-acls.html',
    ]);
  });

  it.each(FINDING_CODES.map((code) => [code]))('%s: every part of the entry is printed', (code) => {
    const e = FINDING_EXPLANATIONS[code];
    const lines = formatExplanation(code).split('\n');
    expect({ code, lines }).toEqual({
      code,
      lines: [
        code,
        `  What it means:       ${e.meaning}`,
        `  Why ECS breaks:      ${e.whyEcsBreaks}`,
        `  What the tool does:  ${e.whatTheToolDoes}`,
        `  By hand:             ${e.byHand}`,
        `  AWS documentation:   ${e.docUrl}`,
      ],
    });
  });
});

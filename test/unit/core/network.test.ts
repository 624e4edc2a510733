/**
 * CIDR arithmetic, security-group and network-ACL evaluation. Network ACL semantics (lowest rule
 * number first, first match wins, the `*` rule 32767 denies): AWS VPC User Guide, "Control subnet
 * traffic with network access control lists" (network ACL rules). Security groups allow only.
 */
import type { NaclEntry, ObservedNetworkAcl, ObservedSecurityGroup } from '../../../shared/core/domain.js';
import {
  cidrContains,
  cidrOverlaps,
  EPHEMERAL_SAMPLE_PORTS,
  groupsAllowHttpsFrom,
  naclAllows,
  parseCidr,
} from '../../../shared/core/network.js';

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/8', { first: 167772160, last: 184549375 }],
    ['10.1.2.3/24', { first: 167838208, last: 167838463 }], // host bits are masked off
    ['192.168.1.7/32', { first: 3232235783, last: 3232235783 }], // /32: one address
    ['255.255.255.255/32', { first: 4294967295, last: 4294967295 }], // 255 is a valid octet
    ['0.0.0.0/0', { first: 0, last: 4294967295 }],
    ['  10.0.0.0/31 ', { first: 167772160, last: 167772161 }], // surrounding blanks are ignored
    ['10.0.0.1/31', { first: 167772160, last: 167772161 }],
  ])('parseCidr(%j)', (cidr, expected) => {
    expect({ cidr, range: parseCidr(cidr) }).toEqual({ cidr, range: expected });
  });

  it.each([
    '256.0.0.0/8', // an octet above 255
    '10.0.0.256/24',
    '10.0.0.0/33', // a prefix above 32
    '10.0.0.0/99',
    '10.0.0/24',
    '10.0.0.0',
    '10.0.0.0/',
    'x10.0.0.0/8',
    '10.0.0.0/8x',
    '1000.0.0.0/8',
    '10.0.0.0/123',
    '2001:db8::/32', // IPv6
    '',
  ])('parseCidr(%j) is undefined', (cidr) => {
    expect({ cidr, range: parseCidr(cidr) }).toEqual({ cidr, range: undefined });
  });
});

describe('cidrContains / cidrOverlaps', () => {
  it.each([
    ['10.0.0.0/16', '10.0.0.0/16', true, true], // equal
    ['10.0.0.0/16', '10.0.0.0/24', true, true], // shares the first address
    ['10.0.0.0/16', '10.0.255.0/24', true, true], // shares the last address
    ['10.0.0.0/24', '10.0.0.0/16', false, true], // the inner one is larger
    ['10.0.0.0/24', '10.0.1.0/24', false, false], // adjacent, no overlap
    ['10.0.1.0/24', '10.0.0.0/24', false, false],
    ['10.0.0.0/24', '10.0.0.255/32', true, true], // last address of the outer
    ['10.0.0.0/24', '10.0.1.0/32', false, false], // one past it
    ['10.0.1.0/24', '10.0.0.255/32', false, false], // one before it
    ['0.0.0.0/0', '10.9.8.0/24', true, true],
    ['bad', '10.0.0.0/24', false, false], // unparsable on either side: never contains, never overlaps
    ['10.0.0.0/24', 'bad', false, false],
  ])('%s vs %s: contains %s, overlaps %s', (outer, inner, contains, overlaps) => {
    expect({
      outer,
      inner,
      contains: cidrContains(outer, inner),
      overlaps: cidrOverlaps(outer, inner),
    }).toEqual({ outer, inner, contains, overlaps });
  });
});

const group = (ingress: ObservedSecurityGroup['ingress']): ObservedSecurityGroup => ({
  groupId: 'sg-x',
  groupName: 'x',
  isDefault: false,
  ingress,
  tags: {},
});
const rule = (o: Partial<ObservedSecurityGroup['ingress'][number]> = {}) => ({
  protocol: 'tcp',
  fromPort: 443,
  toPort: 443,
  cidrBlocks: ['10.0.0.0/16'],
  sourceGroupIds: [],
  prefixListIds: [],
  ...o,
});

describe('groupsAllowHttpsFrom', () => {
  it.each([
    ['tcp 443 from the VPC CIDR', [rule()], '10.0.1.0/24', true],
    [
      'tcp 443 from a smaller CIDR than the client',
      [rule({ cidrBlocks: ['10.0.1.0/25'] })],
      '10.0.1.0/24',
      false,
    ],
    ['tcp 443 from another CIDR', [rule({ cidrBlocks: ['10.9.0.0/16'] })], '10.0.1.0/24', false],
    ['protocol "6" is TCP', [rule({ protocol: '6' })], '10.0.1.0/24', true],
    ['protocol "TCP" in capitals', [rule({ protocol: 'TCP' })], '10.0.1.0/24', true],
    [
      'protocol "-1" is all traffic, whatever the ports',
      [rule({ protocol: '-1', fromPort: 80, toPort: 80 })],
      '10.0.1.0/24',
      true,
    ],
    ['protocol "all"', [rule({ protocol: 'ALL', fromPort: 22, toPort: 22 })], '10.0.1.0/24', true],
    ['UDP 443 is not HTTPS', [rule({ protocol: 'udp' })], '10.0.1.0/24', false],
    ['protocol "17" is UDP', [rule({ protocol: '17' })], '10.0.1.0/24', false],
    [
      'tcp without ports covers every port',
      [rule({ fromPort: undefined, toPort: undefined })],
      '10.0.1.0/24',
      true,
    ],
    ['tcp with only a from port covers every port', [rule({ toPort: undefined })], '10.0.1.0/24', true],
    ['tcp with only a to port covers every port', [rule({ fromPort: undefined })], '10.0.1.0/24', true],
    ['tcp 443-443 range edges', [rule({ fromPort: 443, toPort: 443 })], '10.0.1.0/24', true],
    ['tcp 0-65535', [rule({ fromPort: 0, toPort: 65535 })], '10.0.1.0/24', true],
    ['tcp 444-8443 starts above 443', [rule({ fromPort: 444, toPort: 8443 })], '10.0.1.0/24', false],
    ['tcp 80-442 ends below 443', [rule({ fromPort: 80, toPort: 442 })], '10.0.1.0/24', false],
    ['tcp 80 only', [rule({ fromPort: 80, toPort: 80 })], '10.0.1.0/24', false],
    [
      'a source group counts as allowing',
      [rule({ cidrBlocks: [], sourceGroupIds: ['sg-a'] })],
      '10.0.1.0/24',
      true,
    ],
    [
      'a prefix list counts as allowing',
      [rule({ cidrBlocks: [], prefixListIds: ['pl-a'] })],
      '10.0.1.0/24',
      true,
    ],
    [
      'a source group on the wrong port does not',
      [rule({ cidrBlocks: [], sourceGroupIds: ['sg-a'], fromPort: 80, toPort: 80 })],
      '10.0.1.0/24',
      false,
    ],
    ['a rule with no source', [rule({ cidrBlocks: [] })], '10.0.1.0/24', false],
    ['no rules', [], '10.0.1.0/24', false],
    ['second CIDR of a rule', [rule({ cidrBlocks: ['10.9.0.0/16', '10.0.0.0/16'] })], '10.0.1.0/24', true],
    ['second rule of a group', [rule({ fromPort: 80, toPort: 80 }), rule()], '10.0.1.0/24', true],
  ])('%s', (_name, ingress, cidr, expected) => {
    expect({ ingress, cidr, allowed: groupsAllowHttpsFrom([group(ingress)], cidr) }).toEqual({
      ingress,
      cidr,
      allowed: expected,
    });
  });

  it('looks at every group', () => {
    expect(groupsAllowHttpsFrom([group([]), group([rule()])], '10.0.1.0/24')).toBe(true);
    expect(groupsAllowHttpsFrom([], '10.0.1.0/24')).toBe(false);
  });
});

const nacl = (entries: NaclEntry[]): ObservedNetworkAcl => ({
  naclId: 'acl-x',
  isDefault: false,
  subnetIds: [],
  entries,
});
const entry = (o: Partial<NaclEntry>): NaclEntry => ({
  ruleNumber: 100,
  egress: false,
  protocol: '-1',
  action: 'allow',
  cidrBlock: '0.0.0.0/0',
  ...o,
});

describe('naclAllows', () => {
  const peer = '10.0.1.0/24';
  it.each<[string, NaclEntry[], boolean, number, boolean]>([
    ['allow all inbound', [entry({})], false, 443, true],
    ['no rules: implicit deny', [], false, 443, false],
    ['an inbound allow does not open outbound', [entry({})], true, 443, false],
    ['an outbound allow does not open inbound', [entry({ egress: true })], false, 443, false],
    ['outbound allow', [entry({ egress: true })], true, 1024, true],
    [
      'lower number wins: deny 90 before allow 100',
      [entry({ ruleNumber: 100 }), entry({ ruleNumber: 90, action: 'deny' })],
      false,
      443,
      false,
    ],
    [
      'lower number wins: allow 90 before deny 100',
      [entry({ ruleNumber: 100, action: 'deny' }), entry({ ruleNumber: 90 })],
      false,
      443,
      true,
    ],
    ['the catch-all rule 32767 is never an allow', [entry({ ruleNumber: 32767 })], false, 443, false],
    ['rule 32766 still counts', [entry({ ruleNumber: 32766 })], false, 443, true],
    [
      'a deny on another port is skipped',
      [entry({ ruleNumber: 90, action: 'deny', protocol: '6', portFrom: 80, portTo: 80 }), entry({})],
      false,
      443,
      true,
    ],
    [
      'a deny on the port range edge applies',
      [entry({ ruleNumber: 90, action: 'deny', protocol: '6', portFrom: 400, portTo: 443 }), entry({})],
      false,
      443,
      false,
    ],
    [
      'a deny for UDP is skipped',
      [entry({ ruleNumber: 90, action: 'deny', protocol: '17' }), entry({})],
      false,
      443,
      true,
    ],
    [
      'a deny for another CIDR is skipped',
      [entry({ ruleNumber: 90, action: 'deny', cidrBlock: '10.9.0.0/16' }), entry({})],
      false,
      443,
      true,
    ],
    [
      'a partial deny blocks',
      [entry({ ruleNumber: 90, action: 'deny', cidrBlock: '10.0.1.128/25' }), entry({})],
      false,
      443,
      false,
    ],
    ['a partial allow is not enough on its own', [entry({ cidrBlock: '10.0.1.0/25' })], false, 443, false],
    [
      'a partial allow lets evaluation go on',
      [entry({ ruleNumber: 90, cidrBlock: '10.0.1.0/25' }), entry({})],
      false,
      443,
      true,
    ],
    [
      'a partial allow, then a deny of the rest',
      [entry({ ruleNumber: 90, cidrBlock: '10.0.1.0/25' }), entry({ action: 'deny' })],
      false,
      443,
      false,
    ],
    ['tcp allow on 443 exactly', [entry({ protocol: '6', portFrom: 443, portTo: 443 })], false, 443, true],
    [
      'tcp allow on 1024-65535 (ephemeral)',
      [entry({ protocol: '6', portFrom: 1024, portTo: 65535 })],
      false,
      65535,
      true,
    ],
  ])('%s', (_name, entries, egress, port, expected) => {
    expect({ entries, egress, port, allowed: naclAllows(nacl(entries), egress, port, peer) }).toEqual({
      entries,
      egress,
      port,
      allowed: expected,
    });
  });

  it('samples the ephemeral range at its edges', () => {
    expect(EPHEMERAL_SAMPLE_PORTS).toEqual([1024, 32768, 49152, 65535]);
  });
});

import type { NaclEntry, ObservedNetworkAcl, ObservedSecurityGroup, SecurityGroupRule } from './domain.js';

/** IPv4 CIDR as an inclusive range of addresses; undefined for IPv6 or malformed input. */
export function parseCidr(cidr: string): { first: number; last: number } | undefined {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(cidr.trim());
  if (!match) return undefined;
  const octets = match.slice(1, 5).map(Number);
  const bits = Number(match[5]);
  if (octets.some((o) => o > 255) || bits > 32) return undefined;
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - bits);
  const first = address - (address % size);
  return { first, last: first + size - 1 };
}

export function cidrContains(outer: string, inner: string): boolean {
  const a = parseCidr(outer);
  const b = parseCidr(inner);
  return !!a && !!b && a.first <= b.first && b.last <= a.last;
}

export function cidrOverlaps(x: string, y: string): boolean {
  const a = parseCidr(x);
  const b = parseCidr(y);
  return !!a && !!b && a.first <= b.last && b.first <= a.last;
}

const TCP = new Set(['tcp', '6']);
const ALL = new Set(['-1', 'all']);

function ruleCoversPort(
  rule: { protocol: string; fromPort?: number; toPort?: number },
  port: number,
): boolean {
  if (ALL.has(rule.protocol.toLowerCase())) return true;
  if (!TCP.has(rule.protocol.toLowerCase())) return false;
  if (rule.fromPort === undefined || rule.toPort === undefined) return true;
  return rule.fromPort <= port && port <= rule.toPort;
}

/** The rule lets TCP 443 in (all traffic, or TCP over a port range containing 443). */
export function ruleCoversHttps(rule: { protocol: string; fromPort?: number; toPort?: number }): boolean {
  return ruleCoversPort(rule, 443);
}

/**
 * True when some ingress rule of the groups lets TCP 443 in from the whole `cidr`. A rule whose source
 * is a security group or prefix list counts as allowing: membership can't be judged from here.
 */
export function groupsAllowHttpsFrom(groups: readonly ObservedSecurityGroup[], cidr: string): boolean {
  return groups.some((group) =>
    group.ingress.some(
      (rule: SecurityGroupRule) =>
        ruleCoversPort(rule, 443) &&
        (rule.cidrBlocks.some((block) => cidrContains(block, cidr)) ||
          rule.sourceGroupIds.length > 0 ||
          rule.prefixListIds.length > 0),
    ),
  );
}

/**
 * Evaluates a network ACL the way AWS does (lowest rule number first, first match wins, implicit deny)
 * for TCP traffic on `port` whose peer lies in `peerCidr`. A rule that only partly overlaps the peer
 * range decides for that part: a partial deny blocks, a partial allow lets evaluation continue.
 */
export function naclAllows(
  nacl: ObservedNetworkAcl,
  egress: boolean,
  port: number,
  peerCidr: string,
): boolean {
  const rules = nacl.entries
    .filter((e: NaclEntry) => e.egress === egress && e.ruleNumber < 32767)
    .sort((a, b) => a.ruleNumber - b.ruleNumber);
  for (const rule of rules) {
    if (!ruleCoversPort({ protocol: rule.protocol, fromPort: rule.portFrom, toPort: rule.portTo }, port))
      continue;
    if (!cidrOverlaps(rule.cidrBlock, peerCidr)) continue;
    if (rule.action === 'deny') return false;
    if (cidrContains(rule.cidrBlock, peerCidr)) return true;
  }
  return false;
}

/** Representative ephemeral ports (1024-65535) a NACL must let back. */
export const EPHEMERAL_SAMPLE_PORTS: readonly number[] = [1024, 32768, 49152, 65535];

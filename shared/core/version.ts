/** The first agent version that works with the ECS interface endpoints. */
export const MIN_AGENT_VERSION = '1.25.1';

/** Compares dotted numeric versions ('1.25.1' < '1.100.0'); a missing part counts as 0. */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) =>
    v
      .replace(/^v/, '')
      .split(/[.-]/)
      .map((p) => Number.parseInt(p, 10) || 0);
  const left = parse(a);
  const right = parse(b);
  // Stryker disable next-line EqualityOperator: with `<=` the extra step compares two missing parts (0 - 0), never a difference
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const diff = (left[i] ?? 0) - (right[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  return 0;
}

export function isAgentTooOld(version: string | undefined): boolean {
  return (
    version !== undefined &&
    // Stryker disable next-line Regex: dropping the first `v` anywhere (`/v/`) leaves the first character as it is unless it is that `v`
    /^\d/.test(version.replace(/^v/, '')) &&
    compareVersions(version, MIN_AGENT_VERSION) < 0
  );
}

/**
 * Agent versions: 1.25.1 is the first ECS agent that works through the interface endpoints (AWS
 * "Amazon ECS interface VPC endpoints (AWS PrivateLink)" page, considerations for the endpoints).
 */
import { compareVersions, isAgentTooOld, MIN_AGENT_VERSION } from '../../../shared/core/version.js';

describe('compareVersions', () => {
  it.each([
    ['1.25.1', '1.25.1', 0],
    ['1.25.0', '1.25.1', -1],
    ['1.25.2', '1.25.1', 1],
    ['1.30.0', '1.25.1', 1], // a difference of 5 in a part still answers 1
    ['1.9.3', '1.25.1', -1], // numeric, not lexical
    ['1.100.0', '1.25.1', 1],
    ['2.0.0', '1.99.99', 1],
    ['1.25', '1.25.1', -1], // a missing part counts as 0 ...
    ['1.25.1', '1.25', 1],
    ['1.25.0', '1.25', 0], // ... on either side
    ['v1.25.1', '1.25.1', 0], // a leading v is dropped
    ['1.25.1', 'v1.26.0', -1],
    ['1.25.1-2', '1.25.1', 1], // '-' separates parts too
    ['1.v25.1', '1.25.1', -1], // only a leading v is a prefix: 'v25' is not a number (0)
    ['1.x.1', '1.0.1', 0], // a part that is not a number counts as 0
  ])('compareVersions(%s, %s) is %d', (a, b, expected) => {
    expect({ a, b, result: compareVersions(a, b) }).toEqual({ a, b, result: expected });
  });
});

describe('isAgentTooOld (minimum %s)', () => {
  it('names 1.25.1 as the minimum', () => {
    expect(MIN_AGENT_VERSION).toBe('1.25.1');
  });

  it.each([
    ['1.25.1', false], // the boundary itself is new enough
    ['1.25.0', true],
    ['1.25.2', false],
    ['1.25', true],
    ['1.24.99', true],
    ['1.9.3', true],
    ['1.100.0', false],
    ['v1.25.0', true], // v-prefixed versions are compared too
    ['v1.25.1', false],
    ['v1.9.3', true],
    ['0.0.1', true],
    [undefined, false], // unknown version: nothing to report
    ['', false],
    ['unknown', false],
    ['x1.0.0', false], // not a version: a digit must come first (after an optional v)
    ['vv1.0.0', false],
    ['v', false],
  ])('isAgentTooOld(%j) is %s', (version, expected) => {
    expect({ version, tooOld: isAgentTooOld(version) }).toEqual({ version, tooOld: expected });
  });
});

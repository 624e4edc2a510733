import { stableHash } from '../../../shared/core/hash.js';

describe('stableHash (64-bit FNV-1a, 16 hex digits)', () => {
  it.each([
    ['', 'cbf29ce484222325'], // the FNV-1a 64 offset basis
    ['a', 'af63dc4c8601ec8c'],
    ['foobar', '85944171f73967e8'],
    ['k0', '08be0e07b562230e'], // a leading zero is kept (padStart)
  ])('stableHash(%j) is %s', (text, expected) => {
    expect({ text, hash: stableHash(text) }).toEqual({ text, hash: expected });
  });

  it('pads to 16 hex digits and tells similar inputs apart', () => {
    const hashes = ['vpc-1|ecs', 'vpc-1|ecs ', 'vpc-2|ecs', 'Vpc-1|ecs'].map(stableHash);
    for (const h of hashes) expect(h).toMatch(/^[0-9a-f]{16}$/);
    expect(new Set(hashes).size).toBe(hashes.length);
  });
});

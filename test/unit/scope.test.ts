import { needsLookup, refsToLocate, resolveScope } from '../../shared/app/scope.js';
import { emptyHints, type ScopeHints } from '../../shared/events/classify.js';

const hints = (overrides: Partial<ScopeHints>): ScopeHints => ({ ...emptyHints(), ...overrides });
const placed = (entries: Record<string, string>) => new Map(Object.entries(entries));

describe('resolveScope: where a batch’s events point', () => {
  it('named VPCs are the scope as they are (the scoped read tells which exist), sorted and once each', () => {
    expect(resolveScope(hints({ vpcIds: ['vpc-b', 'vpc-a', 'vpc-b'] }), placed({}))).toEqual({
      kind: 'vpcs',
      vpcIds: ['vpc-a', 'vpc-b'],
    });
  });

  it('subnets, groups, network ACLs, endpoints and instances are placed through the lookup', () => {
    const scope = resolveScope(
      hints({
        subnetIds: ['subnet-1'],
        securityGroupIds: ['sg-1'],
        networkAclIds: ['acl-1'],
        endpointIds: ['vpce-1'],
        instanceIds: ['i-1'],
      }),
      placed({ 'subnet-1': 'vpc-a', 'sg-1': 'vpc-b', 'acl-1': 'vpc-a', 'vpce-1': 'vpc-c', 'i-1': 'vpc-d' }),
    );
    expect(scope).toEqual({ kind: 'vpcs', vpcIds: ['vpc-a', 'vpc-b', 'vpc-c', 'vpc-d'] });
  });

  it('a resource the lookup did not find widens to the whole Region and says which', () => {
    expect(
      resolveScope(
        hints({ vpcIds: ['vpc-a'], securityGroupIds: ['sg-gone', 'sg-1'] }),
        placed({ 'sg-1': 'vpc-a' }),
      ),
    ).toEqual({
      kind: 'region',
      reason: 'some named resources could not be placed in a VPC',
      unresolved: ['sg-gone'],
    });
  });

  it('an instance not found is skipped when something else places the event, else the whole Region', () => {
    expect(resolveScope(hints({ vpcIds: ['vpc-a'], instanceIds: ['i-gone'] }), placed({}))).toEqual({
      kind: 'vpcs',
      vpcIds: ['vpc-a'],
    });
    expect(
      resolveScope(hints({ instanceIds: ['i-gone'], containerInstanceArns: ['arn:aws:ecs:x'] }), placed({})),
    ).toEqual({
      kind: 'region',
      reason: 'the events name nothing that places them in a VPC',
      unresolved: [],
    });
  });

  it('events asking for the whole Region get it, whatever else they name', () => {
    expect(resolveScope(hints({ vpcIds: ['vpc-a'], wholeRegion: true }), placed({}))).toEqual({
      kind: 'region',
      reason: 'the events ask for the whole Region',
      unresolved: [],
    });
  });

  it('only non-VPC ids are looked up, and a batch naming only VPCs needs no lookup', () => {
    const vpcsOnly = refsToLocate(hints({ vpcIds: ['vpc-a'] }));
    expect(vpcsOnly.vpcIds).toEqual([]);
    expect(needsLookup(vpcsOnly)).toBe(false);
    expect(needsLookup(refsToLocate(hints({ vpcIds: ['vpc-a'], endpointIds: ['vpce-1'] })))).toBe(true);
  });
});

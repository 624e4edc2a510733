/**
 * The CreateVpcEndpoint ClientToken (shared/core/client-token.ts): the same observed state gives the
 * same token, whatever order it was read in; any difference in what was observed gives another. Two
 * different requests sharing a token would be answered with each other's endpoint (or refused with
 * IdempotentParameterMismatch), so the fields must not run into each other.
 */
import { endpointClientToken } from '../../../shared/core/client-token.js';
import type { EndpointState, ServiceName } from '../../../shared/core/domain.js';

type Endpoint = { endpointId: string; service: ServiceName; state: EndpointState };
type Input = [vpcId: string, service: ServiceName, placement: string[], endpoints: Endpoint[]];

const gone = (endpointId: string, service: ServiceName = 'ecs-agent'): Endpoint => ({
  endpointId,
  service,
  state: 'deleted',
});
const token = (input: Input) => endpointClientToken(...input);
const base: Input = ['vpc-1', 'ecs-agent', ['subnet-a', 'subnet-b'], [gone('vpce-1')]];

describe('endpointClientToken', () => {
  it('has the shape EC2 takes (at most 64 ASCII characters) and depends on nothing but its inputs', () => {
    expect(token(base)).toMatch(/^eer-[0-9a-f]+$/);
    expect(token(base).length).toBeLessThanOrEqual(64);
    expect(token(base)).toBe(token(structuredClone(base)));
  });

  it.each<[string, Input]>([
    ['subnets in another order', ['vpc-1', 'ecs-agent', ['subnet-b', 'subnet-a'], [gone('vpce-1')]]],
    [
      'endpoints of other services, and in another order',
      ['vpc-1', 'ecs-agent', ['subnet-a', 'subnet-b'], [gone('vpce-9', 'logs'), gone('vpce-1')]],
    ],
  ])('the same token for the same observed state: %s', (_what, input) => {
    expect(token(input)).toBe(token(base));
  });

  it.each<[string, Input, Input]>([
    // Ids are opaque strings here: the token must tell the fields apart whatever they hold.
    [
      'a placement boundary moved (["a","bc"] vs ["ab","c"])',
      ['vpc-1', 'ecs-agent', ['a', 'bc'], []],
      ['vpc-1', 'ecs-agent', ['ab', 'c'], []],
    ],
    [
      'an existing-endpoint boundary moved (two endpoints vs one whose id holds both)',
      ['vpc-1', 'ecs-agent', [], [gone('a'), gone('b')]],
      ['vpc-1', 'ecs-agent', [], [gone('a=deletedb')]],
    ],
    [
      'the service and the placement run into each other (ecs + "-agentx" vs ecs-agent + "x")',
      ['vpc-1', 'ecs', ['-agentx'], []],
      ['vpc-1', 'ecs-agent', ['x'], []],
    ],
    ['another VPC', ['vpc-2', 'ecs-agent', ['subnet-a', 'subnet-b'], [gone('vpce-1')]], base],
    [
      'another service',
      ['vpc-1', 'ecs', ['subnet-a', 'subnet-b'], []],
      ['vpc-1', 'ecs-agent', ['subnet-a', 'subnet-b'], []],
    ],
    [
      'the endpoint a token made has since been deleted (its state changed)',
      [
        'vpc-1',
        'ecs-agent',
        ['subnet-a'],
        [{ endpointId: 'vpce-1', service: 'ecs-agent', state: 'pending' }],
      ],
      ['vpc-1', 'ecs-agent', ['subnet-a'], [gone('vpce-1')]],
    ],
  ])('another token when %s', (_what, a, b) => {
    expect(token(a)).not.toBe(token(b));
  });
});

/** The endpoint id in an interface endpoint's DNS name, and which zone names can answer a service's name. */
import { endpointIdOfDnsName } from '../../../shared/core/serving.js';
import { coversAServiceName, dnsNameOf, zoneIdOf } from '../../../shared/aws/route53-reader.js';

describe('endpointIdOfDnsName', () => {
  it.each<[string, string | undefined]>([
    ['vpce-0123456789abcdef0-abcd1234.ecs.us-east-1.vpce.amazonaws.com', 'vpce-0123456789abcdef0'],
    ['vpce-0123456789abcdef0-abcd1234-us-east-1a.ecs.us-east-1.vpce.amazonaws.com', 'vpce-0123456789abcdef0'],
    ['dualstack.vpce-0abc-xyz9.ssm.eu-west-1.vpce.amazonaws.com', 'vpce-0abc'],
    ['ecs.us-east-1.amazonaws.com', undefined],
    ['vpce-0123.ecs.us-east-1.vpce.amazonaws.com', undefined],
    ['my-alb-123.us-east-1.elb.amazonaws.com', undefined],
  ])('%s -> %s', (name, id) => {
    expect(endpointIdOfDnsName(name)).toBe(id);
  });
});

describe('Route 53 names', () => {
  it.each<[string, string, boolean]>([
    ['ecs.us-east-1.amazonaws.com', 'us-east-1', true],
    ['us-east-1.amazonaws.com', 'us-east-1', true],
    ['amazonaws.com', 'us-east-1', true],
    ['ecs.eu-west-1.amazonaws.com', 'us-east-1', false],
    ['corp.example.com', 'us-east-1', false],
    ['ecs.cn-north-1.amazonaws.com.cn', 'cn-north-1', true],
  ])('zone %s covers a service name in %s: %s', (zone, region, covers) => {
    expect(coversAServiceName(zone, region)).toBe(covers);
  });

  it('normalises names and zone ids as the core compares them', () => {
    expect([
      dnsNameOf('ECS.us-east-1.AmazonAWS.com.'),
      zoneIdOf('/hostedzone/Z123'),
      zoneIdOf('Z123'),
    ]).toEqual(['ecs.us-east-1.amazonaws.com', 'Z123', 'Z123']);
  });
});

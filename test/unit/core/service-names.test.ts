import {
  endpointServiceName,
  endpointServiceNames,
  partitionOf,
  shortServiceName,
} from '../../../shared/core/service-names.js';

describe('endpoint service names, one builder for every partition', () => {
  it.each([
    ['us-east-1', 'aws', 'ecs-agent', 'com.amazonaws.us-east-1.ecs-agent', []],
    ['eu-west-1', 'aws', 'ecr.dkr', 'com.amazonaws.eu-west-1.ecr.dkr', []],
    ['ap-southeast-3', 'aws', 's3', 'com.amazonaws.ap-southeast-3.s3', []],
    ['us-gov-west-1', 'aws-us-gov', 'ecs', 'com.amazonaws.us-gov-west-1.ecs', []],
    ['us-gov-east-1', 'aws-us-gov', 'logs', 'com.amazonaws.us-gov-east-1.logs', []],
    [
      'cn-north-1',
      'aws-cn',
      'ecr.dkr',
      'cn.com.amazonaws.cn-north-1.ecr.dkr',
      ['com.amazonaws.cn-north-1.ecr.dkr'],
    ],
    [
      'cn-northwest-1',
      'aws-cn',
      'ecs-agent',
      'cn.com.amazonaws.cn-northwest-1.ecs-agent',
      ['com.amazonaws.cn-northwest-1.ecs-agent'],
    ],
  ] as const)('%s (%s): %s', (region, partition, service, name, alternatives) => {
    expect(partitionOf(region)).toBe(partition);
    expect(endpointServiceName(region, service)).toBe(name);
    expect(endpointServiceNames(region, service)).toEqual([name, ...alternatives]);
    for (const candidate of [name, ...alternatives])
      expect(shortServiceName(candidate, region)).toBe(service);
  });

  it('names services the remediator does not know (the seed builds dynamodb) but never parses them', () => {
    expect(endpointServiceName('eu-west-1', 'dynamodb')).toBe('com.amazonaws.eu-west-1.dynamodb');
    expect(shortServiceName('com.amazonaws.eu-west-1.dynamodb', 'eu-west-1')).toBeUndefined();
  });

  it('a name of another Region or partition is not one of this Region’s services', () => {
    expect(shortServiceName('com.amazonaws.eu-west-1.ecs', 'us-east-1')).toBeUndefined();
    expect(shortServiceName('cn.com.amazonaws.cn-north-1.ecs', 'us-east-1')).toBeUndefined();
    expect(shortServiceName('cn.com.amazonaws.us-east-1.ecs', 'us-east-1')).toBeUndefined();
    expect(shortServiceName('com.amazonaws.us-gov-west-1.ecs', 'us-gov-east-1')).toBeUndefined();
  });
});

import { SERVICE_NAMES } from '../../../shared/core/domain.js';
import { isServiceName } from '../../../shared/core/domain.js';
import {
  ECS_AGENT_SERVICES,
  ENDPOINT_TYPE,
  POLICY_UNSUPPORTED,
  serviceRank,
  SSM_PATH_SERVICES,
} from '../../../shared/core/services.js';

describe('services', () => {
  it('only s3 is a gateway endpoint', () => {
    expect(SERVICE_NAMES.filter((s) => ENDPOINT_TYPE[s] === 'Gateway')).toEqual(['s3']);
    expect(SERVICE_NAMES.filter((s) => ENDPOINT_TYPE[s] === 'Interface')).toHaveLength(10);
  });

  it('orders the ECS endpoints ecs-agent, ecs-telemetry, ecs and the SSM path ssm, ssmmessages, ec2messages', () => {
    expect(ECS_AGENT_SERVICES).toEqual(['ecs-agent', 'ecs-telemetry', 'ecs']);
    expect(SSM_PATH_SERVICES).toEqual(['ssm', 'ssmmessages', 'ec2messages']);
    expect(POLICY_UNSUPPORTED).toEqual(['ecs-agent', 'ecs-telemetry', 'ecs']);
  });

  it('ranks SSM endpoints first only when the restart needs them, then the ECS trio, then the catalog', () => {
    const order = (needSsm: boolean) =>
      [...SERVICE_NAMES].sort((a, b) => serviceRank(a, needSsm) - serviceRank(b, needSsm));
    expect(order(true)).toEqual([
      'ssm',
      'ssmmessages',
      'ec2messages',
      'ecs-agent',
      'ecs-telemetry',
      'ecs',
      'ecr.api',
      'ecr.dkr',
      's3',
      'logs',
      'secretsmanager',
    ]);
    expect(order(false)).toEqual([...SERVICE_NAMES]);
    expect(SERVICE_NAMES.map((s) => serviceRank(s, true))).toEqual([10, 11, 12, 23, 24, 25, 26, 27, 0, 1, 2]);
    expect(SERVICE_NAMES.map((s) => serviceRank(s, false))).toEqual([
      10, 11, 12, 23, 24, 25, 26, 27, 28, 29, 30,
    ]);
  });

  it('recognises service names', () => {
    expect(SERVICE_NAMES.every(isServiceName)).toBe(true);
    expect(['ECS', 'ecs ', 'sqs', ''].filter(isServiceName)).toEqual([]);
  });
});

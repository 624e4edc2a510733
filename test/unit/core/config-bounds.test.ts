/**
 * Every setting's default, its environment variable, and its bounds. SSM_MAX_CONCURRENCY and
 * SSM_MAX_ERRORS are left out on purpose: their validation is being reworked elsewhere.
 */
import {
  configFromEnvironment,
  defaultConfig,
  ec2PacingFromEnvironment,
  remediatorConfigSchema,
} from '../../../shared/core/config.js';
import { CORE_DEFAULTS } from '../../support/core-config.js';

describe('config defaults', () => {
  it('has a default for every setting', () => {
    const { ssmMaxConcurrency: _c, ssmMaxErrors: _e, ...rest } = defaultConfig;
    expect(rest).toEqual({
      defaultMode: 'audit',
      modeTagKey: 'ecs-endpoint-remediator:mode',
      managedTagKey: 'ecs-endpoint-remediator:managed',
      addServices: [],
      excludeServices: [],
      maxChanges: 20,
      endpointSecurityGroupName: 'ecs-endpoint-remediator-endpoints',
      restartDocumentName: 'EcsEndpointRemediator-RestartEcsAgent',
      endpointWaitTimeoutSeconds: 600,
      agentWaitTimeoutSeconds: 300,
      updateOldAgents: true,
      maxParallelVpcs: 10,
      ec2RateShare: 0.5,
      ec2RefillFactor: 1,
    });
  });

  it('the planner tests’ literal copy matches (SSM settings aside)', () => {
    const strip = ({ ssmMaxConcurrency: _c, ssmMaxErrors: _e, ...rest }: typeof defaultConfig) => rest;
    expect(strip(CORE_DEFAULTS)).toEqual(strip(defaultConfig));
  });

  it('an empty environment gives the defaults; empty strings count as unset', () => {
    expect(configFromEnvironment({})).toEqual(defaultConfig);
    const blanks = {
      DEFAULT_MODE: '',
      MODE_TAG_KEY: '',
      MANAGED_TAG_KEY: '',
      ADD_SERVICES: '',
      EXCLUDE_SERVICES: '',
      MAX_CHANGES: '',
      ENDPOINT_SECURITY_GROUP_NAME: '',
      RESTART_DOCUMENT_NAME: '',
      ENDPOINT_WAIT_TIMEOUT_SECONDS: '',
      AGENT_WAIT_TIMEOUT_SECONDS: '',
      UPDATE_OLD_AGENTS: '',
      MAX_PARALLEL_VPCS: '',
      EC2_RATE_SHARE: '',
      EC2_REFILL_FACTOR: '',
    };
    expect(configFromEnvironment(blanks)).toEqual(defaultConfig);
  });
});

describe('configFromEnvironment', () => {
  it('maps every variable to its setting', () => {
    const config = configFromEnvironment({
      DEFAULT_MODE: 'off',
      MODE_TAG_KEY: 'm',
      MANAGED_TAG_KEY: 'k',
      ADD_SERVICES: ' logs ,, ssm ,',
      EXCLUDE_SERVICES: 's3',
      MAX_CHANGES: '0',
      ENDPOINT_SECURITY_GROUP_NAME: 'g',
      RESTART_DOCUMENT_NAME: 'd',
      ENDPOINT_WAIT_TIMEOUT_SECONDS: '3600',
      AGENT_WAIT_TIMEOUT_SECONDS: '1',
      UPDATE_OLD_AGENTS: 'no',
      MAX_PARALLEL_VPCS: '7',
      EC2_RATE_SHARE: '0.25',
      EC2_REFILL_FACTOR: '20',
    });
    const { ssmMaxConcurrency: _c, ssmMaxErrors: _e, ...rest } = config;
    expect(rest).toEqual({
      defaultMode: 'off',
      modeTagKey: 'm',
      managedTagKey: 'k',
      addServices: ['logs', 'ssm'],
      excludeServices: ['s3'],
      maxChanges: 0,
      endpointSecurityGroupName: 'g',
      restartDocumentName: 'd',
      endpointWaitTimeoutSeconds: 3600,
      agentWaitTimeoutSeconds: 1,
      updateOldAgents: false,
      maxParallelVpcs: 7,
      ec2RateShare: 0.25,
      ec2RefillFactor: 20,
    });
  });

  it.each([
    ['true', true],
    ['1', true],
    ['yes', true],
    ['Yes', true],
    ['false', false],
    ['FALSE', false],
    ['0', false],
    ['no', false],
    ['NO', false],
  ])('UPDATE_OLD_AGENTS=%s is %s', (value, expected) => {
    expect({
      value,
      updateOldAgents: configFromEnvironment({ UPDATE_OLD_AGENTS: value }).updateOldAgents,
    }).toEqual({
      value,
      updateOldAgents: expected,
    });
  });

  it.each([
    ['UPDATE_OLD_AGENTS', 'yess'],
    ['UPDATE_OLD_AGENTS', 'atrue'],
    ['UPDATE_OLD_AGENTS', 'nope'],
    ['UPDATE_OLD_AGENTS', '10'],
    ['MAX_CHANGES', '-1'],
    ['MAX_CHANGES', '1001'],
    ['MAX_CHANGES', '1.5'],
    ['ENDPOINT_WAIT_TIMEOUT_SECONDS', '0'],
    ['ENDPOINT_WAIT_TIMEOUT_SECONDS', '3601'],
    ['AGENT_WAIT_TIMEOUT_SECONDS', '0'],
    ['AGENT_WAIT_TIMEOUT_SECONDS', '3601'],
    ['EXCLUDE_SERVICES', 'ecs,sqs'],
    ['DEFAULT_MODE', 'Enforce'],
    ['MAX_PARALLEL_VPCS', '0'],
    ['MAX_PARALLEL_VPCS', '51'],
    ['MAX_PARALLEL_VPCS', '2.5'],
    ['EC2_RATE_SHARE', '0'],
    ['EC2_RATE_SHARE', '-0.5'],
    ['EC2_RATE_SHARE', '1.01'],
    ['EC2_RATE_SHARE', 'half'],
    ['EC2_REFILL_FACTOR', '0'],
    ['EC2_REFILL_FACTOR', '1001'],
  ])('rejects %s=%s', (name, value) => {
    expect(() => configFromEnvironment({ [name]: value })).toThrow();
  });

  it.each([
    ['MAX_CHANGES', '1000', 'maxChanges', 1000],
    ['ENDPOINT_WAIT_TIMEOUT_SECONDS', '1', 'endpointWaitTimeoutSeconds', 1],
    ['AGENT_WAIT_TIMEOUT_SECONDS', '3600', 'agentWaitTimeoutSeconds', 3600],
    ['MAX_PARALLEL_VPCS', '1', 'maxParallelVpcs', 1],
    ['MAX_PARALLEL_VPCS', '50', 'maxParallelVpcs', 50],
    ['EC2_RATE_SHARE', '1', 'ec2RateShare', 1],
    ['EC2_RATE_SHARE', '0.01', 'ec2RateShare', 0.01],
    ['EC2_REFILL_FACTOR', '1000', 'ec2RefillFactor', 1000],
  ])('accepts the bound %s=%s', (name, value, key, expected) => {
    expect(configFromEnvironment({ [name]: value })).toMatchObject({ [key]: expected });
  });

  it('the pacing settings alone: undefined when unset, parsed and validated with clear messages when set', () => {
    expect(ec2PacingFromEnvironment({})).toBeUndefined();
    expect(ec2PacingFromEnvironment({ EC2_RATE_SHARE: '', EC2_REFILL_FACTOR: '' })).toBeUndefined();
    expect(ec2PacingFromEnvironment({ EC2_REFILL_FACTOR: '20' })).toEqual({
      ec2RateShare: 0.5,
      ec2RefillFactor: 20,
    });
    expect(ec2PacingFromEnvironment({ EC2_RATE_SHARE: '1' })).toEqual({
      ec2RateShare: 1,
      ec2RefillFactor: 1,
    });
    expect(() => ec2PacingFromEnvironment({ EC2_RATE_SHARE: '0' })).toThrow(
      'EC2_RATE_SHARE (ec2RateShare) must be > 0 and <= 1',
    );
    expect(() => ec2PacingFromEnvironment({ EC2_REFILL_FACTOR: '5000' })).toThrow(
      'EC2_REFILL_FACTOR (ec2RefillFactor) must be > 0 and <= 1000',
    );
  });

  it('rejects empty names and tag keys given directly', () => {
    for (const key of ['modeTagKey', 'managedTagKey', 'endpointSecurityGroupName', 'restartDocumentName'])
      expect({ key, ok: remediatorConfigSchema.safeParse({ [key]: '' }).success }).toEqual({
        key,
        ok: false,
      });
  });
});

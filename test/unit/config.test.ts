import {
  CONFIG_VARIABLES,
  ConfigError,
  configFromEnvironment,
  defaultConfig,
} from '../../shared/core/config.js';

describe('config', () => {
  it('defaults to audit with a change cap of 20', () => {
    expect(defaultConfig.defaultMode).toBe('audit');
    expect(defaultConfig.maxChanges).toBe(20);
  });

  it('reads the environment', () => {
    const config = configFromEnvironment({
      DEFAULT_MODE: 'enforce',
      MAX_CHANGES: '5',
      ADD_SERVICES: 'logs, ssm',
    });
    expect(config).toMatchObject({ defaultMode: 'enforce', maxChanges: 5, addServices: ['logs', 'ssm'] });
  });

  it.each([
    [{ DEFAULT_MODE: 'yolo' }],
    [{ MAX_CHANGES: 'lots' }],
    [{ ADD_SERVICES: 'ecs,not-a-service' }],
    [{ SSM_MAX_ERRORS: 'ten' }],
  ])('rejects bad settings %j', (env) => {
    expect(() => configFromEnvironment(env)).toThrow();
  });
});

describe('config booleans', () => {
  it.each([
    ['false', false],
    ['0', false],
    ['TRUE', true],
  ])('UPDATE_OLD_AGENTS=%s', (value, expected) => {
    expect(configFromEnvironment({ UPDATE_OLD_AGENTS: value }).updateOldAgents).toBe(expected);
  });
  it('rejects a non-boolean', () => {
    expect(() => configFromEnvironment({ UPDATE_OLD_AGENTS: 'maybe' })).toThrow();
  });
});

// SendCommand's MaxConcurrency / MaxErrors patterns (SSM API reference, "SendCommand"; the botocore
// model's shapes MaxConcurrency and MaxErrors): a bad value must fail when the configuration is read.
describe('SSM rate settings follow SendCommand', () => {
  it.each([
    ['0', false],
    ['150%', false],
    ['101%', false],
    ['05', false],
    ['0%', false],
    ['12345678', false],
    ['10%%', false],
    ['1', true],
    ['10', true],
    ['1%', true],
    ['10%', true],
    ['100%', true],
    ['1234567', true],
    ['5%', true],
    ['99%', true],
    ['109', true],
    ['00%', false],
    ['x1', false],
    ['1x', false],
    ['-1', false],
    ['%', false],
    ['1000%', false],
  ])('SSM_MAX_CONCURRENCY=%s is accepted: %s', (value, ok) => {
    const read = () => configFromEnvironment({ SSM_MAX_CONCURRENCY: value });
    if (ok) expect(read().ssmMaxConcurrency).toBe(value);
    else expect(read).toThrow(/SSM_MAX_CONCURRENCY .*SendCommand MaxConcurrency/);
  });

  it.each([
    ['0', true],
    ['0%', true],
    ['10', true],
    ['10%', true],
    ['100%', true],
    ['150%', false],
    ['101%', false],
    ['05', false],
    ['00', false],
    ['12345678', false],
    ['1', true],
    ['5%', true],
    ['99%', true],
    ['109', true],
    ['1234567', true],
    ['00%', false],
    ['x0', false],
    ['0x', false],
    ['-1', false],
    ['%', false],
    ['1000%', false],
  ])('SSM_MAX_ERRORS=%s is accepted: %s', (value, ok) => {
    const read = () => configFromEnvironment({ SSM_MAX_ERRORS: value });
    if (ok) expect(read().ssmMaxErrors).toBe(value);
    else expect(read).toThrow(/SSM_MAX_ERRORS .*SendCommand MaxErrors/);
  });
});

describe('the variable behind each setting', () => {
  // A value different from the default for every setting: each variable must reach its own key.
  const set: Record<keyof typeof CONFIG_VARIABLES, [string, unknown]> = {
    defaultMode: ['enforce', 'enforce'],
    modeTagKey: ['team:mode', 'team:mode'],
    managedTagKey: ['team:managed', 'team:managed'],
    addServices: ['logs', ['logs']],
    excludeServices: ['s3', ['s3']],
    maxChanges: ['7', 7],
    endpointSecurityGroupName: ['endpoints-sg', 'endpoints-sg'],
    restartDocumentName: ['RestartDoc', 'RestartDoc'],
    ssmMaxConcurrency: ['5', '5'],
    ssmMaxErrors: ['1', '1'],
    endpointWaitTimeoutSeconds: ['30', 30],
    agentWaitTimeoutSeconds: ['31', 31],
    updateOldAgents: ['false', false],
    maxParallelVpcs: ['3', 3],
    ec2RateShare: ['0.25', 0.25],
    ec2RefillFactor: ['4', 4],
  };

  it.each(Object.entries(CONFIG_VARIABLES))('%s is read from %s', (key, variable) => {
    const [value, expected] = set[key as keyof typeof CONFIG_VARIABLES];
    expect(defaultConfig[key as keyof typeof CONFIG_VARIABLES]).not.toEqual(expected);
    expect(configFromEnvironment({ [variable]: value })).toEqual({ ...defaultConfig, [key]: expected });
  });

  it('errors name every wrong variable, what is wrong and the value given', () => {
    let error: unknown;
    try {
      configFromEnvironment({ MAX_CHANGES: 'lots', DEFAULT_MODE: 'yolo', SSM_MAX_ERRORS: 'ten' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      expect.stringMatching(/^DEFAULT_MODE: .*"enforce".* \(got "yolo"\)$/),
      expect.stringMatching(/^MAX_CHANGES: .* \(got "lots"\)$/),
      expect.stringMatching(/^SSM_MAX_ERRORS \(ssmMaxErrors\) must be .* \(got "ten"\)$/),
    ]);
  });
});

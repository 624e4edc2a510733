import { configFromEnvironment, defaultConfig } from '../../shared/core/config.js';

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

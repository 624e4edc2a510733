/**
 * The pure core's fast tests only: no emulator global setup, so they need neither Python nor moto.
 * `npm run test:core` runs them; Stryker (`npm run mutation`) runs them against every mutant.
 * `npm test` still runs everything (these included) through jest.config.js.
 */
import base from './jest.config.js';

const core = { ...base, testTimeout: 30000 };
delete core.globalSetup;
delete core.globalTeardown;
core.testMatch = [
  '<rootDir>/test/unit/plan.test.ts',
  '<rootDir>/test/unit/config.test.ts',
  '<rootDir>/test/unit/internet-path.test.ts',
  '<rootDir>/test/unit/fingerprint.test.ts',
  '<rootDir>/test/unit/core/**/*.test.ts',
  '<rootDir>/test/property/planner.property.test.ts',
];

export default core;

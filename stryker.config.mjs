/**
 * Mutation testing of the pure core (`npm run mutation`; not part of `npm test`: tens of minutes on
 * 2 cores). One file while writing tests: `npm run mutation -- --mutate shared/core/version.ts`.
 * Incremental: a rerun only retests mutants whose code or covering tests changed
 * (`--force` retests everything). Reports: .tmp/stryker/report/mutation.{html,json}.
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
export default {
  packageManager: 'npm',
  mutate: ['shared/core/**/*.ts'],
  testRunner: 'jest',
  testRunnerNodeArgs: ['--experimental-vm-modules'],
  // The core's tests live under test/, not next to the files they test: Jest's related-test lookup
  // (`--findRelatedTests <mutated file>`) would find none of them. perTest coverage picks the tests.
  jest: { configFile: 'jest.core.config.js', enableFindRelatedTests: false },
  checkers: ['typescript'],
  // The checker compiles only the core and its tests: a type error a mutant causes elsewhere is left
  // to the tests (the full project is `npm run typecheck`'s job).
  tsconfigFile: 'tsconfig.stryker.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  concurrency: 1,
  incremental: true,
  incrementalFile: '.tmp/stryker/incremental.json',
  tempDirName: '.tmp/stryker/sandbox',
  cleanTempDir: true,
  ignorePatterns: ['dist', '.venv', '.serverless', '.esbuild', 'coverage', 'emulator'],
  reporters: ['clear-text', 'progress', 'html', 'json'],
  htmlReporter: { fileName: '.tmp/stryker/report/mutation.html' },
  jsonReporter: { fileName: '.tmp/stryker/report/mutation.json' },
  clearTextReporter: { allowColor: false, logTests: false },
  thresholds: { high: 90, low: 85, break: null },
  timeoutMS: 5000,
};

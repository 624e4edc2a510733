'use strict';
/**
 * `${file(serverless/esbuild-options.cjs)}`: serverless-esbuild's options for every function
 * (serverless.yml `custom.esbuild`), and the one place the benchmark's bare SDK bundle takes its
 * esbuild options from, so that both bundles are built alike.
 * `exclude` is serverless-esbuild's own option (packages left out of the bundle); the rest are
 * esbuild build options (https://esbuild.github.io/api/).
 */
module.exports = {
  bundle: true,
  minify: true,
  sourcemap: false,
  target: 'node22',
  format: 'esm',
  platform: 'node',
  outExtension: { '.js': '.mjs' },
  // ESM bundles still contain CommonJS dependencies that call require().
  banner: {
    js: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
  },
  // The @aws-sdk clients are bundled (nothing excluded) so the bundle pins their versions and the
  // cold start measures what actually ships.
  exclude: [],
};

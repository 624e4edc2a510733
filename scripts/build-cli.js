// Bundles the CLI into dist/cli.js (ESM; runs on Node 20 and newer, package.json `engines`). Build output is never committed.
import { build } from 'esbuild';
import { existsSync } from 'node:fs';

const entry = 'functions/cli/main.ts';
if (!existsSync(entry)) {
  console.log(`build-cli: ${entry} does not exist yet; nothing to build`);
} else {
  await build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    outfile: 'dist/cli.js',
    banner: {
      js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
}

#!/usr/bin/env node
// The CLI bundle is built by `npm run build` (and by `npm pack` through `prepack`; an installed
// package ships it). No install-time script: installing the tarball runs nothing.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The AWS SDK for JavaScript v3 prints a multi-line NodeVersionSupportWarning on Node.js < 22 the
// first time a client is built; the SDK reads this variable to let a program turn it off
// (aws/aws-sdk-js-v3 announcement #7983, "End of Support for Node.js 20.x"). The CLI supports
// Node.js 20 itself (package.json `engines`), so the notice is not for its users. Set before the
// bundle (and the SDK in it) is loaded; a user's own value wins.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const bundle = new URL('../dist/cli.js', import.meta.url);
if (!existsSync(fileURLToPath(bundle))) {
  console.error('ecs-endpoint-remediator: dist/cli.js is missing; run `npm run build` first');
  process.exit(1);
}
const { main } = await import(bundle.href);
process.exitCode = await main(process.argv.slice(2));

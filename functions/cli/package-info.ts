/**
 * The tool's name and version, from its package.json: found by walking up from this module, which is
 * functions/cli/ in the repository and dist/ in the installed package (package.json is always packed).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TOOL_NAME = 'ecs-endpoint-remediator';

let cached: string | undefined;

export function toolVersion(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const file = join(dir, 'package.json');
    if (existsSync(file)) {
      const pkg = JSON.parse(readFileSync(file, 'utf8')) as { name?: string; version?: string };
      if (pkg.name === TOOL_NAME && pkg.version) return (cached = pkg.version);
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`${TOOL_NAME}: its package.json was not found`);
    dir = parent;
  }
}

/**
 * The built CLI as a user runs it. In a real terminal (a pseudo-terminal from Python's stdlib pty):
 * a live progress status and colour, colour off with NO_COLOR / --no-color, nothing extra with --json;
 * without a terminal: no escape codes at all. Then the package: `npm pack` holds only what runs,
 * installs into an empty prefix and runs with no warning on the node@22 devDependency and on the
 * machine's Node.js 20 when there is one, and runs through `npx` from the tarball.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, dirname, join, resolve } from 'node:path';
import { seedDemoAccount } from '../../scripts/seed/demo-account.js';
import { createAwsClients } from '../../shared/aws/clients.js';
import { resetEmulator } from '../support/emulator.js';

const ROOT = resolve('.');
const BIN = join(ROOT, 'bin/ecs-endpoint-remediator.js');
const PTY = join(ROOT, 'test/support/pty-run.py');
const PYTHON = join(ROOT, '.venv/bin/python');
const VERSION = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;
const ESC = '\u001b';
const SGR = new RegExp(`${ESC}\\[[0-9;]*m`);
const HIDE_CURSOR = `${ESC}[?25l`;

let endpoint: string;
let tmp: string;

/** The environment of a fresh shell: no npm_* variables from `npm run`, no AWS settings, no NO_COLOR. */
function cleanEnv(extra: Record<string, string> = {}, path = process.env.PATH ?? ''): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|AWS_|NO_COLOR|FORCE_COLOR|CI$|JEST|TEST_)/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, PATH: path, ...extra };
}

function inTerminal(args: string[], extra: Record<string, string> = {}) {
  const run = spawnSync(PYTHON, [PTY, process.execPath, BIN, ...args], {
    env: cleanEnv({ UPDATE_OLD_AGENTS: 'false', ...extra }),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120000,
  });
  return { code: run.status, output: run.stdout };
}

function withoutTerminal(args: string[], extra: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [BIN, ...args], {
    env: cleanEnv({ UPDATE_OLD_AGENTS: 'false', ...extra }),
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 120000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const plain = (text: string) => text.replace(new RegExp(`${ESC}\\[[0-9;?]*[A-Za-z]`, 'g'), '');

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'cli-package-'));
  execFileSync(process.execPath, ['scripts/build-cli.js'], { cwd: ROOT });
  endpoint = await resetEmulator();
  await seedDemoAccount(createAwsClients({ region: 'us-east-1', endpointUrl: endpoint }));
}, 120000);
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('in a terminal', () => {
  it('plan shows a live status (spinner, phase, counts, elapsed time) and colours the report', () => {
    const run = inTerminal(['plan', '--region', 'us-east-1', '--endpoint-url', endpoint]);
    expect(run.code).toBe(2);
    expect(run.output).toContain(HIDE_CURSOR);
    expect(plain(run.output)).toMatch(/reading the Region · \d+ AWS calls · \d+s/);
    // Severity, "will" and "would" in colour: red for critical, green for will, yellow for would.
    expect(run.output).toMatch(new RegExp(`${ESC}\\[31m.*critical \\(`));
    expect(run.output).toMatch(new RegExp(`${ESC}\\[32mwill${ESC}`));
    expect(run.output).toMatch(new RegExp(`${ESC}\\[33mwould${ESC}`));
    expect(plain(run.output)).toMatch(/Plan: 8 to create, 6 to change, 0 to destroy .*\r?\n$/);
  });

  it.each([
    ['NO_COLOR', [], { NO_COLOR: '1' }],
    ['--no-color', ['--no-color'], {}],
  ])('%s: the same report without colour', (_name, flags, env) => {
    const run = inTerminal(['plan', ...flags, '--region', 'us-east-1', '--endpoint-url', endpoint], env);
    expect(run.code).toBe(2);
    expect(run.output).not.toMatch(SGR);
    expect(plain(run.output)).toContain('critical (');
  });

  it('apply shows its progress with action counts and colours the outcomes', () => {
    const run = inTerminal(['apply', '--yes', '--region', 'us-east-1', '--endpoint-url', endpoint]);
    expect(run.code).toBe(0);
    expect(plain(run.output)).toMatch(/applying · \d+\/31 actions · \d+s/);
    expect(run.output).toMatch(new RegExp(`${ESC}\\[32mapplied${ESC}`));
    expect(plain(run.output)).toMatch(/Apply: 14 applied, 0 failed · 2 VPCs in audit not changed\r?\n/);
  });

  it('--json prints the document only: no status, no escape codes', () => {
    const run = inTerminal(['plan', '--json', '--region', 'us-east-1', '--endpoint-url', endpoint]);
    expect(run.code).toBe(2);
    expect(run.output).not.toContain(ESC);
    expect(JSON.parse(run.output)).toMatchObject({ region: 'us-east-1' });
  });
});

describe('without a terminal', () => {
  it('no live status and no colour; stderr has at most plain progress lines', () => {
    const run = withoutTerminal(['plan', '--region', 'us-east-1', '--endpoint-url', endpoint]);
    expect(run.code).toBe(2);
    expect(run.stdout).not.toContain(ESC);
    expect(run.stderr).not.toContain(ESC);
    for (const line of run.stderr.split('\n').filter(Boolean)) {
      expect(line).toMatch(/^ecs-endpoint-remediator: .+ · \d+(m\d\d)?s$/);
    }
    expect(run.stdout.trimEnd().split('\n').at(-1)).toMatch(
      /^Plan: \d+ to create, \d+ to change, 0 to destroy · /,
    );
  });
});

/** Node.js binaries to install and run the package with: the node@22 devDependency, and a Node 20 on PATH. */
function nodes(): [string, string][] {
  const found: [string, string][] = [['node@22 devDependency', dirname(process.execPath)]];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const node = join(dir, 'node');
    if (!dir || dir.includes('node_modules') || !existsSync(node)) continue;
    const version = spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim();
    if (version.startsWith('v20.')) {
      found.push([`the machine's Node.js ${version}`, dir]);
      break;
    }
  }
  return found;
}

describe('the package', () => {
  let tarball: string;

  beforeAll(() => {
    const packed = execFileSync('npm', ['pack', '--pack-destination', tmp], {
      cwd: ROOT,
      env: cleanEnv({ npm_config_cache: join(tmp, 'pack-cache'), npm_config_update_notifier: 'false' }),
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    tarball = join(tmp, packed.trim().split('\n').at(-1) ?? '');
  }, 120000);

  it('holds only what runs, and is a public Apache-2.0 package without runtime dependencies', () => {
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).trim().split('\n').sort();
    expect(files).toEqual([
      'package/LICENSE',
      'package/README.md',
      'package/bin/ecs-endpoint-remediator.js',
      'package/dist/cli.js',
      'package/documents/README.md',
      'package/documents/restart-ecs-agent.yml',
      'package/package.json',
    ]);
    const manifest = JSON.parse(
      execFileSync('tar', ['-xzOf', tarball, 'package/package.json'], { encoding: 'utf8' }),
    ) as Record<string, unknown>;
    expect(manifest.private).toBeUndefined();
    expect(manifest.license).toBe('Apache-2.0');
    expect(manifest.dependencies).toBeUndefined();
    const license = execFileSync('tar', ['-xzOf', tarball, 'package/LICENSE'], { encoding: 'utf8' });
    expect(license).toContain('Apache License');
    expect(license).toContain('Version 2.0, January 2004');
    expect(license).toContain('END OF TERMS AND CONDITIONS');
  });

  it.each(nodes())(
    'installs into an empty prefix and runs without a warning on %s',
    (_name, nodeDir) => {
      const prefix = mkdtempSync(join(tmp, 'prefix-'));
      const path = [
        nodeDir,
        ...(process.env.PATH ?? '').split(delimiter).filter((d) => !d.includes('node_modules')),
      ].join(delimiter);
      const env = cleanEnv(
        { npm_config_cache: join(prefix, '.cache'), npm_config_update_notifier: 'false' },
        path,
      );
      const install = spawnSync('npm', ['i', '-g', '--prefix', prefix, tarball], { env, encoding: 'utf8' });
      expect(install.stderr).toBe('');
      expect(install.status).toBe(0);
      const bin = join(prefix, 'bin', 'ecs-endpoint-remediator');
      const help = spawnSync(bin, ['--help'], { env, encoding: 'utf8' });
      expect({ status: help.status, stderr: help.stderr }).toEqual({ status: 0, stderr: '' });
      expect(help.stdout).toMatch(/^Usage: ecs-endpoint-remediator <command>/);
      // Building the SDK clients is where the SDK would print its Node-version notice.
      const plan = spawnSync(bin, ['plan', '--json', '--region', 'us-east-1', '--endpoint-url', endpoint], {
        env,
        encoding: 'utf8',
      });
      expect(plan.stderr).toBe('');
      expect(plan.status).toBe(2);
      const npx = spawnSync('npx', ['--yes', '--package', tarball, 'ecs-endpoint-remediator', '--version'], {
        env,
        encoding: 'utf8',
        cwd: prefix,
      });
      expect({ status: npx.status, stdout: npx.stdout.trim(), stderr: npx.stderr }).toEqual({
        status: 0,
        stdout: VERSION,
        stderr: '',
      });
    },
    120000,
  );
});

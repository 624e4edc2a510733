/** `npm run emulator` (scripts/emulator/run-standalone.js): first line, settings, clean exit. */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

const ROOT = resolve(import.meta.dirname, '../..');
const SCRIPT = resolve(ROOT, 'scripts/emulator/run-standalone.js');

function start(env: Record<string, string>): {
  child: ChildProcess;
  firstLine: Promise<string>;
  stderr: () => string;
} {
  const child = spawn(process.execPath, [SCRIPT], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const firstLine = new Promise<string>((done, fail) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => done(line));
    child.once('exit', (code) => fail(new Error(`exited (${code}) before a line: ${stderr}`)));
  });
  return { child, firstLine, stderr: () => stderr };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((done) => {
    if (child.exitCode !== null) done(child.exitCode);
    else child.once('exit', (code) => done(code));
  });

describe('npm run emulator', () => {
  it('is the package script', () => {
    const pkg = JSON.parse(readFileSync(resolve(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    expect(pkg.scripts.emulator).toBe(
      'bash scripts/python-tools.sh && node scripts/emulator/run-standalone.js',
    );
  });

  it('prints EMULATOR_URL first, passes EMULATOR_* settings through, and exits 0 on SIGTERM with the server', async () => {
    const run = start({ EMULATOR_ENDPOINT_PENDING_SECONDS: '7', EMULATOR_THROTTLE: 'aws' });
    try {
      const line = await run.firstLine;
      expect(line).toMatch(/^EMULATOR_URL=http:\/\/127\.0\.0\.1:\d+$/);
      const url = line.slice('EMULATOR_URL='.length);
      const health = (await (await fetch(`${url}/_emulator/health`)).json()) as { extensions: string[] };
      expect(health.extensions).toEqual(
        expect.arrayContaining(['ec2_settings', 'ec2_endpoints', 'ec2_throttle']),
      );
      expect(await (await fetch(`${url}/_emulator/ec2`)).json()).toMatchObject({
        endpointPendingSeconds: 7,
        throttle: 'aws',
      });
      run.child.kill('SIGTERM');
      expect(await exited(run.child)).toBe(0);
      await expect(fetch(`${url}/_emulator/health`)).rejects.toThrow();
    } finally {
      if (run.child.exitCode === null) run.child.kill('SIGKILL');
    }
  });

  it('refuses a bad setting with the reason and exit 2', async () => {
    const run = start({ EMULATOR_THROTTLE_SPEED: 'fast' });
    await expect(run.firstLine).rejects.toThrow();
    expect(await exited(run.child)).toBe(2);
    expect(run.stderr()).toContain("EMULATOR_THROTTLE_SPEED='fast': not a number");
  });
});

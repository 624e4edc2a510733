import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

/**
 * Lifecycle of the local AWS emulator (moto server from the project's .venv, extended by the
 * project's `emulator/` package: `python -m emulator`), shared by jest's global setup, the demo
 * and the benchmark. Plain JavaScript because jest loads global setup
 * files without the TypeScript path mapping.
 *
 * @typedef {{ endpoint: string, process: import('node:child_process').ChildProcess, stop: () => Promise<void> }} MotoServer
 */

export const PROJECT_ROOT = resolve(import.meta.dirname, '../..');
export const MOTO_BIN = resolve(PROJECT_ROOT, '.venv/bin/moto_server');
export const VENV_PYTHON = resolve(PROJECT_ROOT, '.venv/bin/python');

/** @returns {Promise<number>} */
export async function freeLoopbackPort() {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/**
 * @param {string} endpoint
 * @param {import('node:child_process').ChildProcess} child
 * @param {number} timeoutMs
 */
async function waitUntilReady(endpoint, child, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`moto_server did not answer at ${endpoint} within ${timeoutMs} ms`);
}

/**
 * @param {{ env?: Record<string, string>, onStderr?: (chunk: string) => void }} [options] `env`:
 *   extra environment for the emulator process (its switches, e.g. `EMULATOR_RECORD_DIR`);
 *   `onStderr` receives the emulator's stderr (its request log), otherwise it is discarded. A bad
 *   EMULATOR_* setting stops the start: the error then carries the emulator's reason.
 * @returns {Promise<MotoServer>}
 */
export async function startMotoServer(options = {}) {
  if (!existsSync(MOTO_BIN)) {
    throw new Error(`moto_server not found at ${MOTO_BIN}: run scripts/python-tools.sh (npm test does)`);
  }
  const port = await freeLoopbackPort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(VENV_PYTHON, ['-m', 'emulator', '-H', '127.0.0.1', '-p', String(port)], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, ...options.env, PYTHONPATH: PROJECT_ROOT },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // Always drained (a full pipe would block the server); the tail explains an early exit.
  let tail = '';
  child.stderr?.setEncoding('utf8').on('data', (chunk) => {
    tail = (tail + String(chunk)).slice(-4000);
    options.onStderr?.(String(chunk));
  });
  try {
    await waitUntilReady(endpoint, child, 20000);
  } catch (error) {
    const reason = tail
      .split('\n')
      .filter((line) => line.startsWith('emulator:'))
      .join('; ');
    if (child.exitCode === null) child.kill('SIGTERM');
    throw reason ? new Error(`${error instanceof Error ? error.message : String(error)}: ${reason}`) : error;
  }
  return {
    endpoint,
    process: child,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done();
        child.once('exit', () => done());
        child.kill('SIGTERM');
      }),
  };
}

/** @param {string} endpoint */
export async function resetMoto(endpoint) {
  const response = await fetch(`${endpoint}/moto-api/reset`, { method: 'POST' });
  if (!response.ok) throw new Error(`moto reset failed: HTTP ${response.status}`);
}

/**
 * Calls one of the emulator's control routes (`/_emulator/<name>`, JSON in and out); a refused call
 * (HTTP 400 with the reason) throws.
 * @param {string} endpoint
 * @param {string} name
 * @param {unknown} [body] POSTed as JSON; GET when absent
 * @returns {Promise<any>}
 */
export async function emulatorControl(endpoint, name, body) {
  const response = await fetch(`${endpoint}/_emulator/${name}`, {
    method: body === undefined ? 'GET' : 'POST',
    ...(body === undefined
      ? {}
      : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`emulator control ${name}: HTTP ${response.status} ${text}`);
  return JSON.parse(text);
}

import { spawnSync } from 'node:child_process';
import { PROJECT_ROOT, VENV_PYTHON } from '../../scripts/emulator/moto-server.js';

/**
 * Runs `python -m emulator.fidelity DIR --responses` (plain JavaScript: global teardown loads it).
 *
 * @param {string} recordDir
 * @param {string[]} [extraArgs]
 * @returns {{ ok: boolean, status: number | null, summary: string, output: string }}
 */
export function runFidelityGuard(recordDir, extraArgs = []) {
  const run = spawnSync(VENV_PYTHON, ['-m', 'emulator.fidelity', recordDir, '--responses', ...extraArgs], {
    cwd: PROJECT_ROOT,
    env: { ...process.env, PYTHONPATH: PROJECT_ROOT },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const output = `${run.stdout ?? ''}${run.stderr ?? ''}`;
  const lines = output.trim().split('\n');
  const summary =
    lines.findLast((line) => line.startsWith('fidelity:')) ?? `fidelity: no summary (exit ${run.status})`;
  return { ok: run.status === 0, status: run.status, summary, output };
}

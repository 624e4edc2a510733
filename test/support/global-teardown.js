import { rmSync } from 'node:fs';
import { runFidelityGuard } from './fidelity-guard.js';

/**
 * Stops the emulator servers, then runs the fidelity guard over what they recorded: an AWS request
 * the models reject (or a synthesized 2xx reply that does not fit its output shape) fails the run.
 */
export default async function globalTeardown() {
  // @ts-expect-error set by global setup
  const servers = /** @type {import('../../scripts/emulator/moto-server.js').MotoServer[]} */ (
    globalThis.motoServers ?? []
  );
  await Promise.all(servers.map((s) => s.stop()));
  const recordDir = process.env.TEST_EMULATOR_RECORD_DIR;
  if (!recordDir) return;
  const result = runFidelityGuard(recordDir);
  process.stdout.write(`\n${result.summary}\n`);
  if (!result.ok) {
    throw new Error(`the fidelity guard failed (records kept in ${recordDir}):\n${result.output}`);
  }
  if (process.env.TEST_EMULATOR_RECORD_DIR_TEMPORARY) rmSync(recordDir, { recursive: true, force: true });
}

import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startMotoServer } from '../../scripts/emulator/moto-server.js';

/**
 * One moto server per jest worker, so one test file's reset never wipes another file's state.
 * Every server records the AWS requests it answers into one fresh folder (EMULATOR_RECORD_DIR,
 * emulator/request_log.py); global teardown checks them against botocore's API models (the fidelity
 * guard, emulator/fidelity.py). Set EMULATOR_RECORD_DIR yourself to keep the records of a run
 * (they are appended to what the folder holds); otherwise the folder is a fresh temporary one that
 * teardown deletes when the guard passes.
 */
export default async function globalSetup(/** @type {{ maxWorkers: number }} */ config) {
  const count = Math.max(1, config.maxWorkers);
  const chosen = process.env.EMULATOR_RECORD_DIR;
  const recordDir = chosen || mkdtempSync(join(tmpdir(), 'emulator-record-'));
  if (chosen) mkdirSync(chosen, { recursive: true });
  else process.env.TEST_EMULATOR_RECORD_DIR_TEMPORARY = '1';
  const servers = await Promise.all(
    Array.from({ length: count }, () => startMotoServer({ env: { EMULATOR_RECORD_DIR: recordDir } })),
  );
  // @ts-expect-error jest keeps globals from global setup for global teardown
  globalThis.motoServers = servers;
  process.env.TEST_MOTO_ENDPOINTS = servers.map((s) => s.endpoint).join(',');
  process.env.TEST_EMULATOR_RECORD_DIR = recordDir;
}

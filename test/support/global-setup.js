import { startMotoServer } from '../../scripts/emulator/moto-server.js';

/** One moto server per jest worker, so one test file's reset never wipes another file's state. */
export default async function globalSetup(/** @type {{ maxWorkers: number }} */ config) {
  const count = Math.max(1, config.maxWorkers);
  const servers = await Promise.all(Array.from({ length: count }, () => startMotoServer()));
  // @ts-expect-error jest keeps globals from global setup for global teardown
  globalThis.motoServers = servers;
  process.env.TEST_MOTO_ENDPOINTS = servers.map((s) => s.endpoint).join(',');
}

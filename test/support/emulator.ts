import { resetMoto } from '../../scripts/emulator/moto-server.js';

/** The moto server that belongs to this jest worker (started by global-setup). */
export function emulatorEndpoint(): string {
  const endpoints = (process.env.TEST_MOTO_ENDPOINTS ?? '').split(',').filter(Boolean);
  const worker = Number(process.env.JEST_WORKER_ID ?? '1');
  const endpoint = endpoints[(worker - 1) % Math.max(1, endpoints.length)];
  if (!endpoint) throw new Error('no emulator: TEST_MOTO_ENDPOINTS is empty (is global-setup configured?)');
  return endpoint;
}

export async function resetEmulator(): Promise<string> {
  const endpoint = emulatorEndpoint();
  await resetMoto(endpoint);
  return endpoint;
}

export default async function globalTeardown() {
  // @ts-expect-error set by global setup
  const servers = /** @type {import('../../scripts/emulator/moto-server.js').MotoServer[]} */ (
    globalThis.motoServers ?? []
  );
  await Promise.all(servers.map((s) => s.stop()));
}

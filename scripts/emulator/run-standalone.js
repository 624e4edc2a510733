import { startMotoServer } from './moto-server.js';

/**
 * `npm run emulator`: the project's emulator (moto + `emulator/`) on a free loopback port, until
 * SIGINT or SIGTERM. The first stdout line is `EMULATOR_URL=http://127.0.0.1:PORT` (for
 * `plan`/`apply --endpoint-url`); EMULATOR_* settings in the environment are passed through, and a
 * bad one stops the start with the emulator's reason (exit 2).
 */
async function main() {
  let server;
  try {
    server = await startMotoServer({
      onStderr:
        process.env.EMULATOR_LOG_REQUESTS === '1' ? (chunk) => process.stderr.write(chunk) : undefined,
    });
  } catch (error) {
    process.stderr.write(
      `emulator did not start: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(2);
  }
  process.stdout.write(`EMULATOR_URL=${server.endpoint}\n`);
  process.stderr.write(
    `emulator ready; controls: ${server.endpoint}/_emulator/health, /_emulator/clock, /_emulator/ec2; Ctrl-C stops it\n`,
  );
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  server.process.once('exit', (code) => {
    if (stopping) return;
    process.stderr.write(`emulator exited on its own (code ${code})\n`);
    process.exit(1);
  });
}

await main();

/**
 * The real handler modules with a bad environment: the import (Lambda's init phase) fails with the
 * error naming the variable, one JSON error line is logged, and no handler exists to change anything.
 */

/** Captures what Powertools writes (JSON lines on stdout/stderr) while `run` runs. */
async function capturingLogs(
  run: () => Promise<unknown>,
): Promise<{ lines: Record<string, unknown>[]; error: unknown }> {
  const lines: Record<string, unknown>[] = [];
  const streams = [process.stdout, process.stderr];
  const originals = streams.map((stream) => stream.write.bind(stream));
  streams.forEach((stream) => {
    stream.write = ((chunk: string | Uint8Array) => {
      for (const line of String(chunk).split('\n')) {
        try {
          if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          // not a JSON line
        }
      }
      return true;
    }) as typeof stream.write;
  });
  let error: unknown;
  try {
    await run();
  } catch (e) {
    error = e;
  } finally {
    streams.forEach((stream, i) => {
      stream.write = originals[i] as typeof stream.write;
    });
  }
  return { lines, error };
}

const saved = { ...process.env };
afterEach(() => {
  process.env = { ...saved };
});

it.each([
  [
    'reconcile',
    '../../functions/reconcile/handler.js',
    { SLACK_DEDUPE_WINDOW_SECONDS: 'an hour' },
    'SLACK_DEDUPE_WINDOW_SECONDS',
  ],
  ['runbook', '../../functions/runbook/handler.js', { MAX_CHANGES: 'lots' }, 'MAX_CHANGES'],
  [
    'slack-interactions',
    '../../functions/slack-interactions/handler.js',
    { RUNBOOK_STATE_MACHINE_ARN: 'runbook' },
    'RUNBOOK_STATE_MACHINE_ARN',
  ],
  ['sweep', '../../functions/sweep/handler.js', { EVENT_QUEUE_URL: 'events' }, 'EVENT_QUEUE_URL'],
])('the %s handler refuses to start with a bad %s and logs why', async (name, path, bad, variable) => {
  Object.assign(process.env, {
    AWS_REGION: 'us-east-1',
    POWERTOOLS_TRACE_ENABLED: 'false',
    SLACK_SIGNING_SECRET_NAME: 'signing',
    ...bad,
  });
  const { lines, error } = await capturingLogs(() => import(path));
  expect(String(error)).toMatch(new RegExp(`invalid environment of the ${name} function: ${variable}: `));
  expect(lines.filter((l) => l.level === 'ERROR')).toEqual([
    expect.objectContaining({
      message: 'invalid configuration: the function changes nothing until it is fixed',
      error: expect.stringContaining(`${variable}: `),
    }),
  ]);
});

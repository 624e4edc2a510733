/**
 * The emulator's request log (emulator/request_log.py): every AWS request a test's moto server
 * answered, read back from the JSON lines global setup has it write (TEST_EMULATOR_RECORD_DIR).
 * Entries are told apart by the Host header, so a test sees only its own server's requests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LoggedRequest {
  readonly service: string;
  readonly action: string;
  /** The query protocol's form fields (EC2). */
  readonly params?: Readonly<Record<string, string | string[]>>;
  /** The JSON body (ECS, SSM). */
  readonly body?: Readonly<Record<string, unknown>>;
  /** The reply's status, and its XML text when a 2xx of EC2's query protocol. */
  readonly response: { readonly status: number; readonly xml?: string };
}

function entriesFor(endpoint: string): LoggedRequest[] {
  const dir = process.env.TEST_EMULATOR_RECORD_DIR;
  if (!dir)
    throw new Error('no request log: TEST_EMULATOR_RECORD_DIR is unset (is global-setup configured?)');
  const host = new URL(endpoint).host;
  return readdirSync(dir)
    .filter((name) => name.endsWith('.jsonl'))
    .flatMap((name) =>
      readFileSync(join(dir, name), 'utf8')
        .split('\n')
        .filter(Boolean)
        .flatMap((line) => {
          // Another worker's server may be writing its last line right now.
          try {
            return [JSON.parse(line) as LoggedRequest & { host: string }];
          } catch {
            return [];
          }
        }),
    )
    .filter((entry) => entry.host === host);
}

/** Marks the log now; `since()` returns what this server answered after the mark, in order. */
export function markRequestLog(endpoint: string): { since(): LoggedRequest[] } {
  const before = entriesFor(endpoint).length;
  return { since: () => entriesFor(endpoint).slice(before) };
}

/** The `Filter.N.Name` → values of an EC2 query-protocol request. */
export function ec2Filters(request: LoggedRequest): Record<string, string[]> {
  const params = request.params ?? {};
  const filters: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(params)) {
    const name = /^Filter\.(\d+)\.Name$/.exec(key);
    if (!name || typeof value !== 'string') continue;
    const prefix = `Filter.${name[1]}.Value.`;
    filters[value] = Object.entries(params)
      .filter(([k]) => k.startsWith(prefix))
      .sort(([a], [b]) => Number(a.slice(prefix.length)) - Number(b.slice(prefix.length)))
      .map(([, v]) => String(v));
  }
  return filters;
}

import { main, type CliIo } from '../../functions/cli/main.js';

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI in process, as a non-interactive terminal would (no prompt answered), with agent
 * updates off unless `env` says otherwise; collects what it printed.
 */
export async function runCli(
  args: readonly string[],
  env: Record<string, string> = {},
  options: Partial<CliIo> = {},
): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(args, {
    stdout: (t) => out.push(t),
    stderr: (t) => err.push(t),
    env: { UPDATE_OLD_AGENTS: 'false', ...env },
    interactive: false,
    confirm: async () => false,
    ...options,
  });
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

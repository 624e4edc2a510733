/**
 * The benchmark (`npm run bench [-- --only NAME[,NAME…]] [--json FILE]`): runs measurement modules
 * in order, prints their figures (stdout; progress on stderr) and, with `--json`, writes every
 * figure to FILE. It asserts nothing about timings.
 *
 * Invariants: seeding time is never inside a measured figure; the emulator is started only when a
 * module needs it and always stopped; exit code 0 when every module ran (a bundle module that cannot
 * package is skipped with its reason), 1 when one failed, 2 on bad arguments.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { VENV_PYTHON } from '../emulator/moto-server.js';
import { applyOnDrifted } from './apply.js';
import { awsShapeApply } from './aws-shape-apply.js';
import { bundles } from './bundles.js';
import { createBenchContext, type Measure } from './context.js';
import { eventScopedReads } from './event-scoped-reads.js';
import { lambdaWait } from './lambda-wait.js';
import { table } from './output.js';
import { planAtScale } from './plan-at-scale.js';
import { repair } from './repair.js';
import { restartBatching } from './restart-batching.js';

/** In run order: the read-only measures share the accounts they seed (plan at scale ends at 300 VPCs). */
export const MEASURES: readonly Measure[] = [
  planAtScale,
  eventScopedReads,
  applyOnDrifted,
  awsShapeApply,
  repair,
  lambdaWait,
  restartBatching,
  bundles,
];

export interface BenchArgs {
  readonly only: readonly string[] | undefined;
  readonly json: string | undefined;
}

/** Parses the bench's arguments; throws with the usage on anything else. */
export function parseArgs(argv: readonly string[], measures: readonly Measure[] = MEASURES): BenchArgs {
  const names = measures.map((m) => m.name);
  const usage = `usage: npm run bench -- [--only NAME[,NAME…]] [--json FILE]; NAME: ${names.join(', ')}`;
  let only: string[] | undefined;
  let json: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = argv[i + 1];
    if (arg === '--only' || arg === '--json') {
      if (value === undefined || value.startsWith('--')) throw new Error(`${arg} needs a value\n${usage}`);
      i++;
      if (arg === '--json') json = value;
      else {
        const wanted = value.split(',').filter(Boolean);
        const unknown = wanted.filter((n) => !names.includes(n));
        if (unknown.length > 0 || wanted.length === 0) {
          throw new Error(`unknown measure ${unknown.join(', ') || '(none)'}\n${usage}`);
        }
        only = [...(only ?? []), ...wanted];
      }
    } else if (arg === '--help' || arg === '-h') {
      throw new Error(usage);
    } else {
      throw new Error(`unknown argument ${arg}\n${usage}`);
    }
  }
  return { only, json };
}

function motoVersion(): string {
  const result = spawnSync(VENV_PYTHON, ['-c', 'import importlib.metadata as m; print(m.version("moto"))'], {
    encoding: 'utf8',
  });
  return result.status === 0 ? result.stdout.trim() : 'unknown (.venv/bin/python failed)';
}

export async function main(argv: readonly string[]): Promise<number> {
  let args: BenchArgs;
  try {
    args = parseArgs(argv);
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    return 2;
  }
  const selected = MEASURES.filter((m) => !args.only || args.only.includes(m.name));
  const benchStarted = performance.now();
  const meta = {
    node: process.version,
    moto: motoVersion(),
    date: new Date().toISOString(),
    platform: `${process.platform} ${process.arch}`,
    measures: selected.map((m) => m.name),
  };
  console.log('ecs-endpoint-remediator benchmark');
  console.log(
    table(
      ['item', 'value'],
      [
        ['node', meta.node],
        ['moto', meta.moto],
        ['date', meta.date],
        ['platform', meta.platform],
        ['measures', meta.measures.join(', ')],
      ],
    ),
  );
  const ctx = createBenchContext();
  // An interrupted run must not leave its emulator behind.
  const onSignal = (signal: NodeJS.Signals) => {
    process.stderr.write(`${signal}: stopping the emulator\n`);
    ctx.kill();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const figures: Record<string, unknown> = {};
  let code = 0;
  try {
    for (const measure of selected) {
      try {
        const result = await measure.run(ctx);
        console.log(result.report.toString());
        Object.assign(figures, result.json);
      } catch (error) {
        code = 1;
        const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
        console.error(`\nbench: ${measure.name} failed: ${message}`);
        figures[`${measure.name}Error`] = error instanceof Error ? error.message : String(error);
        if (/emulator|moto/i.test(message) && /start/i.test(message)) {
          console.error(
            'bench: run `bash scripts/python-tools.sh` (npm run bench does) to install moto into .venv.',
          );
        }
      }
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await ctx.close();
  }
  const durationSeconds = Number(((performance.now() - benchStarted) / 1000).toFixed(1));
  console.log(`\nbenchmark finished in ${durationSeconds.toFixed(1)} s`);
  if (args.json) {
    const path = resolve(args.json);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, `${JSON.stringify({ ...figures, meta: { ...meta, durationSeconds } }, null, 2)}\n`);
    console.log(`figures written to ${path}`);
  }
  return code;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2));
}

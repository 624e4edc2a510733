/**
 * 4. Lambda bundles from `sls package`: sizes and cold-import time against a bare SDK bundle built
 * with the same esbuild options (serverless/esbuild-options.cjs, which serverless.yml also reads).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import type { PackagedService } from '../../test/support/sls-package.js';
import { PROJECT_ROOT, VENV_PYTHON } from '../emulator/moto-server.js';
import type { Measure } from './context.js';
import { median, ms, progress, Report } from './output.js';
import { functionEnvironments, resolvePackagedTemplate, STAND_IN_ACCOUNT } from './packaged-values.js';

const COLD_INIT_RUNS = 5;

/** serverless-esbuild's options for every function, as serverless.yml reads them. */
export function functionEsbuildOptions(): Readonly<Record<string, unknown>> {
  return createRequire(import.meta.url)('../../serverless/esbuild-options.cjs') as Record<string, unknown>;
}

/**
 * The esbuild build options among them: `exclude` is serverless-esbuild's own (nothing excluded
 * here either), `outExtension` applies to an `outdir` build only (the bare bundle names its file).
 */
export function bareBuildOptions(): BuildOptions {
  const { exclude: _exclude, outExtension: _outExtension, ...options } = functionEsbuildOptions();
  return options as BuildOptions;
}

interface ChildResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

function run(
  command: string,
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<ChildResult> {
  return new Promise((done) => {
    const child = spawn(command, args, { cwd: PROJECT_ROOT, env: options.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => {
      stderr += `\n(timed out after ${options.timeoutMs} ms)`;
      child.kill('SIGTERM');
    }, options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      done({ code: -1, stdout, stderr: `${stderr}\n${error.message}` });
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr });
    });
  });
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

/**
 * Imports `file` in a fresh Node process and returns the milliseconds the import took. The child
 * gets only PATH, HOME, the function's own environment and the bench's fixed variables.
 */
async function coldImportMs(
  file: string,
  region: string,
  functionEnv: Readonly<Record<string, string>>,
): Promise<{ importMs: number; processMs: number }> {
  const script =
    'const t = performance.now(); await import(process.argv[1]); ' +
    'process.stdout.write(JSON.stringify({ ms: performance.now() - t })); process.exit(0);';
  const started = performance.now();
  const result = await run(
    process.execPath,
    ['--input-type=module', '-e', script, pathToFileURL(file).href],
    {
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        ...functionEnv,
        AWS_REGION: region,
        POWERTOOLS_METRICS_DISABLED: 'true',
        POWERTOOLS_TRACE_ENABLED: 'false',
      },
      timeoutMs: 60000,
    },
  );
  const processMs = performance.now() - started;
  if (result.code !== 0) {
    const lines = result.stderr.trim().split('\n');
    const error = lines.find((line) => /Error/.test(line)) ?? lines[0] ?? '';
    throw new Error(`exit ${result.code}: ${error.trim()}`);
  }
  return { importMs: (JSON.parse(result.stdout) as { ms: number }).ms, processMs };
}

async function buildBareBundle(dir: string): Promise<string> {
  const outfile = join(dir, 'bare', 'handler.mjs');
  await build({
    ...bareBuildOptions(),
    stdin: {
      contents: [
        "import { EC2Client } from '@aws-sdk/client-ec2';",
        "import { ECSClient } from '@aws-sdk/client-ecs';",
        "import { SSMClient } from '@aws-sdk/client-ssm';",
        'const clients = [new EC2Client({}), new ECSClient({}), new SSMClient({})];',
        'export const handler = async () => clients.length;',
      ].join('\n'),
      resolveDir: PROJECT_ROOT,
      sourcefile: 'bare-handler.mjs',
      loader: 'js',
    },
    outfile,
    logLevel: 'silent',
  });
  return outfile;
}

interface BundleFigure {
  name: string;
  zipBytes: number | undefined;
  mjsBytes: number;
  importMs: number | undefined;
  processMs: number | undefined;
  /** Why the bundle could not be imported, when it could not. */
  error?: string;
}

interface BundleFile {
  name: string;
  zipBytes: number | undefined;
  file: string;
  env: Record<string, string>;
}

type BundleResult = { figures: BundleFigure[]; bare: BundleFigure } | { skipped: string };

/** Unzips each function zip of the package into `dir`; a string says why that was not possible. */
function functionBundles(packaged: PackagedService, region: string, dir: string): BundleFile[] | string {
  const zips = Object.keys(packaged.artifacts).sort();
  if (zips.length === 0) return `sls package wrote no function zip into ${packaged.dir}`;
  const environments = functionEnvironments(
    resolvePackagedTemplate(packaged.template, { region, accountId: STAND_IN_ACCOUNT }),
  );
  const found: BundleFile[] = [];
  for (const zip of zips) {
    const name = zip.replace(/\.zip$/, '');
    const target = join(dir, 'unzipped', name);
    const extracted = spawnSync(VENV_PYTHON, ['-m', 'zipfile', '-e', join(packaged.dir, zip), target], {
      encoding: 'utf8',
    });
    if (extracted.status !== 0) return `could not unzip ${zip}: ${extracted.stderr.trim()}`;
    const file = filesUnder(target).find((path) => path.endsWith('.mjs'));
    if (!file) return `${zip} holds no .mjs bundle`;
    progress(`${name}: ${relative(target, file)}`);
    found.push({ name, zipBytes: packaged.artifacts[zip], file, env: environments.get(zip) ?? {} });
  }
  return found;
}

async function measureBundles(packaged: PackagedService, region: string): Promise<BundleResult> {
  const dir = mkdtempSync(join(tmpdir(), 'ecs-endpoint-remediator-bench-'));
  try {
    const ours = functionBundles(packaged, region, dir);
    if (typeof ours === 'string') return { skipped: ours };
    progress('building the bare SDK bundle with esbuild…');
    const bare: BundleFile = {
      name: 'bare (EC2+ECS+SSM clients)',
      zipBytes: undefined,
      file: await buildBareBundle(dir),
      env: {},
    };
    const all = [...ours, bare];
    const samples = new Map(
      all.map((b) => [
        b,
        { imports: [] as number[], processes: [] as number[], error: undefined as string | undefined },
      ]),
    );
    // Runs are interleaved so that machine noise falls on every bundle alike.
    for (let i = 0; i < COLD_INIT_RUNS; i++) {
      progress(`cold init run ${i + 1}/${COLD_INIT_RUNS}…`);
      for (const bundle of all) {
        const sample = samples.get(bundle);
        if (!sample || sample.error) continue;
        try {
          const result = await coldImportMs(bundle.file, region, bundle.env);
          sample.imports.push(result.importMs);
          sample.processes.push(result.processMs);
        } catch (error) {
          sample.error = error instanceof Error ? error.message : String(error);
          progress(`${bundle.name}: import failed: ${sample.error}`);
        }
      }
    }
    const figure = (b: BundleFile): BundleFigure => {
      const sample = samples.get(b);
      const failed = !sample || sample.error !== undefined;
      return {
        name: b.name,
        zipBytes: b.zipBytes,
        mjsBytes: statSync(b.file).size,
        importMs: failed ? undefined : median(sample.imports),
        processMs: failed ? undefined : median(sample.processes),
        ...(sample?.error ? { error: sample.error } : {}),
      };
    };
    return { figures: ours.map(figure), bare: figure(bare) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function printBundles(result: BundleResult, region: string): Report {
  const report = new Report().heading('4. Bundles (sls package --stage bench) and cold init');
  if ('skipped' in result) return report.line(`skipped: ${result.skipped}`);
  const { figures, bare } = result;
  const ratio = (b: BundleFigure) =>
    b.importMs !== undefined && bare.importMs ? b.importMs / bare.importMs : undefined;
  report.table(
    [
      'bundle',
      'zip bytes',
      '.mjs bytes',
      `import ms (median of ${COLD_INIT_RUNS})`,
      'process ms (median)',
      'ours/bare',
    ],
    [...figures, bare].map((b) => [
      b.name,
      b.zipBytes ?? '-',
      b.mjsBytes,
      b.importMs === undefined ? '-' : Number(b.importMs.toFixed(1)),
      b.processMs === undefined ? '-' : ms(b.processMs),
      b === bare ? '-' : Number(ratio(b)?.toFixed(2) ?? NaN) || '-',
    ]),
  );
  for (const b of [...figures, bare].filter((f) => f.error))
    report.line(`import of ${b.name} failed: ${b.error}`);
  const ratios = figures.map(ratio).filter((r): r is number => r !== undefined);
  const options = bareBuildOptions();
  report.line(
    `\nimport ms: \`await import(bundle)\` in a fresh \`node\` (${process.version}) with the function's environment from the packaged\n` +
      `template (intrinsics evaluated by cfn-resolver-lib for a stand-in account), AWS_REGION=${region}, POWERTOOLS_METRICS_DISABLED=true, POWERTOOLS_TRACE_ENABLED=false;\n` +
      'process ms: spawn to exit.' +
      '\nbare: esbuild of an entry importing only @aws-sdk/client-ec2, client-ecs, client-ssm and constructing the three clients,' +
      `\n      same options (serverless/esbuild-options.cjs: ${Object.keys(options).join(', ')}).` +
      (ratios.length
        ? `\nworst ratio ours/bare: ${Math.max(...ratios).toFixed(2)} (target <= 1.3)`
        : '\nno ratio: no bundle imported'),
  );
  return report;
}

export const bundles: Measure = {
  name: 'bundles',
  description: 'Lambda bundle sizes from sls package and cold-import time against a bare SDK bundle',
  async run(ctx) {
    let result: BundleResult;
    try {
      result = await measureBundles(await ctx.packaged(), ctx.region);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      result = { skipped: message.split('\n').slice(-12).join('\n') };
    }
    return {
      report: printBundles(result, ctx.region),
      json: {
        bundles:
          'skipped' in result
            ? { skipped: result.skipped }
            : [...result.figures, result.bare].map((b) => ({
                name: b.name,
                zipBytes: b.zipBytes ?? null,
                mjsBytes: b.mjsBytes,
                importMs: b.importMs === undefined ? null : Number(b.importMs.toFixed(1)),
                processMs: b.processMs === undefined ? null : ms(b.processMs),
                ...(b.error ? { error: b.error } : {}),
              })),
      },
    };
  },
};

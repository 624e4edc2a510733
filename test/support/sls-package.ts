/**
 * Runs `sls package` offline into a temporary directory and returns the CloudFormation template.
 * serverless-esbuild builds in the service's own `.esbuild/` folder, so packaging is serialized
 * across jest workers (and other test processes) with a lock directory.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SERVICE_DIR = fileURLToPath(new URL('../../', import.meta.url));
const SLS_BIN = join(SERVICE_DIR, 'node_modules/serverless/bin/serverless.js');
const LOCK_DIR = join(tmpdir(), 'ecs-endpoint-remediator-sls-package.lock');
/** A lock older than this belongs to a process that died while packaging. */
const STALE_LOCK_MS = 5 * 60 * 1000;

export interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Condition?: string;
  DependsOn?: string | string[];
}

export interface CfnTemplate {
  Parameters?: Record<string, Record<string, unknown>>;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, unknown>;
}

export interface PackagedService {
  /** Where `sls package` wrote the templates and zips. */
  dir: string;
  templatePath: string;
  template: CfnTemplate;
  /** Function artifacts (`<function>.zip`) and their sizes in bytes. */
  artifacts: Record<string, number>;
  output: string;
}

export interface PackageOptions {
  stage?: string;
  region?: string;
  /** `--param="name=value"` overrides. */
  params?: Readonly<Record<string, string>>;
}

export async function packageService(options: PackageOptions = {}): Promise<PackagedService> {
  const dir = await mkdtemp(join(tmpdir(), 'sls-package-'));
  const args = [SLS_BIN, 'package', '--package', dir, '--stage', options.stage ?? 'test'];
  if (options.region) args.push('--region', options.region);
  for (const [name, value] of Object.entries(options.params ?? {})) args.push(`--param=${name}=${value}`);
  const output = await withLock(() => run(args));
  const templatePath = join(dir, 'cloudformation-template-update-stack.json');
  const template = JSON.parse(await readFile(templatePath, 'utf8')) as CfnTemplate;
  const artifacts: Record<string, number> = {};
  for (const name of await readdir(dir)) {
    if (name.endsWith('.zip')) artifacts[name] = (await stat(join(dir, name))).size;
  }
  return { dir, templatePath, template, artifacts, output };
}

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      args,
      {
        cwd: SERVICE_DIR,
        maxBuffer: 16 * 1024 * 1024,
        env: {
          ...process.env,
          SLS_TELEMETRY_DISABLED: '1',
          SLS_NOTIFICATIONS_MODE: 'off',
          SLS_DEPRECATION_DISABLE: '*',
          // Packaging needs no AWS access; fake credentials keep the SDK from probing for real ones.
          AWS_ACCESS_KEY_ID: 'test',
          AWS_SECRET_ACCESS_KEY: 'test',
          AWS_SESSION_TOKEN: '',
          AWS_PROFILE: '',
        },
      },
      (error, stdout, stderr) => {
        const output = `${stdout}${stderr}`;
        if (error) reject(new Error(`sls package failed (${error.message}):\n${output}`));
        else resolve(output);
      },
    );
  });
}

async function withLock<T>(work: () => Promise<T>): Promise<T> {
  for (;;) {
    try {
      await mkdir(LOCK_DIR);
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = await stat(LOCK_DIR).then(
        (s) => Date.now() - s.mtimeMs,
        () => 0,
      );
      if (age > STALE_LOCK_MS) await rm(LOCK_DIR, { recursive: true, force: true });
      else await new Promise((r) => setTimeout(r, 250));
    }
  }
  try {
    await writeFile(join(LOCK_DIR, 'owner'), String(process.pid));
    return await work();
  } finally {
    await rm(LOCK_DIR, { recursive: true, force: true });
  }
}

/** Statements of every IAM role and policy in the template, with the logical id they belong to. */
export interface PolicyStatement {
  owner: string;
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

export function iamStatements(template: CfnTemplate): PolicyStatement[] {
  const statements: PolicyStatement[] = [];
  for (const [id, resource] of Object.entries(template.Resources)) {
    const props = resource.Properties ?? {};
    const documents: unknown[] = [];
    if (resource.Type === 'AWS::IAM::Role') {
      for (const policy of (props.Policies as Array<{ PolicyDocument: unknown }> | undefined) ?? []) {
        documents.push(policy.PolicyDocument);
      }
    } else if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
      documents.push(props.PolicyDocument);
    }
    for (const document of documents) {
      const list = (document as { Statement: PolicyStatement | PolicyStatement[] }).Statement;
      for (const statement of Array.isArray(list) ? list : [list])
        statements.push({ ...statement, owner: id });
    }
  }
  return statements;
}

export function actionsOf(statement: Pick<PolicyStatement, 'Action'>): string[] {
  return Array.isArray(statement.Action) ? statement.Action : [statement.Action];
}

export function resourcesOf(statement: Pick<PolicyStatement, 'Resource'>): unknown[] {
  return Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];
}

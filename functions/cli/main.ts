/**
 * `ecs-endpoint-remediator plan|apply`: the CLI. Exit codes: plan 0 no drift, 2 drift, 1 error;
 * apply 0 converged, 1 any failure or error. Errors are one line on stderr.
 */
import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import { configFromEnvironment, type RemediatorConfig } from '../../shared/core/config.js';
import type { ApplyReport, Plan } from '../../shared/core/domain.js';
import { hasDrift } from '../../shared/core/plan.js';
import { formatApplyReport, formatPlan, planDocument } from '../../shared/core/report.js';
import { createAwsClients } from '../../shared/aws/clients.js';
import { errorMessage } from '../../shared/aws/aws-errors.js';
import { createRemediatorPorts } from '../../shared/app/ports.js';
import { applyRegionPlan, planRegion, type RemediatorDeps } from '../../shared/app/remediator.js';

export const USAGE = `Usage:
  ecs-endpoint-remediator plan  [--region R] [--vpc ID]... [--endpoint-url URL] [--json]
  ecs-endpoint-remediator apply [--region R] [--vpc ID]... [--endpoint-url URL] [--json] [--yes] [--max-changes N]

  plan   reads the region and prints what is wrong and what would be done (exit 0 no drift, 2 drift, 1 error)
  apply  prints the plan, asks for confirmation (unless --yes), applies it to enforce VPCs
         (exit 0 converged, 1 on any failure)`;

const REGION_PATTERN = /^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d{1,2}$/;
const VPC_PATTERN = /^vpc-[0-9a-f]{8,17}$/;

export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly confirm: (question: string) => Promise<boolean>;
  readonly interactive: boolean;
}

const processIo: CliIo = {
  stdout: (text) => process.stdout.write(`${text}\n`),
  stderr: (text) => process.stderr.write(`${text}\n`),
  env: process.env,
  interactive: Boolean(process.stdin.isTTY),
  confirm: async (question) => {
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return /^y(es)?$/i.test((await rl.question(question)).trim());
    } finally {
      rl.close();
    }
  },
};

class UsageError extends Error {}

interface Parsed {
  command: 'plan' | 'apply';
  region?: string;
  vpcIds: string[];
  endpointUrl?: string;
  json: boolean;
  yes: boolean;
  maxChanges?: number;
}

function parse(argv: readonly string[]): Parsed | 'help' {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: {
      region: { type: 'string' },
      vpc: { type: 'string', multiple: true },
      'endpoint-url': { type: 'string' },
      json: { type: 'boolean', default: false },
      yes: { type: 'boolean', short: 'y', default: false },
      'max-changes': { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return 'help';
  const [command, ...rest] = positionals;
  if (command !== 'plan' && command !== 'apply')
    throw new UsageError(`unknown command ${JSON.stringify(command ?? '')}`);
  if (rest.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(rest[0])}`);
  if (values.region !== undefined && !REGION_PATTERN.test(values.region)) {
    throw new UsageError(`unknown region ${JSON.stringify(values.region)}`);
  }
  for (const vpc of values.vpc ?? []) {
    if (!VPC_PATTERN.test(vpc)) throw new UsageError(`not a VPC id: ${JSON.stringify(vpc)}`);
  }
  let maxChanges: number | undefined;
  if (values['max-changes'] !== undefined) {
    maxChanges = Number(values['max-changes']);
    if (!Number.isInteger(maxChanges) || maxChanges < 0)
      throw new UsageError('--max-changes takes a whole number >= 0');
    if (command !== 'apply') throw new UsageError('--max-changes goes with apply');
  }
  if (values.yes && command !== 'apply') throw new UsageError('--yes goes with apply');
  const endpointUrl = values['endpoint-url'];
  if (endpointUrl !== undefined && !/^https?:\/\/[^\s/]+/.test(endpointUrl)) {
    throw new UsageError(`--endpoint-url must be an http(s) URL, got ${JSON.stringify(endpointUrl)}`);
  }
  return {
    command,
    vpcIds: values.vpc ?? [],
    json: values.json ?? false,
    yes: values.yes ?? false,
    ...(values.region ? { region: values.region } : {}),
    ...(endpointUrl ? { endpointUrl } : {}),
    ...(maxChanges !== undefined ? { maxChanges } : {}),
  };
}

function applyDocument(report: ApplyReport): unknown {
  return {
    ...(planDocument(report.plan) as object),
    outcomes: report.outcomes,
    writeCalls: report.writeCalls,
    stoppedAtMaxChanges: report.stoppedAtMaxChanges,
    converged: report.converged,
  };
}

function applicable(p: Plan): number {
  return p.vpcs.reduce((n, v) => n + (v.mode === 'enforce' ? v.actions.filter((a) => a.apply).length : 0), 0);
}

export async function main(argv: readonly string[], io: CliIo = processIo): Promise<number> {
  let parsed: Parsed | 'help';
  try {
    parsed = parse(argv);
  } catch (error) {
    io.stderr(
      `ecs-endpoint-remediator: ${error instanceof Error ? error.message : String(error)}\n\n${USAGE}`,
    );
    return 1;
  }
  if (parsed === 'help') {
    io.stdout(USAGE);
    return 0;
  }
  try {
    const base = configFromEnvironment(io.env);
    const config: RemediatorConfig =
      parsed.maxChanges !== undefined ? { ...base, maxChanges: parsed.maxChanges } : base;
    const clients = createAwsClients({
      env: io.env,
      ...(parsed.region ? { region: parsed.region } : {}),
      ...(parsed.endpointUrl ? { endpointUrl: parsed.endpointUrl } : {}),
    });
    const deps: RemediatorDeps = {
      ports: createRemediatorPorts(clients),
      config,
      ...(!parsed.json && io.interactive ? { progress: (line: string) => io.stderr(line) } : {}),
    };
    const scope = parsed.vpcIds.length > 0 ? { vpcIds: parsed.vpcIds } : {};
    const p = await planRegion(deps, scope);
    if (parsed.command === 'plan') {
      io.stdout(parsed.json ? JSON.stringify(planDocument(p), null, 2) : formatPlan(p));
      return hasDrift(p) ? 2 : 0;
    }
    if (!parsed.json) io.stdout(formatPlan(p));
    const count = applicable(p);
    if (count > 0 && !parsed.yes) {
      if (!io.interactive)
        throw new Error('apply changes the network: pass --yes to apply without a terminal');
      const ok = await io.confirm(`Apply ${count} action(s) to enforce VPCs in ${p.region}? [y/N] `);
      if (!ok) {
        io.stderr('ecs-endpoint-remediator: not applied');
        return 1;
      }
    }
    const report = await applyRegionPlan(deps, p);
    io.stdout(
      parsed.json ? JSON.stringify(applyDocument(report), null, 2) : `\n${formatApplyReport(report)}`,
    );
    return report.converged ? 0 : 1;
  } catch (error) {
    io.stderr(`ecs-endpoint-remediator: ${errorMessage(error)}`);
    return 1;
  }
}

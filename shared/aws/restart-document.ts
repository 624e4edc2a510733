/**
 * The SSM Command document that restarts the ECS agent (documents/restart-ecs-agent.yml).
 * `content` is what `CreateDocument` takes with `DocumentType: 'Command'` and `DocumentFormat: 'YAML'`;
 * the script helpers render a step the way SSM would, for tests and for reading the document.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';

export const RESTART_DOCUMENT_PATH = resolve(import.meta.dirname, '../../documents/restart-ecs-agent.yml');

export type RestartParameterName = 'introspectionTimeoutSeconds' | 'restartReason';
export type RestartParameters = Partial<Record<RestartParameterName, string>>;

const LINUX_ACTION = 'aws:runShellScript';
const WINDOWS_ACTION = 'aws:runPowerShellScript';

const parameterSchema = z.object({
  type: z.string(),
  description: z.string().optional(),
  default: z.string().optional(),
  allowedPattern: z.string().optional(),
});

const documentSchema = z.object({
  schemaVersion: z.string(),
  description: z.string(),
  parameters: z.record(z.string(), parameterSchema),
  mainSteps: z.array(
    z.object({
      action: z.string(),
      name: z.string(),
      precondition: z.object({ StringEquals: z.tuple([z.literal('platformType'), z.string()]) }).optional(),
      inputs: z.object({ runCommand: z.array(z.string()).min(1) }),
    }),
  ),
});

type RestartDocument = z.infer<typeof documentSchema>;

/** Same `{{ name }}` syntax SSM substitutes in document inputs. */
const PARAMETER_REFERENCE = /\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g;

export function loadRestartDocument(): { content: string; parsed: unknown } {
  const content = readFileSync(RESTART_DOCUMENT_PATH, 'utf8');
  return { content, parsed: parse(content) as unknown };
}

function readDocument(): RestartDocument {
  return documentSchema.parse(loadRestartDocument().parsed);
}

/**
 * Fills in parameters as SSM would: a missing value takes the document default, and every value
 * must match the parameter's `allowedPattern` (SSM refuses the command otherwise).
 */
function interpolate(document: RestartDocument, text: string, params: RestartParameters): string {
  for (const name of Object.keys(params)) {
    if (!(name in document.parameters)) throw new Error(`the restart document has no parameter ${name}`);
  }
  return text.replace(PARAMETER_REFERENCE, (_match, name: string) => {
    const parameter = document.parameters[name];
    if (parameter === undefined) throw new Error(`the restart document references unknown parameter ${name}`);
    const value = params[name as RestartParameterName] ?? parameter.default;
    if (value === undefined) throw new Error(`parameter ${name} has no value and no default`);
    if (parameter.allowedPattern !== undefined && !new RegExp(parameter.allowedPattern).test(value)) {
      throw new Error(
        `parameter ${name} value ${JSON.stringify(value)} does not match ${parameter.allowedPattern}`,
      );
    }
    return value;
  });
}

function stepScript(action: string, params: RestartParameters): string {
  const document = readDocument();
  const step = document.mainSteps.find((s) => s.action === action);
  if (step === undefined) throw new Error(`the restart document has no ${action} step`);
  // SSM writes runCommand entries one per line into the script file.
  const script = step.inputs.runCommand.join('\n');
  return interpolate(document, script.endsWith('\n') ? script : `${script}\n`, params);
}

/** The Linux step's script with parameters substituted (given values, else the defaults). */
export function linuxScript(params: RestartParameters = {}): string {
  return stepScript(LINUX_ACTION, params);
}

/** The Windows step's PowerShell script with parameters substituted. */
export function windowsScript(params: RestartParameters = {}): string {
  return stepScript(WINDOWS_ACTION, params);
}

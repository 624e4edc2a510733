/**
 * What every function's environment schema is made of, and the one way it is parsed: once, at cold
 * start, into a frozen typed object. A wrong environment throws EnvironmentError, whose message names
 * every variable that is wrong and what is wrong with it, before any client is built.
 */
import { z } from 'zod';
import type { RemediatorConfig } from '../shared/core/config.js';
import { REGION_HINT, REGION_PATTERN } from '../shared/core/id-patterns.js';

export type Environment = Readonly<Record<string, string | undefined>>;

/** The function's environment cannot be used; nothing was built. */
export class EnvironmentError extends Error {
  override readonly name = 'EnvironmentError';
  constructor(
    readonly functionName: string,
    readonly problems: readonly string[],
  ) {
    super(`invalid environment of the ${functionName} function: ${problems.join('; ')}`);
  }
}

/** A blank variable counts as unset (serverless.yml renders an empty parameter as ''). */
const blankAsUnset = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** Comma-separated, blanks and surrounding spaces dropped; unset is the empty list. */
const commaList = (value: unknown) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean)
    : (value ?? []);

/**
 * AWS_REGION: Lambda sets it to the function's Region ("Defined runtime environment variables",
 * https://docs.aws.amazon.com/lambda/latest/dg/configuration-envvars.html#configuration-envvars-runtime).
 */
export const regionVariable = z
  .string({ error: `is not set (${REGION_HINT})` })
  .regex(REGION_PATTERN, `must be ${REGION_HINT}`);

/** A name (of a secret, a queue...) that may be left unset or blank: then `undefined`. */
export const optionalNameVariable = z.preprocess(blankAsUnset, z.string().trim().min(1).optional());

/** A required non-blank string. */
export const requiredVariable = (hint: string) =>
  z.preprocess(
    blankAsUnset,
    z
      .string({ error: `is not set (${hint})` })
      .trim()
      .min(1),
  );

/** A required string matching `pattern`. */
export const patternVariable = (pattern: RegExp, hint: string) =>
  z.preprocess(blankAsUnset, z.string({ error: `is not set (${hint})` }).regex(pattern, `must be ${hint}`));

/** A string matching `pattern`, or unset or blank: then `undefined`. */
export const optionalPatternVariable = (pattern: RegExp, hint: string) =>
  z.preprocess(blankAsUnset, z.string().regex(pattern, `must be ${hint}`).optional());

/** A whole number in [min, max]; unset or blank gives `fallback`. */
export const integerVariable = (min: number, max: number, fallback: number) =>
  z.preprocess(
    blankAsUnset,
    z.coerce
      .number({ error: `must be a whole number from ${min} to ${max}` })
      .int(`must be a whole number from ${min} to ${max}`)
      .min(min, `must be a whole number from ${min} to ${max}`)
      .max(max, `must be a whole number from ${min} to ${max}`)
      .default(fallback),
  );

/** `true` or `false`; unset or blank gives `fallback`. */
export const booleanVariable = (fallback: boolean) =>
  z.preprocess(
    blankAsUnset,
    z
      .enum(['true', 'false'], { error: 'must be true or false' })
      .default(fallback ? 'true' : 'false')
      .transform((value) => value === 'true'),
  );

/** A comma-separated list whose every item matches `pattern`; unset or blank is the empty list. */
export const listVariable = (pattern: RegExp, hint: string) =>
  z.preprocess(
    commaList,
    z.array(z.string().regex(pattern, `each comma-separated item must be ${hint}`)).readonly(),
  );

/** `VARIABLE: what is wrong (got "value")`, the variable named once. */
function problemOf(issue: z.core.$ZodIssue, env: Environment): string {
  const variable = String(issue.path[0] ?? '(environment)');
  const value = env[variable];
  const got = value === undefined ? '' : ` (got ${JSON.stringify(value)})`;
  return `${variable}: ${issue.message}${got}`;
}

/** An error listing what is wrong, one problem per variable (ConfigError is one). */
const problemsIn = (error: unknown): readonly string[] | undefined => {
  const problems = (error as { problems?: unknown } | null)?.problems;
  return Array.isArray(problems) && problems.every((p) => typeof p === 'string') ? problems : undefined;
};

/**
 * Parses `env` with `shape` (unknown variables are ignored) and, given `config` (the reader of the
 * remediator's settings, configFromEnvironment), those settings too; every problem of both is
 * reported at once. The reader is passed in rather than imported, so that functions without
 * settings (sweep, slack-interactions) do not bundle them. The result is frozen: nothing changes the
 * environment after the cold start.
 */
export function parseEnvironment<Shape extends z.ZodRawShape>(
  functionName: string,
  shape: Shape,
  env: Environment,
): Readonly<z.output<z.ZodObject<Shape>>>;
export function parseEnvironment<Shape extends z.ZodRawShape>(
  functionName: string,
  shape: Shape,
  env: Environment,
  options: { readonly config: (env: Environment) => RemediatorConfig },
): Readonly<z.output<z.ZodObject<Shape>> & { readonly config: RemediatorConfig }>;
export function parseEnvironment<Shape extends z.ZodRawShape>(
  functionName: string,
  shape: Shape,
  env: Environment,
  options: { readonly config?: (env: Environment) => RemediatorConfig } = {},
): Readonly<z.output<z.ZodObject<Shape>> & { readonly config?: RemediatorConfig }> {
  const problems: string[] = [];
  const parsed = z.object(shape).safeParse(env);
  if (!parsed.success) problems.push(...parsed.error.issues.map((issue) => problemOf(issue, env)));
  let config: RemediatorConfig | undefined;
  if (options.config) {
    try {
      config = Object.freeze(options.config(env));
    } catch (error) {
      const named = problemsIn(error);
      if (!named) throw error;
      problems.push(...named);
    }
  }
  if (!parsed.success || problems.length > 0) throw new EnvironmentError(functionName, problems);
  return Object.freeze({ ...parsed.data, ...(config ? { config } : {}) });
}

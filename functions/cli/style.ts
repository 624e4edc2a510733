/**
 * Colour for a terminal. On only when the stream is a TTY, `NO_COLOR` is unset or empty (no-color.org:
 * "when present and not an empty string") and `--no-color` was not given.
 */
import picocolors from 'picocolors';
import { PLAIN, type Style } from '../../shared/core/text-report.js';
import type { Severity } from '../../shared/core/domain.js';

export function colourWanted(
  isTty: boolean,
  env: Readonly<Record<string, string | undefined>>,
  noColor: boolean,
): boolean {
  return isTty && !noColor && !env.NO_COLOR;
}

export function terminalStyle(enabled: boolean): Style {
  if (!enabled) return PLAIN;
  const c = picocolors.createColors(true);
  const bySeverity: Record<Severity, (text: string) => string> = {
    critical: (t) => c.bold(c.red(t)),
    high: c.red,
    medium: c.yellow,
    low: c.cyan,
    info: c.dim,
  };
  return {
    severity: (severity, text) => bySeverity[severity](text),
    will: c.green,
    would: c.yellow,
    applied: c.green,
    failed: (t) => c.bold(c.red(t)),
    skipped: c.dim,
    heading: c.bold,
    dim: c.dim,
  };
}

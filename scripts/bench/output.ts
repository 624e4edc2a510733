/**
 * Shared output of the benchmark: progress lines (stderr), aligned tables and headings (built into a
 * report string that the entry prints to stdout), medians and timing.
 */

export function progress(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

export type Cell = string | number;

/** A table with aligned columns: numbers right-aligned, text left-aligned. */
export function table(headers: readonly string[], rows: readonly (readonly Cell[])[]): string {
  const text = rows.map((row) => row.map((cell) => String(cell)));
  const widths = headers.map((h, i) => Math.max(h.length, ...text.map((row) => (row[i] ?? '').length)));
  const numeric = headers.map((_, i) => rows.every((row) => typeof row[i] === 'number' || row[i] === '-'));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, i) => (numeric[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...text.map(line)].join('\n');
}

/** The printed lines of one measure, in order. */
export class Report {
  private readonly lines: string[] = [];

  heading(text: string): this {
    this.lines.push(`\n${text}\n${'='.repeat(text.length)}`);
    return this;
  }

  line(text = ''): this {
    this.lines.push(text);
    return this;
  }

  table(headers: readonly string[], rows: readonly (readonly Cell[])[]): this {
    this.lines.push(table(headers, rows));
    return this;
  }

  toString(): string {
    return this.lines.join('\n');
  }
}

export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  const hi = sorted[mid] ?? 0;
  return sorted.length % 2 === 1 ? hi : ((sorted[mid - 1] ?? hi) + hi) / 2;
}

export const ms = (value: number): number => Math.round(value);

/** Seconds with one decimal (the figures' JSON and tables). */
export const seconds = (milliseconds: number): number => Number((milliseconds / 1000).toFixed(1));

export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  const value = await work();
  return { value, ms: performance.now() - started };
}

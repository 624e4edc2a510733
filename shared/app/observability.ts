/** The narrow logging and metrics surface the app layer needs; Powertools satisfies it in Lambda. */
export interface LogSink {
  info(message: string, extra?: Record<string, unknown>): void;
  warn(message: string, extra?: Record<string, unknown>): void;
  error(message: string, extra?: Record<string, unknown>): void;
}

export interface MetricSink {
  /** Adds `value` (default 1) to the count named `name`. */
  count(name: string, value?: number): void;
}

export const silentLog: LogSink = { info: () => {}, warn: () => {}, error: () => {} };
export const noMetrics: MetricSink = { count: () => {} };

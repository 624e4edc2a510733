/**
 * Shows the flows' progress events on stderr. On a terminal: a live status line (ora: a spinner,
 * the phase, counts and the elapsed time, redrawn in place and cleared when the work ends). Without a
 * terminal: a plain line at most every PLAIN_INTERVAL_MS, and only once work has lasted that long, so
 * short runs print nothing. The caller never creates one for --json.
 */
import ora, { type Ora } from 'ora';
import type { ProgressEvent, ProgressPort } from '../../shared/app/progress.js';

export const PLAIN_INTERVAL_MS = 5000;

export interface ProgressViewOptions {
  /** Live status on this terminal stream; absent: plain lines through `write`. */
  readonly terminal?: NodeJS.WritableStream;
  /** Writes one plain line (no newline given). */
  readonly write: (line: string) => void;
  readonly colour: boolean;
  readonly now?: () => number;
  /** AWS calls made so far (the count shown while reading). */
  readonly calls?: () => number;
}

export function formatElapsed(ms: number): string {
  const s = Math.floor(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

export class ProgressView implements ProgressPort {
  private readonly now: () => number;
  private readonly started: number;
  private phase = '';
  private total = 0;
  private done = 0;
  private failed = 0;
  private waiting = '';
  private lastPlain: number;
  private spinner: Ora | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly options: ProgressViewOptions) {
    this.now = options.now ?? Date.now;
    this.started = this.now();
    this.lastPlain = this.started;
  }

  /** The status text: phase, counts, elapsed time. */
  status(): string {
    const parts = [this.phase];
    if (this.phase === 'reading the Region' && this.options.calls)
      parts.push(`${this.options.calls()} AWS calls`);
    if (this.total > 0)
      parts.push(`${this.done}/${this.total} actions${this.failed ? `, ${this.failed} failed` : ''}`);
    if (this.waiting) parts.push(this.waiting);
    parts.push(formatElapsed(this.now() - this.started));
    return parts.filter(Boolean).join(' · ');
  }

  report(event: ProgressEvent): void {
    switch (event.kind) {
      case 'reading':
        this.phase = 'reading the Region';
        break;
      case 'read':
        this.phase = `read ${event.vpcs} VPC${event.vpcs === 1 ? '' : 's'}`;
        this.stop();
        return;
      case 'applying':
        this.phase = 'applying';
        this.total = event.total;
        this.done = 0;
        this.failed = 0;
        break;
      case 'action-done':
        this.done++;
        if (event.outcome.status === 'failed') this.failed++;
        this.waiting = '';
        break;
      case 'waiting':
        this.waiting = event.detail.replace(/….*$/, '').trim();
        break;
      case 'finished':
        this.stop();
        return;
      default: {
        const never: never = event;
        throw new Error(`unexpected progress event ${JSON.stringify(never)}`);
      }
    }
    this.tick();
  }

  /** Redraws the live status, or writes a plain line when the interval has passed. */
  tick(): void {
    const { terminal } = this.options;
    if (terminal) {
      if (!this.spinner) {
        this.spinner = ora({
          stream: terminal,
          isEnabled: true,
          discardStdin: false,
          color: this.options.colour ? 'cyan' : false,
          text: this.status(),
        }).start();
        this.timer = setInterval(() => this.tick(), 1000);
        this.timer.unref();
      } else {
        this.spinner.text = this.status();
      }
      return;
    }
    const at = this.now();
    if (at - this.lastPlain >= PLAIN_INTERVAL_MS) {
      this.lastPlain = at;
      this.options.write(`ecs-endpoint-remediator: ${this.status()}`);
    }
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), PLAIN_INTERVAL_MS);
      this.timer.unref();
    }
  }

  /** Clears the live line (before anything else is printed or asked) and stops the timer. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.spinner?.stop();
    this.spinner = undefined;
  }
}

/**
 * Posts messages to a Slack incoming webhook. A notification never fails the remediation: every
 * problem is logged and reported as `delivered: false`. The webhook URL is a credential (anyone who
 * has it can post to the channel): it never appears in a log line, an error or the result.
 */
import { getSecret } from '@aws-lambda-powertools/parameters/secrets';
import { z } from 'zod';
import type { SlackMessage } from './slack-message.js';

export interface NotifierLogger {
  info(message: string, extra?: object): void;
  warn(message: string, extra?: object): void;
  error(message: string, extra?: object): void;
}

export interface SlackNotifierDeps {
  readonly webhookUrl: () => Promise<string>;
  readonly fetch?: typeof fetch;
  readonly logger: NotifierLogger;
  readonly sleep?: (ms: number) => Promise<void>;
  /** Attempts in total, counting retries after HTTP 429. */
  readonly maxAttempts?: number;
  /** For Retry-After given as an HTTP date. */
  readonly now?: () => number;
  /** Per-request timeout. */
  readonly timeoutMs?: number;
}

export interface PostResult {
  readonly delivered: boolean;
  readonly attempts: number;
  /** HTTP status of the last response, when there was one. */
  readonly status?: number;
}

/** Longest wait honoured from Retry-After; Slack's rate limit is about one message per second. */
export const MAX_RETRY_AFTER_MS = 30_000;
const DEFAULT_RETRY_AFTER_MS = 1_000;
const REDACTED = '[redacted-webhook-url]';

export class SlackNotifier {
  private readonly fetch: typeof fetch;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly maxAttempts: number;
  private readonly now: () => number;
  private readonly timeoutMs: number;

  constructor(private readonly deps: SlackNotifierDeps) {
    this.fetch = deps.fetch ?? globalThis.fetch;
    this.sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.maxAttempts = Math.max(1, Math.floor(deps.maxAttempts ?? 3));
    this.now = deps.now ?? Date.now;
    this.timeoutMs = deps.timeoutMs ?? 10_000;
  }

  async post(message: SlackMessage): Promise<PostResult> {
    const { logger } = this.deps;
    let url: string;
    try {
      url = await this.deps.webhookUrl();
    } catch (error) {
      // The secret's value may be in the message (e.g. a parse error quoting it): log the type only.
      logger.error('Slack webhook URL could not be read; message not sent', {
        errorName:
          typeof error === 'object' &&
          error !== null &&
          typeof (error as { name?: unknown }).name === 'string'
            ? (error as { name: string }).name
            : typeof error,
      });
      return { delivered: false, attempts: 0 };
    }
    const redact = redactor(url);
    const body = JSON.stringify(message);

    for (let attempt = 1; ; attempt += 1) {
      let response: Response;
      try {
        response = await this.fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json; charset=utf-8' },
          body,
          signal: AbortSignal.timeout(this.timeoutMs),
        });
      } catch (error) {
        // Not retried: the request may have reached Slack, and a retry could post the message twice.
        logger.error('Slack webhook request failed; message not sent', {
          attempt,
          error: redact(describeError(error)),
        });
        return { delivered: false, attempts: attempt };
      }
      const responseText = await readBody(response);
      if (response.ok) {
        logger.info('Slack message delivered', { attempt, status: response.status });
        return { delivered: true, attempts: attempt, status: response.status };
      }
      if (response.status === 429 && attempt < this.maxAttempts) {
        const waitMs = retryAfterMs(response.headers.get('retry-after'), this.now());
        logger.warn('Slack rate-limited the webhook; retrying', { attempt, status: 429, waitMs });
        await this.sleep(waitMs);
        continue;
      }
      logger.error('Slack rejected the message; not sent', {
        attempt,
        status: response.status,
        response: redact(responseText.slice(0, 300)),
      });
      return { delivered: false, attempts: attempt, status: response.status };
    }
  }
}

/** Milliseconds to wait for a Retry-After header (seconds or HTTP date), capped at 30 s. */
export function retryAfterMs(header: string | null | undefined, nowMs: number): number {
  const value = header?.trim();
  if (!value) return DEFAULT_RETRY_AFTER_MS;
  if (/^\d+(\.\d+)?$/.test(value)) return Math.min(MAX_RETRY_AFTER_MS, Math.ceil(Number(value) * 1000));
  const at = Date.parse(value);
  if (Number.isNaN(at)) return DEFAULT_RETRY_AFTER_MS;
  return Math.min(MAX_RETRY_AFTER_MS, Math.max(0, at - nowMs));
}

/**
 * Returns a function that removes the webhook URL, in every form an error message might carry it
 * (whole, encoded, its path, its secret last segment), from a string.
 */
export function redactor(url: string): (text: string) => string {
  const needles = new Set<string>([url, encodeURI(url), encodeURIComponent(url)]);
  try {
    const parsed = new URL(url);
    needles.add(parsed.href);
    if (parsed.pathname.length > 1) {
      needles.add(parsed.pathname + parsed.search);
      needles.add(parsed.pathname);
    }
    const secretSegment = parsed.pathname.split('/').filter(Boolean).at(-1);
    if (secretSegment && secretSegment.length >= 8) needles.add(secretSegment);
  } catch {
    // Not a URL: only the literal forms above can leak.
  }
  const ordered = [...needles].filter((needle) => needle.length > 0).sort((a, b) => b.length - a.length);
  return (text) => {
    let out = text;
    for (const needle of ordered) out = out.replaceAll(needle, REDACTED);
    return out.replace(/hooks\.slack(-gov)?\.com\/\S*/gi, REDACTED);
  };
}

function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  // Duck-typed: errors from another realm (undici's causes, test sandboxes) fail `instanceof Error`.
  for (let depth = 0; depth < 4 && current !== undefined && current !== null; depth += 1) {
    if (typeof current === 'object' && typeof (current as { message?: unknown }).message === 'string') {
      const { name, message, code, cause } = current as {
        name?: unknown;
        message: string;
        code?: unknown;
        cause?: unknown;
      };
      parts.push(
        `${typeof name === 'string' ? name : 'Error'}: ${message}${typeof code === 'string' ? ` (${code})` : ''}`,
      );
      current = cause;
    } else {
      parts.push(String(current));
      break;
    }
  }
  return parts.join(' <- ');
}

async function readBody(response: Response): Promise<string> {
  try {
    return await response.text();
  } catch {
    return '';
  }
}

const secretJsonSchema = z.object({ webhookUrl: z.string().min(1) });

/**
 * Reads the webhook URL from Secrets Manager through Powertools, which caches it for `maxAge`
 * seconds (default 300) per container. The secret holds the URL itself or `{"webhookUrl": "..."}`.
 * Errors describe the shape that was wrong, never the value. `provider` replaces Powertools'
 * default provider (tests, or a client with its own configuration).
 */
export function webhookUrlFromSecretsManager(
  secretName: string,
  options: {
    maxAge?: number;
    provider?: { get(name: string, options?: { maxAge?: number }): Promise<unknown> };
  } = {},
): () => Promise<string> {
  const maxAge = options.maxAge ?? 300;
  return async () => {
    const raw = options.provider
      ? await options.provider.get(secretName, { maxAge })
      : await getSecret(secretName, { maxAge });
    return parseWebhookSecret(secretName, raw);
  };
}

/** The URL in a secret's value (string or binary); throws without quoting the value. */
export function parseWebhookSecret(secretName: string, raw: unknown): string {
  const text =
    typeof raw === 'string' ? raw : raw instanceof Uint8Array ? new TextDecoder().decode(raw) : undefined;
  if (text === undefined) throw new Error(`secret ${secretName} has no value`);
  let candidate = text.trim();
  if (candidate.startsWith('{')) {
    let json: unknown;
    try {
      json = JSON.parse(candidate);
    } catch {
      throw new Error(`secret ${secretName} looks like JSON but does not parse`);
    }
    const parsed = secretJsonSchema.safeParse(json);
    if (!parsed.success) throw new Error(`secret ${secretName} is JSON without a string "webhookUrl"`);
    candidate = parsed.data.webhookUrl.trim();
  }
  let url: URL;
  try {
    url = new URL(candidate);
  } catch {
    throw new Error(`secret ${secretName} does not hold a URL (expected a URL or {"webhookUrl": "..."})`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new Error(`secret ${secretName} holds a URL that is not http(s)`);
  }
  return candidate;
}

/**
 * Classifying AWS SDK v3 errors by name and code, and turning them into messages that are safe to log
 * or report (no credentials, no signed URLs).
 */

interface ErrorLike {
  readonly name?: unknown;
  readonly message?: unknown;
  readonly code?: unknown;
  readonly Code?: unknown;
  readonly __type?: unknown;
  readonly $metadata?: { readonly httpStatusCode?: unknown };
}

function asErrorLike(error: unknown): ErrorLike | undefined {
  return typeof error === 'object' && error !== null ? (error as ErrorLike) : undefined;
}

/** The error's names as the SDK and AWS spell them: `name`, `Code`, `code`, `__type` (namespace dropped). */
export function errorNames(error: unknown): string[] {
  const e = asErrorLike(error);
  if (!e) return [];
  return [e.name, e.Code, e.code, e.__type]
    .filter((value): value is string => typeof value === 'string' && value.length > 0)
    .map((value) => value.slice(value.lastIndexOf('#') + 1));
}

/** True when the error's name or code is one of `names` (e.g. 'InvalidGroup.Duplicate'). */
export function isErrorNamed(error: unknown, ...names: string[]): boolean {
  const own = errorNames(error);
  return names.some((name) => own.includes(name));
}

/** HTTP status of the response that failed, when there was one. */
export function httpStatusOf(error: unknown): number | undefined {
  const status = asErrorLike(error)?.$metadata?.httpStatusCode;
  return typeof status === 'number' ? status : undefined;
}

const MAX_MESSAGE_LENGTH = 500;

/** Removes anything that looks like a secret: signed-URL parameters, keys, tokens, userinfo in URLs. */
export function redact(text: string): string {
  return (
    text
      // user:password@ in URLs
      .replace(/([a-z][a-z0-9+.-]*:\/\/)[^/\s:@]+:[^/\s@]+@/gi, '$1[redacted]@')
      // query strings of URLs (pre-signed URLs carry X-Amz-Signature, X-Amz-Credential, tokens)
      .replace(/(https?:\/\/[^\s?#"'<>]+)\?[^\s"'<>]*/gi, '$1?[redacted]')
      // SigV4 pieces wherever they appear
      .replace(/(X-Amz-(?:Signature|Credential|Security-Token)=)[^&\s"']+/gi, '$1[redacted]')
      .replace(/(Credential=|Signature=)[^,\s"']+/g, '$1[redacted]')
      // access key ids (AKIA… long-term, ASIA… temporary) and key-like assignments
      .replace(/\b(?:AKIA|ASIA|AROA|AIDA)[A-Z0-9]{12,}\b/g, '[redacted-key-id]')
      .replace(
        /((?:aws_)?(?:secret_?access_?key|session_?token|secretAccessKey|sessionToken|password|token)\s*[:=]\s*)["']?[^\s"',;]+/gi,
        '$1[redacted]',
      )
  );
}

/**
 * A one-line message for logs and reports: `Name: message`, redacted, an HTML body (an emulator's
 * error page) reduced to a note, and cut to a sane length.
 */
export function errorMessage(error: unknown): string {
  const e = asErrorLike(error);
  let name = '';
  let message: string;
  if (e) {
    const names = errorNames(error);
    // A plain Error's name says nothing; AWS error names (codes) say the most.
    name = names.find((n) => n !== 'Error') ?? '';
    message = typeof e.message === 'string' ? e.message : '';
    if (!message) {
      try {
        message = String(error);
      } catch {
        message = '';
      }
    }
  } else {
    message = String(error);
  }
  if (/<(?:!doctype|html)\b/i.test(message)) message = 'the service answered with an HTML page';
  message = message.replace(/\s+/g, ' ').trim();
  let text = name && !message.startsWith(name) ? `${name}: ${message}` : message || name || 'unknown error';
  const status = httpStatusOf(error);
  if (status !== undefined && status >= 500 && !text.includes(String(status))) text += ` (HTTP ${status})`;
  text = redact(text);
  return text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : text;
}

/** Benign "not found" errors EC2 returns for ids that are gone. */
export const EC2_NOT_FOUND_CODES = [
  'InvalidVpcID.NotFound',
  'InvalidSubnetID.NotFound',
  'InvalidGroup.NotFound',
  'InvalidGroupId.NotFound',
  'InvalidVpcEndpointId.NotFound',
  'InvalidRouteTableID.NotFound',
] as const;

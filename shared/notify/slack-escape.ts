/**
 * Escaping for text that originates in AWS (tags, names, user identities, error messages) before it
 * is placed in Slack mrkdwn. Anyone who can tag a resource controls that text, so after escaping it
 * must not be able to mention people (`@channel`, `<!here>`, `<@U123>`), link channels or render links.
 */

/** Default cap for one escaped value; the result is never longer than the cap. */
export const DEFAULT_MAX_ESCAPED_LENGTH = 300;

const ZERO_WIDTH_SPACE = '\u200B';
const ELLIPSIS = '…';

/**
 * Escapes `value` for mrkdwn and caps the result at `maxLength` characters (ellipsis included).
 * Invariants of the output: no raw `<`, `>` or unescaped `&`; every `@` followed by a word character
 * carries a zero-width space in between, so no mention can form; no control characters or line breaks
 * (an untrusted value cannot fake extra lines of the message); an escape sequence is never cut in half.
 */
export function escapeSlackText(value: string, maxLength: number = DEFAULT_MAX_ESCAPED_LENGTH): string {
  if (!Number.isInteger(maxLength) || maxLength < 1) {
    throw new RangeError(`maxLength must be a positive integer, got ${maxLength}`);
  }
  const codePoints = Array.from(value);
  const units: string[] = [];
  let length = 0;
  let truncated = false;
  for (let i = 0; i < codePoints.length; i += 1) {
    const unit = escapeCodePoint(codePoints[i] ?? '', codePoints[i + 1]);
    if (length + unit.length > maxLength) {
      truncated = true;
      break;
    }
    units.push(unit);
    length += unit.length;
  }
  if (!truncated) return units.join('');
  while (units.length > 0 && length + ELLIPSIS.length > maxLength) {
    length -= units.pop()?.length ?? 0;
  }
  return units.join('') + ELLIPSIS;
}

function escapeCodePoint(char: string, next: string | undefined): string {
  switch (char) {
    case '&':
      return '&amp;';
    case '<':
      return '&lt;';
    case '>':
      return '&gt;';
    case '@':
      return next !== undefined && /[\p{L}\p{N}_]/u.test(next) ? `@${ZERO_WIDTH_SPACE}` : '@';
    default:
      // Line breaks, tabs and other control or bidi-override characters become a plain space.
      return /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u.test(char) ? ' ' : char;
  }
}

/**
 * A mrkdwn link `<url|label>` for a URL the tool built itself (console or log links). Only http(s)
 * URLs become links; anything else is shown as escaped text. The URL cannot close the link early:
 * `|`, `<`, `>` and spaces are percent-encoded and `&` is entity-escaped as Slack requires.
 */
export function slackLink(url: string, label: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return escapeSlackText(label);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') return escapeSlackText(label);
  const href = parsed.href
    .replaceAll('|', '%7C')
    .replaceAll('<', '%3C')
    .replaceAll('>', '%3E')
    .replaceAll(' ', '%20')
    .replaceAll('&', '&amp;');
  const safeLabel = escapeSlackText(label, 100).replaceAll('|', '¦');
  return `<${href}|${safeLabel}>`;
}

/** Inline code span for identifiers; backticks inside would end the span, so they are replaced. */
export function slackCode(value: string, maxLength = 120): string {
  return `\`${escapeSlackText(value.replaceAll('`', "'"), maxLength)}\``;
}

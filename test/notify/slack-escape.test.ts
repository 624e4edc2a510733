import { escapeSlackText, slackCode, slackLink } from '../../shared/notify/slack-escape.js';

const ZWSP = '\u200B';

describe('escapeSlackText', () => {
  it.each([
    ['a & b', 'a &amp; b'],
    ['<https://evil.example|click>', '&lt;https://evil.example|click&gt;'],
    ['<!channel> <!here> <!everyone>', '&lt;!channel&gt; &lt;!here&gt; &lt;!everyone&gt;'],
    ['<@U024BE7LH>', `&lt;@${ZWSP}U024BE7LH&gt;`],
    ['<#C024BE7LR>', '&lt;#C024BE7LR&gt;'],
    ['@channel @here @everyone', `@${ZWSP}channel @${ZWSP}here @${ZWSP}everyone`],
    ['mail me@x or @ alone', `mail me@${ZWSP}x or @ alone`],
    ['already &amp; escaped', 'already &amp;amp; escaped'],
    ['line1\nline2\r\tend', 'line1 line2  end'],
  ])('escapes %j', (input, expected) => {
    expect(escapeSlackText(input)).toBe(expected);
  });

  it('leaves no raw angle bracket and no mention-forming @ in hostile text', () => {
    const hostile = '<!channel> @here <@U1> <https://evil|click> &lt;';
    const out = escapeSlackText(hostile);
    expect(out).not.toMatch(/[<>]/);
    expect(out).not.toMatch(/@\w/);
    expect(out).not.toMatch(/&(?!amp;|lt;|gt;)/);
  });

  it('caps the result, ellipsis included, without cutting an escape in half', () => {
    expect(escapeSlackText('x'.repeat(500), 20)).toBe(`${'x'.repeat(19)}…`);
    const out = escapeSlackText('a&&&&&&&&&&', 10);
    expect(out.length).toBeLessThanOrEqual(10);
    expect(out).toBe('a&amp;…');
    expect(escapeSlackText('short', 5)).toBe('short');
  });

  it('does not split surrogate pairs when capping', () => {
    const out = escapeSlackText('😀😀😀😀', 5);
    expect(out).toBe('😀😀…');
  });

  it('rejects a non-positive cap', () => {
    expect(() => escapeSlackText('x', 0)).toThrow(RangeError);
  });
});

describe('slackLink and slackCode', () => {
  it('builds a link whose URL cannot end the link early', () => {
    expect(slackLink('https://console.aws.amazon.com/x?a=1&b=|2', 'Run <now>')).toBe(
      '<https://console.aws.amazon.com/x?a=1&amp;b=%7C2|Run &lt;now&gt;>',
    );
  });

  it('refuses non-http links and shows the label only', () => {
    expect(slackLink('javascript:alert(1)', 'Logs')).toBe('Logs');
    expect(slackLink('not a url', 'Logs')).toBe('Logs');
  });

  it('keeps code spans closed', () => {
    expect(slackCode('a`b<c>')).toBe("`a'b&lt;c&gt;`");
  });
});

import { describe, expect, it } from 'vitest';
import { decodeBody, parseMetadata } from './metadata.parser';

const page = (head: string, body = '') => `<!doctype html><html><head>${head}</head><body>${body}</body></html>`;

describe('parseMetadata: title', () => {
  it.each([
    ['og:title wins over <title>', page('<title>Plain</title><meta property="og:title" content="Open Graph">'), 'Open Graph'],
    ['og:title wins wherever it appears', page('<title>Plain</title>', '<meta property="og:title" content="Late OG">'), 'Late OG'],
    ['<title> is trimmed', page('<title>\n   Hello world \t</title>'), 'Hello world'],
    ['the first <title> is used', page('<title>First</title><title>Second</title>'), 'First'],
    ['the property name is case-insensitive', page('<meta property="OG:Title" content="Shouty">'), 'Shouty'],
    ['an empty og:title falls back to <title>', page('<meta property="og:title" content=""><title>Fallback</title>'), 'Fallback'],
    ['a blank og:title falls back to <title>', page('<meta property="og:title" content="  \n "><title>Fallback</title>'), 'Fallback'],
    ['og:title without content falls back', page('<meta property="og:title"><title>Fallback</title>'), 'Fallback'],
    ['the first og:title is used', page('<meta property="og:title" content="One"><meta property="og:title" content="Two">'), 'One'],
    ['internal whitespace collapses', page('<title>A\n\n  B\t\tC</title>'), 'A B C'],
    ['entities are decoded', page('<title>Tom &amp; Jerry &lt;3 &#8211; &quot;x&quot; &eacute;</title>'), 'Tom & Jerry <3 – "x" é'],
    ['entities in og:title are decoded', page('<meta property="og:title" content="Fish &amp; Chips &#x2764;">'), 'Fish & Chips ❤'],
    ['markup inside <title> is text', page('<title><img src=x onerror=alert(1)></title>'), '<img src=x onerror=alert(1)>'],
    ['a <title> outside <head> still counts', '<html><body><title>In body</title></body></html>', 'In body'],
    ['an unclosed <title> runs to the end', '<html><head><title>Unclosed title', 'Unclosed title'],
  ])('%s', (_label, html, expected) => {
    expect(parseMetadata(html).title).toBe(expected);
  });

  it.each([
    ['no title at all', page('<meta charset="utf-8">')],
    ['an empty <title>', page('<title></title>')],
    ['a blank <title>', page('<title> \n\t </title>')],
    ['og:title as a name instead of a property', page('<meta name="og:title" content="Wrong attribute">')],
  ])('is null with %s', (_label, html) => {
    expect(parseMetadata(html).title).toBeNull();
  });

  it('truncates a long title to 300 characters ending in an ellipsis', () => {
    const { title } = parseMetadata(page(`<title>${'t'.repeat(1000)}</title>`));
    expect(title).toHaveLength(300);
    expect(title).toBe(`${'t'.repeat(299)}…`);
  });

  it('keeps a 300-character title whole', () => {
    expect(parseMetadata(page(`<title>${'t'.repeat(300)}</title>`)).title).toBe('t'.repeat(300));
  });

  it('truncates after collapsing whitespace', () => {
    const { title } = parseMetadata(page(`<title>${'a   '.repeat(200)}</title>`));
    expect(title).toBe(`${'a '.repeat(149)}a…`);
  });
});

describe('parseMetadata: description', () => {
  it.each([
    [
      'og:description wins over meta description',
      page('<meta name="description" content="Plain"><meta property="og:description" content="Open Graph">'),
      'Open Graph',
    ],
    ['meta description is the fallback', page('<meta name="description" content="  Plain\n text ">'), 'Plain text'],
    ['the name is case-insensitive', page('<meta name="Description" content="Capital">'), 'Capital'],
    [
      'an empty og:description falls back',
      page('<meta property="og:description" content=""><meta name="description" content="Fallback">'),
      'Fallback',
    ],
    ['entities are decoded', page('<meta name="description" content="a &amp; b &gt; c">'), 'a & b > c'],
    ['single-quoted and unquoted attributes', page("<meta name=description content='quoted &apos;here&apos;'>"), "quoted 'here'"],
  ])('%s', (_label, html, expected) => {
    expect(parseMetadata(html).description).toBe(expected);
  });

  it.each([
    ['none at all', page('<title>Only a title</title>')],
    ['an empty one', page('<meta name="description" content="">')],
    ['body text only', page('', '<p>Lots of text but no description</p>')],
  ])('is null with %s', (_label, html) => {
    expect(parseMetadata(html).description).toBeNull();
  });

  it('truncates a long description to 1000 characters ending in an ellipsis', () => {
    const { description } = parseMetadata(page(`<meta name="description" content="${'d'.repeat(5000)}">`));
    expect(description).toHaveLength(1000);
    expect(description).toBe(`${'d'.repeat(999)}…`);
  });
});

describe('parseMetadata: bad input', () => {
  it.each([
    ['an empty document', ''],
    ['plain text', 'just some words, no markup'],
    ['binary noise', '\u0000\u0001\u00ff\ufffd<<<>>>'],
    ['JSON', '{"title":"not html"}'],
    ['a stray closing tag soup', '</title></head><meta content=x></html>'],
  ])('gives nulls for %s', (_label, html) => {
    expect(parseMetadata(html)).toEqual({ title: null, description: null });
  });

  it('recovers what it can from broken markup', () => {
    const html = '<html><head><meta property="og:title" content="Broken but fine"<title>x</title><meta name=description content="Desc">';
    const meta = parseMetadata(html);
    expect(meta.description).toBe('Desc');
    expect(meta.title).not.toBeUndefined();
  });

  it('does not run or keep script content as a title', () => {
    const meta = parseMetadata(page('<script>document.title = "From script"</script>'));
    expect(meta).toEqual({ title: null, description: null });
  });
});

describe('decodeBody', () => {
  const latin1 = (text: string) => Buffer.from(text, 'latin1');

  it('decodes UTF-8 by default', () => {
    expect(decodeBody(Buffer.from('<title>Café ✓</title>', 'utf8'), undefined)).toBe('<title>Café ✓</title>');
    expect(decodeBody(Buffer.from('Café', 'utf8'), 'text/html')).toBe('Café');
  });

  it.each([
    ['text/html; charset=iso-8859-1', 'Café'],
    ['text/html; charset=ISO-8859-1', 'Café'],
    ['text/html;charset="iso-8859-1"', 'Café'],
    ['text/html; charset=windows-1252', 'Café'],
    ['text/html; charset = latin1', 'Café'],
  ])('uses the header charset in %j', (contentType, expected) => {
    expect(decodeBody(latin1('Café'), contentType)).toBe(expected);
  });

  it('maps windows-1252 punctuation the way browsers do', () => {
    // 0x80 is the euro sign and 0x93/0x94 curly quotes in windows-1252 (and in WHATWG's iso-8859-1).
    const body = Buffer.from([0x80, 0x20, 0x93, 0x71, 0x94]);
    expect(decodeBody(body, 'text/html; charset=windows-1252')).toBe('€ “q”');
    expect(decodeBody(body, 'text/html; charset=iso-8859-1')).toBe('€ “q”');
  });

  it.each([
    ['<meta charset="iso-8859-1">', 'iso-8859-1'],
    ["<meta charset='windows-1252'>", 'windows-1252'],
    ['<meta charset=latin1>', 'latin1'],
    ['<meta http-equiv="Content-Type" content="text/html; charset=iso-8859-1">', 'http-equiv'],
    ['<META CHARSET="ISO-8859-1">', 'upper case'],
  ])('sniffs %s from the document when the header has none (%s)', (metaTag) => {
    const body = latin1(`<html><head>${metaTag}<title>Café Müller</title></head></html>`);
    const text = decodeBody(body, 'text/html');
    expect(parseMetadata(text).title).toBe('Café Müller');
  });

  it('prefers the header charset over the document', () => {
    const body = Buffer.from('<meta charset="iso-8859-1"><title>Café</title>', 'utf8');
    expect(parseMetadata(decodeBody(body, 'text/html; charset=utf-8')).title).toBe('Café');
  });

  it('only sniffs the first 2048 bytes', () => {
    const body = latin1(`<title>Café</title>${' '.repeat(3000)}<meta charset="iso-8859-1">`);
    expect(parseMetadata(decodeBody(body, 'text/html')).title).toBe('Caf\ufffd');
  });

  it.each(['text/html; charset=x-no-such-charset', 'text/html; charset=klingon'])(
    'falls back to UTF-8 for an unknown charset in %j',
    (contentType) => {
      expect(decodeBody(Buffer.from('Café ✓', 'utf8'), contentType)).toBe('Café ✓');
    },
  );

  it('falls back to UTF-8 for an unknown charset in the document', () => {
    const body = Buffer.from('<meta charset="bogus-8"><title>Café</title>', 'utf8');
    expect(parseMetadata(decodeBody(body, undefined)).title).toBe('Café');
  });

  it('replaces invalid UTF-8 rather than throwing', () => {
    expect(decodeBody(Buffer.from([0x61, 0xff, 0x62]), 'text/html; charset=utf-8')).toBe('a\ufffdb');
  });

  it('decodes other declared charsets', () => {
    const shiftJis = Buffer.from([0x93, 0xfa, 0x96, 0x7b]); // 日本
    expect(decodeBody(shiftJis, 'text/html; charset=Shift_JIS')).toBe('日本');
    const utf16 = Buffer.from('<title>hi</title>', 'utf16le');
    expect(parseMetadata(decodeBody(utf16, 'text/html; charset=utf-16le')).title).toBe('hi');
  });
});

describe('parseMetadata ignores titles that are not the document title', () => {
  it('skips a <title> inside inline SVG', () => {
    const html = '<html><body><svg><title>Icon</title></svg><p>x</p></body></html>';
    expect(parseMetadata(html).title).toBeNull();
  });
  it('still prefers the head title after an SVG one', () => {
    const html = '<html><head><title>Real</title></head><body><svg><title>Icon</title></svg></body></html>';
    expect(parseMetadata(html).title).toBe('Real');
  });
});

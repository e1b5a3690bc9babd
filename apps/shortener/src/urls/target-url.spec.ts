import { describe, expect, it } from 'vitest';
import { checkTargetUrl, MAX_URL_LENGTH } from './target-url';

const error = (value: unknown) => {
  const result = checkTargetUrl(value);
  return result.ok ? null : result.error;
};

describe('checkTargetUrl', () => {
  it.each([
    ['undefined', undefined],
    ['null', null],
    ['an empty string', ''],
    ['blanks', '   '],
    ['a tab', '\t'],
  ])('%s → "url is required"', (_label, value) => {
    expect(error(value)).toBe('url is required');
  });

  it.each([
    ['a number', 42],
    ['zero', 0],
    ['false', false],
    ['true', true],
    ['an object', { href: 'https://example.com' }],
    ['an array', ['https://example.com']],
  ])('%s → "url must be a string"', (_label, value) => {
    expect(error(value)).toBe('url must be a string');
  });

  it.each([
    'not a url',
    'example.com',
    'www.example.com/path',
    '/relative/path',
    '//example.com',
    'http://',
    'https://',
    'http:/example.com',
    'http:example.com',
    'http://exa mple.com',
    'http://example.com/a b',
    'http://example.com/\u0000',
    'http://example.com/\u007f',
    'http://[::1',
    'http://example.com:99999/',
    'http://ex%ample.com',
  ])('%j → "Invalid URL format"', (value) => {
    expect(error(value)).toBe('Invalid URL format');
  });

  it.each([
    'javascript:alert(1)',
    'JavaScript:alert(document.cookie)',
    'data:text/html,<script>alert(1)</script>',
    'file:///etc/passwd',
    'ftp://example.com/file',
    'mailto:someone@example.com',
    'ws://example.com/socket',
    'gopher://127.0.0.1:6379/_INFO',
    'blob:https://example.com/uuid',
  ])('%j → "Only http and https URLs are allowed"', (value) => {
    expect(error(value)).toBe('Only http and https URLs are allowed');
  });

  it('accepts exactly 2048 characters and rejects 2049 with the length message', () => {
    const base = 'https://example.com/';
    const exact = base + 'a'.repeat(MAX_URL_LENGTH - base.length);
    expect(MAX_URL_LENGTH).toBe(2048);
    expect(exact).toHaveLength(2048);
    expect(checkTargetUrl(exact)).toEqual({ ok: true, url: exact });
    expect(error(`${exact}a`)).toBe('url must be at most 2048 characters');
  });

  it('checks the length before anything else about a long string', () => {
    expect(error(`javascript:${'a'.repeat(3000)}`)).toBe('url must be at most 2048 characters');
    expect(error('x'.repeat(10_000))).toBe('url must be at most 2048 characters');
  });

  it.each(['http://user:pass@example.com/', 'https://user@example.com/', 'https://:secret@example.com/'])(
    'rejects credentials in %j',
    (value) => {
      expect(error(value)).toBe('URLs with credentials are not allowed');
    },
  );

  it.each([
    'http://example.com',
    'https://example.com/',
    'https://example.com/path?q=1&r=2#frag',
    'HTTPS://EXAMPLE.COM/Path',
    'http://localhost:3000/x',
    'http://127.0.0.1:8080/',
    'http://[2001:db8::1]/',
    'https://xn--bcher-kva.example/',
    'https://bücher.example/',
    'https://example.com/%E2%9C%93',
  ])('accepts %j unchanged', (value) => {
    expect(checkTargetUrl(value)).toEqual({ ok: true, url: value });
  });

  it('trims surrounding blanks', () => {
    expect(checkTargetUrl('  https://example.com/x \n')).toEqual({ ok: true, url: 'https://example.com/x' });
  });
});

import { describe, expect, it } from 'vitest';
import { countsVisit, parseResolveResponse, RESOLVE_ROUTE, resolvePath } from './resolve';

describe('parseResolveResponse', () => {
  it.each([
    ['an http URL', { original_url: 'http://example.com/' }],
    ['an https URL with query and fragment', { original_url: 'https://example.com/a?b=1#c' }],
  ])('accepts %s', (_what, body) => {
    expect(parseResolveResponse(body)).toEqual(body);
  });

  it('keeps only original_url from a body with extra fields', () => {
    expect(parseResolveResponse({ original_url: 'https://example.com/', cached: true })).toEqual({ original_url: 'https://example.com/' });
  });

  it.each([
    ['null', null],
    ['a string', '{"original_url":"https://example.com/"}'],
    ['a number', 200],
    ['an array', [{ original_url: 'https://example.com/' }]],
    ['an empty object', {}],
    ['another field name', { url: 'https://example.com/' }],
    ['original_url null', { original_url: null }],
    ['original_url a number', { original_url: 42 }],
    ['original_url an object', { original_url: { href: 'https://example.com/' } }],
    ['original_url empty', { original_url: '' }],
    ['original_url relative', { original_url: '/elsewhere' }],
    ['original_url not a URL', { original_url: 'not a url' }],
    ['a javascript: URL', { original_url: 'javascript:alert(1)' }],
    ['a javascript: URL with a tab', { original_url: 'java\tscript:alert(1)' }],
    ['a data: URL', { original_url: 'data:text/html,<script>alert(1)</script>' }],
    ['a file: URL', { original_url: 'file:///etc/passwd' }],
    ['the error body', { error: 'Short URL not found' }],
  ])('rejects %s', (_what, body) => {
    expect(parseResolveResponse(body)).toBeUndefined();
  });
});

describe('resolvePath', () => {
  it('fills the route with the encoded code and adds visit=0 only when the visit is not counted', () => {
    expect(RESOLVE_ROUTE).toBe('/resolve/:code');
    expect(resolvePath('aB3_x-9Z', true)).toBe('/resolve/aB3_x-9Z');
    expect(resolvePath('aB3_x-9Z', false)).toBe('/resolve/aB3_x-9Z?visit=0');
    expect(resolvePath('a/b?c', true)).toBe('/resolve/a%2Fb%3Fc');
  });

  it('is read back by countsVisit as the redirector reads the query', () => {
    const visitParam = (path: string) => new URL(path, 'http://redirector').searchParams.get('visit') ?? undefined;
    expect(countsVisit(visitParam(resolvePath('abc', true)))).toBe(true);
    expect(countsVisit(visitParam(resolvePath('abc', false)))).toBe(false);
    expect(countsVisit('1')).toBe(true);
  });
});

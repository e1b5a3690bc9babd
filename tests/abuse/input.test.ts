// Hostile input on the public API: schemes, lengths and types for POST /api/shorten, malformed and
// oversized bodies, and short codes that try path injection. Every answer is JSON 4xx, no stack trace,
// no row left behind, and an invalid code never reaches the redirector.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startService, type RunningService } from '../support/services';
import { serve, type StandIn } from '../support/stand-ins';
import { createTestDatabase, dropTestDatabase, sql } from '../support/stores';
import { migrate } from '../support/stack';
import { inject } from 'vitest';
import { record } from '../faults/support';

const FILE = 'tests/abuse/input.test.ts';

let databaseUrl: string;
let redirector: StandIn;
let shortener: RunningService;

beforeAll(async () => {
  databaseUrl = await createTestDatabase(inject('postgresAdminUrl'), 'abuse_input');
  migrate(databaseUrl);
  // A stand-in redirector that records every call: invalid codes must never get here.
  redirector = await serve((_req, res) => res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Short URL not found"}'));
  shortener = await startService('shortener', { DATABASE_URL: databaseUrl, REDIRECTOR_URL: redirector.url, SSRF_ALLOWLIST: '' });
});

afterAll(async () => {
  await shortener?.stop();
  await redirector?.close();
  if (databaseUrl) await dropTestDatabase(inject('postgresAdminUrl'), databaseUrl);
});

interface Answer {
  status: number;
  type: string;
  body: string;
}

async function post(body: string | Buffer, contentType = 'application/json'): Promise<Answer> {
  const res = await fetch(`${shortener.url}/api/shorten`, { method: 'POST', headers: { 'content-type': contentType }, body: typeof body === 'string' ? body : new Uint8Array(body) });
  return { status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() };
}

const cleanJsonError = (a: Answer) =>
  /application\/json/.test(a.type) && typeof (JSON.parse(a.body) as { error?: unknown }).error === 'string' && !/\bat .+:\d+|<html|stack/i.test(a.body);

describe('POST /api/shorten with hostile input', () => {
  it('refuses every bad scheme, length, type and body with JSON 4xx and leaves no row', async () => {
    const long = `http://192.0.2.1/${'a'.repeat(2048 - 'http://192.0.2.1/'.length)}`;
    const cases: Array<[string, string | Buffer, string, number]> = [
      ['javascript:', JSON.stringify({ url: 'javascript:alert(1)' }), 'application/json', 400],
      ['JavaScript: with spaces', JSON.stringify({ url: '  JavaScript:alert(1)' }), 'application/json', 400],
      ['java\\tscript:', JSON.stringify({ url: 'java\tscript:alert(1)' }), 'application/json', 400],
      ['data:', JSON.stringify({ url: 'data:text/html,<script>alert(1)</script>' }), 'application/json', 400],
      ['file:', JSON.stringify({ url: 'file:///etc/passwd' }), 'application/json', 400],
      ['ftp:', JSON.stringify({ url: 'ftp://192.0.2.1/x' }), 'application/json', 400],
      ['mailto:', JSON.stringify({ url: 'mailto:a@b.c' }), 'application/json', 400],
      ['gopher:', JSON.stringify({ url: 'gopher://127.0.0.1:6379/_FLUSHALL' }), 'application/json', 400],
      ['vbscript:', JSON.stringify({ url: 'vbscript:msgbox(1)' }), 'application/json', 400],
      ['ws:', JSON.stringify({ url: 'ws://192.0.2.1/' }), 'application/json', 400],
      ['protocol-relative', JSON.stringify({ url: '//evil.example/' }), 'application/json', 400],
      ['scheme only', JSON.stringify({ url: 'http://' }), 'application/json', 400],
      ['credentials', JSON.stringify({ url: 'http://user:pass@192.0.2.1/' }), 'application/json', 400],
      ['newline inside', JSON.stringify({ url: 'http://192.0.2.1/a\nSet-Cookie: x=1' }), 'application/json', 400],
      ['NUL inside', JSON.stringify({ url: 'http://192.0.2.1/\u0000' }), 'application/json', 400],
      ['2049 characters', JSON.stringify({ url: `${long}b` }), 'application/json', 400],
      ['missing url', JSON.stringify({}), 'application/json', 400],
      ['empty url', JSON.stringify({ url: '' }), 'application/json', 400],
      ['number', JSON.stringify({ url: 42 }), 'application/json', 400],
      ['array', JSON.stringify({ url: ['http://192.0.2.1/'] }), 'application/json', 400],
      ['object', JSON.stringify({ url: { href: 'http://192.0.2.1/' } }), 'application/json', 400],
      ['boolean', JSON.stringify({ url: true }), 'application/json', 400],
      ['null', JSON.stringify({ url: null }), 'application/json', 400],
      ['body is an array', JSON.stringify(['http://192.0.2.1/']), 'application/json', 400],
      ['body is a string', JSON.stringify('http://192.0.2.1/'), 'application/json', 400],
      ['prototype pollution', '{"url":"http://192.0.2.1/","__proto__":{"isAdmin":true},"constructor":{"prototype":{"x":1}}}', 'application/json', 201],
      ['malformed JSON', '{"url": "http://192.0.2.1/"', 'application/json', 400],
      ['truncated JSON', '{"url', 'application/json', 400],
      ['not JSON at all', 'url=http://192.0.2.1/', 'application/json', 400],
      ['form-encoded', 'url=http%3A%2F%2F192.0.2.1%2F', 'application/x-www-form-urlencoded', 415],
      ['text/plain', 'http://192.0.2.1/', 'text/plain', 415],
      ['multipart', '--x\r\nContent-Disposition: form-data; name="url"\r\n\r\nhttp://192.0.2.1/\r\n--x--', 'multipart/form-data; boundary=x', 415],
      ['17 KiB body', JSON.stringify({ url: 'http://192.0.2.1/', pad: 'x'.repeat(17 * 1024) }), 'application/json', 413],
      ['1 MiB body', Buffer.alloc(1024 * 1024, 'a'), 'application/json', 413],
      ['deeply nested JSON', `${'{"a":'.repeat(2000)}1${'}'.repeat(2000)}`, 'application/json', 400],
      ['2048 characters exactly (accepted)', JSON.stringify({ url: long }), 'application/json', 201],
    ];
    const results: Array<{ name: string; expected: number; got: Answer }> = [];
    for (const [name, body, type, expected] of cases) results.push({ name, expected, got: await post(body, type) });
    const rows = await sql<{ original_url: string }>(databaseUrl, 'SELECT original_url FROM urls');
    const wrong = results.filter((r) => r.got.status !== r.expected || (r.expected >= 400 && !cleanJsonError(r.got)));
    record({
      id: 'A-INPUT',
      area: 'abuse',
      name: `POST /api/shorten battery: ${cases.length} schemes, lengths, types, malformed/oversized bodies`,
      expected: '400/413/415 JSON {error} without stack traces for bad input, no partial row; the 2048-character URL and the __proto__ body are accepted',
      measured: `${results.length - wrong.length}/${results.length} as expected (${[...new Set(results.map((r) => r.got.status))].sort().join(', ')}); rows afterwards ${rows.length} (the two accepted ones)${wrong.length ? `; unexpected: ${wrong.map((r) => `${r.name} → ${r.got.status} ${r.got.body.slice(0, 80)}`).join('; ')}` : ''}`,
      file: FILE,
    });
    expect(wrong.map((r) => `${r.name} → ${r.got.status} ${r.got.type} ${r.got.body.slice(0, 120)}`)).toEqual([]);
    expect(rows.length).toBe(2);
    expect(({} as Record<string, unknown>)['isAdmin']).toBeUndefined();
  });

  it('answers 404 JSON for codes that try path injection, without calling the redirector', async () => {
    const codes = [
      '..%2Fhealth',
      '..%2f..%2fapi%2furls',
      '%2e%2e%2fhealth',
      '%2F%2Fevil.example',
      'abc%00def',
      'abc%0d%0aSet-Cookie:%20x=1',
      "a'%20OR%20'1'='1",
      '%3Cscript%3Ealert(1)%3C%2Fscript%3E',
      'a'.repeat(33),
      'abc.def',
      '~root',
      '%C3%A9t%C3%A9',
      'abc%2Fdef',
      '%252e%252e%252fhealth',
      'abcd$efgh',
    ];
    const before = redirector.requests.length;
    const results = [];
    for (const code of codes) {
      const res = await fetch(`${shortener.url}/${code}`, { redirect: 'manual' });
      results.push({ code, status: res.status, type: res.headers.get('content-type') ?? '', body: await res.text() });
    }
    const reachedRedirector = redirector.requests.slice(before);
    const wrong = results.filter((r) => r.status !== 404 || !/application\/json/.test(r.type));
    record({
      id: 'A-PATH',
      area: 'abuse',
      name: `GET /:code path injection: ${codes.length} codes (../, encoded slashes, NUL, CRLF, SQL, script, 33 chars, unicode)`,
      expected: '404 JSON each; the redirector is never called',
      measured: `${results.length - wrong.length}/${results.length} answered 404 JSON; redirector called ${reachedRedirector.length} times`,
      file: FILE,
    });
    expect(wrong).toEqual([]);
    expect(reachedRedirector).toEqual([]);
    // A valid code does reach it, so the stand-in would have seen the others.
    await fetch(`${shortener.url}/Valid_Code-1`, { redirect: 'manual' });
    expect(redirector.requests.length).toBe(before + 1);
  });
});

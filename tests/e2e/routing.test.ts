// Codes that do not match the pattern never reach the redirector; the list is one SQL statement.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/net';
import { startService, type RunningService } from '../support/services';
import { serve, type StandIn } from '../support/stand-ins';
import { migrate, shorten } from '../support/stack';
import { createTestDatabase, dropTestDatabase, sql } from '../support/stores';
import { inject } from 'vitest';

let redirectorStandIn: StandIn;
let shortener: RunningService;
let databaseUrl: string;

beforeAll(async () => {
  databaseUrl = await createTestDatabase(inject('postgresAdminUrl'), 'e2e_routing');
  migrate(databaseUrl);
  // Records every call; answers 404 like a redirector that knows no code, and fails marker codes (see logsSoFar).
  redirectorStandIn = await serve((req, res) => {
    if (req.url!.startsWith('/resolve/mark')) res.writeHead(503, { 'content-type': 'application/json' }).end('{"error":"Database unavailable"}');
    else res.writeHead(404, { 'content-type': 'application/json' }).end('{"error":"Short URL not found"}');
  });
  shortener = await startService('shortener', {
    DATABASE_URL: databaseUrl,
    REDIRECTOR_URL: redirectorStandIn.url,
    DATABASE_LOG_QUERIES: 'true',
    SSRF_ALLOWLIST: '127.0.0.1',
  });
});

afterAll(async () => {
  await shortener?.stop();
  await redirectorStandIn?.close();
  await dropTestDatabase(inject('postgresAdminUrl'), databaseUrl);
});

describe('short-code pattern', () => {
  it.each([
    '..%2Fhealth',
    '..%2F..%2Fetc%2Fpasswd',
    '%2e%2e%2fresolve',
    'a.b',
    'with%20space',
    'x'.repeat(33),
    '%00',
    'caf%C3%A9',
  ])('%s is a 404 without calling the redirector', async (code) => {
    const before = redirectorStandIn.requests.length;
    const res = await fetch(`${shortener.url}/${code}`, { redirect: 'manual' });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ error: 'Short URL not found' });
    expect(redirectorStandIn.requests.length).toBe(before);
  });

  it('a well-formed code is asked of the redirector, with the client address and no visit for HEAD', async () => {
    await fetch(`${shortener.url}/Abc_123-x`, { method: 'HEAD', headers: { 'x-forwarded-for': '203.0.113.9' } });
    const call = redirectorStandIn.requests.at(-1)!;
    expect(call.path).toBe('/resolve/Abc_123-x?visit=0');
    // No trusted proxy is configured, so the spoofed header is ignored.
    expect(call.headers['x-snip-client-ip']).toBe('127.0.0.1');
  });
});

let marks = 0;

/**
 * How many log lines the shortener has written for the requests answered so far. Its lines arrive
 * in order, so once the warning for a later marker request (a code the redirector stand-in fails)
 * has arrived, every line before it has too.
 */
async function logsSoFar(): Promise<number> {
  const code = `mark${String(marks++).padStart(4, '0')}`;
  const markIndex = () => shortener.logs.findIndex((l) => l['event'] === 'redirector.unavailable' && l['short_code'] === code);
  expect((await fetch(`${shortener.url}/${code}`, { redirect: 'manual' })).status).toBe(502);
  await waitFor(() => markIndex() >= 0, 10_000, `the shortener's log line for ${code}`);
  return markIndex();
}

describe('GET /api/urls', () => {
  it.each([1, 5, 25])('runs exactly one SQL statement with %i links in the table', async (n) => {
    const existing = Number((await sql<{ n: string }>(databaseUrl, 'SELECT count(*) AS n FROM urls'))[0]!.n);
    for (let i = existing; i < n; i++) {
      expect((await shorten(shortener.url, { url: `http://192.0.2.1/${i}` })).status).toBe(201);
    }
    const before = await logsSoFar();
    const res = await fetch(`${shortener.url}/api/urls?limit=100`);
    expect(((await res.json()) as unknown[]).length).toBe(n);
    const after = await logsSoFar();
    const queries = shortener.logs.slice(before, after).filter((l) => l['event'] === 'db.query');
    expect(queries).toHaveLength(1);
    expect(String(queries[0]!['sql'])).toMatch(/FROM urls/);
  });
});

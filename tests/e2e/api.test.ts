// SPEC.md checked from outside: both built services as processes, real PostgreSQL and Redis, local pages.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { PUBLIC_BASE_URL, shorten, startStack, type Stack } from '../support/stack';
import { pages, serve, type StandIn } from '../support/stand-ins';
import { waitFor } from '../support/net';
import { sql } from '../support/stores';

let stack: Stack;
let site: StandIn;
const hasRedis = inject('redisUrl') !== null;

const countRows = async (table: 'urls' | 'visits') =>
  Number((await sql<{ n: string }>(stack.databaseUrl, `SELECT count(*) AS n FROM ${table}`))[0]!.n);

async function visitsOf(code: string): Promise<number> {
  const rows = await sql<{ n: string }>(stack.databaseUrl, 'SELECT count(*) AS n FROM visits WHERE short_code = $1', [code]);
  return Number(rows[0]!.n);
}

beforeAll(async () => {
  site = await serve(
    pages({
      '/article': {
        body: '<html><head><title>  An article  </title><meta property="og:description" content="What it says"></head><body>x</body></html>',
      },
      '/plain': { body: 'just text', type: 'text/plain' },
    }),
  );
  stack = await startStack({ label: 'e2e_api', redirectorEnv: { LOG_LEVEL: 'debug' } });
});

afterAll(async () => {
  await stack?.stop();
  await site?.close();
});

describe('shorten → list → redirect → visit counted', () => {
  it('creates a link with the page metadata and a short_url on the configured base', async () => {
    const { status, json } = await shorten(stack.shortener.url, { url: `${site.url}/article` });
    expect(status).toBe(201);
    expect(json).toEqual({
      short_code: expect.stringMatching(/^[A-Za-z0-9_-]{8}$/),
      short_url: `${PUBLIC_BASE_URL}/${json['short_code'] as string}`,
      original_url: `${site.url}/article`,
      title: 'An article',
      description: 'What it says',
    });
    expect(site.requests.at(-1)?.headers['user-agent']).toMatch(/Snip/);
  });

  it('lists it first, then counts one visit per GET redirect and none for HEAD', async () => {
    const { json } = await shorten(stack.shortener.url, { url: `${site.url}/plain` });
    const code = json['short_code'] as string;
    const list = (await (await fetch(`${stack.shortener.url}/api/urls`)).json()) as Array<Record<string, unknown>>;
    expect(list[0]).toMatchObject({ short_code: code, original_url: `${site.url}/plain`, title: null, description: null, visit_count: 0 });
    expect(new Date(list[0]!['created_at'] as string).toISOString()).toBe(list[0]!['created_at']);

    // HEAD first: visits are written in the order they were queued, so once the GET's visit is
    // stored, a visit for the HEAD (had one been queued) would be stored too.
    const head = await fetch(`${stack.shortener.url}/${code}`, { method: 'HEAD', redirect: 'manual' });
    expect(head.status).toBe(302);
    expect(head.headers.get('location')).toBe(`${site.url}/plain`);
    const res = await fetch(`${stack.shortener.url}/${code}`, { redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe(`${site.url}/plain`);

    await waitFor(async () => (await visitsOf(code)) >= 1, 10_000, 'the visit to be written');
    expect(await visitsOf(code)).toBe(1);
    const after = (await (await fetch(`${stack.shortener.url}/api/urls`)).json()) as Array<Record<string, unknown>>;
    expect(after.find((u) => u['short_code'] === code)?.['visit_count']).toBe(1);
  });

  it.skipIf(!hasRedis)('serves the first redirect after creation from the cache, without reading PostgreSQL', async () => {
    const { json } = await shorten(stack.shortener.url, { url: `${site.url}/article?cached` });
    const code = json['short_code'] as string;
    expect((await fetch(`${stack.shortener.url}/${code}`, { redirect: 'manual' })).status).toBe(302);
    await waitFor(() => stack.redirector.logs.some((l) => l['event'] === 'resolve' && l['short_code'] === code), 5000, 'resolve log');
    const resolves = stack.redirector.logs.filter((l) => l['event'] === 'resolve' && l['short_code'] === code);
    expect(resolves.map((l) => l['source'])).toEqual(['cache']);
  });

  it('answers 404 JSON for an unknown code', async () => {
    const res = await fetch(`${stack.shortener.url}/Zz9_unknown`, { redirect: 'manual' });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(await res.json()).toEqual({ error: 'Short URL not found' });
  });
});

describe('the list', () => {
  it('is newest first, honours ?limit up to 100 and rejects other limits', async () => {
    const res = await fetch(`${stack.shortener.url}/api/urls?limit=2`);
    const list = (await res.json()) as Array<{ created_at: string }>;
    expect(list).toHaveLength(2);
    expect(Date.parse(list[0]!.created_at)).toBeGreaterThanOrEqual(Date.parse(list[1]!.created_at));
    for (const bad of ['0', '101', 'abc', '-1', '2.5']) {
      const r = await fetch(`${stack.shortener.url}/api/urls?limit=${bad}`);
      expect(r.status, bad).toBe(400);
      expect(await r.json()).toEqual({ error: 'limit must be an integer from 1 to 100' });
    }
  });
});

describe('bad input: a JSON 4xx and no row left behind', () => {
  const long = `https://example.com/${'a'.repeat(2048)}`;
  const cases: Array<[string, string, string, number, string]> = [
    ['missing url', 'application/json', '{}', 400, 'url is required'],
    ['empty url', 'application/json', '{"url":""}', 400, 'url is required'],
    ['null url', 'application/json', '{"url":null}', 400, 'url is required'],
    ['not a URL', 'application/json', '{"url":"not a url"}', 400, 'Invalid URL format'],
    ['no scheme', 'application/json', '{"url":"example.com"}', 400, 'Invalid URL format'],
    ['javascript:', 'application/json', '{"url":"javascript:alert(1)"}', 400, 'Only http and https URLs are allowed'],
    ['data:', 'application/json', '{"url":"data:text/html,<script>alert(1)</script>"}', 400, 'Only http and https URLs are allowed'],
    ['file:', 'application/json', '{"url":"file:///etc/passwd"}', 400, 'Only http and https URLs are allowed'],
    ['ftp:', 'application/json', '{"url":"ftp://example.com/x"}', 400, 'Only http and https URLs are allowed'],
    ['mailto:', 'application/json', '{"url":"mailto:a@example.com"}', 400, 'Only http and https URLs are allowed'],
    ['too long', 'application/json', JSON.stringify({ url: long }), 400, 'url must be at most 2048 characters'],
    ['number', 'application/json', '{"url":42}', 400, 'url must be a string'],
    ['array', 'application/json', '{"url":["https://example.com"]}', 400, 'url must be a string'],
    ['object', 'application/json', '{"url":{"href":"https://example.com"}}', 400, 'url must be a string'],
    ['malformed JSON', 'application/json', '{"url":', 400, ''],
    ['JSON array body', 'application/json', '[]', 400, 'url is required'],
    ['form body', 'application/x-www-form-urlencoded', 'url=https%3A%2F%2Fexample.com', 415, 'Content-Type must be application/json'],
    ['text body', 'text/plain', 'https://example.com', 415, 'Content-Type must be application/json'],
    ['oversized body', 'application/json', JSON.stringify({ url: 'https://example.com', pad: 'x'.repeat(64 * 1024) }), 413, 'Request body too large'],
  ];

  it.each(cases)('%s', async (_name, type, body, status, error) => {
    const before = await countRows('urls');
    const res = await fetch(`${stack.shortener.url}/api/shorten`, { method: 'POST', headers: { 'content-type': type }, body });
    expect(res.status).toBe(status);
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    const json = (await res.json()) as { error: string };
    expect(Object.keys(json)).toEqual(['error']);
    if (error) expect(json.error).toBe(error);
    else expect(json.error.length).toBeGreaterThan(0);
    expect(JSON.stringify(json)).not.toMatch(/at .*\.(js|ts):\d+/);
    expect(await countRows('urls')).toBe(before);
  });

  it('answers unknown routes and methods with JSON, not HTML', async () => {
    const res = await fetch(`${stack.shortener.url}/api/shorten`, { method: 'GET' });
    expect(res.headers.get('content-type')).toMatch(/application\/json/);
    expect(res.status).toBeGreaterThanOrEqual(400);
    const del = await fetch(`${stack.shortener.url}/api/urls`, { method: 'DELETE' });
    expect(del.status).toBe(404);
    expect(await del.json()).toEqual({ error: 'Not found' });
  });
});

describe('health', () => {
  it('keeps /health and reports each dependency on readiness', async () => {
    expect(await (await fetch(`${stack.shortener.url}/health`)).json()).toEqual({ status: 'ok' });
    expect((await fetch(`${stack.shortener.url}/health/live`)).status).toBe(200);
    const ready = await fetch(`${stack.redirector.url}/health/ready`);
    expect(ready.status).toBe(200);
    const body = (await ready.json()) as { status: string; details: Record<string, { status: string; required: boolean }> };
    expect(body.status).toBe('ok');
    expect(body.details['database']).toMatchObject({ status: 'up', required: true });
  });

  it.skipIf(!hasRedis)('reports Redis as up but not required', async () => {
    const body = (await (await fetch(`${stack.redirector.url}/health/ready`)).json()) as { details: Record<string, { status: string; required: boolean }> };
    expect(body.details['redis']).toMatchObject({ status: 'up', required: false });
  });

  it('serves the OpenAPI description generated from the code', async () => {
    const doc = (await (await fetch(`${stack.shortener.url}/api/docs/json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/api/shorten', '/api/urls', '/{code}']));
    const page = await fetch(`${stack.shortener.url}/api/docs`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/text\/html/);
  });
});

describe('when the redirector is down', () => {
  // A stack of its own: stopping its redirector leaves the other tests' stack untouched.
  let own: Stack;

  beforeAll(async () => {
    own = await startStack({ label: 'e2e_api_down' });
  });

  afterAll(async () => {
    await own?.stop();
  });

  it('answers 502 JSON fast, and recovers when it is back without restarting the shortener', async () => {
    const { json } = await shorten(own.shortener.url, { url: `${site.url}/article?down` });
    const code = json['short_code'] as string;
    expect(await own.redirector.stop()).toBe(0);
    const res = await fetch(`${own.shortener.url}/${code}`, { redirect: 'manual' });
    expect(res.status).toBe(502);
    expect(await res.json()).toEqual({ error: 'Redirector service unavailable' });
    // Shortening does not need the redirector.
    expect((await shorten(own.shortener.url, { url: `${site.url}/plain?while-down` })).status).toBe(201);
    await own.restartRedirector();
    const again = await fetch(`${own.shortener.url}/${code}`, { redirect: 'manual' });
    expect(again.status).toBe(302);
  });
});

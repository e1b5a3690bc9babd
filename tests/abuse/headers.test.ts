// Security headers on UI and API answers, spoofed Host / X-Forwarded-* from untrusted peers, and the
// rate limit's behaviour when Redis goes away (window turnover: apps/shortener/test, on a controlled clock).
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PUBLIC_BASE_URL } from '../support/stack';
import { sql } from '../support/stores';
import { waitFor } from '../support/net';
import { windowWithRoom } from '../support/rate-window';
import { record, startFaultStack, type FaultStack } from '../faults/support';

const FILE = 'tests/abuse/headers.test.ts';
// Far from a window boundary for as long as this file can run: no count is reset mid-test.
const WINDOW_SECONDS = windowWithRoom(15 * 60);

let stack: FaultStack;

beforeAll(async () => {
  stack = await startFaultStack({
    label: 'abuse_headers',
    ownRedis: true,
    shortenerEnv: { SSRF_ALLOWLIST: '', RATE_LIMIT_SHORTEN: '3', RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS) },
  });
});

afterAll(async () => {
  await stack?.stop();
});

/**
 * POST /api/shorten from a loopback source address of the test's choosing: the limit keys on the
 * peer address, so each test spends a budget of its own.
 */
function post(headers: Record<string, string> = {}, url = 'http://192.0.2.1/x', from = '127.0.0.1'): Promise<Response> {
  const target = new URL(`${stack.shortener.url}/api/shorten`);
  const body = JSON.stringify({ url });
  return new Promise((resolve, reject) => {
    const req = request(
      { host: target.hostname, port: target.port, path: target.pathname, method: 'POST', localAddress: from, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const answered = Object.entries(res.headers).flatMap(([k, v]): Array<[string, string]> => (v === undefined ? [] : [[k, Array.isArray(v) ? v.join(', ') : v]]));
          resolve(new Response(Buffer.concat(chunks), { status: res.statusCode, headers: answered }));
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('security headers', () => {
  it('sends a strict CSP and the usual headers on UI, API, error and redirect answers, and no X-Powered-By', async () => {
    const code = ((await (await post({}, 'http://192.0.2.1/h')).json()) as { short_code: string }).short_code;
    const targets: Array<[string, string, RequestInit?]> = [
      ['UI /', '/'],
      ['UI asset', '/assets/app.js'],
      ['API list', '/api/urls'],
      ['API 400', '/api/shorten', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }],
      ['API 404', '/api/nothing'],
      ['redirect 302', `/${code}`],
      ['health', '/health/ready'],
    ];
    const problems: string[] = [];
    for (const [name, path, init] of targets) {
      const res = await fetch(`${stack.shortener.url}${path}`, { redirect: 'manual', ...init });
      await res.arrayBuffer();
      const h = (k: string) => res.headers.get(k) ?? '';
      const csp = h('content-security-policy');
      const directives = Object.fromEntries(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v.join(' ')]));
      const check = (ok: boolean, what: string) => ok || problems.push(`${name}: ${what}`);
      check(directives['default-src'] === "'self'", `default-src ${directives['default-src']}`);
      check(directives['script-src'] === "'self'", `script-src ${directives['script-src']}`);
      check(directives['style-src'] === "'self'", `style-src ${directives['style-src']}`);
      check(directives['object-src'] === "'none'", 'object-src');
      check(directives['frame-ancestors'] === "'none'", 'frame-ancestors');
      check(directives['base-uri'] === "'none'", 'base-uri');
      check(!/unsafe-inline|unsafe-eval|\*|https?:/.test(csp), `lax CSP ${csp}`);
      check(h('x-content-type-options') === 'nosniff', 'x-content-type-options');
      check(h('referrer-policy') === 'no-referrer', `referrer-policy ${h('referrer-policy')}`);
      check(/^(DENY|SAMEORIGIN)$/.test(h('x-frame-options')), 'x-frame-options');
      check(h('cross-origin-opener-policy') === 'same-origin', 'cross-origin-opener-policy');
      check(!res.headers.has('x-powered-by'), 'x-powered-by present');
    }
    // The redirector (internal) sends them too and leaks no framework name either.
    const internal = await fetch(`${stack.redirector.url}/resolve/${code}`);
    if (internal.headers.has('x-powered-by') || internal.headers.get('x-content-type-options') !== 'nosniff') problems.push('redirector headers');
    // The UI page loads nothing from elsewhere.
    const html = await (await fetch(`${stack.shortener.url}/`)).text();
    const external = [...html.matchAll(/(?:src|href)\s*=\s*["']([^"']+)["']/gi)].map((m) => m[1]!).filter((u) => /^(https?:)?\/\//i.test(u));
    record({
      id: 'H-HEADERS',
      area: 'headers',
      name: `security headers on ${targets.length} shortener answers (UI, asset, API, 400, 404, 302, health) and the redirector`,
      expected: "CSP default/script/style-src 'self', object-src/frame-ancestors/base-uri 'none', nosniff, Referrer-Policy no-referrer, X-Frame-Options, COOP, no X-Powered-By; UI references no outside URL",
      measured: `${problems.length} problems${problems.length ? `: ${problems.join('; ')}` : ''}; outside URLs in the UI: ${external.length}`,
      file: FILE,
    });
    expect(problems).toEqual([]);
    expect(external).toEqual([]);
  });
});

describe('spoofed Host and X-Forwarded-* from an untrusted peer', () => {
  it('builds short_url from PUBLIC_BASE_URL, stores the real peer address, and keys the rate limit on it', async () => {
    const spoof = {
      host: 'evil.example',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-proto': 'https',
      'x-forwarded-for': '203.0.113.9, 8.8.8.8',
      'x-real-ip': '8.8.4.4',
      forwarded: 'for=8.8.8.8;host=evil.example;proto=https',
    };
    const statuses: number[] = [];
    const shortUrls: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await post({ ...spoof, 'x-forwarded-for': `198.51.100.${i}` }, `http://192.0.2.1/spoof${i}`, '127.0.0.2');
      statuses.push(res.status);
      if (res.status === 201) shortUrls.push(((await res.json()) as { short_url: string }).short_url);
    }
    const code = shortUrls[0]!.split('/').pop()!;
    const visit = await fetch(`${stack.shortener.url}/${code}`, { redirect: 'manual', headers: spoof });
    await waitFor(async () => (await sql(stack.databaseUrl, 'SELECT 1 FROM visits WHERE short_code = $1', [code])).length > 0, 10_000, 'the visit');
    const [stored] = await sql<{ client_ip: string }>(stack.databaseUrl, 'SELECT client_ip FROM visits WHERE short_code = $1', [code]);
    record({
      id: 'A-SPOOF',
      area: 'abuse',
      name: 'spoofed Host, X-Forwarded-Host/Proto/For, X-Real-IP, Forwarded from an untrusted peer',
      expected: 'short_url on PUBLIC_BASE_URL; stored client_ip from the socket (anonymised); rate limit counts the peer, not the header (3 per window → 4th is 429)',
      measured: `short_urls ${[...new Set(shortUrls.map((u) => new URL(u).origin))].join(', ')}; statuses ${statuses.join(', ')}; redirect ${visit.status} to ${visit.headers.get('location')}; stored client_ip ${stored?.client_ip}`,
      file: FILE,
    });
    expect(new Set(shortUrls.map((u) => new URL(u).origin))).toEqual(new Set([PUBLIC_BASE_URL]));
    expect(statuses).toEqual([201, 201, 201, 429]);
    expect(visit.status).toBe(302);
    expect(stored!.client_ip).toBe('127.0.0.0');
  });
});

describe('rate limit beyond the e2e tests', () => {
  it('keeps limiting per replica while Redis is down, and never fails or stores a limited request', async () => {
    const first = [];
    for (let i = 0; i < 4; i++) first.push((await post({}, `http://192.0.2.1/rl-a${i}`, '127.0.0.3')).status);
    const limited = await post({}, 'http://192.0.2.1/rl-limited', '127.0.0.3');
    const limitedBody = (await limited.json()) as { error: string };
    const retryAfter = Number(limited.headers.get('retry-after'));
    // GET routes are not limited.
    const lists = await Promise.all(Array.from({ length: 10 }, async () => (await fetch(`${stack.shortener.url}/api/urls`)).status));
    // Another client is not affected by this one's spent budget.
    const other = (await post({}, 'http://192.0.2.1/rl-b', '127.0.0.4')).status;

    await stack.redis!.stop();
    const withoutRedis = [];
    for (let i = 0; i < 4; i++) withoutRedis.push((await post({}, `http://192.0.2.1/rl-c${i}`, '127.0.0.5')).status);
    await stack.redis!.start();
    const leaked = await sql(stack.databaseUrl, "SELECT 1 FROM urls WHERE original_url = 'http://192.0.2.1/rl-limited' OR original_url = 'http://192.0.2.1/rl-a3' OR original_url = 'http://192.0.2.1/rl-c3'");
    record({
      id: 'R-RATE',
      area: 'rate-limit',
      name: 'rate limit 3 per window: per client, Redis down, GET routes, limited requests store nothing',
      expected: '201×3 then 429 JSON with Retry-After ≤ window; GETs never 429; another client 201; Redis down → still 3 then 429 (local count), no 5xx; no row for a 429',
      measured: `client 1: ${first.join(', ')}, then ${limited.status} (Retry-After ${retryAfter}, "${limitedBody.error}"); 10 GET /api/urls: ${[...new Set(lists)].join(',')}; client 2: ${other}; Redis down: ${withoutRedis.join(', ')}; rows for 429s: ${leaked.length}`,
      file: FILE,
    });
    expect(first).toEqual([201, 201, 201, 429]);
    expect(limited.status).toBe(429);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
    expect(lists.every((s) => s === 200)).toBe(true);
    expect(other).toBe(201);
    expect(withoutRedis).toEqual([201, 201, 201, 429]);
    expect(leaked).toEqual([]);
  });
});

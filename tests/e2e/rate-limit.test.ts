// POST /api/shorten is limited per client, and the count is shared by replicas through Redis.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startService, type RunningService } from '../support/services';
import { windowWithRoom } from '../support/rate-window';
import { migrate } from '../support/stack';
import { createTestDatabase, dropTestDatabase, redisPrefix } from '../support/stores';

const adminUrl = inject('postgresAdminUrl');
const redisUrl = inject('redisUrl');
let databaseUrl: string;
const running: RunningService[] = [];

// Far from a window boundary for as long as this file can run, so no count is reset mid-test.
const WINDOW_SECONDS = windowWithRoom(15 * 60);

async function replica(env: Record<string, string | undefined>): Promise<RunningService> {
  const service = await startService('shortener', {
    DATABASE_URL: databaseUrl,
    REDIRECTOR_URL: 'http://127.0.0.1:1',
    RATE_LIMIT_SHORTEN: '3',
    RATE_LIMIT_WINDOW_SECONDS: String(WINDOW_SECONDS),
    ...env,
  });
  running.push(service);
  return service;
}

const post = (base: string, headers: Record<string, string> = {}) =>
  fetch(`${base}/api/shorten`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ url: 'http://192.0.2.1/limited' }),
  });

beforeAll(async () => {
  databaseUrl = await createTestDatabase(adminUrl, 'e2e_rate');
  migrate(databaseUrl);
});

afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
  await dropTestDatabase(adminUrl, databaseUrl);
});

describe('rate limiting of POST /api/shorten', () => {
  it.skipIf(!redisUrl)('shares one budget across replicas through Redis and answers 429 JSON with Retry-After', async () => {
    const shared = { REDIS_URL: redisUrl!, REDIS_KEY_PREFIX: redisPrefix('rate') };
    const [a, b] = [await replica(shared), await replica(shared)];
    const statuses = [];
    for (const base of [a.url, b.url, a.url]) statuses.push((await post(base)).status);
    expect(statuses).toEqual([201, 201, 201]);
    const limited = await post(b.url);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('content-type')).toMatch(/application\/json/);
    const retryAfter = Number(limited.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(WINDOW_SECONDS);
    expect(((await limited.json()) as { error: string }).error).toMatch(/Too many requests/);
    expect(limited.headers.get('ratelimit-remaining')).toBe('0');
  });

  it('counts per replica when there is no Redis, and ignores X-Forwarded-For from untrusted peers', async () => {
    const solo = await replica({});
    for (let i = 0; i < 3; i++) expect((await post(solo.url, { 'x-forwarded-for': `198.51.100.${i}` })).status).toBe(201);
    expect((await post(solo.url, { 'x-forwarded-for': '198.51.100.99' })).status).toBe(429);
  });

  it('keys on the forwarded client address when the peer is a trusted proxy', async () => {
    const behindProxy = await replica({ TRUSTED_PROXIES: '127.0.0.1' });
    for (let i = 0; i < 3; i++) expect((await post(behindProxy.url, { 'x-forwarded-for': '198.51.100.7' })).status).toBe(201);
    expect((await post(behindProxy.url, { 'x-forwarded-for': '198.51.100.7' })).status).toBe(429);
    expect((await post(behindProxy.url, { 'x-forwarded-for': '198.51.100.8' })).status).toBe(201);
  });
});

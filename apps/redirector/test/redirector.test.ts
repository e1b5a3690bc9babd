// The redirector in-process (Vitest's own transform) against real PostgreSQL and Redis.
import type { INestApplication } from '@nestjs/common';
import { createServiceApp } from '@snip/common';
import Redis from 'ioredis';
import { afterAll, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { withEnv } from '../../../tests/support/env';
import { migrate } from '../../../tests/support/stack';
import { geoApi, serve, type StandIn } from '../../../tests/support/stand-ins';
import { waitFor } from '../../../tests/support/net';
import { createTestDatabase, dropTestDatabase, redisPrefix, sql } from '../../../tests/support/stores';
import { redirectorService } from '../src/redirector';

const redisUrl = inject('redisUrl');
let databaseUrl: string;
let geo: StandIn;
let app: INestApplication;
let base: string;
let redis: Redis | undefined;
/** What every app in this file is configured with; a test overrides some of it. */
let baseEnv: Record<string, string | undefined>;

/** Config is read while the app is created, so process.env is put back right after. */
async function startApp(env: Record<string, string | undefined> = {}): Promise<INestApplication> {
  return withEnv({ ...baseEnv, ...env }, async () => {
    const created = await createServiceApp(redirectorService);
    await created.listen(0, '127.0.0.1');
    return created;
  });
}

const urlOf = async (a: INestApplication) => (await a.getUrl()).replace('[::1]', '127.0.0.1');

async function seed(code: string, url: string): Promise<void> {
  await sql(databaseUrl, 'INSERT INTO urls (short_code, original_url) VALUES ($1, $2)', [code, url]);
}

beforeAll(async () => {
  databaseUrl = await createTestDatabase(inject('postgresAdminUrl'), 'int_redirector');
  migrate(databaseUrl);
  geo = await serve(geoApi({ '8.8.8.8': { country: 'United States', city: 'Ashburn' } }));
  const prefix = redisPrefix('int_redirector');
  baseEnv = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl ?? '',
    REDIS_KEY_PREFIX: prefix,
    GEO_PROVIDER: 'ip-api',
    GEO_API_URL: geo.url,
    VISITS_FLUSH_INTERVAL_MS: '50',
    RESOLVE_MEMORY_CACHE_TTL_MS: '1000',
    LOG_LEVEL: 'warn',
  };
  app = await startApp();
  base = await urlOf(app);
  if (redisUrl) redis = new Redis(redisUrl, { keyPrefix: prefix });
});

afterAll(async () => {
  await app?.close();
  redis?.disconnect();
  await geo?.close();
  await dropTestDatabase(inject('postgresAdminUrl'), databaseUrl);
});

describe('GET /resolve/:code', () => {
  it('reads PostgreSQL on a miss', async () => {
    await seed('dbOnly01', 'https://example.com/db');
    const res = await fetch(`${base}/resolve/dbOnly01?visit=0`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ original_url: 'https://example.com/db' });
  });

  it('does not remember a miss: a link that appears afterwards is found at once', async () => {
    expect((await fetch(`${base}/resolve/lateLink1?visit=0`)).status).toBe(404);
    await seed('lateLink1', 'https://example.com/late');
    const res = await fetch(`${base}/resolve/lateLink1?visit=0`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ original_url: 'https://example.com/late' });
  });

  it('answers 404 JSON for an unknown or malformed code', async () => {
    for (const code of ['nope0000', 'bad.code']) {
      const res = await fetch(`${base}/resolve/${code}`);
      expect(res.status).toBe(404);
      expect(await res.json()).toEqual({ error: 'Short URL not found' });
    }
  });
});

describe.skipIf(!redisUrl)('GET /resolve/:code with Redis', () => {
  it('re-populates the cache under url:<code> for 24 h after reading PostgreSQL', async () => {
    await seed('dbFill01', 'https://example.com/fill');
    expect((await fetch(`${base}/resolve/dbFill01?visit=0`)).status).toBe(200);
    await waitFor(async () => (await redis!.get('url:dbFill01')) !== null, 5000, 'the cache to be filled');
    expect(await redis!.get('url:dbFill01')).toBe('https://example.com/fill');
    expect(await redis!.ttl('url:dbFill01')).toBeGreaterThan(86_000);
  });

  it('answers from Redis when the key is there (no row needed)', async () => {
    await redis!.set('url:cacheOnly', 'https://example.com/from-cache');
    const res = await fetch(`${base}/resolve/cacheOnly?visit=0`);
    expect(await res.json()).toEqual({ original_url: 'https://example.com/from-cache' });
  });

  it('keeps what Redis answered in memory for RESOLVE_MEMORY_CACHE_TTL_MS, then asks Redis again', async () => {
    await redis!.set('url:memTier1', 'https://example.com/remembered');
    const resolve = async () => {
      const res = await fetch(`${base}/resolve/memTier1?visit=0`);
      return { status: res.status, body: await res.json() };
    };
    expect(await resolve()).toEqual({ status: 200, body: { original_url: 'https://example.com/remembered' } });
    await redis!.del('url:memTier1');
    // No row and no Redis key: only the memory tier can still answer.
    expect(await resolve()).toEqual({ status: 200, body: { original_url: 'https://example.com/remembered' } });
    // Once the 1 s memory entry expires the link is gone: it was only ever in Redis.
    await vi.waitFor(async () => expect(await resolve()).toEqual({ status: 404, body: { error: 'Short URL not found' } }), { timeout: 10_000, interval: 100 });
  });
});

describe('visits', () => {
  it('records one row per counted resolve, geolocated, with the anonymised address and counter', async () => {
    await seed('visit001', 'https://example.com/v');
    const headers = { 'x-snip-client-ip': '8.8.8.8', 'x-snip-user-agent': 'TestAgent/1.0' };
    for (let i = 0; i < 3; i++) expect((await fetch(`${base}/resolve/visit001`, { headers })).status).toBe(200);
    await fetch(`${base}/resolve/visit001`, { headers: { 'x-snip-client-ip': '10.1.2.3' } });
    await fetch(`${base}/resolve/visit001?visit=0`, { headers });
    await waitFor(async () => (await sql(databaseUrl, `SELECT 1 FROM visits WHERE short_code = 'visit001'`)).length === 4, 5000, 'visits');
    const rows = await sql<{ client_ip: string; country: string; city: string; user_agent: string | null }>(
      databaseUrl,
      `SELECT client_ip, country, city, user_agent FROM visits WHERE short_code = 'visit001' ORDER BY id`,
    );
    expect(rows.slice(0, 3)).toEqual(Array(3).fill({ client_ip: '8.8.8.0', country: 'United States', city: 'Ashburn', user_agent: 'TestAgent/1.0' }));
    expect(rows[3]).toMatchObject({ client_ip: '10.1.2.0', country: 'Unknown', city: 'Unknown' });
    const [url] = await sql<{ visit_count: string }>(databaseUrl, `SELECT visit_count FROM urls WHERE short_code = 'visit001'`);
    expect(Number(url!.visit_count)).toBe(4);
    // One lookup for the public address (cached per IP afterwards), none for the private one.
    expect(geo.requests.filter((r) => r.path.startsWith('/json/8.8.8.8'))).toHaveLength(1);
    expect(geo.requests.some((r) => r.path.includes('10.1.2.3'))).toBe(false);
  });

  it('flushes pending visits on shutdown', async () => {
    await seed('drain001', 'https://example.com/d');
    // A stream of its own: the file's other app, a replica on the same Redis, would write the visits otherwise.
    const slow = await startApp({ VISITS_FLUSH_INTERVAL_MS: '60000', VISITS_BATCH_SIZE: '10000', VISITS_STREAM_KEY: 'visits-drain' });
    const url = await urlOf(slow);
    const stored = async () => Number((await sql<{ n: string }>(databaseUrl, `SELECT count(*) AS n FROM visits WHERE short_code = 'drain001'`))[0]!.n);
    for (let i = 0; i < 25; i++) expect((await fetch(`${url}/resolve/drain001`)).status).toBe(200);
    // A minute's flush interval: nothing is written until the app closes.
    expect(await stored()).toBe(0);
    await slow.close();
    expect(await stored()).toBe(25);
  });
});

describe('without Redis', () => {
  it('starts, serves from PostgreSQL and stays ready while Redis is unreachable', async () => {
    await seed('noredis1', 'https://example.com/nr');
    const degraded = await startApp({ REDIS_URL: 'redis://127.0.0.1:1', VISITS_FLUSH_INTERVAL_MS: '50' });
    try {
      const url = await urlOf(degraded);
      const res = await fetch(`${url}/resolve/noredis1?visit=0`);
      expect(await res.json()).toEqual({ original_url: 'https://example.com/nr' });
      const ready = await fetch(`${url}/health/ready`);
      expect(ready.status).toBe(200);
      const body = (await ready.json()) as { status: string; details: Record<string, { status: string }> };
      expect(body.status).toBe('degraded');
      expect(body.details['redis']?.status).toBe('degraded');
      expect(body.details['database']?.status).toBe('up');
    } finally {
      await degraded.close();
    }
  });
});

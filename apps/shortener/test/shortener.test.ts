// The shortener in-process (Vitest's own transform) against real PostgreSQL and Redis and local pages.
import type { INestApplication } from '@nestjs/common';
import { createServiceApp } from '@snip/common';
import Redis from 'ioredis';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DataSource } from 'typeorm';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { withEnv } from '../../../tests/support/env';
import { migrate } from '../../../tests/support/stack';
import { pages, serve, type StandIn } from '../../../tests/support/stand-ins';
import { createTestDatabase, dropTestDatabase, redisPrefix, sql } from '../../../tests/support/stores';
import { shortenerService } from '../src/shortener';

const redisUrl = inject('redisUrl');
let databaseUrl: string;
let site: StandIn;
let prefix: string;
let app: NestExpressApplication;
let base: string;
let redis: Redis | undefined;
/** What every app in this file is configured with; a test overrides some of it. */
let baseEnv: Record<string, string | undefined>;

/** Config is read while the app is created, so process.env is put back right after. */
async function startApp(env: Record<string, string | undefined> = {}): Promise<NestExpressApplication> {
  return withEnv({ ...baseEnv, ...env }, async () => {
    const created = await createServiceApp(shortenerService);
    await created.listen(0, '127.0.0.1');
    return created;
  });
}

const urlOf = async (a: INestApplication) => (await a.getUrl()).replace('[::1]', '127.0.0.1');

async function post(url: string, body: unknown) {
  const res = await fetch(`${base}/api/shorten`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? { url }) });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  databaseUrl = await createTestDatabase(inject('postgresAdminUrl'), 'int_shortener');
  migrate(databaseUrl);
  site = await serve(
    pages({
      '/og': {
        body: '<html><head><meta property="og:title" content="OG title"><title>Plain title</title><meta name="description" content="Meta description"></head></html>',
      },
      '/hop': { status: 302, headers: { location: '/og' } },
      '/to-metadata': { status: 302, headers: { location: 'http://169.254.169.254/latest/meta-data/' } },
    }),
  );
  prefix = redisPrefix('int_shortener');
  baseEnv = {
    DATABASE_URL: databaseUrl,
    REDIS_URL: redisUrl ?? '',
    REDIS_KEY_PREFIX: prefix,
    REDIRECTOR_URL: 'http://127.0.0.1:1',
    PUBLIC_BASE_URL: 'https://sn.ip',
    SSRF_ALLOWLIST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    RATE_LIMIT_SHORTEN: '0',
  };
  app = await startApp();
  base = await urlOf(app);
  if (redisUrl) redis = new Redis(redisUrl, { keyPrefix: prefix });
});

afterAll(async () => {
  await app?.close();
  redis?.disconnect();
  await site?.close();
  await dropTestDatabase(inject('postgresAdminUrl'), databaseUrl);
});

describe('POST /api/shorten', () => {
  it('stores the link with og metadata, following redirects', async () => {
    const { status, json } = await post(`${site.url}/hop`, undefined);
    expect(status).toBe(201);
    expect(json).toMatchObject({ title: 'OG title', description: 'Meta description', original_url: `${site.url}/hop` });
    const code = json['short_code'] as string;
    expect(json['short_url']).toBe(`https://sn.ip/${code}`);
    const rows = await sql(databaseUrl, 'SELECT original_url, title, description FROM urls WHERE short_code = $1', [code]);
    expect(rows).toEqual([{ original_url: `${site.url}/hop`, title: 'OG title', description: 'Meta description' }]);
  });

  it.skipIf(!redisUrl)('caches a new link under url:<code> for 24 h', async () => {
    const { status, json } = await post('https://192.0.2.1/cached', undefined);
    expect(status).toBe(201);
    const code = json['short_code'] as string;
    expect(await redis!.get(`url:${code}`)).toBe('https://192.0.2.1/cached');
    expect(await redis!.ttl(`url:${code}`)).toBeGreaterThan(86_000);
  });

  it('never builds short_url from the Host header', async () => {
    const res = await fetch(`${base}/api/shorten`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', host: 'evil.example' },
      body: JSON.stringify({ url: 'https://192.0.2.1/host' }),
    });
    expect(((await res.json()) as { short_url: string }).short_url).toMatch(/^https:\/\/sn\.ip\//);
  });

  it('creates links to private addresses with null metadata, without fetching them', async () => {
    const blocked = await post(`${site.url}/to-metadata`, undefined);
    expect(blocked.status).toBe(201);
    expect(blocked.json).toMatchObject({ title: null, description: null });
    const direct = await post('http://10.0.0.1/admin', undefined);
    expect(direct.status).toBe(201);
    expect(direct.json).toMatchObject({ title: null, description: null });
  });

  it('gives every link a distinct 8-character code', async () => {
    const codes = await Promise.all(Array.from({ length: 20 }, (_, i) => post(`https://192.0.2.1/${i}`, undefined)));
    const set = new Set(codes.map((c) => c.json['short_code']));
    expect(set.size).toBe(20);
    for (const c of set) expect(c).toMatch(/^[A-Za-z0-9_-]{8}$/);
  });
});

describe('GET /api/urls', () => {
  it('returns at most 20 newest first, with visit_count as a number', async () => {
    for (let i = 0; i < 22; i++) await post(`https://192.0.2.1/page/${i}`, undefined);
    await sql(databaseUrl, `UPDATE urls SET visit_count = 7 WHERE original_url = 'https://192.0.2.1/page/21'`);
    const list = (await (await fetch(`${base}/api/urls`)).json()) as Array<Record<string, unknown>>;
    expect(list).toHaveLength(20);
    expect(list[0]).toMatchObject({ original_url: 'https://192.0.2.1/page/21', visit_count: 7 });
    expect(Object.keys(list[0]!).sort()).toEqual(['created_at', 'description', 'original_url', 'short_code', 'title', 'visit_count']);
    const [row] = await sql<{ created_at: Date }>(databaseUrl, 'SELECT created_at FROM urls WHERE short_code = $1', [list[0]!['short_code']]);
    expect(list[0]!['created_at']).toBe(row!.created_at.toISOString());
  });

  it('answers concurrent requests for the same page with one query', async () => {
    const db = app.get(DataSource);
    const spy = vi.spyOn(db, 'query');
    try {
      const lists = await Promise.all(Array.from({ length: 10 }, async () => (await fetch(`${base}/api/urls?limit=5`)).json()));
      const selects = spy.mock.calls.filter(([text]) => String(text).includes('FROM urls ORDER BY'));
      expect(selects.length).toBeGreaterThanOrEqual(1);
      expect(selects.length).toBeLessThan(10);
      for (const list of lists) expect(list).toEqual(lists[0]);
    } finally {
      spy.mockRestore();
    }
  });

  it('never answers a list asked for after a shorten from a query that started before it', async () => {
    const db = app.get(DataSource);
    const original = db.query.bind(db);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let held = false;
    // The first page read runs, then waits at the gate: still in flight, with rows from before the shorten.
    const spy = vi.spyOn(db, 'query').mockImplementation((async (text: string, params?: unknown[]) => {
      const rows: unknown = await original(text, params);
      if (!held && text.includes('FROM urls ORDER BY')) {
        held = true;
        await gate;
      }
      return rows;
    }) as typeof db.query);
    try {
      const before = fetch(`${base}/api/urls?limit=3`).then((r) => r.json());
      await vi.waitFor(() => expect(held).toBe(true));
      const created = await post('https://192.0.2.1/after-list', undefined);
      expect(created.status).toBe(201);
      // Released late: a list that wrongly joined the held read would only answer afterwards, without the link.
      setTimeout(release, 300);
      const after = (await (await fetch(`${base}/api/urls?limit=3`)).json()) as Array<{ short_code: string }>;
      expect(after[0]?.short_code).toBe(created.json['short_code']);
      await before;
    } finally {
      release();
      spy.mockRestore();
    }
  });
});

describe('without Redis', () => {
  it('still shortens and reports the cache as down but not required', async () => {
    const degraded = await startApp({ REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const url = await urlOf(degraded);
      const res = await fetch(`${url}/api/shorten`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"url":"https://192.0.2.1/nr"}' });
      expect(res.status).toBe(201);
      const ready = await fetch(`${url}/health/ready`);
      expect(ready.status).toBe(200);
      expect(((await ready.json()) as { details: Record<string, { status: string }> }).details['redis']?.status).toBe('degraded');
    } finally {
      await degraded.close();
    }
  });
});

describe('rate limit window (clock under test control)', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  const shortenAt = async (url: string, n: number) => {
    const res = await fetch(`${url}/api/shorten`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url: `https://192.0.2.1/rate/${n}` }) });
    return { status: res.status, retryAfter: res.headers.get('retry-after') };
  };

  /** 2 links per 60 s window: limited until the window's last second, allowed again as the next one starts. */
  async function turnsOverWithTheWindow(env: Record<string, string>): Promise<void> {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2031-05-04T10:00:30Z'));
    const limited = await startApp({ RATE_LIMIT_SHORTEN: '2', RATE_LIMIT_WINDOW_SECONDS: '60', REDIS_KEY_PREFIX: redisPrefix('int_rate'), ...env });
    try {
      const url = await urlOf(limited);
      expect([await shortenAt(url, 1), await shortenAt(url, 2), await shortenAt(url, 3)]).toEqual([
        { status: 201, retryAfter: null },
        { status: 201, retryAfter: null },
        { status: 429, retryAfter: '30' },
      ]);
      vi.setSystemTime(new Date('2031-05-04T10:00:59.999Z'));
      expect(await shortenAt(url, 4)).toEqual({ status: 429, retryAfter: '1' });
      vi.setSystemTime(new Date('2031-05-04T10:01:00Z'));
      expect(await shortenAt(url, 5)).toEqual({ status: 201, retryAfter: null });
      expect(await shortenAt(url, 6)).toEqual({ status: 201, retryAfter: null });
      expect(await shortenAt(url, 7)).toEqual({ status: 429, retryAfter: '60' });
    } finally {
      await limited.close();
    }
  }

  it('counts per replica without Redis', async () => {
    await turnsOverWithTheWindow({ REDIS_URL: '' });
  });

  it.skipIf(!redisUrl)('counts in Redis when there is one', async () => {
    await turnsOverWithTheWindow({});
  });
});

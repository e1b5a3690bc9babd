// Visit recording against real PostgreSQL and Redis: idempotent batch writes, the shared stream,
// the take-over of a dead replica's visits and the in-memory fallback.
import type { INestApplication } from '@nestjs/common';
import { createServiceApp } from '@snip/common';
import { createDataSource } from '@snip/data';
import Redis from 'ioredis';
import type { DataSource } from 'typeorm';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { withEnv } from '../../../tests/support/env';
import { waitFor } from '../../../tests/support/net';
import { migrate } from '../../../tests/support/stack';
import { createTestDatabase, dropTestDatabase, redisPrefix, sql } from '../../../tests/support/stores';
import { UNKNOWN, type GeoService } from '../src/geo/geo.service';
import { redirectorService } from '../src/redirector';
import { newVisitId, toStreamFields, type PendingVisit } from '../src/visits/visit';
import { VisitWriter } from '../src/visits/visit-writer';

const redisUrl = inject('redisUrl');
let databaseUrl: string;
let db: DataSource;

beforeAll(async () => {
  databaseUrl = await createTestDatabase(inject('postgresAdminUrl'), 'int_visits');
  migrate(databaseUrl);
  db = createDataSource({ url: databaseUrl, poolSize: 2, connectTimeoutMs: 3000, statementTimeoutMs: 5000, logQueries: false }, 'visits-test');
  await db.initialize();
});

afterAll(async () => {
  await db?.destroy();
  await dropTestDatabase(inject('postgresAdminUrl'), databaseUrl);
});

async function seed(code: string): Promise<void> {
  await sql(databaseUrl, 'INSERT INTO urls (short_code, original_url) VALUES ($1, $2)', [code, `https://example.com/${code}`]);
}

async function stored(code: string): Promise<{ rows: number; distinctIds: number; counted: number }> {
  const [v] = await sql<{ rows: string; ids: string }>(databaseUrl, 'SELECT count(*) AS rows, count(DISTINCT visit_id) AS ids FROM visits WHERE short_code = $1', [code]);
  const [u] = await sql<{ visit_count: string }>(databaseUrl, 'SELECT visit_count FROM urls WHERE short_code = $1', [code]);
  return { rows: Number(v!.rows), distinctIds: Number(v!.ids), counted: Number(u!.visit_count) };
}

const visitOf = (code: string, i: number): PendingVisit => ({
  id: newVisitId(),
  shortCode: code,
  clientIp: `198.51.100.${i}`,
  userAgent: `Agent/${i}`,
  visitedAt: new Date(),
});

describe('writing a batch of visits', () => {
  const geo = { locate: async () => UNKNOWN } as unknown as GeoService;
  const writer = () => new VisitWriter(db, geo, { concurrency: 2 });
  const context = { source: 'stream', redelivered: 0, queueDepth: 0 } as const;

  it('stores a batch written twice once, and counts it once', async () => {
    await seed('twice001');
    const batch = Array.from({ length: 5 }, (_, i) => visitOf('twice001', i));
    expect(await writer().write(batch, context)).toBe(5);
    expect(await writer().write(batch, { ...context, redelivered: 5 })).toBe(0);
    expect(await stored('twice001')).toEqual({ rows: 5, distinctIds: 5, counted: 5 });
  });

  it('grows the counter by the rows actually inserted when a batch mixes stored and new visits', async () => {
    await seed('mixed001');
    await seed('mixed002');
    const first = [visitOf('mixed001', 1), visitOf('mixed001', 2), visitOf('mixed002', 3)];
    await writer().write(first, context);
    const fresh = [visitOf('mixed001', 4), visitOf('mixed002', 5), visitOf('mixed002', 6)];
    // A re-delivered batch in another order, with new visits among the old ones and one visit twice.
    expect(await writer().write([fresh[0]!, first[2]!, fresh[1]!, first[0]!, fresh[2]!, fresh[2]!], context)).toBe(3);
    expect(await stored('mixed001')).toEqual({ rows: 3, distinctIds: 3, counted: 3 });
    expect(await stored('mixed002')).toEqual({ rows: 3, distinctIds: 3, counted: 3 });
  });

  it('writes nothing of a batch that fails, so the retry stores it all', async () => {
    await seed('atomic01');
    const good = visitOf('atomic01', 1);
    // A visit of a link that does not exist fails the foreign key, and with it the whole transaction.
    await expect(writer().write([good, visitOf('nolink01', 2)], context)).rejects.toThrow();
    expect(await stored('atomic01')).toEqual({ rows: 0, distinctIds: 0, counted: 0 });
    expect(await writer().write([good], context)).toBe(1);
    expect(await stored('atomic01')).toEqual({ rows: 1, distinctIds: 1, counted: 1 });
  });
});

/** A redirector in-process; config is read while the app is created, so process.env is put back right after. */
async function startApp(env: Record<string, string | undefined>): Promise<{ app: INestApplication; url: string }> {
  return withEnv({ DATABASE_URL: databaseUrl, GEO_PROVIDER: 'none', VISITS_FLUSH_INTERVAL_MS: '50', LOG_LEVEL: 'warn', ...env }, async () => {
    const app = await createServiceApp(redirectorService);
    await app.listen(0, '127.0.0.1');
    return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1') };
  });
}

describe.skipIf(!redisUrl)('the visit stream', () => {
  const prefix = redisPrefix('int_visits');
  const key = `${prefix}visits`;
  let redis: Redis;
  let replica: { app: INestApplication; url: string };

  beforeAll(async () => {
    redis = new Redis(redisUrl!);
    replica = await startApp({ REDIS_URL: redisUrl!, REDIS_KEY_PREFIX: prefix, VISITS_CLAIM_IDLE_MS: '300' });
  });

  afterAll(async () => {
    await replica?.app.close();
    await redis?.del(key);
    redis?.disconnect();
  });

  it('carries each counted resolve through the stream and keeps only what is not written yet', async () => {
    await seed('stream01');
    for (let i = 0; i < 4; i++) expect((await fetch(`${replica.url}/resolve/stream01`)).status).toBe(200);
    await waitFor(async () => (await stored('stream01')).rows === 4, 10_000, 'the visits to be written');
    expect(await stored('stream01')).toEqual({ rows: 4, distinctIds: 4, counted: 4 });
    const [group] = (await redis.xinfo('GROUPS', key)) as unknown[][];
    const info = Object.fromEntries(Array.from({ length: group!.length / 2 }, (_, i) => [group![2 * i], group![2 * i + 1]]));
    expect(info).toMatchObject({ name: 'visit-writers', pending: 0 });
    await waitFor(async () => (await redis.xlen(key)) === 0, 5000, 'written entries to leave the stream');
  });

  it("writes, once, the visits a dead replica had read and not acknowledged, and a visit appended twice", async () => {
    await seed('claimed1');
    const visits = Array.from({ length: 3 }, (_, i) => visitOf('claimed1', i));
    for (const v of visits) await redis.xadd(key, '*', ...toStreamFields(v));
    // The same visit appended again, as after an XADD that timed out and was retried: one row.
    await redis.xadd(key, '*', ...toStreamFields(visits[0]!));
    // Another consumer reads them first and never acknowledges: a replica killed mid-batch.
    const deliveredTo = async (consumer: string) =>
      ((await redis.xreadgroup('GROUP', 'visit-writers', consumer, 'COUNT', 100, 'STREAMS', key, '>')) as Array<[string, unknown[]]> | null)?.[0]?.[1].length ?? 0;
    expect(await deliveredTo('dead-replica')).toBeGreaterThan(0);
    await waitFor(async () => (await stored('claimed1')).rows === 3, 10_000, 'the dead replica’s visits to be taken over');
    await waitFor(async () => Number(((await redis.xpending(key, 'visit-writers')) as [number])[0]) === 0, 10_000, 'nothing left pending');
    expect(await stored('claimed1')).toEqual({ rows: 3, distinctIds: 3, counted: 3 });
  });

  it('refuses entries it did not write without blocking the visits behind them', async () => {
    await seed('garbage1');
    await redis.xadd(key, '*', 'hello', 'world');
    const visit = visitOf('garbage1', 1);
    await redis.xadd(key, '*', ...toStreamFields(visit));
    await waitFor(async () => (await stored('garbage1')).rows === 1, 10_000, 'the visit behind the foreign entry');
    await waitFor(async () => (await redis.xlen(key)) === 0, 5000, 'the foreign entry to be dropped');
  });
});

describe('without a reachable Redis', () => {
  it('keeps visits in memory and writes them', async () => {
    await seed('memory01');
    const degraded = await startApp({ REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      for (let i = 0; i < 5; i++) expect((await fetch(`${degraded.url}/resolve/memory01`)).status).toBe(200);
      await waitFor(async () => (await stored('memory01')).rows === 5, 10_000, 'the in-memory visits to be written');
      expect(await stored('memory01')).toEqual({ rows: 5, distinctIds: 5, counted: 5 });
    } finally {
      await degraded.app.close();
    }
  });
});

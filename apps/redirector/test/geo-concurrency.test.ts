// GEO_CONCURRENCY as the geolocation API sees it: how many lookups of one visit batch wait on it at once.
import type { ServerResponse } from 'node:http';
import type { INestApplication } from '@nestjs/common';
import { createServiceApp } from '@snip/common';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { waitFor } from '../../../tests/support/net';
import { migrate } from '../../../tests/support/stack';
import { serve, type StandIn } from '../../../tests/support/stand-ins';
import { createTestDatabase, dropTestDatabase, sql } from '../../../tests/support/stores';
import { redirectorService } from '../src/redirector';

const VISITORS = 10;
let databaseUrl: string;
let app: INestApplication | undefined;
let geo: StandIn | undefined;

beforeAll(async () => {
  databaseUrl = await createTestDatabase(inject('postgresAdminUrl'), 'int_geo_concurrency');
  migrate(databaseUrl);
});

afterEach(async () => {
  await app?.close();
  await geo?.close();
  app = geo = undefined;
});

afterAll(async () => {
  await dropTestDatabase(inject('postgresAdminUrl'), databaseUrl);
});

/**
 * Sends one batch of visits from distinct public addresses through a redirector with the given
 * GEO_CONCURRENCY. The stand-in ip-api holds every lookup and answers the ones waiting only once as
 * many are waiting as the setting allows (or as are left), so a writer that sent more at once
 * would be seen doing so. Returns the most lookups the stand-in held at the same time.
 */
async function mostLookupsAtOnce(concurrency: number, code: string): Promise<number> {
  const waiting: ServerResponse[] = [];
  let most = 0;
  geo = await serve((_req, res) => {
    waiting.push(res);
    most = Math.max(most, waiting.length);
  });
  await sql(databaseUrl, 'INSERT INTO urls (short_code, original_url) VALUES ($1, $2)', [code, 'https://example.com/geo']);
  Object.assign(process.env, {
    DATABASE_URL: databaseUrl,
    REDIS_URL: '',
    GEO_PROVIDER: 'ip-api',
    GEO_API_URL: geo.url,
    GEO_CONCURRENCY: String(concurrency),
    GEO_TIMEOUT_MS: '30000',
    // One batch of exactly these visits, written when the last one is queued.
    VISITS_BATCH_SIZE: String(VISITORS),
    VISITS_FLUSH_INTERVAL_MS: '60000',
    LOG_LEVEL: 'warn',
  });
  app = await createServiceApp(redirectorService);
  await app.listen(0, '127.0.0.1');
  const base = (await app.getUrl()).replace('[::1]', '127.0.0.1');

  for (let i = 1; i <= VISITORS; i++) {
    const res = await fetch(`${base}/resolve/${code}`, { headers: { 'x-snip-client-ip': `8.8.${concurrency}.${i}` } });
    expect(res.status).toBe(200);
  }
  let answered = 0;
  while (answered < VISITORS) {
    const expected = Math.min(concurrency, VISITORS - answered);
    await waitFor(() => waiting.length >= expected, 10_000, `${expected} lookups waiting at once`);
    for (const res of waiting.splice(0)) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'success', country: 'Testland', city: 'Testville' }));
      answered++;
    }
  }
  await waitFor(
    async () => (await sql(databaseUrl, `SELECT 1 FROM visits WHERE short_code = $1 AND country = 'Testland'`, [code])).length === VISITORS,
    10_000,
    'the geolocated visits',
  );
  expect(geo.requests).toHaveLength(VISITORS);
  return most;
}

describe('GEO_CONCURRENCY', () => {
  it('with 1, the geolocation API never sees two lookups at once', async () => {
    expect(await mostLookupsAtOnce(1, 'geoConc1')).toBe(1);
  });

  it('with 4, the geolocation API sees up to 4 lookups at once, never more', async () => {
    expect(await mostLookupsAtOnce(4, 'geoConc4')).toBe(4);
  });
});

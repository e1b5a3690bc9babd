// The guided scenarios (SNIP_SCENARIOS=n-plus-one,cache-key-mismatch) as the exported traces show them.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { pages, serve, type StandIn } from '../support/stand-ins';
import { dropTestDatabase } from '../support/stores';
import { SpanKind, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver';
import { completeTrace, isDescendant, isPgQuery, isPgSelect, migratedDatabase, nameCounts, newTraceparent, otelEnv, startPair, type Pair } from './support/stack';

let receiver: OtlpReceiver;
let site: StandIn;
let pair: Pair;
let databaseUrl: string;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  site = await serve(pages({ '/': { body: '<title>Home</title>' } }));
  databaseUrl = await migratedDatabase(inject('postgresAdminUrl'), 'scenarios');
  pair = await startPair({
    databaseUrl,
    redisUrl: inject('redisUrl'),
    label: 'scenarios',
    geoApiUrl: site.url,
    otel: otelEnv(receiver.url, { SNIP_SCENARIOS: 'n-plus-one,cache-key-mismatch' }),
  });
});

afterAll(async () => {
  await pair?.stop();
  await Promise.all([receiver?.close(), site?.close()]);
  if (databaseUrl) await dropTestDatabase(inject('postgresAdminUrl'), databaseUrl);
});

const traceOf = (traceId: string, services: string[]): Promise<ReceivedSpan[]> => completeTrace(receiver, traceId, services);

async function shorten(url: string): Promise<string> {
  const res = await fetch(`${pair.shortener.url}/api/shorten`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ url }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { short_code: string }).short_code;
}

describe('cache-key-mismatch', () => {
  it('makes the first redirect after creation a cache miss with a PostgreSQL SELECT in the redirector', async () => {
    const code = await shorten(`${site.url}/`);
    const tp = newTraceparent();
    const res = await fetch(`${pair.shortener.url}/${code}`, { redirect: 'manual', headers: { traceparent: tp.header } });
    expect(res.status).toBe(302);
    const trace = await traceOf(tp.traceId, ['shortener', 'redirector']);
    const server = trace.find((s) => s.service === 'redirector' && s.kind === SpanKind.SERVER)!;
    expect(server.name).toBe('GET /resolve/:code');
    expect(server.attributes['redirector.cache_hit']).toBe(false);
    const selects = trace.filter((s) => s.service === 'redirector' && isPgSelect(s));
    expect(selects, JSON.stringify(nameCounts(trace))).toHaveLength(1);
    expect(isDescendant(selects[0]!, server, trace)).toBe(true);
  });
});

describe('n-plus-one', () => {
  it('makes GET /api/urls one query for the list plus one per link', async () => {
    for (const path of ['/a', '/b', '/c']) await shorten(`${site.url}${path}`);
    const tp = newTraceparent();
    const res = await fetch(`${pair.shortener.url}/api/urls?limit=3`, { headers: { traceparent: tp.header } });
    expect(res.status).toBe(200);
    const links = (await res.json()) as unknown[];
    expect(links).toHaveLength(3);
    const trace = await traceOf(tp.traceId, ['shortener']);
    expect(trace.filter(isPgQuery), JSON.stringify(nameCounts(trace))).toHaveLength(1 + links.length);
  });
});

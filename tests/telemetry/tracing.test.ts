// What the services actually export, decoded from OTLP/protobuf: one trace per request across both
// services, readable names, business attributes, errors, log correlation and metrics.
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { geoApi, pages, serve, type StandIn } from '../support/stand-ins';
import { dropTestDatabase } from '../support/stores';
import { SpanKind, StatusCode, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver';
import { ancestors, completeTrace, isDescendant, isPgQuery, isPgSelect, migratedDatabase, nameCounts, newTraceparent, otelEnv, startPair, type Pair } from './support/stack';

const ARTICLE = `<!doctype html><html><head><title>An article</title>
<meta name="description" content="What the article is about"></head><body><p>Hello</p></body></html>`;
const VISITOR_IP = '8.8.8.8';

let receiver: OtlpReceiver;
let site: StandIn;
let silent: StandIn;
let geo: StandIn;
let pair: Pair;
let databaseUrl: string;

beforeAll(async () => {
  receiver = await startOtlpReceiver();
  site = await serve(pages({ '/article': { body: ARTICLE }, '/data.json': { type: 'application/json', body: '{"a":1}' } }));
  silent = await serve(() => undefined); // accepts the connection, never answers
  geo = await serve(geoApi({ [VISITOR_IP]: { country: 'United States', city: 'Mountain View' } }));
  databaseUrl = await migratedDatabase(inject('postgresAdminUrl'), 'telemetry');
  pair = await startPair({
    databaseUrl,
    redisUrl: inject('redisUrl'),
    label: 'telemetry',
    geoApiUrl: geo.url,
    otel: otelEnv(receiver.url, {
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=telemetry-test,service.namespace=snip',
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_METRIC_EXPORT_INTERVAL: '500',
      OTEL_METRIC_EXPORT_TIMEOUT: '400',
    }),
  });
});

afterAll(async () => {
  await pair?.stop();
  await Promise.all([receiver?.close(), site?.close(), silent?.close(), geo?.close()]);
  if (databaseUrl) await dropTestDatabase(inject('postgresAdminUrl'), databaseUrl);
});

async function shorten(url: string, traceparent: string): Promise<{ status: number; body: { short_code?: string } }> {
  const res = await fetch(`${pair.shortener.url}/api/shorten`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', traceparent },
    body: JSON.stringify({ url }),
  });
  return { status: res.status, body: (await res.json()) as { short_code?: string } };
}

function one(spans: readonly ReceivedSpan[], predicate: (s: ReceivedSpan) => boolean, what: string): ReceivedSpan {
  const found = spans.filter(predicate);
  expect(found, `exactly one ${what} in ${JSON.stringify(nameCounts(spans))}`).toHaveLength(1);
  return found[0]!;
}

const serverSpan = (trace: readonly ReceivedSpan[], service: string) =>
  trace.find((s) => s.service === service && s.kind === SpanKind.SERVER);

const traceOf = (traceId: string, services: string[] = ['shortener']): Promise<ReceivedSpan[]> => completeTrace(receiver, traceId, services);

describe('shorten', () => {
  let code: string;
  let trace: ReceivedSpan[];
  const tp = newTraceparent();

  beforeAll(async () => {
    const res = await shorten(`${site.url}/article`, tp.header);
    expect(res.status).toBe(201);
    code = res.body.short_code!;
    trace = await traceOf(tp.traceId);
    console.log('span catalogue, one shorten:', nameCounts(trace));
  });

  it('is one trace: POST /api/shorten → extract-metadata → GET target-page, generate-short-code → INSERT, cache SET', () => {
    const server = one(trace, (s) => s.kind === SpanKind.SERVER, 'server span');
    expect(server.name).toBe('POST /api/shorten');
    expect(server.parentSpanId).toBe(tp.parentSpanId);
    expect(server.service).toBe('shortener');
    expect(server.attributes['shortener.short_code']).toBe(code);
    expect(server.attributes['shortener.original_url']).toBe(`${site.url}/article`);

    const extract = one(trace, (s) => s.name === 'extract-metadata', 'extract-metadata');
    expect(isDescendant(extract, server, trace)).toBe(true);
    const fetchPage = one(trace, (s) => s.kind === SpanKind.CLIENT && s.name === 'GET target-page', 'page fetch');
    expect(fetchPage.parentSpanId).toBe(extract.spanId);

    const generate = one(trace, (s) => s.name === 'generate-short-code', 'generate-short-code');
    expect(generate.attributes['shortener.code_attempts']).toBe(1);
    const insert = one(trace, (s) => isPgQuery(s) && /INSERT/.test(s.name), 'INSERT');
    expect(isDescendant(insert, generate, trace)).toBe(true);
    const set = one(trace, (s) => s.scope === '@opentelemetry/instrumentation-ioredis' && s.name === 'set', 'redis SET');
    expect(isDescendant(set, server, trace)).toBe(true);
  });

  it('records the HTML page: bytes read, title and description found', () => {
    const extract = trace.find((s) => s.name === 'extract-metadata')!;
    expect(extract.attributes).toMatchObject({
      'metadata.target_url': `${site.url}/article`,
      'metadata.outcome': 'ok',
      'metadata.has_title': true,
      'metadata.has_description': true,
      'metadata.bytes_read': Buffer.byteLength(ARTICLE),
    });
    expect(extract.status.code).not.toBe(StatusCode.ERROR);
  });

  it('shows NestJS spans (instrumentation-nestjs-core patches @nestjs/core 11)', () => {
    const nest = trace.filter((s) => s.scope === '@opentelemetry/instrumentation-nestjs-core');
    expect(nest.map((s) => s.name)).toContain('UrlsController.shorten');
  });

  it('stamps the log lines written inside the request with its trace id', async () => {
    const created = await receiver.until(
      () => pair.shortener.logs.find((l) => l['event'] === 'url.created' && l['short_code'] === code),
      'the url.created log line',
    );
    expect(created['trace_id']).toBe(tp.traceId);
    expect(trace.map((s) => s.spanId)).toContain(created['span_id']);
  });

  it('puts the service name and OTEL_RESOURCE_ATTRIBUTES on the resource', () => {
    for (const span of trace) {
      expect(span.resource).toMatchObject({
        'service.name': 'shortener',
        'deployment.environment.name': 'telemetry-test',
        'service.namespace': 'snip',
      });
    }
  });

  describe('redirect', () => {
    let redirect: ReceivedSpan[];
    const rtp = newTraceparent();

    beforeAll(async () => {
      const res = await fetch(`${pair.shortener.url}/${code}`, {
        redirect: 'manual',
        headers: { traceparent: rtp.header, 'x-forwarded-for': VISITOR_IP },
      });
      expect(res.status).toBe(302);
      redirect = await traceOf(rtp.traceId, ['shortener', 'redirector']);
      console.log('span catalogue, one redirect:', nameCounts(redirect));
    });

    it('is one trace across both services: server → client → redirector server → Redis', () => {
      const shortenerServer = one(redirect, (s) => s.service === 'shortener' && s.kind === SpanKind.SERVER, 'shortener server span');
      expect(shortenerServer.name).toBe('GET /:code');
      expect(shortenerServer.parentSpanId).toBe(rtp.parentSpanId);
      expect(shortenerServer.attributes).toMatchObject({ 'shortener.short_code': code, 'shortener.original_url': `${site.url}/article` });

      const client = one(redirect, (s) => s.service === 'shortener' && s.kind === SpanKind.CLIENT, 'client span');
      expect(client.name).toBe('GET redirector /resolve/:code');
      expect(isDescendant(client, shortenerServer, redirect)).toBe(true);

      const redirectorServer = one(redirect, (s) => s.service === 'redirector' && s.kind === SpanKind.SERVER, 'redirector server span');
      expect(redirectorServer.name).toBe('GET /resolve/:code');
      expect(redirectorServer.parentSpanId).toBe(client.spanId);
      expect(redirectorServer.resource['service.name']).toBe('redirector');
      expect(redirectorServer.resource['deployment.environment.name']).toBe('telemetry-test');

      const get = one(redirect, (s) => s.scope === '@opentelemetry/instrumentation-ioredis' && s.name === 'get', 'redis GET');
      expect(get.service).toBe('redirector');
      expect(isDescendant(get, redirectorServer, redirect)).toBe(true);
      const visit = one(redirect, (s) => s.name === 'record-visit', 'record-visit');
      expect(isDescendant(visit, redirectorServer, redirect)).toBe(true);
      expect(visit.attributes['visits.queued']).toBe(true);

      expect(redirect.filter((s) => s.scope === '@opentelemetry/instrumentation-nestjs-core').map((s) => s.name)).toEqual(
        expect.arrayContaining(['RedirectController.get', 'ResolveController.resolve']),
      );
    });

    it('is a cache hit right after creation: no PostgreSQL SELECT in the redirector', () => {
      const redirectorServer = serverSpan(redirect, 'redirector')!;
      expect(redirectorServer.attributes['redirector.cache_hit']).toBe(true);
      expect(redirectorServer.attributes['redirector.short_code']).toBe(code);
      expect(redirect.filter((s) => s.service === 'redirector' && isPgSelect(s))).toEqual([]);
    });

    it('never puts a short code or an IP address in a span name', () => {
      for (const span of [...trace, ...redirect]) {
        expect(span.name).not.toContain(code);
        expect(span.name).not.toMatch(/\b\d{1,3}(\.\d{1,3}){3}\b|\[?[0-9a-f]*:[0-9a-f:]+\]?:\d+/i);
      }
    });

    it('records the visit in a background trace: record-visits → geolocate → GET ip-api.com /json/:ip, INSERT', async () => {
      const batch = await receiver.until(() => {
        const geolocate = receiver.spans.find((s) => s.name === 'geolocate' && s.attributes['geo.cache_hit'] === false);
        if (!geolocate) return undefined;
        const t = receiver.trace(geolocate.traceId);
        return t.some((s) => s.name === 'record-visits') && t.some((s) => isPgQuery(s) && /UPDATE/.test(s.name)) ? t : undefined;
      }, 'the record-visits trace');
      const flush = one(batch, (s) => s.name === 'record-visits', 'record-visits');
      expect(flush.service).toBe('redirector');
      const geolocate = one(batch, (s) => s.name === 'geolocate', 'geolocate');
      expect(geolocate.attributes).toMatchObject({ 'geo.provider': 'ip-api', 'geo.cache_hit': false, 'geo.outcome': 'ok' });
      expect(isDescendant(geolocate, flush, batch)).toBe(true);
      const call = one(batch, (s) => s.kind === SpanKind.CLIENT && s.name.startsWith('GET ip-api.com'), 'geo call');
      expect(call.name).toBe('GET ip-api.com /json/:ip');
      expect(call.parentSpanId).toBe(geolocate.spanId);
      expect(batch.filter((s) => isPgQuery(s) && /INSERT/.test(s.name))).toHaveLength(1);
      expect(geo.requests.map((r) => r.path)).toContain(`/json/${VISITOR_IP}?fields=status,country,city`);
    });
  });
});

describe('GET /api/urls', () => {
  it('is exactly one PostgreSQL query', async () => {
    const tp = newTraceparent();
    const res = await fetch(`${pair.shortener.url}/api/urls`, { headers: { traceparent: tp.header } });
    expect(res.status).toBe(200);
    expect(((await res.json()) as unknown[]).length).toBeGreaterThan(0);
    const trace = await traceOf(tp.traceId);
    expect(serverSpan(trace, 'shortener')!.name).toBe('GET /api/urls');
    expect(trace.filter(isPgQuery), JSON.stringify(nameCounts(trace))).toHaveLength(1);
  });
});

describe('extract-metadata', () => {
  async function extraction(url: string): Promise<{ extract: ReceivedSpan; trace: ReceivedSpan[] }> {
    const tp = newTraceparent();
    expect((await shorten(url, tp.header)).status).toBe(201);
    const trace = await traceOf(tp.traceId);
    return { extract: one(trace, (s) => s.name === 'extract-metadata', 'extract-metadata'), trace };
  }

  it('skips a non-HTML page after reading its headers', async () => {
    const { extract } = await extraction(`${site.url}/data.json`);
    expect(extract.attributes).toMatchObject({
      'metadata.target_url': `${site.url}/data.json`,
      'metadata.outcome': 'skipped',
      'metadata.skip_reason': 'not-html',
      'metadata.bytes_read': 0,
      'metadata.has_title': false,
      'metadata.has_description': false,
    });
    expect(extract.status.code).not.toBe(StatusCode.ERROR);
  });

  it('marks a timeout as a failure: status ERROR with an exception event', async () => {
    const { extract, trace } = await extraction(`${silent.url}/slow`);
    expect(extract.attributes).toMatchObject({ 'metadata.outcome': 'failed', 'metadata.failure_reason': 'timeout', 'metadata.has_title': false });
    expect(extract.status.code).toBe(StatusCode.ERROR);
    const exception = extract.events.find((e) => e.name === 'exception');
    expect(exception?.attributes['exception.message']).toMatch(/^timeout/);
    // The aborted page request is a failed client span under it.
    const call = one(trace, (s) => s.kind === SpanKind.CLIENT && s.name === 'GET target-page', 'page fetch');
    expect(call.parentSpanId).toBe(extract.spanId);
    expect(call.status.code).toBe(StatusCode.ERROR);
  });

  it('skips a private address without connecting to it', async () => {
    const { extract, trace } = await extraction('http://10.1.2.3/internal');
    expect(extract.attributes).toMatchObject({
      'metadata.target_url': 'http://10.1.2.3/internal',
      'metadata.outcome': 'skipped',
      'metadata.skip_reason': 'blocked-address',
      'metadata.bytes_read': 0,
    });
    expect(trace.filter((s) => s.name.startsWith('GET ')).map((s) => s.name)).toEqual([]);
  });
});

describe('metrics over OTLP', () => {
  it('exports redirects by outcome, cache lookups, metadata-fetch duration and the visit queue', async () => {
    const find = (name: string, service: string, match: Record<string, unknown> = {}) =>
      receiver.metrics.find(
        (m) => m.name === name && m.service === service && m.points.some((p) => Object.entries(match).every(([k, v]) => p.attributes[k] === v) && p.value > 0),
      ) ?? (name === 'snip.visits.queue.depth' ? receiver.metrics.find((m) => m.name === name && m.service === service && m.points.length > 0) : undefined);
    await receiver.until(
      () =>
        find('snip.redirects', 'shortener', { 'snip.redirect.outcome': 'found' }) &&
        find('snip.cache.lookups', 'redirector', { 'snip.cache.result': 'hit' }) &&
        find('snip.metadata.fetch.duration', 'shortener', { 'metadata.outcome': 'ok' }) &&
        find('snip.metadata.fetch.duration', 'shortener', { 'metadata.outcome': 'failed', 'metadata.reason': 'timeout' }) &&
        find('snip.visits.queue.depth', 'redirector'),
      'the snip metrics',
    );
  });
});

// Last: it stops the redirector.
describe('redirector down', () => {
  it('answers 502 and marks the failed call ERROR with an exception event', async () => {
    const created = await shorten(`${site.url}/article`, newTraceparent().header);
    await pair.redirector.stop();
    const tp = newTraceparent();
    const res = await fetch(`${pair.shortener.url}/${created.body.short_code}`, { redirect: 'manual', headers: { traceparent: tp.header } });
    expect(res.status).toBe(502);
    const trace = await traceOf(tp.traceId);
    const server = serverSpan(trace, 'shortener')!;
    expect(server.name).toBe('GET /:code');
    expect(server.status.code).toBe(StatusCode.ERROR);
    expect(server.attributes['shortener.redirector_error']).toBe('connection-failed');
    const client = one(trace, (s) => s.kind === SpanKind.CLIENT && s.name.startsWith('GET redirector'), 'client span');
    expect(client.name).toBe('GET redirector /resolve/:code');
    expect(client.status.code).toBe(StatusCode.ERROR);
    expect(client.events.map((e) => e.name)).toContain('exception');
    expect(ancestors(client, trace)).toContain(server);
    const warning = await receiver.until(() => pair.shortener.logs.find((l) => l['event'] === 'redirector.unavailable'), 'the warning');
    expect(warning['trace_id']).toBe(tp.traceId);
  });
});

// Both services as real processes, started as the image starts them, exporting to a test receiver.
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { ROOT, startService, type RunningService } from '../../support/services';
import { createTestDatabase, redisPrefix } from '../../support/stores';
import { SpanKind, type OtlpReceiver, type ReceivedSpan } from './otlp-receiver';

export async function migratedDatabase(adminUrl: string, label: string): Promise<string> {
  const url = await createTestDatabase(adminUrl, label);
  execFileSync(process.execPath, [join(ROOT, 'libs/data/dist/migrate.js')], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url },
    stdio: 'pipe',
  });
  return url;
}

/** OTEL_* for a service exporting to `endpoint` quickly (small batch delay). */
export function otelEnv(endpoint: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    OTEL_SDK_DISABLED: 'false',
    OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
    OTEL_BSP_SCHEDULE_DELAY: '100',
    OTEL_METRICS_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
    ...extra,
  };
}

export interface Pair {
  readonly shortener: RunningService;
  readonly redirector: RunningService;
  stop(): Promise<void>;
}

export async function startPair(options: {
  databaseUrl: string;
  redisUrl: string | null;
  label: string;
  geoApiUrl: string;
  otel: Record<string, string>;
  shortener?: Record<string, string>;
  redirector?: Record<string, string>;
}): Promise<Pair> {
  const prefix = redisPrefix(options.label);
  const stores = { DATABASE_URL: options.databaseUrl, REDIS_URL: options.redisUrl ?? undefined, REDIS_KEY_PREFIX: prefix };
  const redirector = await startService('redirector', {
    ...stores,
    GEO_PROVIDER: 'ip-api',
    GEO_API_URL: options.geoApiUrl,
    VISITS_FLUSH_INTERVAL_MS: '50',
    ...options.otel,
    ...options.redirector,
  });
  const shortener = await startService('shortener', {
    ...stores,
    REDIRECTOR_URL: redirector.url,
    PUBLIC_BASE_URL: 'http://snip.test',
    SSRF_ALLOWLIST: '127.0.0.1',
    TRUSTED_PROXIES: '127.0.0.1',
    METADATA_TIMEOUT_MS: '500',
    ...options.otel,
    ...options.shortener,
  });
  return {
    shortener,
    redirector,
    stop: async () => {
      await Promise.all([shortener.stop(), redirector.stop()]);
    },
  };
}

/** A W3C traceparent with a fresh trace id, so the test knows which trace a request belongs to. */
export function newTraceparent(): { traceId: string; parentSpanId: string; header: string } {
  const traceId = randomBytes(16).toString('hex');
  const parentSpanId = randomBytes(8).toString('hex');
  return { traceId, parentSpanId, header: `00-${traceId}-${parentSpanId}-01` };
}

/** The chain of parents of `span` inside `trace`, nearest first. */
export function ancestors(span: ReceivedSpan, trace: readonly ReceivedSpan[]): ReceivedSpan[] {
  const byId = new Map(trace.map((s) => [s.spanId, s]));
  const chain: ReceivedSpan[] = [];
  let current = byId.get(span.parentSpanId);
  while (current && !chain.includes(current)) {
    chain.push(current);
    current = byId.get(current.parentSpanId);
  }
  return chain;
}

export function isDescendant(span: ReceivedSpan, of: ReceivedSpan, trace: readonly ReceivedSpan[]): boolean {
  return ancestors(span, trace).includes(of);
}

/** `{ name: count }` of a trace, for readable failure messages and the catalogue. */
export function nameCounts(spans: readonly ReceivedSpan[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const s of spans) counts[`${s.service}: ${s.name}`] = (counts[`${s.service}: ${s.name}`] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

export const isPgQuery = (s: ReceivedSpan) => s.name.startsWith('pg.query');
export const isPgSelect = (s: ReceivedSpan) => isPgQuery(s) && /^\s*SELECT\b/i.test(String(s.attributes['db.query.text'] ?? s.attributes['db.statement'] ?? ''));

/**
 * The spans of a trace once each service's server span has arrived and no span's parent is missing.
 * A process exports its spans in batches, one at a time, in the order they end, so a server span
 * arrives after everything that ended inside it; a span that ends later must be waited for by name.
 */
export async function completeTrace(receiver: OtlpReceiver, traceId: string, services: readonly string[]): Promise<ReceivedSpan[]> {
  return receiver.until(() => {
    const trace = receiver.trace(traceId);
    const servers = services.map((svc) => trace.find((s) => s.service === svc && s.kind === SpanKind.SERVER));
    if (servers.some((s) => s === undefined)) return undefined;
    const ids = new Set(trace.map((s) => s.spanId));
    // The entry service's server span has the caller's (the test's) span as its parent.
    const outside = servers[0]!.parentSpanId;
    return trace.every((s) => !s.parentSpanId || s.parentSpanId === outside || ids.has(s.parentSpanId)) ? trace : undefined;
  }, `the server spans of ${traceId} (${services.join(', ')}) and every parent span`);
}

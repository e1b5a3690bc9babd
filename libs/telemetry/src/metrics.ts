// Business metrics of both services (meter `snip`). Instruments come from the global meter provider
// that the preload registers; without the SDK (or with OTEL_METRICS_EXPORTER=none) they are no-ops.
import { type Counter, type Histogram, type Meter, metrics } from '@opentelemetry/api';

export type RedirectOutcome = 'found' | 'not-found' | 'unavailable' | 'invalid-code';
export type CacheResult = 'hit' | 'miss' | 'error';
export type CacheTier = 'memory' | 'redis';

let instruments:
  | {
      meter: Meter;
      redirects: Counter;
      cacheLookups: Counter;
      metadataFetch: Histogram;
      visitsDropped: Counter;
    }
  | undefined;

// Created on first use, so that whichever meter provider is registered by then is the one used.
function get(): NonNullable<typeof instruments> {
  if (instruments) return instruments;
  const meter = metrics.getMeter('snip');
  instruments = {
    meter,
    redirects: meter.createCounter('snip.redirects', {
      description: 'Redirect requests answered by the shortener, by outcome',
      unit: '{redirect}',
    }),
    cacheLookups: meter.createCounter('snip.cache.lookups', {
      description: 'Short-code lookups in the URL cache, by tier (memory, redis) and result (hit, miss, error)',
      unit: '{lookup}',
    }),
    metadataFetch: meter.createHistogram('snip.metadata.fetch.duration', {
      description: 'Time to fetch and parse a target page for its title and description, by outcome',
      unit: 's',
      advice: { explicitBucketBoundaries: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] },
    }),
    visitsDropped: meter.createCounter('snip.visits.dropped', {
      description: 'Visits lost because the in-memory queue was full or a batch could not be written',
      unit: '{visit}',
    }),
  };
  return instruments;
}

export function recordRedirect(outcome: RedirectOutcome, method: string = 'GET'): void {
  get().redirects.add(1, { 'snip.redirect.outcome': outcome, 'http.request.method': method });
}

export function recordCacheLookup(result: CacheResult, tier: CacheTier = 'redis'): void {
  get().cacheLookups.add(1, { 'snip.cache.result': result, 'snip.cache.tier': tier });
}

/** `outcome` is ok, skipped or failed; `reason` the skip or failure reason (a small fixed set). */
export function recordMetadataFetch(durationMs: number, outcome: string, reason?: string): void {
  get().metadataFetch.record(durationMs / 1000, { 'metadata.outcome': outcome, ...(reason ? { 'metadata.reason': reason } : {}) });
}

export function recordVisitsDropped(count: number, reason: 'queue-full' | 'write-failed'): void {
  if (count > 0) get().visitsDropped.add(count, { 'visits.drop_reason': reason });
}

/** Reports the visit queue's length whenever metrics are collected. */
export function observeVisitQueueDepth(depth: () => number): void {
  get()
    .meter.createObservableGauge('snip.visits.queue.depth', {
      description: 'Visits waiting in memory to be written to PostgreSQL',
      unit: '{visit}',
    })
    .addCallback((result) => result.observe(depth()));
}

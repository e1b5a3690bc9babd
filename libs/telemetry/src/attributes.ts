// Business span attributes, prefixed with the service that sets them (see docs/tracing.md).

/** Set by the redirector on its `GET /resolve/:code` server span and its `record-visit` span. */
export const RedirectorAttributes = {
  shortCode: 'redirector.short_code',
  cacheHit: 'redirector.cache_hit',
  /** `memory` or `redis`, on a hit. */
  cacheTier: 'redirector.cache_tier',
  /** Only when PostgreSQL answered (a cache miss). */
  originalUrl: 'redirector.original_url',
} as const;

/**
 * The product contract's name for the cache result on the redirector's resolve span. It stays
 * beside `redirector.cache_hit` so queries written against the contract keep working.
 */
export const CONTRACT_CACHE_HIT = 'shortener.cache_hit';

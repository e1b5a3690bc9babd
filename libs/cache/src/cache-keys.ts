// The one cache-key scheme both services use: `url:<code>` → original URL.
export const URL_CACHE_TTL_SECONDS = 24 * 60 * 60;

export function urlCacheKey(code: string): string {
  return `url:${code}`;
}

/**
 * The key the redirector used before the scheme was unified (`urls:` instead of `url:`). Only the
 * cache-key-mismatch training scenario uses it, to show how a silent miss looks in a trace.
 */
export function legacyUrlCacheKey(code: string): string {
  return `urls:${code}`;
}

/** Fixed-window request counter of one client, shared by every replica through Redis. */
export function rateLimitKey(scope: string, client: string, window: number): string {
  return `rl:${scope}:${client}:${window}`;
}

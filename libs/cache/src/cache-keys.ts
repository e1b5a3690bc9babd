// The one cache-key scheme both services use: `url:<code>` → original URL.
export const URL_CACHE_TTL_SECONDS = 24 * 60 * 60;

export function urlCacheKey(code: string): string {
  return `url:${code}`;
}

// A deliberately wrong key (`urls:`): the cache-key-mismatch scenario's bug (docs/tracing.md, "Guided scenarios").
export function mismatchedUrlCacheKey(code: string): string {
  return `urls:${code}`;
}

/** Fixed-window request counter of one client, shared by every replica through Redis. */
export function rateLimitKey(scope: string, client: string, window: number): string {
  return `rl:${scope}:${client}:${window}`;
}

import { registerAs } from '@nestjs/config';
import { envInt } from '@snip/common';

// The short-lived in-process tier in front of Redis: a hot link is read from Redis at most once per TTL.
export const resolveConfig = registerAs('resolve', () => ({
  memoryCacheTtlMs: envInt(process.env, 'RESOLVE_MEMORY_CACHE_TTL_MS', 5000, 0, 300_000),
  memoryCacheSize: envInt(process.env, 'RESOLVE_MEMORY_CACHE_SIZE', 10_000, 0, 1_000_000),
}));

export type ResolveConfig = ReturnType<typeof resolveConfig>;

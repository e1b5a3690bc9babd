import { registerAs } from '@nestjs/config';
import { readInt } from '@snip/common';

// The short-lived in-process tier in front of Redis: a hot link is read from Redis at most once per TTL.
export const resolveConfig = registerAs('resolve', () => ({
  memoryCacheTtlMs: readInt('RESOLVE_MEMORY_CACHE_TTL_MS'),
  memoryCacheSize: readInt('RESOLVE_MEMORY_CACHE_SIZE'),
}));

export type ResolveConfig = ReturnType<typeof resolveConfig>;

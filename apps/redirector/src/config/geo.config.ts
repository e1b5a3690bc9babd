import { registerAs } from '@nestjs/config';
import { envEnum, envInt, envUrl } from '@snip/common';

// IP geolocation: ip-api.com's free JSON API by default, `none` to switch it off.
export const geoConfig = registerAs('geo', () => ({
  provider: envEnum(process.env, 'GEO_PROVIDER', ['ip-api', 'none'] as const, 'ip-api'),
  apiUrl: envUrl(process.env, 'GEO_API_URL', ['http:', 'https:'], 'http://ip-api.com'),
  timeoutMs: envInt(process.env, 'GEO_TIMEOUT_MS', 1500, 50, 30_000),
  cacheTtlSeconds: envInt(process.env, 'GEO_CACHE_TTL_SECONDS', 3600, 0, 7 * 24 * 3600),
  cacheSize: envInt(process.env, 'GEO_CACHE_SIZE', 10_000, 0, 1_000_000),
  concurrency: envInt(process.env, 'GEO_CONCURRENCY', 8, 1, 256),
}));

export type GeoConfig = ReturnType<typeof geoConfig>;

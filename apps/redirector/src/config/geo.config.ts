import { registerAs } from '@nestjs/config';
import { readEnum, readInt, readUrl } from '@snip/common';

// IP geolocation: ip-api.com's free JSON API by default, `none` to switch it off.
export const geoConfig = registerAs('geo', () => ({
  provider: readEnum('GEO_PROVIDER'),
  apiUrl: readUrl('GEO_API_URL'),
  timeoutMs: readInt('GEO_TIMEOUT_MS'),
  cacheTtlSeconds: readInt('GEO_CACHE_TTL_SECONDS'),
  cacheSize: readInt('GEO_CACHE_SIZE'),
  concurrency: readInt('GEO_CONCURRENCY'),
}));

export type GeoConfig = ReturnType<typeof geoConfig>;

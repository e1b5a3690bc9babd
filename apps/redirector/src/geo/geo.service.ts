import { Inject, Injectable, Logger } from '@nestjs/common';
import { classifyAddress, TtlCache } from '@snip/common';
import { peer, registerPeer, withSpan } from '@snip/telemetry';
import { geoConfig, type GeoConfig } from '../config/geo.config';

export interface Location {
  readonly country: string;
  readonly city: string;
}

export const UNKNOWN: Location = { country: 'Unknown', city: 'Unknown' };
const FAILURE_TTL_MS = 60_000;
/** ip-api.com's lookup route; a stand-in or proxy at GEO_API_URL serves the same. */
const LOOKUP_ROUTE = '/json/:ip';

function clean(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const text = value.trim().slice(0, 100);
  return text === '' ? null : text;
}

/** Country and city of a public client address; any failure, or a private address, is Unknown. */
@Injectable()
export class GeoService {
  private readonly logger = new Logger('Geo');
  private readonly cache: TtlCache<string, Location>;
  private pausedUntil = 0;

  constructor(@Inject(geoConfig.KEY) private readonly config: GeoConfig) {
    this.cache = new TtlCache(config.cacheSize);
    if (config.provider === 'ip-api') registerPeer(peer(config.apiUrl, 'ip-api.com', [LOOKUP_ROUTE]));
  }

  async locate(ip: string): Promise<Location> {
    if (this.config.provider === 'none') return UNKNOWN;
    const kind = classifyAddress(ip);
    if (kind !== 'public') return UNKNOWN;
    const cached = this.cache.get(ip);
    if (cached !== undefined) {
      return withSpan('geolocate', { 'geo.provider': this.config.provider, 'geo.cache_hit': true }, async () => cached);
    }
    return withSpan('geolocate', { 'geo.provider': this.config.provider, 'geo.cache_hit': false }, async (span) => {
      if (Date.now() < this.pausedUntil) {
        span.setAttribute('geo.outcome', 'rate-limited');
        return UNKNOWN;
      }
      const result = await this.query(ip);
      span.setAttribute('geo.outcome', result.outcome);
      this.cache.set(ip, result.location, result.outcome === 'ok' ? this.config.cacheTtlSeconds * 1000 : FAILURE_TTL_MS);
      return result.location;
    });
  }

  private async query(ip: string): Promise<{ location: Location; outcome: string }> {
    try {
      const res = await fetch(`${this.config.apiUrl}${LOOKUP_ROUTE.replace(':ip', encodeURIComponent(ip))}?fields=status,country,city`, {
        headers: { accept: 'application/json' },
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
      if (res.status === 429) {
        // ip-api.com says in X-Ttl how many seconds remain until the rate limit resets.
        const ttl = Number(res.headers.get('x-ttl') ?? '60');
        this.pausedUntil = Date.now() + (Number.isFinite(ttl) && ttl > 0 ? Math.min(ttl, 3600) : 60) * 1000;
        await res.body?.cancel();
        return { location: UNKNOWN, outcome: 'rate-limited' };
      }
      if (!res.ok) {
        await res.body?.cancel();
        return { location: UNKNOWN, outcome: `http-${res.status}` };
      }
      const body = (await res.json()) as { status?: unknown; country?: unknown; city?: unknown };
      const country = clean(body.country);
      if (body.status !== 'success' || country === null) return { location: UNKNOWN, outcome: 'no-answer' };
      return { location: { country, city: clean(body.city) ?? 'Unknown' }, outcome: 'ok' };
    } catch (error) {
      const outcome = (error as Error).name === 'TimeoutError' ? 'timeout' : 'error';
      this.logger.debug({ event: 'geo.failed', outcome, detail: (error as Error).message });
      return { location: UNKNOWN, outcome };
    }
  }
}

import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { legacyUrlCacheKey, UrlCacheService, urlCacheKey } from '@snip/cache';
import { scenariosConfig, type ScenariosConfig } from '@snip/common';
import { queryOrUnavailable } from '@snip/data';
import { annotateActiveSpan, recordCacheLookup } from '@snip/telemetry';
import { DataSource } from 'typeorm';

/** Short code → original URL: Redis first, PostgreSQL on a miss (re-populating the cache). */
@Injectable()
export class ResolveService {
  private readonly logger = new Logger('Resolve');
  private readonly key: (code: string) => string;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly cache: UrlCacheService,
    @Inject(scenariosConfig.KEY) scenarios: ScenariosConfig,
  ) {
    this.key = scenarios.cacheKeyMismatch ? legacyUrlCacheKey : urlCacheKey;
  }

  async resolve(code: string): Promise<string | null> {
    const cached = await this.cache.get(code, this.key);
    annotateActiveSpan({ 'shortener.short_code': code, 'shortener.cache_hit': cached.hit });
    recordCacheLookup(cached.hit ? 'hit' : cached.error ? 'error' : 'miss');
    if (cached.hit) {
      this.logger.debug({ event: 'resolve', short_code: code, source: 'cache' });
      return cached.url;
    }
    const rows = await queryOrUnavailable<Array<{ original_url: string }>>(
      this.db,
      'SELECT original_url FROM urls WHERE short_code = $1',
      [code],
    );
    const url = rows[0]?.original_url ?? null;
    this.logger.debug({ event: 'resolve', short_code: code, source: 'database', found: url !== null });
    if (url !== null) {
      annotateActiveSpan({ 'shortener.original_url': url });
      // Not awaited: re-populating the cache is best effort and must not delay the answer.
      void this.cache.set(code, url, this.key);
    }
    return url;
  }
}

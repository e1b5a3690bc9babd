import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { mismatchedUrlCacheKey, UrlCacheService, urlCacheKey } from '@snip/cache';
import { scenariosConfig, type ScenariosConfig, TtlCache } from '@snip/common';
import { queryOrUnavailable } from '@snip/data';
import { annotateActiveSpan, CONTRACT_CACHE_HIT, recordCacheLookup, RedirectorAttributes as Attr } from '@snip/telemetry';
import { DataSource } from 'typeorm';
import { resolveConfig, type ResolveConfig } from '../config/resolve.config';

/**
 * Short code → original URL: links Redis returned in the last few seconds from memory, then Redis,
 * then PostgreSQL on a miss (re-populating Redis). Links never change once created, so the memory
 * tier cannot serve a stale URL; it only holds what Redis answered, so the cache-key-mismatch
 * scenario and the re-fill after a Redis restart behave as without it.
 */
@Injectable()
export class ResolveService {
  private readonly logger = new Logger('Resolve');
  private readonly key: (code: string) => string;
  private readonly memory: TtlCache<string, string>;
  private readonly memoryTtlMs: number;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly cache: UrlCacheService,
    @Inject(scenariosConfig.KEY) scenarios: ScenariosConfig,
    @Inject(resolveConfig.KEY) config: ResolveConfig,
  ) {
    this.key = scenarios.cacheKeyMismatch ? mismatchedUrlCacheKey : urlCacheKey;
    this.memory = new TtlCache(config.memoryCacheSize);
    this.memoryTtlMs = config.memoryCacheTtlMs;
  }

  async resolve(code: string): Promise<string | null> {
    const remembered = this.memory.get(code);
    if (remembered !== undefined) {
      annotateActiveSpan({ [Attr.shortCode]: code, [Attr.cacheHit]: true, [CONTRACT_CACHE_HIT]: true, [Attr.cacheTier]: 'memory' });
      recordCacheLookup('hit', 'memory');
      this.logger.debug({ event: 'resolve', short_code: code, source: 'memory' });
      return remembered;
    }
    const cached = await this.cache.get(code, this.key);
    annotateActiveSpan({ [Attr.shortCode]: code, [Attr.cacheHit]: cached.hit, [CONTRACT_CACHE_HIT]: cached.hit, ...(cached.hit ? { [Attr.cacheTier]: 'redis' } : {}) });
    recordCacheLookup(cached.hit ? 'hit' : cached.error ? 'error' : 'miss');
    if (cached.hit) {
      this.memory.set(code, cached.url, this.memoryTtlMs);
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
      annotateActiveSpan({ [Attr.originalUrl]: url });
      // Not awaited: re-populating the cache is best effort and must not delay the answer.
      void this.cache.set(code, url, this.key);
    }
    return url;
  }
}

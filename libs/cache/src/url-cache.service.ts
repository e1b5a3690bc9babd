import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HealthRegistry } from '@snip/common';
import Redis from 'ioredis';
import { URL_CACHE_TTL_SECONDS, urlCacheKey } from './cache-keys';
import { redisConfig, type RedisConfig } from './redis.config';
import { bestEffortRedisOptions, closeRedis } from './redis-client';

export type CacheLookup = { hit: true; url: string } | { hit: false; error?: string };

/**
 * Best-effort URL cache: every call is bounded by the command timeout, fails fast while Redis is
 * unreachable (no offline queue) and never throws to the caller.
 */
@Injectable()
export class UrlCacheService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Cache');
  private readonly client: Redis | undefined;
  private lastState: 'up' | 'down' | undefined;

  constructor(
    @Inject(redisConfig.KEY) config: RedisConfig,
    private readonly health: HealthRegistry,
  ) {
    if (!config.url) return;
    // Reconnects on its own, so the cache comes back after an outage.
    this.client = new Redis(config.url, { ...bestEffortRedisOptions(config), keyPrefix: config.keyPrefix, lazyConnect: false });
    this.client.on('ready', () => this.setState('up'));
    this.client.on('error', (error: Error) => this.setState('down', error.message));
  }

  onModuleInit(): void {
    if (!this.client) {
      this.logger.warn('REDIS_URL is not set: running without the cache (every redirect reads PostgreSQL)');
      return;
    }
    this.health.register({
      name: 'redis',
      required: false,
      check: async () => {
        if (this.client?.status !== 'ready') throw new Error(`redis is ${this.client?.status ?? 'not configured'}`);
        await this.client.ping();
      },
    });
  }

  async get(code: string, key: (code: string) => string = urlCacheKey): Promise<CacheLookup> {
    if (!this.client) return { hit: false, error: 'disabled' };
    try {
      const url = await this.client.get(key(code));
      return url === null ? { hit: false } : { hit: true, url };
    } catch (error) {
      return { hit: false, error: error instanceof Error ? error.message : String(error) };
    }
  }

  /** Stores a link; resolves to false when the cache could not take it (the caller carries on). */
  async set(code: string, url: string, key: (code: string) => string = urlCacheKey): Promise<boolean> {
    if (!this.client) return false;
    try {
      await this.client.set(key(code), url, 'EX', URL_CACHE_TTL_SECONDS);
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Increments a counter that expires after `ttlSeconds` and returns its new value; null when Redis
   * is not configured or not answering (the caller falls back to a local count).
   */
  async increment(key: string, ttlSeconds: number): Promise<number | null> {
    if (!this.client) return null;
    try {
      const [[incrError, count] = [], [expireError] = []] = (await this.client
        .multi()
        .incr(key)
        .expire(key, ttlSeconds, 'NX')
        .exec()) ?? [];
      if (incrError || expireError) return null;
      return Number(count);
    } catch {
      return null;
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.client) await closeRedis(this.client);
  }

  private setState(state: 'up' | 'down', detail?: string): void {
    if (state === this.lastState) return;
    this.lastState = state;
    if (state === 'up') this.logger.log('redis connected: cache enabled');
    else this.logger.warn(`redis unavailable, serving without the cache until it returns: ${detail ?? ''}`);
  }
}

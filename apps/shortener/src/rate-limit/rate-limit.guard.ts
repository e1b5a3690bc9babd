import { type CanActivate, type ExecutionContext, HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { rateLimitKey, UrlCacheService } from '@snip/cache';
import { clientAddress } from '@snip/common';
import { annotateActiveSpan } from '@snip/telemetry';
import type { Request, Response } from 'express';
import { appConfig, type AppConfig } from '../config/app.config';
import { rateLimitConfig, type RateLimitConfig } from '../config/rate-limit.config';

const LOCAL_MAX_CLIENTS = 100_000;

/**
 * Fixed-window limit per client address (X-Forwarded-For only from trusted proxies). The count is
 * shared by every replica through Redis; while Redis is away each replica counts on its own.
 */
@Injectable()
export class ShortenRateLimitGuard implements CanActivate {
  private readonly local = new Map<string, number>();
  private localWindow = 0;

  constructor(
    private readonly cache: UrlCacheService,
    @Inject(rateLimitConfig.KEY) private readonly config: RateLimitConfig,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const limit = this.config.shortenPerWindow;
    if (limit === 0) return true;
    const req = context.switchToHttp().getRequest<Request>();
    const res = context.switchToHttp().getResponse<Response>();
    const client = clientAddress(req, this.app.trustedProxies);
    const nowSeconds = Math.floor(Date.now() / 1000);
    const window = Math.floor(nowSeconds / this.config.windowSeconds);
    const resetIn = (window + 1) * this.config.windowSeconds - nowSeconds;
    const count =
      (await this.cache.increment(rateLimitKey('shorten', client, window), this.config.windowSeconds + 1)) ??
      this.countLocally(client, window);
    res.setHeader('RateLimit-Limit', String(limit));
    res.setHeader('RateLimit-Remaining', String(Math.max(0, limit - count)));
    res.setHeader('RateLimit-Reset', String(resetIn));
    if (count <= limit) return true;
    annotateActiveSpan({ 'shortener.rate_limited': true });
    res.setHeader('Retry-After', String(resetIn));
    throw new HttpException({ error: `Too many requests: at most ${limit} links per ${this.config.windowSeconds} s, retry in ${resetIn} s` }, HttpStatus.TOO_MANY_REQUESTS);
  }

  private countLocally(client: string, window: number): number {
    if (window !== this.localWindow || this.local.size > LOCAL_MAX_CLIENTS) {
      this.local.clear();
      this.localWindow = window;
    }
    const count = (this.local.get(client) ?? 0) + 1;
    this.local.set(client, count);
    return count;
  }
}

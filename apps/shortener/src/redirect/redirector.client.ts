import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Pool } from 'undici';
import { redirectorConfig, type RedirectorConfig } from '../config/redirector.config';

export type ResolveResult =
  | { kind: 'found'; url: string }
  | { kind: 'not-found' }
  | { kind: 'unavailable'; reason: string };

export interface VisitContext {
  readonly clientIp: string;
  readonly userAgent: string | undefined;
  /** HEAD requests resolve without counting a visit. */
  readonly countVisit: boolean;
}

const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);
const isTimeout = (error: unknown) => TIMEOUT_CODES.has((error as { code?: string }).code ?? '');

/**
 * Calls the redirector on the hot path of every redirect: undici's `request()` on a keep-alive pool
 * of its own (no WHATWG Request/Response/AbortSignal per call, which `fetch` pays), each phase
 * (connect, headers, body) bounded by the configured timeout.
 */
@Injectable()
export class RedirectorClient implements OnModuleDestroy {
  private readonly pool: Pool;
  private readonly basePath: string;

  constructor(@Inject(redirectorConfig.KEY) config: RedirectorConfig) {
    const url = new URL(config.url);
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.pool = new Pool(url.origin, {
      connect: { timeout: config.timeoutMs },
      headersTimeout: config.timeoutMs,
      bodyTimeout: config.timeoutMs,
      // Shorter than the redirector's own keep-alive timeout, so the client never reuses a socket the server is closing.
      keepAliveTimeout: 30_000,
    });
  }

  async resolve(code: string, visit: VisitContext): Promise<ResolveResult> {
    const headers: Record<string, string> = { accept: 'application/json', 'x-snip-client-ip': visit.clientIp };
    if (visit.userAgent) headers['x-snip-user-agent'] = visit.userAgent.slice(0, 512);
    let res;
    try {
      res = await this.pool.request({
        method: 'GET',
        path: `${this.basePath}/resolve/${encodeURIComponent(code)}${visit.countVisit ? '' : '?visit=0'}`,
        headers,
      });
    } catch (error) {
      return { kind: 'unavailable', reason: isTimeout(error) ? 'timeout' : 'connection-failed' };
    }
    if (res.statusCode !== 200) {
      await res.body.dump().catch(() => undefined);
      return res.statusCode === 404 ? { kind: 'not-found' } : { kind: 'unavailable', reason: `status-${res.statusCode}` };
    }
    try {
      const body = (await res.body.json()) as { original_url?: unknown } | null;
      if (typeof body?.original_url !== 'string') return { kind: 'unavailable', reason: 'bad-response' };
      return { kind: 'found', url: body.original_url };
    } catch (error) {
      return { kind: 'unavailable', reason: isTimeout(error) ? 'timeout' : 'bad-response' };
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.close();
  }
}

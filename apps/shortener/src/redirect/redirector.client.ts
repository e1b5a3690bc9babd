import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { parseResolveResponse, RESOLVE_HEADERS, RESOLVE_ROUTE, RESOLVE_STATUS, resolvePath, USER_AGENT_MAX_LENGTH } from '@snip/common';
import { peer, registerPeer } from '@snip/telemetry';
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
    registerPeer(peer(config.url, 'redirector', [RESOLVE_ROUTE]));
  }

  async resolve(code: string, visit: VisitContext): Promise<ResolveResult> {
    const headers: Record<string, string> = { accept: 'application/json', [RESOLVE_HEADERS.clientIp]: visit.clientIp };
    if (visit.userAgent) headers[RESOLVE_HEADERS.userAgent] = visit.userAgent.slice(0, USER_AGENT_MAX_LENGTH);
    let res;
    try {
      res = await this.pool.request({ method: 'GET', path: `${this.basePath}${resolvePath(code, visit.countVisit)}`, headers });
    } catch (error) {
      return { kind: 'unavailable', reason: isTimeout(error) ? 'timeout' : 'connection-failed' };
    }
    if (res.statusCode !== RESOLVE_STATUS.found) {
      await res.body.dump().catch(() => undefined);
      return res.statusCode === RESOLVE_STATUS.notFound ? { kind: 'not-found' } : { kind: 'unavailable', reason: `status-${res.statusCode}` };
    }
    let body: unknown;
    try {
      body = await res.body.json();
    } catch (error) {
      return { kind: 'unavailable', reason: isTimeout(error) ? 'timeout' : 'bad-response' };
    }
    const parsed = parseResolveResponse(body);
    return parsed ? { kind: 'found', url: parsed.original_url } : { kind: 'unavailable', reason: 'bad-response' };
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.close();
  }
}

import { Inject, Injectable } from '@nestjs/common';
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

/** Calls the redirector over HTTP (keep-alive pooled by the runtime's fetch), bounded by a timeout. */
@Injectable()
export class RedirectorClient {
  constructor(@Inject(redirectorConfig.KEY) private readonly config: RedirectorConfig) {}

  async resolve(code: string, visit: VisitContext): Promise<ResolveResult> {
    const url = `${this.config.url}/resolve/${encodeURIComponent(code)}${visit.countVisit ? '' : '?visit=0'}`;
    let res: Response;
    try {
      res = await fetch(url, {
        headers: {
          accept: 'application/json',
          'x-snip-client-ip': visit.clientIp,
          ...(visit.userAgent ? { 'x-snip-user-agent': visit.userAgent.slice(0, 512) } : {}),
        },
        signal: AbortSignal.timeout(this.config.timeoutMs),
      });
    } catch (error) {
      const reason = (error as Error).name === 'TimeoutError' ? 'timeout' : 'connection-failed';
      return { kind: 'unavailable', reason };
    }
    if (res.status === 404) {
      await res.body?.cancel();
      return { kind: 'not-found' };
    }
    if (res.status !== 200) {
      await res.body?.cancel();
      return { kind: 'unavailable', reason: `status-${res.status}` };
    }
    try {
      const body = (await res.json()) as { original_url?: unknown };
      if (typeof body.original_url !== 'string') return { kind: 'unavailable', reason: 'bad-response' };
      return { kind: 'found', url: body.original_url };
    } catch {
      return { kind: 'unavailable', reason: 'bad-response' };
    }
  }
}

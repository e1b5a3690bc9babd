import { Controller, Get, Headers, NotFoundException, Param, Query, Req } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import {
  countsVisit,
  isIpLiteral,
  normalizeAddress,
  RESOLVE_HEADERS,
  RESOLVE_NOT_FOUND,
  RESOLVE_QUERY,
  RESOLVE_ROUTE,
  RESOLVE_STATUS,
  type ResolveResponse,
  USER_AGENT_MAX_LENGTH,
} from '@snip/common';
import { isValidShortCode } from '@snip/data';
import { RedirectorAttributes, tracer } from '@snip/telemetry';
import type { Request } from 'express';
import { VisitsService } from '../visits/visits.service';
import { ResolveService } from './resolve.service';

@ApiTags('resolve')
@Controller()
export class ResolveController {
  constructor(
    private readonly resolver: ResolveService,
    private readonly visits: VisitsService,
  ) {}

  /**
   * The shortener passes the client address it trusts in a header (this service is only reachable
   * from the shortener) and `visit=0` for HEAD requests.
   */
  @Get(RESOLVE_ROUTE)
  @ApiResponse({ status: RESOLVE_STATUS.found, schema: { example: { original_url: 'https://example.com/' } satisfies ResolveResponse } })
  @ApiResponse({ status: RESOLVE_STATUS.notFound, schema: { example: RESOLVE_NOT_FOUND } })
  @ApiResponse({ status: RESOLVE_STATUS.unavailable, description: 'PostgreSQL was needed and did not answer' })
  async resolve(
    @Param('code') code: string,
    @Query(RESOLVE_QUERY.visit) visit: string | undefined,
    @Headers(RESOLVE_HEADERS.clientIp) forwardedIp: string | undefined,
    @Headers(RESOLVE_HEADERS.userAgent) forwardedUa: string | undefined,
    @Req() req: Request,
  ): Promise<ResolveResponse> {
    if (!isValidShortCode(code)) throw new NotFoundException(RESOLVE_NOT_FOUND);
    const url = await this.resolver.resolve(code);
    if (url === null) throw new NotFoundException(RESOLVE_NOT_FOUND);
    if (countsVisit(visit)) {
      const clientIp = forwardedIp && isIpLiteral(forwardedIp) ? normalizeAddress(forwardedIp) : normalizeAddress(req.socket.remoteAddress ?? '');
      // Awaited, bounded by REDIS_COMMAND_TIMEOUT_MS, never failing: once answered, the visit is in Redis or in memory.
      await tracer.startActiveSpan('record-visit', { attributes: { [RedirectorAttributes.shortCode]: code } }, async (span) => {
        const { queued, source } = await this.visits.record({
          shortCode: code,
          clientIp,
          userAgent: (forwardedUa ?? req.headers['user-agent'] ?? null)?.slice(0, USER_AGENT_MAX_LENGTH) ?? null,
          visitedAt: new Date(),
        });
        span.setAttributes({ 'visits.queued': queued, 'visits.source': source, 'visits.queue_depth': this.visits.depth });
        span.end();
      });
    }
    return { original_url: url };
  }
}

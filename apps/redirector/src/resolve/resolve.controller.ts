import { Controller, Get, Headers, NotFoundException, Param, Query, Req } from '@nestjs/common';
import { ApiNotFoundResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { isIpLiteral, normalizeAddress } from '@snip/common';
import { isValidShortCode } from '@snip/data';
import { tracer } from '@snip/telemetry';
import type { Request } from 'express';
import { VisitsService } from '../visits/visits.service';
import { ResolveService } from './resolve.service';

@ApiTags('resolve')
@Controller('resolve')
export class ResolveController {
  constructor(
    private readonly resolver: ResolveService,
    private readonly visits: VisitsService,
  ) {}

  /**
   * The shortener passes the client address it trusts in `x-snip-client-ip` (this service is only
   * reachable from the shortener) and `visit=0` for HEAD requests.
   */
  @Get(':code')
  @ApiOkResponse({ schema: { example: { original_url: 'https://example.com/' } } })
  @ApiNotFoundResponse({ schema: { example: { error: 'Short URL not found' } } })
  async resolve(
    @Param('code') code: string,
    @Query('visit') visit: string | undefined,
    @Headers('x-snip-client-ip') forwardedIp: string | undefined,
    @Headers('x-snip-user-agent') forwardedUa: string | undefined,
    @Req() req: Request,
  ): Promise<{ original_url: string }> {
    if (!isValidShortCode(code)) throw new NotFoundException({ error: 'Short URL not found' });
    const url = await this.resolver.resolve(code);
    if (url === null) throw new NotFoundException({ error: 'Short URL not found' });
    if (visit !== '0') {
      const clientIp = forwardedIp && isIpLiteral(forwardedIp) ? normalizeAddress(forwardedIp) : normalizeAddress(req.socket.remoteAddress ?? '');
      const span = tracer.startSpan('record-visit', { attributes: { 'shortener.short_code': code } });
      const queued = this.visits.enqueue({
        shortCode: code,
        clientIp,
        userAgent: (forwardedUa ?? req.headers['user-agent'] ?? null)?.slice(0, 512) ?? null,
        visitedAt: new Date(),
      });
      span.setAttributes({ 'visits.queued': queued, 'visits.queue_depth': this.visits.depth });
      span.end();
    }
    return { original_url: url };
  }
}

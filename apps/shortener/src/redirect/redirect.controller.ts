import { Controller, Get, Head, HttpStatus, Inject, Logger, Param, Req, Res } from '@nestjs/common';
import { ApiBadGatewayResponse, ApiFoundResponse, ApiNotFoundResponse, ApiTags } from '@nestjs/swagger';
import { clientAddress } from '@snip/common';
import { annotateActiveSpan, recordRedirect } from '@snip/telemetry';
import type { Request, Response } from 'express';
import { appConfig, type AppConfig } from '../config/app.config';
import { ErrorResponse } from '../urls/dto/url.response';
import { isValidShortCode } from '@snip/data';
import { RedirectorClient } from './redirector.client';

// Registered last: `/:code` would otherwise shadow every other single-segment route.
@ApiTags('redirect')
@Controller()
export class RedirectController {
  private readonly logger = new Logger('Redirect');

  constructor(
    private readonly redirector: RedirectorClient,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
  ) {}

  // Declared before GET so that Express does not answer HEAD with the GET handler (which counts a visit).
  @Head(':code')
  @ApiFoundResponse({ description: 'Same as GET, without counting a visit' })
  head(@Param('code') code: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.forward(code, req, res, false);
  }

  @Get(':code')
  @ApiFoundResponse({ description: 'Redirect to the original URL; the visit is counted' })
  @ApiNotFoundResponse({ type: ErrorResponse })
  @ApiBadGatewayResponse({ type: ErrorResponse, description: 'The redirector is down or did not answer within 5 s' })
  get(@Param('code') code: string, @Req() req: Request, @Res() res: Response): Promise<void> {
    return this.forward(code, req, res, true);
  }

  private async forward(code: string, req: Request, res: Response, countVisit: boolean): Promise<void> {
    if (!isValidShortCode(code)) {
      recordRedirect('invalid-code', req.method);
      res.status(HttpStatus.NOT_FOUND).json({ error: 'Short URL not found' });
      return;
    }
    annotateActiveSpan({ 'shortener.short_code': code });
    const clientIp = clientAddress(req, this.app.trustedProxies);
    const result = await this.redirector.resolve(code, { clientIp, userAgent: req.headers['user-agent'], countVisit });
    recordRedirect(result.kind, req.method);
    switch (result.kind) {
      case 'found':
        annotateActiveSpan({ 'shortener.original_url': result.url });
        // 302, not 301: browsers cache a 301 and repeat clicks would no longer be counted.
        // Written directly: `res.redirect` negotiates a content type and renders a body nobody reads.
        res.setHeader('cache-control', 'private, max-age=0');
        res.location(result.url).status(HttpStatus.FOUND).end();
        return;
      case 'not-found':
        res.status(HttpStatus.NOT_FOUND).json({ error: 'Short URL not found' });
        return;
      case 'unavailable':
        this.logger.warn({ event: 'redirector.unavailable', reason: result.reason, short_code: code });
        annotateActiveSpan({ 'shortener.redirector_error': result.reason });
        res.status(HttpStatus.BAD_GATEWAY).json({ error: 'Redirector service unavailable' });
        return;
    }
  }
}

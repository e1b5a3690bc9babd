import {
  Body,
  type CanActivate,
  Controller,
  type ExecutionContext,
  Get,
  HttpCode,
  Injectable,
  Post,
  Query,
  UnsupportedMediaTypeException,
  UseGuards,
} from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiPayloadTooLargeResponse,
  ApiServiceUnavailableResponse,
  ApiTags,
  ApiTooManyRequestsResponse,
  ApiUnsupportedMediaTypeResponse,
} from '@nestjs/swagger';
import type { Request } from 'express';
import { ListUrlsQuery } from './dto/list-urls.query';
import { ShortenUrlDto } from './dto/shorten-url.dto';
import { ErrorResponse, ShortenedUrlResponse, UrlListItem } from './dto/url.response';
import { ShortenRateLimitGuard } from '../rate-limit/rate-limit.guard';
import { UrlsService } from './urls.service';

const DEFAULT_PAGE = 20;

/** Runs before body validation, so a form post gets 415 rather than a misleading "url is required". */
@Injectable()
class JsonBodyGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    if (!context.switchToHttp().getRequest<Request>().is('application/json')) {
      throw new UnsupportedMediaTypeException({ error: 'Content-Type must be application/json' });
    }
    return true;
  }
}

@ApiTags('urls')
@Controller('api')
export class UrlsController {
  constructor(private readonly urls: UrlsService) {}

  @Post('shorten')
  @HttpCode(201)
  @ApiCreatedResponse({ type: ShortenedUrlResponse })
  @ApiBadRequestResponse({ type: ErrorResponse, description: 'Missing, malformed, too long or non-http(s) URL; malformed JSON' })
  @ApiUnsupportedMediaTypeResponse({ type: ErrorResponse, description: 'The body is not application/json' })
  @ApiPayloadTooLargeResponse({ type: ErrorResponse })
  @ApiServiceUnavailableResponse({ type: ErrorResponse, description: 'PostgreSQL is unavailable; nothing was stored' })
  @ApiTooManyRequestsResponse({ type: ErrorResponse, description: 'Per-client limit reached; see Retry-After' })
  @UseGuards(ShortenRateLimitGuard, JsonBodyGuard)
  shorten(@Body() body: ShortenUrlDto): Promise<ShortenedUrlResponse> {
    return this.urls.shorten(body.url.trim());
  }

  @Get('urls')
  @ApiOkResponse({ type: [UrlListItem], description: 'The newest links first, with their visit counts' })
  @ApiBadRequestResponse({ type: ErrorResponse })
  list(@Query() query: ListUrlsQuery): Promise<UrlListItem[]> {
    return this.urls.list(query.limit ?? DEFAULT_PAGE);
  }
}

import { Controller, Get, HttpCode, Res, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { HealthCheck, type HealthCheckResult, HealthCheckService } from '@nestjs/terminus';
import type { Response } from 'express';
import { HealthRegistry } from './health.registry';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(
    private readonly checks: HealthCheckService,
    private readonly registry: HealthRegistry,
  ) {}

  /** Kept for compatibility with the original service: answers as long as the process serves HTTP. */
  @Get()
  @HttpCode(200)
  @ApiOkResponse({ description: 'The process is up', schema: { example: { status: 'ok' } } })
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @Get('live')
  @ApiOkResponse({ description: 'Liveness: the event loop answers', schema: { example: { status: 'ok' } } })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** 200 when every required dependency is up (`degraded` when an optional one is down), else 503. */
  @Get('ready')
  @HealthCheck()
  async ready(@Res({ passthrough: true }) res: Response): Promise<HealthCheckResult> {
    let result: HealthCheckResult;
    try {
      result = await this.checks.check([...this.registry.indicatorFunctions]);
    } catch (error) {
      // Terminus reports a failed check as this exception; the JSON error filter would hide its body.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      result = error.getResponse() as HealthCheckResult;
    }
    if (this.registry.isDraining) result = { ...result, status: 'shutting_down' };
    res.status(result.status === 'ok' || result.status === 'degraded' ? 200 : 503);
    return result;
  }
}

import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { HealthRegistry } from './health.registry';

@ApiTags('health')
@Controller('health')
export class HealthController {
  constructor(private readonly registry: HealthRegistry) {}

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

  @Get('ready')
  @ApiOkResponse({ description: 'Every required dependency answers' })
  @ApiServiceUnavailableResponse({ description: 'A required dependency is down, or the process is draining' })
  async ready(@Res({ passthrough: true }) res: Response): Promise<object> {
    const { ready, checks } = await this.registry.readiness();
    res.status(ready ? 200 : 503);
    return { status: ready ? 'ok' : this.registry.isDraining ? 'draining' : 'unavailable', checks };
  }
}

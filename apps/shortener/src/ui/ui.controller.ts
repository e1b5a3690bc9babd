import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { join } from 'node:path';
import { PUBLIC_DIR } from './public-dir';

@ApiExcludeController()
@Controller()
export class UiController {
  @Get()
  index(@Res() res: Response): void {
    res.setHeader('cache-control', 'no-cache');
    res.sendFile(join(PUBLIC_DIR, 'index.html'));
  }
}

import { Module } from '@nestjs/common';
import { UiController } from './ui.controller';

// The web UI page; its scripts and styles are served as static assets under /assets.
@Module({ controllers: [UiController] })
export class UiModule {}

import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { UrlCacheModule } from '@snip/cache';
import { scenariosConfig } from '@snip/common';
import { appConfig } from '../config/app.config';
import { rateLimitConfig } from '../config/rate-limit.config';
import { ShortenRateLimitGuard } from '../rate-limit/rate-limit.guard';
import { MetadataModule } from '../metadata/metadata.module';
import { UrlsController } from './urls.controller';
import { UrlsService } from './urls.service';

// The JSON API: shorten a URL, list recent links.
@Module({
  imports: [ConfigModule.forFeature(appConfig), ConfigModule.forFeature(rateLimitConfig), ConfigModule.forFeature(scenariosConfig), UrlCacheModule, MetadataModule],
  controllers: [UrlsController],
  providers: [UrlsService, ShortenRateLimitGuard],
})
export class UrlsModule {}

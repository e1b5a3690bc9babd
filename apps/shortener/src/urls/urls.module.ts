import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { UrlCacheModule } from '@snip/cache';
import { scenariosConfig } from '@snip/common';
import { appConfig } from '../config/app.config';
import { MetadataModule } from '../metadata/metadata.module';
import { UrlsController } from './urls.controller';
import { UrlsService } from './urls.service';

// The JSON API: shorten a URL, list recent links.
@Module({
  imports: [ConfigModule.forFeature(appConfig), ConfigModule.forFeature(scenariosConfig), UrlCacheModule, MetadataModule],
  controllers: [UrlsController],
  providers: [UrlsService],
})
export class UrlsModule {}

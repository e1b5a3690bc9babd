import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { UrlCacheModule } from '@snip/cache';
import { scenariosConfig } from '@snip/common';
import { resolveConfig } from '../config/resolve.config';
import { VisitsModule } from '../visits/visits.module';
import { ResolveController } from './resolve.controller';
import { ResolveService } from './resolve.service';

// `GET /resolve/:code` for the shortener.
@Module({
  imports: [ConfigModule.forFeature(scenariosConfig), ConfigModule.forFeature(resolveConfig), UrlCacheModule, VisitsModule],
  controllers: [ResolveController],
  providers: [ResolveService],
})
export class ResolveModule {}

import { Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { redisConfig } from './redis.config';
import { UrlCacheService } from './url-cache.service';

// Owns the Redis connection of a service (closed on shutdown) behind the URL cache API.
@Module({
  imports: [ConfigModule.forFeature(redisConfig)],
  providers: [UrlCacheService],
  exports: [UrlCacheService],
})
export class UrlCacheModule {}

export * from './cache-keys';
export * from './redis.config';
export * from './redis-client';
export * from './url-cache.service';
export * from './url-cache.module';

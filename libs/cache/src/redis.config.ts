import { registerAs } from '@nestjs/config';
import { readInt, readOptionalUrl, readString } from '@snip/common';

// Redis settings: optional (no REDIS_URL, no cache) and always bounded in time.
export const redisConfig = registerAs('redis', () => ({
  url: readOptionalUrl('REDIS_URL'),
  keyPrefix: readString('REDIS_KEY_PREFIX'),
  connectTimeoutMs: readInt('REDIS_CONNECT_TIMEOUT_MS'),
  commandTimeoutMs: readInt('REDIS_COMMAND_TIMEOUT_MS'),
}));

export type RedisConfig = ReturnType<typeof redisConfig>;

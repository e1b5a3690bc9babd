import { registerAs } from '@nestjs/config';
import { envInt, envOptionalString, envOptionalUrl } from '@snip/common';

// Redis settings: optional (no REDIS_URL, no cache) and always bounded in time.
export const redisConfig = registerAs('redis', () => ({
  url: envOptionalUrl(process.env, 'REDIS_URL', ['redis:', 'rediss:']),
  keyPrefix: envOptionalString(process.env, 'REDIS_KEY_PREFIX') ?? '',
  connectTimeoutMs: envInt(process.env, 'REDIS_CONNECT_TIMEOUT_MS', 1000, 50, 60_000),
  commandTimeoutMs: envInt(process.env, 'REDIS_COMMAND_TIMEOUT_MS', 250, 10, 60_000),
}));

export type RedisConfig = ReturnType<typeof redisConfig>;

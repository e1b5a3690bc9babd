// How every Snip Redis connection behaves: best effort, never queueing, reconnecting on its own.
import type { RedisOptions } from 'ioredis';
import type Redis from 'ioredis';
import type { RedisConfig } from './redis.config';

/** Options of a connection that fails commands at once while Redis is away and reconnects forever, at most every 2 s. */
export function bestEffortRedisOptions(config: RedisConfig): RedisOptions {
  return {
    connectTimeout: config.connectTimeoutMs,
    commandTimeout: config.commandTimeoutMs,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: (attempt) => Math.min(100 * attempt, 2000),
  };
}

/** Closes a connection: QUIT when it is up (pending replies arrive first), otherwise drops it. */
export async function closeRedis(client: Redis): Promise<void> {
  try {
    if (client.status === 'ready') await client.quit();
    else client.disconnect();
  } catch {
    client.disconnect();
  }
}

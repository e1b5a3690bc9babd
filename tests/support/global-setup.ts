// Provides PostgreSQL and Redis to every test file: the machine's when DATABASE_URL / REDIS_URL are
// set, otherwise throwaway instances started here and stopped at the end.
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, startRedis, type PostgresServer, type RedisServer } from './stores';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string;
    redisUrl: string | null;
  }
}

let postgres: PostgresServer | undefined;
let redis: RedisServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  let adminUrl = process.env['DATABASE_URL'];
  if (!adminUrl) {
    postgres = await startEmbeddedPostgres();
    adminUrl = postgres.adminUrl;
  }
  let redisUrl = process.env['REDIS_URL'] ?? null;
  if (!redisUrl) {
    redis = await startRedis();
    redisUrl = redis?.url ?? null;
    if (!redis) process.stderr.write('redis-server is not installed: tests that need Redis run without a cache\n');
  }
  project.provide('postgresAdminUrl', adminUrl);
  project.provide('redisUrl', redisUrl);
}

export async function teardown(): Promise<void> {
  await redis?.stop();
  await postgres?.destroy();
}

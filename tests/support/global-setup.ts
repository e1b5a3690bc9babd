// Decides what the tests have: PostgreSQL and Redis (the machine's when DATABASE_URL / REDIS_URL are
// set, otherwise throwaway instances started here and stopped at the end) and the outside tools.
// With SNIP_REQUIRE_ALL=1 (CI) a missing one stops the run before any test, instead of skipping tests.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres, startRedis, type PostgresServer, type RedisServer } from './stores';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string;
    /** null: no Redis here; tests that need one are skipped (and CI fails). */
    redisUrl: string | null;
    /** The chromium executable, or null when it is not installed. */
    chromium: string | null;
  }
}

let postgres: PostgresServer | undefined;
let redis: RedisServer | undefined;

const onPath = (tool: string) => spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).status === 0;

/** What CI must have so that nothing is skipped: each entry names the missing thing and how to get it. */
export function missingTools(env: NodeJS.ProcessEnv = process.env): string[] {
  const missing: string[] = [];
  const chromium = env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
  if (!existsSync(chromium)) missing.push(`chromium at ${chromium} (apt-get install chromium, or set CHROMIUM_PATH)`);
  for (const tool of ['redis-server', 'redis-cli', 'shellcheck']) {
    if (!onPath(tool)) missing.push(`${tool} (apt-get install ${tool === 'redis-cli' ? 'redis-tools' : tool})`);
  }
  return missing;
}

export async function setup(project: TestProject): Promise<void> {
  if (process.env['SNIP_REQUIRE_ALL'] === '1') {
    const missing = missingTools();
    if (missing.length) throw new Error(`SNIP_REQUIRE_ALL=1 and tests would be skipped or fail for lack of: ${missing.join('; ')}`);
  }
  let redisUrl = process.env['REDIS_URL'] ?? null;
  if (!redisUrl) {
    redis = await startRedis();
    redisUrl = redis?.url ?? null;
    if (!redis) {
      const why = 'REDIS_URL is unset and redis-server is missing or would not start';
      if (process.env['SNIP_REQUIRE_ALL'] === '1') throw new Error(`SNIP_REQUIRE_ALL=1 and there is no Redis: ${why}`);
      process.stderr.write(`${why}: tests that need Redis are skipped\n`);
    }
  }
  // After Redis: a run stopped for lack of Redis leaves no embedded PostgreSQL behind.
  let adminUrl = process.env['DATABASE_URL'];
  if (!adminUrl) {
    postgres = await startEmbeddedPostgres();
    adminUrl = postgres.adminUrl;
  }
  const chromium = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
  project.provide('postgresAdminUrl', adminUrl);
  project.provide('redisUrl', redisUrl);
  project.provide('chromium', existsSync(chromium) ? chromium : null);
}

export async function teardown(): Promise<void> {
  await redis?.stop();
  await postgres?.destroy();
}

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
  let adminUrl = process.env['DATABASE_URL'];
  if (!adminUrl) {
    postgres = await startEmbeddedPostgres();
    adminUrl = postgres.adminUrl;
  }
  let redisUrl = process.env['REDIS_URL'] ?? null;
  if (!redisUrl) {
    redis = await startRedis();
    redisUrl = redis?.url ?? null;
    if (!redis) process.stderr.write('redis-server is not installed and REDIS_URL is unset: tests that need Redis are skipped\n');
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

// A whole Snip on loopback: a fresh database, migrations, the redirector and the shortener as processes.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { inject } from 'vitest';
import { ROOT, startService, type RunningService } from './services';
import { createTestDatabase, dropTestDatabase, redisPrefix } from './stores';

/** The shortener's PUBLIC_BASE_URL in a stack: short_url is built on it, never on the port the service got. */
export const PUBLIC_BASE_URL = 'http://snip.test';

export interface Stack {
  readonly databaseUrl: string;
  readonly redisUrl: string | null;
  readonly redisPrefix: string;
  readonly shortener: RunningService;
  readonly redirector: RunningService;
  /** Starts the redirector again (same port and settings) after a test stopped it. */
  restartRedirector(): Promise<RunningService>;
  stop(): Promise<void>;
}

export interface StackOptions {
  readonly label: string;
  readonly shortenerEnv?: Record<string, string | undefined>;
  readonly redirectorEnv?: Record<string, string | undefined>;
  /** Use no Redis even when one is available. */
  readonly withoutRedis?: boolean;
  /** A PostgreSQL server of the test's own instead of the shared one (the database is created on it). */
  readonly postgresAdminUrl?: string;
  /** A Redis of the test's own instead of the shared one. */
  readonly redisUrl?: string;
}

export function migrate(databaseUrl: string): void {
  execFileSync(process.execPath, [join(ROOT, 'libs/data/dist/migrate.js')], {
    env: { PATH: process.env['PATH'], DATABASE_URL: databaseUrl },
    stdio: 'pipe',
  });
}

export async function startStack(options: StackOptions): Promise<Stack> {
  const adminUrl = options.postgresAdminUrl ?? inject('postgresAdminUrl');
  const redisUrl = options.withoutRedis ? null : (options.redisUrl ?? inject('redisUrl'));
  const databaseUrl = await createTestDatabase(adminUrl, options.label);
  migrate(databaseUrl);
  const prefix = redisPrefix(options.label);
  const common = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl ?? undefined, REDIS_KEY_PREFIX: prefix };
  // Both bind port 0; a restart reuses the port the first start reported (the shortener calls the redirector there).
  const redirectorEnv = { ...common, GEO_PROVIDER: 'none', ...options.redirectorEnv };
  let redirector = await startService('redirector', redirectorEnv);
  const shortenerEnv = {
    ...common,
    REDIRECTOR_URL: redirector.url,
    PUBLIC_BASE_URL,
    SSRF_ALLOWLIST: '127.0.0.1',
    ...options.shortenerEnv,
  };
  const shortener = await startService('shortener', shortenerEnv);
  return {
    databaseUrl,
    redisUrl,
    redisPrefix: prefix,
    get shortener() {
      return shortener;
    },
    get redirector() {
      return redirector;
    },
    restartRedirector: async () => (redirector = await startService('redirector', redirectorEnv, { port: redirector.port })),
    stop: async () => {
      await Promise.all([shortener.stop(), redirector.stop()]);
      await dropTestDatabase(adminUrl, databaseUrl).catch(() => undefined);
    },
  };
}

/** POST /api/shorten with a JSON body; returns status and parsed JSON. */
export async function shorten(base: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${base}/api/shorten`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

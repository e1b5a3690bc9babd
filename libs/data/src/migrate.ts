// `db:migrate`: applies pending migrations once, safely when several copies start together.
import { ConfigError, redact } from '@snip/common';
import { createDataSource } from './data-source';
import { databaseConfig } from './database.config';

// Serialises concurrent runs (two Jobs, a Job and a developer) on one arbitrary, fixed lock id.
const MIGRATION_LOCK_ID = 7_270_516_001;

function log(fields: Record<string, unknown>, msg: string): void {
  process.stdout.write(`${JSON.stringify({ level: 'info', time: new Date().toISOString(), service: 'migrate', ...fields, msg })}\n`);
}

export async function migrate(): Promise<string[]> {
  const config = databaseConfig();
  const dataSource = createDataSource(config, 'snip-migrate');
  await dataSource.initialize();
  const lock = dataSource.createQueryRunner();
  try {
    await lock.connect();
    await lock.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_ID]);
    const applied = await dataSource.runMigrations({ transaction: 'all' });
    return applied.map((m) => m.name);
  } finally {
    await lock.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_ID]).catch(() => undefined);
    await lock.release();
    await dataSource.destroy();
  }
}

if (require.main === module) {
  const started = Date.now();
  migrate()
    .then((applied) => {
      log(
        { event: 'migrated', applied, duration_ms: Date.now() - started },
        applied.length ? `applied ${applied.length} migration(s): ${applied.join(', ')}` : 'schema is up to date',
      );
    })
    .catch((error: unknown) => {
      const message = error instanceof ConfigError ? `invalid configuration: ${error.message}` : redact(String(error instanceof Error ? error.message : error));
      process.stderr.write(`migrate: ${message}\n`);
      process.exit(1);
    });
}

import { DataSource, type DataSourceOptions, type Logger as TypeOrmLogger } from 'typeorm';
import type { DatabaseConfig } from './database.config';
import { InitialSchema1764000000000 } from './migrations/1764000000000-initial-schema';
import { VisitId1765000000000 } from './migrations/1765000000000-visit-id';

// Listed explicitly: path globs break once the code is compiled or moved.
export const MIGRATIONS = [InitialSchema1764000000000, VisitId1765000000000];

/** Logs each SQL statement as one JSON line (opt-in: `DATABASE_LOG_QUERIES=true`). */
export class QueryLogger implements TypeOrmLogger {
  constructor(private readonly write: (entry: { event: string; sql: string }) => void) {}
  logQuery(query: string): void {
    this.write({ event: 'db.query', sql: query });
  }
  logQueryError(): void {}
  logQuerySlow(): void {}
  logSchemaBuild(): void {}
  logMigration(): void {}
  log(): void {}
}

/** The one DataSource definition used by the services (through @nestjs/typeorm) and the migrate command. */
export function dataSourceOptions(
  config: DatabaseConfig,
  applicationName: string,
  logger?: TypeOrmLogger,
): DataSourceOptions {
  return {
    type: 'postgres',
    url: config.url,
    // No entities: the services run their own SQL (batched, indexed statements) and the migrations
    // own the schema, so there is no second description of the tables to drift from them.
    entities: [],
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    migrationsRun: false,
    applicationName,
    logging: logger ? ['query'] : false,
    ...(logger ? { logger } : {}),
    poolSize: config.poolSize,
    connectTimeoutMS: config.connectTimeoutMs,
    extra: {
      // Also the client's bound: boundedQuery (query.ts) waits this long plus a margin for an answer.
      statement_timeout: config.statementTimeoutMs,
      idleTimeoutMillis: 30_000,
    },
  };
}

export function createDataSource(config: DatabaseConfig, applicationName: string): DataSource {
  return new DataSource(dataSourceOptions(config, applicationName));
}

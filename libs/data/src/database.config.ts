import { readBool, readInt, readUrl } from '@snip/common';
import { registerAs } from '@nestjs/config';

// PostgreSQL settings, shared by both services and the migration command.
export const databaseConfig = registerAs('database', () => ({
  url: readUrl('DATABASE_URL'),
  poolSize: readInt('DATABASE_POOL_SIZE'),
  connectTimeoutMs: readInt('DATABASE_CONNECT_TIMEOUT_MS'),
  statementTimeoutMs: readInt('DATABASE_STATEMENT_TIMEOUT_MS'),
  logQueries: readBool('DATABASE_LOG_QUERIES'),
}));

export type DatabaseConfig = ReturnType<typeof databaseConfig>;

import { envBool, envInt, envUrl } from '@snip/common';
import { registerAs } from '@nestjs/config';

// PostgreSQL settings, shared by both services and the migration command.
export const databaseConfig = registerAs('database', () => ({
  url: envUrl(process.env, 'DATABASE_URL', ['postgres:', 'postgresql:']),
  poolSize: envInt(process.env, 'DATABASE_POOL_SIZE', 10, 1, 200),
  connectTimeoutMs: envInt(process.env, 'DATABASE_CONNECT_TIMEOUT_MS', 3000, 100, 60_000),
  statementTimeoutMs: envInt(process.env, 'DATABASE_STATEMENT_TIMEOUT_MS', 5000, 100, 600_000),
  logQueries: envBool(process.env, 'DATABASE_LOG_QUERIES', false),
}));

export type DatabaseConfig = ReturnType<typeof databaseConfig>;

import { Logger, ServiceUnavailableException } from '@nestjs/common';
import type { DataSource } from 'typeorm';

const logger = new Logger('Database');

/** Runs one statement; a database failure becomes `503 {"error":"Database unavailable"}` for the caller. */
export async function queryOrUnavailable<T>(db: DataSource, sql: string, params: unknown[]): Promise<T> {
  try {
    return (await db.query(sql, params)) as T;
  } catch (error) {
    logger.error({ event: 'db.error', err: error });
    throw new ServiceUnavailableException({ error: 'Database unavailable' });
  }
}

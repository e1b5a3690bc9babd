import { Logger, ServiceUnavailableException } from '@nestjs/common';
import type { Client } from 'pg';
import type { DataSource } from 'typeorm';

const logger = new Logger('Database');

/** How long past the server-side statement timeout the client still waits for an answer. */
const ANSWER_MARGIN_MS = 1000;

/**
 * Runs one statement on a pooled connection and waits for its answer at most the statement timeout
 * plus a margin. A server that is alive cancels the statement itself before then; one that stays
 * silent on an open connection (it vanished, or a restart or the network dropped the session
 * without closing the socket) never answers, and waiting on it would keep that connection out of the
 * pool for good. So the connection is closed: the caller gets the error and the pool opens a new one.
 */
export async function boundedQuery<T>(db: DataSource, sql: string, params: unknown[] = []): Promise<T> {
  const deadlineMs = statementTimeoutMs(db) + ANSWER_MARGIN_MS;
  const runner = db.createQueryRunner();
  let timer: NodeJS.Timeout | undefined;
  let abandoned = false;
  try {
    // Checking out a connection is bounded by the pool's connection timeout.
    const connection = (await runner.connect()) as Client;
    timer = setTimeout(() => {
      abandoned = true;
      // With a statement in flight, end() destroys the socket: the statement fails at once and the
      // pool discards the connection when it is released.
      connection.end().catch(() => undefined);
    }, deadlineMs);
    return (await db.query(sql, params, runner)) as T;
  } catch (error) {
    if (abandoned) throw new Error(`PostgreSQL did not answer within ${deadlineMs} ms; the connection was closed`, { cause: error });
    throw error;
  } finally {
    clearTimeout(timer);
    await runner.release();
  }
}

/** Runs one statement (bounded as above); a database failure becomes `503 {"error":"Database unavailable"}` for the caller. */
export async function queryOrUnavailable<T>(db: DataSource, sql: string, params: unknown[]): Promise<T> {
  try {
    return await boundedQuery<T>(db, sql, params);
  } catch (error) {
    logger.error({ event: 'db.error', err: error });
    throw new ServiceUnavailableException({ error: 'Database unavailable' });
  }
}

/** The statement timeout the DataSource's connections were opened with (data-source.ts). */
function statementTimeoutMs(db: DataSource): number {
  const value = (db.options as { extra?: { statement_timeout?: unknown } }).extra?.statement_timeout;
  if (typeof value !== 'number') throw new Error('the DataSource was not created by dataSourceOptions: no statement_timeout');
  return value;
}

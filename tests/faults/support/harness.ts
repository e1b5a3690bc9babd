// What every fault and abuse test shares: a whole Snip on loopback with stores it may break, a
// steady load loop that counts what it was served, RSS sampling, and the results file behind
// docs/reliability.md.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from '../../support/net';
import { ROOT } from '../../support/services';
import { startStack, type Stack, type StackOptions } from '../../support/stack';
import { sql } from '../../support/stores';
import { startControlledPostgres, startControlledRedis, type ControlledPostgres, type ControlledRedis } from './stores';

/** Pacing of the load loops (requests per second), not a wait for something to happen. */
export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface FaultStackOptions extends Omit<StackOptions, 'postgresAdminUrl' | 'redisUrl'> {
  /** A PostgreSQL of its own (needed to stop it); otherwise a database on the shared test server. */
  readonly ownPostgres?: boolean;
  /** A redis-server of its own (needed to stop it); otherwise the shared test Redis with a key prefix. */
  readonly ownRedis?: boolean;
}

/** The usual stack (tests/support/stack.ts), on stores the test may stop, pause and restart. */
export interface FaultStack extends Stack {
  readonly postgres: ControlledPostgres | undefined;
  readonly redis: ControlledRedis | undefined;
}

export async function startFaultStack(options: FaultStackOptions): Promise<FaultStack> {
  const postgres = options.ownPostgres ? await startControlledPostgres() : undefined;
  const redis = options.ownRedis ? await startControlledRedis() : undefined;
  const stack = await startStack({ ...options, postgresAdminUrl: postgres?.adminUrl, redisUrl: redis?.url });
  // Derived from the stack object so that its live `shortener`/`redirector` getters carry over.
  return Object.assign(Object.create(stack) as Stack, {
    postgres,
    redis,
    stop: async () => {
      await stack.stop();
      await redis?.stop();
      await postgres?.destroy();
    },
  });
}

export interface Outcome {
  readonly kind: 'redirect' | 'shorten';
  readonly code?: string;
  readonly status: number;
  /** Network error text when no HTTP answer came back. */
  readonly error?: string;
  readonly started: number;
  readonly ms: number;
  readonly contentType?: string;
  readonly body?: string;
}

/** Issues GET /:code and POST /api/shorten and keeps every outcome; 302s are the redirects "served". */
export class Traffic {
  readonly outcomes: Outcome[] = [];

  constructor(private base: () => string) {}

  async redirect(code: string): Promise<Outcome> {
    const started = Date.now();
    let outcome: Outcome;
    try {
      const res = await fetch(`${this.base()}/${code}`, { redirect: 'manual' });
      const body = res.status === 302 ? (await res.body?.cancel(), undefined) : await res.text();
      outcome = { kind: 'redirect', code, status: res.status, started, ms: Date.now() - started, contentType: res.headers.get('content-type') ?? '', body };
    } catch (error) {
      outcome = { kind: 'redirect', code, status: 0, error: describe(error), started, ms: Date.now() - started };
    }
    this.outcomes.push(outcome);
    return outcome;
  }

  async shorten(url: string): Promise<Outcome & { shortCode?: string }> {
    const started = Date.now();
    let outcome: Outcome & { shortCode?: string };
    try {
      const res = await fetch(`${this.base()}/api/shorten`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url }),
      });
      const body = await res.text();
      const shortCode = res.status === 201 ? (JSON.parse(body) as { short_code: string }).short_code : undefined;
      outcome = { kind: 'shorten', status: res.status, started, ms: Date.now() - started, contentType: res.headers.get('content-type') ?? '', body, shortCode };
    } catch (error) {
      outcome = { kind: 'shorten', status: 0, error: describe(error), started, ms: Date.now() - started };
    }
    this.outcomes.push(outcome);
    return outcome;
  }

  /** Waits until `condition` holds for what has been answered so far (the load keeps running meanwhile). */
  async until(what: string, condition: (traffic: Traffic) => boolean, timeoutMs = 30_000): Promise<void> {
    await waitFor(() => condition(this), timeoutMs, what);
  }

  /** Outcomes of requests started at or after `from`. */
  since(from: number, kind?: Outcome['kind']): Outcome[] {
    return this.between(from, Number.POSITIVE_INFINITY, kind);
  }

  /** GET redirects answered 302, per code: what the visit count must end up as. */
  served(code?: string): number {
    return this.outcomes.filter((o) => o.kind === 'redirect' && o.status === 302 && (code === undefined || o.code === code)).length;
  }

  created(): string[] {
    return this.outcomes.flatMap((o) => ('shortCode' in o && typeof o.shortCode === 'string' ? [o.shortCode] : []));
  }

  between(from: number, to: number, kind?: Outcome['kind']): Outcome[] {
    return this.outcomes.filter((o) => o.started >= from && o.started < to && (kind === undefined || o.kind === kind));
  }

  statusCounts(list: Outcome[] = this.outcomes): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const o of list) {
      const key = `${o.kind} ${o.status === 0 ? 'network-error' : o.status}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    return counts;
  }

  maxMs(list: Outcome[] = this.outcomes): number {
    return list.reduce((m, o) => Math.max(m, o.ms), 0);
  }
}

function describe(error: unknown): string {
  const e = error as Error & { cause?: { code?: string; message?: string } };
  return e.cause?.code ?? e.cause?.message ?? e.message;
}

/** A steady background load: `redirectWorkers` loops of GET /:code and one loop of shortens. */
export class Load {
  private running = true;
  private readonly loops: Promise<void>[] = [];

  constructor(
    readonly traffic: Traffic,
    options: { codes: () => string[]; redirectWorkers?: number; pauseMs?: number; shortenUrl?: string; shortenPauseMs?: number },
  ) {
    const pause = options.pauseMs ?? 5;
    for (let w = 0; w < (options.redirectWorkers ?? 3); w++) {
      this.loops.push(
        (async () => {
          for (let i = w; this.running; i++) {
            const codes = options.codes();
            await traffic.redirect(codes[i % codes.length]!);
            await sleep(pause);
          }
        })(),
      );
    }
    if (options.shortenUrl) {
      this.loops.push(
        (async () => {
          for (let i = 0; this.running; i++) {
            await traffic.shorten(`${options.shortenUrl}?n=${i}`);
            await sleep(options.shortenPauseMs ?? 50);
          }
        })(),
      );
    }
  }

  /** Stops issuing new requests and waits for the ones in flight. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}

/** Resident set size of a process in KiB, from /proc/<pid>/status. */
export function rssKb(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmRSS:'));
  return Number(line?.match(/(\d+)/)?.[1] ?? NaN);
}

export const mib = (kb: number) => Math.round((kb / 1024) * 10) / 10;

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** Links whose visits only mark how far the redirector's queue has been written; left out of every count. */
const MARKER_PREFIX = 'settle';
let markers = 0;

/** Visits stored per code (rows) and the urls.visit_count column, which must agree (marker links left out). */
export async function storedVisits(databaseUrl: string): Promise<{ rows: number; counted: number; byCode: Map<string, number> }> {
  const byCode = new Map<string, number>();
  const real = `short_code NOT LIKE '${MARKER_PREFIX}%'`;
  for (const r of await sql<{ short_code: string; n: string }>(databaseUrl, `SELECT short_code, count(*) AS n FROM visits WHERE ${real} GROUP BY short_code`)) {
    byCode.set(r.short_code, Number(r.n));
  }
  const [counted] = await sql<{ n: string | null }>(databaseUrl, `SELECT sum(visit_count) AS n FROM urls WHERE ${real}`);
  return { rows: [...byCode.values()].reduce((a, b) => a + b, 0), counted: Number(counted?.n ?? 0), byCode };
}

/**
 * Waits until every visit the redirector has queued so far is written, then returns what is stored.
 * The queue is written in order: a marker visit sent now is stored only after every visit before it,
 * so a missing visit or a surplus (double counting) shows in the counts without waiting a guessed time.
 */
/**
 * Waits for the visits recorded so far to be written: a marker visit sent now, and, with `expected`,
 * at least that many rows. Visits go through a stream, a memory fallback and claims of other
 * consumers, so the marker alone is no ordering barrier. Past the bound it returns what is stored,
 * and the caller's equality check reports the difference.
 */
export async function settledVisits(stack: Pick<Stack, 'databaseUrl' | 'redirector'>, boundMs = 30_000, expected?: number) {
  const code = `${MARKER_PREFIX}${String(markers++).padStart(2, '0')}`;
  await sql(stack.databaseUrl, 'INSERT INTO urls (short_code, original_url) VALUES ($1, $2)', [code, 'http://192.0.2.1/marker']);
  const res = await fetch(`${stack.redirector.url}/resolve/${code}`);
  if (res.status !== 200) throw new Error(`the marker visit was answered ${res.status}: ${await res.text()}`);
  const written = async () => (await sql(stack.databaseUrl, 'SELECT 1 FROM visits WHERE short_code = $1', [code])).length > 0;
  await waitFor(written, boundMs, 'the visits queued so far to be written');
  if (expected !== undefined) {
    await waitFor(async () => (await storedVisits(stack.databaseUrl)).rows >= expected, boundMs, `${expected} visits to be stored`).catch(() => undefined);
  }
  return storedVisits(stack.databaseUrl);
}

export const isJsonError = (o: Outcome) => /application\/json/.test(o.contentType ?? '') && typeof safeJson(o.body)?.['error'] === 'string';

export function safeJson(text: string | undefined): Record<string, unknown> | undefined {
  try {
    return JSON.parse(text ?? '') as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

export interface CaseResult {
  /** Stable id, e.g. F-REDIS. */
  readonly id: string;
  readonly area: 'fault' | 'load' | 'abuse' | 'rate-limit' | 'headers';
  readonly name: string;
  readonly expected: string;
  /** What the run measured, already phrased for the table. */
  readonly measured: string;
  /** The test file that reproduces it (the command is derived from it). */
  readonly file: string;
  readonly passed?: boolean;
}

/** Writes one case's measured outcome to tmp/reliability/<id>.json, read by scripts/reliability-report.mjs. */
export function record(result: CaseResult): void {
  const dir = process.env['RELIABILITY_RESULTS_DIR'] ?? join(ROOT, 'tmp', 'reliability');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${result.id}.json`), JSON.stringify({ ...result, at: new Date().toISOString() }, null, 2));
}

// Two redirector replicas on one PostgreSQL and one Redis: one is killed (SIGKILL) in the middle of
// writing a batch under load, and the other writes its visits, each exactly once. Then Redis is
// stopped: visits fall back to memory and are written all the same, and so are visits Redis had
// taken and lost in a restart without persistence before any replica read them.
import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/net';
import { startService, type RunningService } from '../support/services';
import { serve, type StandIn } from '../support/stand-ins';
import { redisPrefix, sql } from '../support/stores';
import { record, sleep, startFaultStack, type FaultStack } from './support';

const FILE = 'tests/faults/replicas.test.ts';
const CODES = ['replica01', 'replica02', 'replica03'];
/** A public address, so that a replica with a geolocation API looks each batch up. */
const CLIENT_IP = '8.8.8.8';
const CLAIM_IDLE_MS = '3000';

let stack: FaultStack;
let survivor: RunningService;
let victim: RunningService;
/** A geolocation API that never answers: the victim's batch stays read and unwritten until it dies. */
let geo: StandIn;
const held: ServerResponse[] = [];

interface Answer {
  readonly replica: 'survivor' | 'victim';
  /** Sent as the user agent, so that each stored row names the request it came from. */
  readonly request: string;
  readonly status: number;
  readonly started: number;
}

/** GET /resolve/:code loops against one replica, each request labelled; 200 is a visit that must be stored. */
class ReplicaLoad {
  readonly answers: Answer[] = [];
  private running = true;
  private readonly loops: Promise<void>[] = [];
  private sent = 0;

  /** `label` starts every request's name, unique per load. */
  constructor(replica: Answer['replica'], label: string, target: () => RunningService, workers = 2) {
    for (let w = 0; w < workers; w++) {
      this.loops.push(
        (async () => {
          while (this.running) {
            const request = `${label}-${this.sent++}`;
            const started = Date.now();
            let status = 0;
            try {
              const res = await fetch(`${target().url}/resolve/${CODES[this.sent % CODES.length]}`, {
                headers: { 'x-snip-client-ip': CLIENT_IP, 'x-snip-user-agent': request },
              });
              await res.body?.cancel();
              status = res.status;
            } catch {
              status = 0;
            }
            this.answers.push({ replica, request, status, started });
            // Pacing of the load loop, not a wait for something to happen.
            await sleep(status === 0 ? 20 : 2);
          }
        })(),
      );
    }
  }

  ok(): Answer[] {
    return this.answers.filter((a) => a.status === 200);
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }
}

/** Stored visits of the test's links: one row per user agent (= request), with its visit id. */
async function storedRequests(): Promise<{ rows: number; distinctIds: number; nullIds: number; counted: number; requests: Map<string, number> }> {
  const rows = await sql<{ user_agent: string; n: string; ids: string; nulls: string }>(
    stack.databaseUrl,
    `SELECT user_agent, count(*) AS n, count(DISTINCT visit_id) AS ids, count(*) FILTER (WHERE visit_id IS NULL) AS nulls
       FROM visits WHERE short_code = ANY($1) GROUP BY user_agent`,
    [CODES],
  );
  const [counted] = await sql<{ n: string | null }>(stack.databaseUrl, 'SELECT sum(visit_count) AS n FROM urls WHERE short_code = ANY($1)', [CODES]);
  const requests = new Map(rows.map((r) => [r.user_agent, Number(r.n)]));
  return {
    rows: rows.reduce((n, r) => n + Number(r.n), 0),
    distinctIds: rows.reduce((n, r) => n + Number(r.ids), 0),
    nullIds: rows.reduce((n, r) => n + Number(r.nulls), 0),
    counted: Number(counted?.n ?? 0),
    requests,
  };
}

beforeAll(async () => {
  geo = await serve((_req, res) => held.push(res));
  stack = await startFaultStack({ label: 'fault_replicas', ownRedis: true, redirectorEnv: { VISITS_CLAIM_IDLE_MS: CLAIM_IDLE_MS } });
  survivor = stack.redirector;
  victim = await startService('redirector', {
    DATABASE_URL: stack.databaseUrl,
    REDIS_URL: stack.redisUrl ?? undefined,
    REDIS_KEY_PREFIX: stack.redisPrefix,
    VISITS_CLAIM_IDLE_MS: CLAIM_IDLE_MS,
    GEO_PROVIDER: 'ip-api',
    GEO_API_URL: geo.url,
    GEO_TIMEOUT_MS: '30000',
  });
  for (const code of CODES) await sql(stack.databaseUrl, 'INSERT INTO urls (short_code, original_url) VALUES ($1, $2)', [code, `http://192.0.2.1/${code}`]);
});

afterAll(async () => {
  await victim?.stop('SIGKILL');
  for (const res of held) res.destroy();
  await geo?.close();
  await stack?.stop();
});

describe('two redirector replicas, one killed under load', () => {
  it('writes every answered visit exactly once: the survivor takes over what the killed replica had read', async () => {
    const survivorLoad = new ReplicaLoad('survivor', 'survivor', () => survivor);
    const victimLoad = new ReplicaLoad('victim', 'victim', () => victim);
    // The victim has read a batch and is stuck geolocating it: those visits are pending on its consumer.
    await waitFor(() => geo.requests.length > 0 && victimLoad.ok().length >= 50 && survivorLoad.ok().length >= 50, 30_000, 'load on both replicas, the victim mid-batch');
    const killedAt = Date.now();
    expect(await victim.stop('SIGKILL')).toBe('SIGKILL');
    await victimLoad.stop();
    await waitFor(() => survivorLoad.answers.filter((a) => a.started > killedAt && a.status === 200).length >= 100, 30_000, 'the survivor to serve on');
    await survivorLoad.stop();

    const answered = [...victimLoad.ok(), ...survivorLoad.ok()];
    // Sent to the victim and never answered: the kill cut them off, whether their visit was appended or not.
    const cutOff = new Set(victimLoad.answers.filter((a) => a.status !== 200).map((a) => a.request));
    await waitFor(async () => {
      const { requests } = await storedRequests();
      return answered.every((a) => requests.has(a.request));
    }, 60_000, 'every answered visit to be written');
    const stored = await storedRequests();
    const claimed = survivor.logs.filter((l) => l['event'] === 'visits.claimed').reduce((n, l) => n + Number(l['count']), 0);
    const duplicates = [...stored.requests].filter(([, n]) => n > 1);
    const unexpected = [...stored.requests.keys()].filter((r) => !answered.some((a) => a.request === r) && !cutOff.has(r));
    record({
      id: 'F-REPLICA-KILL',
      area: 'fault',
      name: `two redirector replicas under load; one killed (SIGKILL) while a batch of its visits is read and unwritten (VISITS_CLAIM_IDLE_MS ${CLAIM_IDLE_MS})`,
      expected: 'every answered visit stored exactly once (by visit id and by request), the killed replica’s pending visits taken over by the survivor, visit_count = rows',
      measured:
        `answered ${victimLoad.ok().length} by the killed replica, ${survivorLoad.ok().length} by the survivor; ${cutOff.size} cut off by the kill; ` +
        `stored ${stored.rows} rows, ${stored.distinctIds} distinct visit ids, ${duplicates.length} duplicates; ${claimed} visits taken over by the survivor; visit_count ${stored.counted}`,
      file: FILE,
    });

    expect(victimLoad.ok().length).toBeGreaterThanOrEqual(50);
    expect(survivorLoad.answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(claimed).toBeGreaterThan(0);
    expect(duplicates).toEqual([]);
    expect(unexpected).toEqual([]);
    expect(stored.nullIds).toBe(0);
    expect(stored.distinctIds).toBe(stored.rows);
    expect(stored.rows).toBeGreaterThanOrEqual(answered.length);
    expect(stored.rows).toBeLessThanOrEqual(answered.length + cutOff.size);
    expect(stored.counted).toBe(stored.rows);
  });

  it('keeps visits in memory while Redis is down and writes them', async () => {
    const before = await storedRequests();
    await stack.redis!.stop();
    const load = new ReplicaLoad('survivor', 'no-redis', () => survivor, 1);
    await waitFor(() => load.ok().length >= 100, 30_000, 'redirects while Redis is down');
    await load.stop();
    await waitFor(async () => {
      const { requests } = await storedRequests();
      return load.ok().every((a) => requests.has(a.request));
    }, 30_000, 'the visits kept in memory to be written');
    await stack.redis!.start();
    const after = await storedRequests();
    const duplicates = [...after.requests].filter(([, n]) => n > 1);
    record({
      id: 'F-VISITS-NO-REDIS',
      area: 'fault',
      name: 'Redis stopped while a redirector serves visits',
      expected: 'every redirect answered, its visit kept in memory and written exactly once',
      measured: `${load.answers.length} requests, ${load.ok().length} answered 200; stored ${after.rows - before.rows} new rows, ${duplicates.length} duplicates`,
      file: FILE,
    });
    expect(load.answers.filter((a) => a.status !== 200)).toEqual([]);
    expect(after.rows - before.rows).toBe(load.ok().length);
    expect(duplicates).toEqual([]);
    expect(after.counted).toBe(after.rows);
  });
  it('writes the visits a Redis restarted without persistence lost before any replica read them', async () => {
    // A replica of its own (own key prefix) that reads the stream only once a minute: its visits stay unread in Redis.
    const lonely = await startService('redirector', {
      DATABASE_URL: stack.databaseUrl,
      REDIS_URL: stack.redisUrl ?? undefined,
      REDIS_KEY_PREFIX: redisPrefix('fault_replicas_lonely'),
      GEO_PROVIDER: 'none',
      VISITS_FLUSH_INTERVAL_MS: '60000',
    });
    try {
      const before = await storedRequests();
      const load = new ReplicaLoad('survivor', 'unread', () => lonely, 1);
      await waitFor(() => load.ok().length >= 50, 30_000, 'visits appended to the stream');
      await load.stop();
      const streamed = lonely.logs.length;
      await stack.redis!.stop();
      await waitFor(() => lonely.logs.slice(streamed).some((l) => l['event'] === 'visits.rescued'), 15_000, 'the replica to notice Redis is gone');
      await stack.redis!.start();
      // SIGTERM writes what the replica holds in memory, the visits Redis lost among them.
      expect(await lonely.stop('SIGTERM')).toBe(0);
      const after = await storedRequests();
      const rescued = lonely.logs.filter((l) => l['event'] === 'visits.rescued').reduce((n, l) => n + Number(l['count']), 0);
      const missing = load.ok().filter((a) => !after.requests.has(a.request));
      record({
        id: 'F-VISITS-REDIS-LOST',
        area: 'fault',
        name: 'Redis killed (no persistence) and restarted empty while the visits a replica appended are still unread',
        expected: 'the appending replica writes them from memory: every answered visit stored once',
        measured: `${load.ok().length} answered; ${rescued} moved to memory when the connection dropped; stored ${after.rows - before.rows} new rows, ${missing.length} missing`,
        file: FILE,
      });
      expect(rescued).toBe(load.ok().length);
      expect(missing).toEqual([]);
      expect(after.rows - before.rows).toBe(load.ok().length);
      expect(after.counted).toBe(after.rows);
    } finally {
      await lonely.stop('SIGKILL');
    }
  });
});

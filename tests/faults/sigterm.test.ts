// SIGTERM to each service in the middle of steady load: what was in flight completes, queued visits
// are written, and the process exits 0.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/net';
import { pages, serve, type StandIn } from '../support/stand-ins';
import { sql } from '../support/stores';
import { isJsonError, Load, record, settledVisits, startFaultStack, storedVisits, Traffic, type FaultStack } from './support';

const FILE = 'tests/faults/sigterm.test.ts';

let stack: FaultStack;
let site: StandIn;

beforeAll(async () => {
  site = await serve((req, res) => {
    // A page that takes a second: shortens of it are in flight when the signal arrives.
    if (req.url!.startsWith('/slow')) setTimeout(() => pages({ [req.url!.split('?')[0]!]: { body: '<title>Slow page</title>' } })(req, res), 1000);
    else pages({ '/page': { body: '<title>Page</title>' } })(req, res);
  });
});

// Each test signals a service of a stack of its own, so neither depends on what the other stopped.
beforeEach(async () => {
  // A long flush interval: at SIGTERM the redirector holds seconds of unwritten visits. Both run with
  // SHUTDOWN_DELAY_MS as behind any load balancer: clients' pooled keep-alive sockets are moved off
  // (answers say Connection: close) before the listener closes, so no request races an idle close.
  stack = await startFaultStack({
    label: 'fault_sigterm',
    shortenerEnv: { SHUTDOWN_DELAY_MS: '1000' },
    redirectorEnv: { VISITS_FLUSH_INTERVAL_MS: '5000', SHUTDOWN_DELAY_MS: '1000' },
  });
});

afterEach(async () => {
  await stack?.stop();
});

afterAll(async () => {
  await site?.close();
});

const ok = (o: { kind: string; status: number }) => (o.kind === 'redirect' ? o.status === 302 : o.status === 201);

describe('SIGTERM under load', () => {
  it('shortener: in-flight redirects and slow shortens complete, exit 0, every served visit stored', async () => {
    const traffic = new Traffic(() => stack.shortener.url);
    const seeds: string[] = [];
    for (let i = 0; i < 3; i++) seeds.push((await traffic.shorten(`${site.url}/page?s=${i}`)).shortCode!);
    const load = new Load(traffic, { codes: () => seeds, redirectWorkers: 3, shortenUrl: `${site.url}/slow`, shortenPauseMs: 0 });
    await traffic.until('load before the signal', (t) => t.outcomes.length >= 40);
    const slow = Array.from({ length: 3 }, (_, i) => traffic.shorten(`${site.url}/slow?inflight=${i}`));
    // In flight for certain: the shortener is already fetching each of the three pages.
    await waitFor(() => [0, 1, 2].every((i) => site.requests.some((r) => r.path === `/slow?inflight=${i}`)), 10_000, 'the slow shortens to reach the page');
    const signalledAt = Date.now();
    const exitCode = await stack.shortener.stop('SIGTERM');
    const exitMs = Date.now() - signalledAt;
    const inflight = await Promise.all(slow);
    await traffic.until('requests after the signal', (t) => t.since(signalledAt).length >= 30);
    await load.stop();

    const before = traffic.between(0, signalledAt);
    const after = traffic.between(signalledAt, Date.now());
    const created = traffic.created();
    const rows = await sql<{ n: string }>(stack.databaseUrl, 'SELECT count(*) AS n FROM urls WHERE short_code = ANY($1)', [created]);
    const served = traffic.served();
    const stored = await settledVisits(stack, undefined, served);
    record({
      id: 'F-SIGTERM-SHORTENER',
      area: 'fault',
      name: 'SIGTERM to the shortener under load (3 slow shortens in flight; SHUTDOWN_DELAY_MS 1000)',
      expected: 'every request already sent completes (302/201), exit 0, in-flight shortens stored, every served visit stored',
      measured:
        `${before.length} requests before the signal: ${JSON.stringify(traffic.statusCounts(before))}; in-flight slow shortens ${inflight.map((o) => o.status).join('/')}; ` +
        `exit ${exitCode} after ${exitMs} ms; after the signal ${JSON.stringify(traffic.statusCounts(after))}; ` +
        `rows ${rows[0]!.n} / ${created.length} created; visits ${stored.rows} stored / ${served} served`,
      file: FILE,
    });

    expect(exitCode).toBe(0);
    expect(before.length).toBeGreaterThan(20);
    expect(before.filter((o) => !ok(o))).toEqual([]);
    expect(inflight.map((o) => o.status)).toEqual([201, 201, 201]);
    // Once it stopped listening, new connections are refused; nothing is half-answered with a 5xx.
    expect(after.filter((o) => o.status >= 500)).toEqual([]);
    expect(Number(rows[0]!.n)).toBe(created.length);
    expect(stored.rows).toBe(served);
  });

  it('redirector: in-flight resolves complete, later ones get 502 JSON, queued visits are all written, exit 0', async () => {
    const traffic = new Traffic(() => stack.shortener.url);
    const seeds: string[] = [];
    for (let i = 0; i < 3; i++) seeds.push((await traffic.shorten(`${site.url}/page?r=${i}`)).shortCode!);
    const load = new Load(traffic, { codes: () => seeds, redirectWorkers: 4 });
    // The flush interval is 5 s: the visits of these redirects are still queued when the signal arrives.
    await traffic.until('redirects before the signal', (t) => t.served() >= 40);
    const atSignal = await storedVisits(stack.databaseUrl);
    const storedAtSignal = seeds.reduce((n, c) => n + (atSignal.byCode.get(c) ?? 0), 0);
    const servedAtSignal = seeds.reduce((n, c) => n + traffic.served(c), 0);
    const signalledAt = Date.now();
    const exitCode = await stack.redirector.stop('SIGTERM');
    const exitMs = Date.now() - signalledAt;
    await traffic.until('redirects after the signal', (t) => t.since(signalledAt, 'redirect').length >= 30);
    await load.stop();

    const before = traffic.between(0, signalledAt, 'redirect');
    const after = traffic.between(signalledAt, Date.now(), 'redirect');
    const served = seeds.reduce((n, c) => n + traffic.served(c), 0);
    const stored = await storedVisits(stack.databaseUrl);
    const storedForSeeds = seeds.reduce((n, c) => n + (stored.byCode.get(c) ?? 0), 0);
    const drained = stack.redirector.logs.find((l) => l['event'] === 'visits.drained');
    record({
      id: 'F-SIGTERM-REDIRECTOR',
      area: 'fault',
      name: 'SIGTERM to the redirector under load (flush interval 5 s, so visits are queued; SHUTDOWN_DELAY_MS 1000)',
      expected: 'requests before the signal 302, later ones 502 JSON, queued visits written before exit, exit 0',
      measured:
        `${before.length} redirects before the signal: ${JSON.stringify(traffic.statusCounts(before))}; ${servedAtSignal - storedAtSignal} or more visits still queued at the signal; ` +
        `exit ${exitCode} after ${exitMs} ms (drain logged: ${drained ? 'yes' : 'no'}); after: ${JSON.stringify(traffic.statusCounts(after))}; visits ${storedForSeeds} stored / ${served} served`,
      file: FILE,
    });

    expect(exitCode).toBe(0);
    expect(before.length).toBeGreaterThan(20);
    expect(before.filter((o) => o.status !== 302)).toEqual([]);
    expect(servedAtSignal - storedAtSignal).toBeGreaterThan(0);
    expect(after.filter((o) => o.status !== 302 && !(o.status === 502 && isJsonError(o)))).toEqual([]);
    expect(drained).toBeDefined();
    expect(storedForSeeds).toBe(served);
    expect(stored.counted).toBe(stored.rows);
  });
});

// PostgreSQL stopped, then restarted, under steady load: 5xx JSON for what needs the database, cached
// redirects keep working, both processes survive, service returns, no partial rows, no visit lost.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/net';
import { pages, serve, type StandIn } from '../support/stand-ins';
import { sql } from '../support/stores';
import { isJsonError, Load, record, safeJson, settledVisits, startFaultStack, Traffic, type FaultStack } from './support';

const FILE = 'tests/faults/postgres.test.ts';
// DATABASE_CONNECT_TIMEOUT_MS (3 s) bounds a request that needs the database; the margin is generous.
const BOUND_MS = 8000;

let stack: FaultStack;
let site: StandIn;

beforeAll(async () => {
  site = await serve(pages({ '/page': { body: '<title>Page</title>' } }));
  stack = await startFaultStack({ label: 'fault_pg', ownPostgres: true, ownRedis: true });
});

afterAll(async () => {
  await stack?.stop();
  await site?.close();
});

describe('PostgreSQL stopped, then restarted under load', () => {
  it('answers 5xx JSON only for what needs it, serves cached redirects, recovers, and leaves no partial row', async () => {
    const traffic = new Traffic(() => stack.shortener.url);
    const cached: string[] = [];
    for (let i = 0; i < 5; i++) cached.push((await traffic.shorten(`${site.url}/page?seed=${i}`)).shortCode!);
    // A link in PostgreSQL only: resolving it needs the database.
    await sql(stack.databaseUrl, "INSERT INTO urls (short_code, original_url) VALUES ('uncached1', 'http://192.0.2.1/x')");
    const pids = [stack.shortener.child.pid, stack.redirector.child.pid];

    const load = new Load(traffic, { codes: () => cached, redirectWorkers: 3, shortenUrl: `${site.url}/page`, shortenPauseMs: 100 });
    await traffic.until('load before the outage', (t) => t.outcomes.length >= 30);
    const stopAt = Date.now();
    await stack.postgres!.stop();

    // While it is down: what the probes and readiness say, once both services have noticed.
    const readiness = () => Promise.all([stack.shortener.url, stack.redirector.url].map(async (u) => (await fetch(`${u}/health/ready`)).status));
    await waitFor(async () => (await readiness()).every((status) => status === 503), 15_000, 'both services to report not ready');
    const uncached = await traffic.redirect('uncached1');
    const direct = await fetch(`${stack.redirector.url}/resolve/uncached1`);
    const directBody = { status: direct.status, json: safeJson(await direct.text()) };
    const ready = await readiness();
    const live = await Promise.all([stack.shortener.url, stack.redirector.url].map(async (u) => (await fetch(`${u}/health/live`)).status));
    // The outage lasts until enough cached redirects and failed shortens have been seen through it.
    await traffic.until('redirects and shortens during the outage', (t) => {
      const during = t.since(stopAt);
      return during.filter((o) => o.kind === 'redirect' && o.code !== 'uncached1').length > 40 && during.filter((o) => o.kind === 'shorten' && o.status !== 201).length >= 3;
    });

    await stack.postgres!.start();
    const restartedAt = Date.now();
    let lastProbe = '';
    await waitFor(
      async () => {
        const probe = await traffic.shorten(`${site.url}/page?probe`);
        lastProbe = `${probe.status} ${probe.error ?? probe.body ?? ''}`;
        return probe.status === 201;
      },
      30_000,
      'a shorten to succeed again',
    ).catch((error: Error) => {
      const errors = stack.shortener.logs.filter((l) => l['level'] !== 'info').slice(-5).map((l) => JSON.stringify(l).slice(0, 400));
      throw new Error(`${error.message}; last answer ${lastProbe}; shortener says:\n${errors.join('\n')}`);
    });
    const recoveryMs = Date.now() - restartedAt;
    await traffic.until('load after the recovery', (t) => t.since(restartedAt + recoveryMs).length >= 30);
    await load.stop();

    // A request still in flight when the stop began belongs to the outage, not to the time before it.
    const outage = traffic.outcomes.filter((o) => o.started + o.ms >= stopAt && o.started < restartedAt);
    const outageRedirects = outage.filter((o) => o.kind === 'redirect' && o.code !== 'uncached1');
    const outageShortens = outage.filter((o) => o.kind === 'shorten');
    const before = traffic.outcomes.filter((o) => o.started + o.ms < stopAt);
    const after = traffic.between(restartedAt + recoveryMs, Date.now());
    const created = traffic.created();
    const rows = await sql<{ short_code: string; original_url: string; created_at: Date | null }>(
      stack.databaseUrl,
      "SELECT short_code, original_url, created_at FROM urls WHERE short_code <> 'uncached1'",
    );
    const served = traffic.served();
    const stored = await settledVisits(stack, undefined, served);
    record({
      id: 'F-POSTGRES',
      area: 'fault',
      name: 'PostgreSQL stopped under load, restarted',
      expected:
        'shorten 503 JSON, uncached redirect 502 JSON, cached redirects 302, readiness 503, both processes alive, shortens again within seconds, no partial row, nothing lost',
      measured:
        `down ${restartedAt - stopAt} ms; while down: ${outageRedirects.length} cached redirects ${JSON.stringify(traffic.statusCounts(outageRedirects))}, shortens ${JSON.stringify(traffic.statusCounts(outageShortens))} (slowest ${traffic.maxMs(outageShortens)} ms), ` +
        `uncached redirect ${uncached.status}, redirector /resolve ${directBody.status}, readiness ${ready.join('/')}, liveness ${live.join('/')}; ` +
        `shorten OK ${recoveryMs} ms after restart; rows ${rows.length} = created ${created.length}; visits ${stored.rows} stored / ${served} served`,
      file: FILE,
    });

    // Before and after the outage everything succeeds.
    expect(before.filter((o) => (o.kind === 'redirect' ? o.status !== 302 : o.status !== 201))).toEqual([]);
    expect(after.filter((o) => (o.kind === 'redirect' ? o.status !== 302 : o.status !== 201))).toEqual([]);
    // During it: cached redirects still 302; shortens fail cleanly with 503 JSON, bounded.
    expect(outageRedirects.length).toBeGreaterThan(20);
    expect(outageRedirects.filter((o) => o.status !== 302)).toEqual([]);
    const failedShortens = outageShortens.filter((o) => o.status !== 201);
    expect(failedShortens.length).toBeGreaterThan(0);
    expect(failedShortens.filter((o) => o.status !== 503 || !isJsonError(o))).toEqual([]);
    expect(traffic.maxMs(outage)).toBeLessThan(BOUND_MS);
    expect(uncached.status).toBe(502);
    expect(safeJson(uncached.body)).toEqual({ error: 'Redirector service unavailable' });
    expect(directBody).toEqual({ status: 503, json: { error: 'Database unavailable' } });
    expect(ready).toEqual([503, 503]);
    expect(live).toEqual([200, 200]);
    // Both processes survived, and came back within seconds of the restart.
    expect([stack.shortener.child.pid, stack.redirector.child.pid]).toEqual(pids);
    expect(stack.shortener.child.exitCode).toBeNull();
    expect(stack.redirector.child.exitCode).toBeNull();
    expect(recoveryMs).toBeLessThan(15_000);
    // Exactly the links that were answered 201 exist, each complete; nothing else.
    expect(rows.map((r) => r.short_code).sort()).toEqual([...created].sort());
    expect(rows.filter((r) => r.created_at === null || !r.original_url.startsWith(site.url))).toEqual([]);
    // Cached redirects served during the outage were queued and written after it.
    expect(stored.rows).toBe(served);
    expect(stored.counted).toBe(served);
  });
});

// Redis stopped (refusing connections), hung (SIGSTOP) and restarted under steady load: redirects
// keep coming from the memory tier and PostgreSQL, nothing waits past the command timeout, the cache is used again.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/net';
import { pages, serve, type StandIn } from '../support/stand-ins';
import { Load, record, redisCli, settledVisits, startFaultStack, Traffic, type FaultStack } from './support';

const FILE = 'tests/faults/redis.test.ts';
// The configured bound a request may wait on Redis is 250 ms (REDIS_COMMAND_TIMEOUT_MS); this margin is generous.
const BOUND_MS = 2000;

let stack: FaultStack;
let site: StandIn;

beforeAll(async () => {
  site = await serve(pages({ '/page': { body: '<title>Page</title>' } }));
  stack = await startFaultStack({ label: 'fault_redis', ownRedis: true, redirectorEnv: { LOG_LEVEL: 'debug' } });
});

afterAll(async () => {
  await stack?.stop();
  await site?.close();
});

const readyRedis = async (base: string) => {
  const body = (await (await fetch(`${base}/health/ready`)).json()) as { details: Record<string, { status: string }> };
  return body.details['redis']?.status;
};

describe('Redis stopped, hung, then restarted under load', () => {
  it('keeps every redirect and shorten succeeding, bounded, and uses the cache again afterwards', async () => {
    const traffic = new Traffic(() => stack.shortener.url);
    const seeds: string[] = [];
    for (let i = 0; i < 5; i++) seeds.push((await traffic.shorten(`${site.url}/page?seed=${i}`)).shortCode!);
    const load = new Load(traffic, { codes: () => seeds, redirectWorkers: 3, shortenUrl: `${site.url}/page` });
    await traffic.until('load before the outage', (t) => t.outcomes.length >= 30);

    const stopAt = Date.now();
    await stack.redis!.stop();
    // Resolves already past their cache read when Redis died are not counted as "while down".
    await waitFor(async () => (await readyRedis(stack.redirector.url)) === 'degraded', 15_000, 'the redirector to notice Redis is gone');
    const atStop = stack.redirector.logs.length;
    // Past the redirector's 5 s memory tier: every hot link has been read from PostgreSQL at least once.
    const resolvedFrom = (source: string, from: number) =>
      new Set(stack.redirector.logs.slice(from).filter((l) => l['event'] === 'resolve' && l['source'] === source).map((l) => l['short_code']));
    await waitFor(() => seeds.every((c) => resolvedFrom('database', atStop).has(c)), 30_000, 'every link to be read from PostgreSQL');
    await stack.redis!.start();
    const restartedAt = Date.now();
    const atRestart = stack.redirector.logs.length;
    await waitFor(async () => (await readyRedis(stack.redirector.url)) === 'up' && (await readyRedis(stack.shortener.url)) === 'up', 15_000, 'both services to reconnect to Redis');
    const reconnectMs = Date.now() - restartedAt;

    // Redis is back in use once most resolves since the restart come from it (or the memory tier it fills).
    const countFrom = (source: string) => stack.redirector.logs.slice(atRestart).filter((l) => l['event'] === 'resolve' && l['source'] === source).length;
    await waitFor(() => countFrom('cache') > 0 && countFrom('cache') + countFrom('memory') > countFrom('database'), 60_000, 'the cache to carry the resolves again');

    // A hung Redis: connections stay open but nothing answers; only the command timeout bounds a request.
    const pauseAt = Date.now();
    stack.redis!.pause();
    // Every shorten writes to Redis (cache fill), so each one meets the hang.
    await traffic.until('redirects and shortens while Redis is hung', (t) => t.since(pauseAt, 'redirect').length > 40 && t.since(pauseAt, 'shorten').length >= 5);
    stack.redis!.resume();
    const resumeAt = Date.now();
    await traffic.until('load after Redis resumed', (t) => t.since(resumeAt).length >= 30);
    await load.stop();

    // Where the redirector found each link while Redis was away, and after it came back (the
    // restarted Redis is empty: the first resolve of each code re-fills it, the rest are hits).
    const sourcesOf = (from: number, to: number) => {
      const counts: Record<string, number> = {};
      for (const l of stack.redirector.logs.slice(from, to)) if (l['event'] === 'resolve') counts[String(l['source'])] = (counts[String(l['source'])] ?? 0) + 1;
      return counts;
    };
    const whileDown = sourcesOf(atStop, atRestart);
    const afterRestart = sourcesOf(atRestart, stack.redirector.logs.length);
    const refilled = await Promise.all(seeds.map((c) => redisCli(stack.redis!.port, 'GET', `${stack.redisPrefix}url:${c}`)));

    const outage = traffic.between(stopAt, restartedAt);
    const hung = traffic.between(pauseAt, resumeAt);
    const failures = traffic.outcomes.filter((o) => (o.kind === 'redirect' ? o.status !== 302 : o.status !== 201));
    const served = traffic.served();
    const stored = await settledVisits(stack, undefined, served);
    record({
      id: 'F-REDIS',
      area: 'fault',
      name: 'Redis stopped until every link was read from PostgreSQL (past the 5 s memory tier), restarted; then hung (SIGSTOP)',
      expected: 'redirects from the 5 s memory tier, then PostgreSQL, no request past the 250 ms command timeout (bound 2 s), cache used again, nothing lost',
      measured:
        `stopped ${restartedAt - stopAt} ms, hung ${resumeAt - pauseAt} ms; ${traffic.outcomes.length} requests (${outage.length} while stopped, ${hung.length} while hung), ${failures.length} failed; ` +
        `slowest while stopped ${traffic.maxMs(outage)} ms, while hung ${traffic.maxMs(hung)} ms; reconnected ${reconnectMs} ms after restart; ` +
        `resolves while stopped ${JSON.stringify(whileDown)}, after restart ${JSON.stringify(afterRestart)}; visits ${stored.rows} stored / ${served} served`,
      file: FILE,
    });

    expect(outage.filter((o) => o.kind === 'redirect').length).toBeGreaterThan(20);
    expect(hung.filter((o) => o.kind === 'redirect').length).toBeGreaterThan(5);
    expect(failures).toEqual([]);
    expect(traffic.maxMs(outage)).toBeLessThan(BOUND_MS);
    expect(traffic.maxMs(hung)).toBeLessThan(BOUND_MS);
    // While Redis is away, links come from the memory tier (what Redis answered in the last 5 s) or PostgreSQL.
    expect(whileDown['database']).toBeGreaterThan(0);
    expect(Object.keys(whileDown).filter((source) => source !== 'database' && source !== 'memory')).toEqual([]);
    expect(afterRestart['cache']).toBeGreaterThan(0);
    expect((afterRestart['cache'] ?? 0) + (afterRestart['memory'] ?? 0)).toBeGreaterThan(afterRestart['database'] ?? 0);
    expect(refilled.every((url) => url.startsWith(site.url))).toBe(true);
    expect(stored.rows).toBe(served);
    expect(stored.counted).toBe(served);
    expect(stack.shortener.child.exitCode).toBeNull();
    expect(stack.redirector.child.exitCode).toBeNull();
  });
});

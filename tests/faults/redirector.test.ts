// The redirector killed (SIGKILL) under load, then restarted: the shortener answers 502 JSON fast,
// keeps shortening, and recovers on its own without a restart.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/net';
import { pages, serve, type StandIn } from '../support/stand-ins';
import { isJsonError, Load, record, safeJson, settledVisits, startFaultStack, Traffic, type FaultStack } from './support';

const FILE = 'tests/faults/redirector.test.ts';
const BOUND_MS = 2000;
const REDIRECT_WORKERS = 3;

let stack: FaultStack;
let site: StandIn;

beforeAll(async () => {
  site = await serve(pages({ '/page': { body: '<title>Page</title>' } }));
  // The restarted process takes over the killed one's read-but-unwritten visits after this idle time.
  stack = await startFaultStack({ label: 'fault_redirector', redirectorEnv: { VISITS_CLAIM_IDLE_MS: '1000' } });
});

afterAll(async () => {
  await stack?.stop();
  await site?.close();
});

describe('redirector killed, then restarted under load', () => {
  it('answers 502 JSON fast while it is gone and recovers without restarting the shortener', async () => {
    const traffic = new Traffic(() => stack.shortener.url);
    const before: string[] = [];
    for (let i = 0; i < 3; i++) before.push((await traffic.shorten(`${site.url}/page?a=${i}`)).shortCode!);
    const afterCodes: string[] = [];
    for (let i = 0; i < 3; i++) afterCodes.push((await traffic.shorten(`${site.url}/page?b=${i}`)).shortCode!);
    let codes = before;
    const shortenerPid = stack.shortener.child.pid;

    const load = new Load(traffic, { codes: () => codes, redirectWorkers: REDIRECT_WORKERS, shortenUrl: `${site.url}/page` });
    await traffic.until('load before the kill', (t) => t.outcomes.length >= 30);
    const killedAt = Date.now();
    expect(await stack.redirector.stop('SIGKILL')).toBe('SIGKILL');
    await traffic.until('redirects while the redirector is gone', (t) => t.between(killedAt + 50, Date.now(), 'redirect').length > 40);
    const restartAt = Date.now();
    // Links used after the restart are counted exactly; the killed process's appended visits are taken over.
    codes = afterCodes;
    await stack.restartRedirector();
    const restartedAt = Date.now();
    await waitFor(async () => (await traffic.redirect(afterCodes[0]!)).status === 302, 10_000, 'redirects to work again');
    const recoveryMs = Date.now() - restartedAt;
    await traffic.until('redirects after the recovery', (t) => t.since(restartedAt + recoveryMs, 'redirect').length >= 30);
    await load.stop();

    const down = traffic.between(killedAt + 50, restartAt, 'redirect');
    const shortensWhileDown = traffic.between(killedAt, restartAt, 'shorten');
    const recovered = traffic.between(restartedAt + recoveryMs, Date.now(), 'redirect');
    const servedBefore = before.reduce((n, c) => n + traffic.served(c), 0);
    const servedAfter = afterCodes.reduce((n, c) => n + traffic.served(c), 0);
    const stored = await settledVisits(stack, undefined, servedBefore + servedAfter);
    const storedBefore = before.reduce((n, c) => n + (stored.byCode.get(c) ?? 0), 0);
    const storedAfter = afterCodes.reduce((n, c) => n + (stored.byCode.get(c) ?? 0), 0);
    record({
      id: 'F-REDIRECTOR',
      area: 'fault',
      name: 'redirector killed (SIGKILL) under load, restarted',
      expected:
        '502 JSON fast while down, shortens unaffected, recovery without restarting the shortener; every served visit stored, ' +
        'plus at most one per redirect the kill cut off after its visit was appended',
      measured:
        `gone ${restartAt - killedAt} ms; while down: redirects ${JSON.stringify(traffic.statusCounts(down))} (slowest ${traffic.maxMs(down)} ms), shortens ${JSON.stringify(traffic.statusCounts(shortensWhileDown))}; ` +
        `302 again ${recoveryMs} ms after the restart, shortener pid unchanged; visits after restart ${storedAfter} stored / ${servedAfter} served; ` +
        `before the kill ${storedBefore} stored / ${servedBefore} served (${storedBefore - servedBefore} cut off after their visit was appended)`,
      file: FILE,
    });

    expect(down.length).toBeGreaterThan(20);
    expect(down.filter((o) => o.status !== 502 || !isJsonError(o))).toEqual([]);
    expect(safeJson(down[0]!.body)).toEqual({ error: 'Redirector service unavailable' });
    expect(traffic.maxMs(down)).toBeLessThan(BOUND_MS);
    expect(shortensWhileDown.filter((o) => o.status !== 201)).toEqual([]);
    expect(recovered.filter((o) => o.status !== 302)).toEqual([]);
    expect(stack.shortener.child.pid).toBe(shortenerPid);
    expect(stack.shortener.child.exitCode).toBeNull();
    expect(storedAfter).toBe(servedAfter);
    // Visits are appended to the stream before the answer: none served is lost to the kill, and a
    // redirect cut off between its append and its answer (one per load worker at most) is still counted.
    expect(storedBefore).toBeGreaterThanOrEqual(servedBefore);
    expect(storedBefore - servedBefore).toBeLessThanOrEqual(REDIRECT_WORKERS);
    expect(stored.counted).toBe(stored.rows);
  });
});

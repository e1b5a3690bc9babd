// Start-up validation and graceful shutdown of the built services, observed from outside.
import { spawnSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { serviceCommand, ROOT } from '../support/services';
import { serve, type StandIn } from '../support/stand-ins';
import { shorten, startStack, type Stack } from '../support/stack';
import { waitFor } from '../support/net';
import { sql } from '../support/stores';

describe('configuration is validated at start-up', () => {
  it.each([
    ['shortener', { PORT: 'abc', DATABASE_URL: 'postgres://u@127.0.0.1/x' }, 'shortener: invalid configuration: PORT must be an integer from 0 to 65535 (got "abc")'],
    ['redirector', {}, 'redirector: invalid configuration: DATABASE_URL is required but not set'],
    ['redirector', { DATABASE_URL: 'mysql://u@h/x' }, 'redirector: invalid configuration: DATABASE_URL must use postgres: or postgresql: (got "mysql:")'],
    ['redirector', { DATABASE_URL: 'postgres://u@h/x', GEO_PROVIDER: 'maxmind' }, 'redirector: invalid configuration: GEO_PROVIDER must be one of ip-api, none (got "maxmind")'],
    ['shortener', { DATABASE_URL: 'postgres://u@h/x', TRUSTED_PROXIES: '10.0.0.0/33' }, 'TRUSTED_PROXIES must be a comma list of IP addresses or CIDR ranges'],
    ['shortener', { DATABASE_URL: 'postgres://u@h/x', SNIP_SCENARIOS: 'n-plus-two' }, 'SNIP_SCENARIOS lists an unknown scenario "n-plus-two"'],
  ] as const)('%s with %j stops with one line naming the variable', (name, env, message) => {
    const run = spawnSync(process.execPath, serviceCommand(name), {
      cwd: ROOT,
      env: { PATH: process.env['PATH'], OTEL_SDK_DISABLED: 'true', ...env },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(78);
    const lines = run.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain(message);
  });
});

describe('SIGTERM', () => {
  let stack: Stack;
  let slowSite: StandIn;

  beforeAll(async () => {
    // A target page that answers after 1.5 s keeps a shorten request in flight.
    slowSite = await serve((_req, res) => {
      setTimeout(() => res.writeHead(200, { 'content-type': 'text/html' }).end('<title>Slow page</title>'), 1500);
    });
  });

  // Each test signals a service of its own stack: none depends on what another stopped.
  beforeEach(async () => {
    stack = await startStack({ label: 'e2e_lifecycle', redirectorEnv: { VISITS_FLUSH_INTERVAL_MS: '60000' } });
  });

  afterEach(async () => {
    await stack?.stop();
  });

  afterAll(async () => {
    await slowSite?.close();
  });

  it('the redirector writes every queued visit before it exits 0', async () => {
    const { json } = await shorten(stack.shortener.url, { url: 'http://192.0.2.1/drain' });
    const code = json['short_code'] as string;
    for (let i = 0; i < 30; i++) {
      expect((await fetch(`${stack.shortener.url}/${code}`, { redirect: 'manual' })).status).toBe(302);
    }
    // The flush interval is a minute: these visits are still queued when the signal arrives.
    expect(await sql(stack.databaseUrl, 'SELECT 1 FROM visits WHERE short_code = $1', [code])).toHaveLength(0);
    expect(await stack.redirector.stop('SIGTERM')).toBe(0);
    const [row] = await sql<{ n: string }>(stack.databaseUrl, 'SELECT count(*) AS n FROM visits WHERE short_code = $1', [code]);
    expect(Number(row!.n)).toBe(30);
  });

  it('the shortener finishes the request in flight, refuses new connections, and exits 0', async () => {
    const inFlight = shorten(stack.shortener.url, { url: `${slowSite.url}/slow` });
    await waitFor(() => slowSite.requests.length > 0, 5000, 'the shorten to reach the target page');
    stack.shortener.child.kill('SIGTERM');
    const { status, json } = await inFlight;
    expect(status).toBe(201);
    expect(json['title']).toBe('Slow page');
    expect(await stack.shortener.exited).toBe(0);
    await expect(fetch(`${stack.shortener.url}/health`)).rejects.toThrow();
    const rows = await sql(stack.databaseUrl, 'SELECT title FROM urls WHERE short_code = $1', [json['short_code']]);
    expect(rows).toEqual([{ title: 'Slow page' }]);
  });
});

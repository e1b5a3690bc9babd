// The benchmark: `npm run bench` (full) or `npm run bench:smoke` (a few seconds per scenario).
//
// It builds the services, starts PostgreSQL and Redis (DATABASE_URL / REDIS_URL when set, else an
// embedded PostgreSQL and a throwaway redis-server), starts both services twice exactly as the
// image does (once with tracing off, once with 100 % sampling exported to a local OTLP sink that
// discards), measures every scenario with autocannon after a warm-up, and writes the JSON to
// bench/results/ and the table to docs/performance.md (full mode only). Where a cgroup v1 memory
// controller is writable, every service runs in a memory cgroup (peak memory per scenario, OOM
// kills), and a third stack runs traced inside the memory limits of the kind profile.
//
// Variables: BENCH_CONNECTIONS (50), BENCH_DURATION_S, BENCH_WARMUP_S, BENCH_RSS_S,
// BENCH_VISITS (comma list, e.g. 10000,100000,1000000), BENCH_ONLY (comma list of scenario names),
// BENCH_CPU_PROF=1 (writes .cpuprofile files of every service to bench/profiles/), BENCH_SKIP_BUILD=1,
// BENCH_ENV / BENCH_ENV_ON (`K=V,K=V` added to both stacks' / the tracing-on stack's services, for
// experiments such as BENCH_ENV_ON=OTEL_NODE_DISABLED_INSTRUMENTATIONS=nestjs-core), BENCH_LABEL
// (writes bench/results/<mode>-<label>.json instead), BENCH_LIMITS=off (no limited stack). Only a full run with none of these set
// replaces the table in docs/performance.md.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { ROOT, startService, type RunningService, type ServiceName } from '../tests/support/services.ts';
import { createTestDatabase, dropTestDatabase, redisPrefix, startEmbeddedPostgres, startRedis } from '../tests/support/stores.ts';
import { kindProfile } from '../infra/cdk8s/src/config.ts';
import { cgroupUnavailable, createMemoryGroup, quantityBytes, type MemoryGroup } from './cgroup.mts';
import { renderMarkdown, evaluateTargets, type BenchResult, type ScenarioResult } from './report.mts';

const smoke = process.argv.includes('--smoke');
const num = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
const config = {
  mode: smoke ? 'smoke' : 'full',
  connections: num('BENCH_CONNECTIONS', 50),
  warmupS: num('BENCH_WARMUP_S', smoke ? 1 : 5),
  durationS: num('BENCH_DURATION_S', smoke ? 2 : 15),
  rssS: num('BENCH_RSS_S', smoke ? 5 : 60),
  visits: (process.env['BENCH_VISITS'] ?? (smoke ? '10000' : '10000,100000,1000000')).split(',').map(Number),
  links: 10_000,
  hotLinks: 100,
  // Codes that exist only in PostgreSQL, each requested once: every request is a cache miss.
  missCodesPerStack: smoke ? 20_000 : 250_000,
  only: process.env['BENCH_ONLY']?.split(',').map((s) => s.trim()),
  cpuProf: process.env['BENCH_CPU_PROF'] === '1',
  env: pairs(process.env['BENCH_ENV']),
  envOn: pairs(process.env['BENCH_ENV_ON']),
  limits: process.env['BENCH_LIMITS'] !== 'off',
} as const;

/** The memory limits the kind profile's manifests give each service (the limited stack runs inside them). */
const PROFILE_LIMITS: Record<ServiceName, string> = {
  shortener: kindProfile.shortener.resources.limits.memory,
  redirector: kindProfile.redirector.resources.limits.memory,
};
const cgroupProblem = cgroupUnavailable();

function pairs(text: string | undefined): Record<string, string> {
  if (!text) return {};
  return Object.fromEntries(text.split(',').map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]));
}

const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const wanted = (name: string) => !config.only || config.only.some((o) => name.startsWith(o));

// ---------------------------------------------------------------------------------------------
// Processes

const cleanups: Array<() => Promise<unknown> | unknown> = [];
async function cleanup(): Promise<void> {
  for (const fn of cleanups.reverse()) await Promise.resolve().then(fn).catch((e: Error) => log(`cleanup: ${e.message}`));
  cleanups.length = 0;
}
process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

async function helper(mode: 'bare' | 'fixtures'): Promise<{ child: ChildProcess; info: Record<string, number> }> {
  const child = spawn(process.execPath, [join(ROOT, 'bench/servers.mjs'), mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  cleanups.push(() => child.kill('SIGKILL'));
  const info = await new Promise<Record<string, number>>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (c: Buffer) => {
      text += c.toString();
      if (text.includes('\n')) resolve(JSON.parse(text.split('\n')[0]!) as Record<string, number>);
    });
    child.once('exit', (code) => reject(new Error(`bench/servers.mjs ${mode} exited with ${code}`)));
  });
  return { child, info };
}

/** Starts a service and measures the time from spawn to the first 200 from /health/ready. */
async function startTimed(
  name: ServiceName,
  env: Record<string, string | undefined>,
  options: { group?: MemoryGroup; port?: number } = {},
): Promise<{ svc: RunningService; readyMs: number }> {
  const started = performance.now();
  const svc = await startService(name, env, { ...(options.port ? { port: options.port } : {}), ...(options.group ? { prefix: options.group.prefix } : {}) });
  cleanups.push(() => svc.stop());
  for (;;) {
    if (svc.child.exitCode !== null) throw new Error(`${name} exited:\n${svc.lines.slice(-20).join('\n')}`);
    try {
      const res = await fetch(`${svc.url}/health/ready`);
      await res.arrayBuffer();
      if (res.status === 200) break;
    } catch {
      // not listening yet
    }
    if (performance.now() - started > 30_000) throw new Error(`${name} not ready after 30 s:\n${svc.lines.slice(-20).join('\n')}`);
    await sleep(10);
  }
  return { svc, readyMs: Math.round(performance.now() - started) };
}

/** User + system CPU time of a process so far, in milliseconds (clock ticks of 10 ms). */
function cpuMs(pid: number | undefined): number {
  if (!pid) return 0;
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return 0;
  }
}

function rssMiB(pid: number | undefined): number | null {
  if (!pid) return null;
  try {
    const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Math.round((Number(match[1]) / 1024) * 10) / 10 : null;
  } catch {
    return null;
  }
}

/** `limited`: tracing on, each service inside the kind profile's memory limit. */
type StackKind = 'off' | 'on' | 'limited';

interface Stack {
  kind: StackKind;
  tracing: 'off' | 'on';
  redirector: RunningService;
  shortener: RunningService;
  ready: { redirector: number; shortener: number };
  /** Memory cgroups of the services (absent where cgroups are unavailable). */
  groups: Partial<Record<ServiceName, MemoryGroup>>;
  /** Starts a service again in its group and port after the kernel killed it. */
  revive(name: ServiceName): Promise<void>;
}

function memoryGroup(kind: StackKind, name: ServiceName): MemoryGroup | undefined {
  if (cgroupProblem) return undefined;
  const group = createMemoryGroup(`snip-bench-${process.pid}-${kind}-${name}`, kind === 'limited' ? quantityBytes(PROFILE_LIMITS[name]) : null);
  cleanups.push(() => group.remove()); // runs after the service's own cleanup (cleanups run in reverse)
  return group;
}

async function startStack(kind: StackKind, common: Record<string, string | undefined>, sinkUrl: string): Promise<Stack> {
  const tracing = kind === 'off' ? 'off' : 'on';
  const telemetry =
    tracing === 'on'
      ? { OTEL_SDK_DISABLED: 'false', OTEL_TRACES_SAMPLER: 'always_on', OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl }
      : { OTEL_SDK_DISABLED: 'true' };
  const prof = (name: string) =>
    config.cpuProf ? { NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${join(ROOT, 'bench/profiles')} --cpu-prof-name=${name}-tracing-${tracing}-${Date.now()}.cpuprofile` } : {};
  const env = { ...common, ...telemetry, LOG_LEVEL: 'warn', GEO_PROVIDER: 'none', ...config.env, ...(tracing === 'on' ? config.envOn : {}) };
  const groups = { redirector: memoryGroup(kind, 'redirector'), shortener: memoryGroup(kind, 'shortener') };
  const envOf = (name: ServiceName, redirectorUrl: string) =>
    name === 'redirector'
      ? { ...env, ...prof('redirector') }
      : { ...env, ...prof('shortener'), REDIRECTOR_URL: redirectorUrl, SSRF_ALLOWLIST: '127.0.0.1', RATE_LIMIT_SHORTEN: '0' };
  const r = await startTimed('redirector', envOf('redirector', ''), { group: groups.redirector });
  const s = await startTimed('shortener', envOf('shortener', r.svc.url), { group: groups.shortener });
  s.svc.lines.length = 0;
  const limits = kind === 'limited' ? ` (limits: redirector ${PROFILE_LIMITS.redirector}, shortener ${PROFILE_LIMITS.shortener})` : '';
  log(`${kind === 'limited' ? 'tracing on, limited' : `tracing ${tracing}`}: redirector ready in ${r.readyMs} ms, shortener in ${s.readyMs} ms${limits}`);
  const stack: Stack = {
    kind,
    tracing,
    redirector: r.svc,
    shortener: s.svc,
    ready: { redirector: r.readyMs, shortener: s.readyMs },
    groups,
    async revive(name) {
      const old = stack[name];
      const again = await startTimed(name, envOf(name, stack.redirector.url), { group: groups[name], port: old.port });
      stack[name] = again.svc;
    },
  };
  return stack;
}

// ---------------------------------------------------------------------------------------------
// Load

type Request = { method?: string; path: string; headers?: Record<string, string>; body?: string };

interface LoadSpec {
  name: string;
  /** Processes whose CPU time per request is reported (robust where other work shares the machine). */
  services?: RunningService[];
  /** The stack under load: its memory cgroups give the peak memory and OOM kills of the scenario. */
  stack?: Stack;
  tracing: 'off' | 'on' | null;
  url: string;
  expectStatus: number;
  request?: () => Request;
  method?: string;
  body?: string;
  headers?: Record<string, string>;
  connections?: number;
  durationS?: number;
  warmupS?: number;
  during?: (elapsedS: number) => void;
}

function fire(spec: LoadSpec, durationS: number, connections: number): Promise<autocannon.Result> {
  const options: autocannon.Options = {
    url: spec.url,
    connections,
    duration: durationS,
    pipelining: 1,
    method: spec.method ?? 'GET',
    ...(spec.body ? { body: spec.body } : {}),
    ...(spec.headers ? { headers: spec.headers } : {}),
  };
  if (spec.request) {
    const next = spec.request;
    options.requests = [{ setupRequest: (req) => ({ ...req, ...next() }) as autocannon.Request }];
  }
  return new Promise((resolve, reject) => {
    const instance = autocannon(options, (error, result) => (error ? reject(error) : resolve(result)));
    if (spec.during) {
      const started = Date.now();
      const timer = setInterval(() => spec.during!((Date.now() - started) / 1000), 1000);
      instance.on('done', () => clearInterval(timer));
    }
  });
}

async function measure(spec: LoadSpec): Promise<ScenarioResult> {
  const connections = spec.connections ?? config.connections;
  const warmupS = spec.warmupS ?? config.warmupS;
  const durationS = spec.durationS ?? config.durationS;
  const limited = spec.stack?.kind === 'limited';
  log(`${spec.name} tracing ${spec.tracing ?? '-'}${limited ? ', limited' : ''}: warm-up ${warmupS} s, measure ${durationS} s, ${connections} connections`);
  const groups = Object.entries(spec.stack?.groups ?? {}) as Array<[ServiceName, MemoryGroup]>;
  const oomBefore = Object.fromEntries(groups.map(([name, g]) => [name, g.stats().oomKills]));
  const failBefore = Object.fromEntries(groups.map(([name, g]) => [name, g.stats().failcnt]));
  for (const [, g] of groups) g.resetPeak();
  if (warmupS > 0) await fire({ ...spec, during: undefined }, warmupS, connections);
  // The stack's current processes (a service killed in an earlier scenario was started again).
  const services = spec.stack ? [spec.stack.shortener, spec.stack.redirector] : (spec.services ?? []);
  const cpuBefore = services.map((svc) => cpuMs(svc.child.pid));
  const r = await fire(spec, durationS, connections);
  const cpuPerRequestUs = Object.fromEntries(
    services.map((svc, i) => [svc.name, Math.round(((cpuMs(svc.child.pid) - cpuBefore[i]!) * 1000) / Math.max(r.requests.total, 1))]),
  );
  const statuses = Object.fromEntries(
    Object.entries(r.statusCodeStats ?? {}).map(([k, v]) => [k, v.count]),
  );
  const expected = statuses[String(spec.expectStatus)] ?? 0;
  const memory = Object.fromEntries(
    groups.map(([name, g]) => {
      const now = g.stats();
      return [name, { ...now, failcnt: now.failcnt - failBefore[name]!, oomKills: now.oomKills - oomBefore[name]! }];
    }),
  );
  const result: ScenarioResult = {
    name: spec.name,
    tracing: spec.tracing,
    limited,
    ...(groups.length ? { memory } : {}),
    connections,
    durationS,
    requests: r.requests.total,
    rps: Math.round(r.requests.average),
    latencyMs: {
      p50: r.latency.p50,
      p90: r.latency.p90,
      p99: r.latency.p99,
      max: r.latency.max,
      mean: Math.round(r.latency.average * 100) / 100,
    },
    statuses,
    cpuPerRequestUs,
    unexpected: r.requests.total - expected,
    errors: r.errors,
    timeouts: r.timeouts,
  };
  log(
    `  ${result.rps} req/s, p50 ${result.latencyMs.p50} ms, p99 ${result.latencyMs.p99} ms, statuses ${JSON.stringify(statuses)}` +
      (Object.keys(cpuPerRequestUs).length ? `, CPU µs/request ${JSON.stringify(cpuPerRequestUs)}` : '') +
      (result.errors || result.timeouts ? `, ${result.errors} errors, ${result.timeouts} timeouts` : '') +
      (groups.length ? `, peak MiB ${Object.entries(memory).map(([n, m]) => `${n} ${m.peakMiB}${m.limitMiB ? `/${m.limitMiB}` : ''}${m.oomKills ? ` OOM-killed ×${m.oomKills}` : ''}`).join(', ')}` : ''),
  );
  // A service the kernel killed inside its limit is a finding of the scenario; the next one gets a fresh process.
  for (const [name] of groups) {
    const svc = spec.stack![name];
    if (svc.child.exitCode !== null || svc.child.signalCode !== null) {
      log(`  ${name} ${limited ? 'in its limit ' : ''}died (${svc.child.signalCode ?? svc.child.exitCode}); starting it again`);
      await spec.stack!.revive(name);
    }
  }
  return result;
}

/** Unloaded latency: one connection, sequential requests. */
async function probe(spec: LoadSpec): Promise<{ p50: number; p99: number }> {
  const r = await fire({ ...spec, during: undefined }, Math.max(2, Math.min(5, config.durationS)), 1);
  return { p50: r.latency.p50, p99: r.latency.p99 };
}

// ---------------------------------------------------------------------------------------------
// Data

async function withDb<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return await fn(c);
  } finally {
    await c.end();
  }
}

const missCode = (i: number) => `bm${String(i).padStart(7, '0')}`;

async function seed(databaseUrl: string): Promise<void> {
  await withDb(databaseUrl, async (c) => {
    // Links for the list (newest first by created_at) and for the visits to point at.
    await c.query(
      `INSERT INTO urls (short_code, original_url, title, created_at)
       SELECT 'bl' || lpad(g::text, 6, '0'), 'https://example.com/link/' || g, 'Link ' || g, now() - interval '1 day' + g * interval '1 second'
         FROM generate_series(0, $1 - 1) g`,
      [config.links],
    );
    // Codes that exist only in PostgreSQL (never shortened through the API, so never cached), older.
    await c.query(
      `INSERT INTO urls (short_code, original_url, created_at)
       SELECT 'bm' || lpad(g::text, 7, '0'), 'https://example.com/miss/' || g, now() - interval '30 days'
         FROM generate_series(0, $1 - 1) g`,
      [config.missCodesPerStack * 3],
    );
    await c.query('ANALYZE urls');
  });
}

/** Makes the visits table hold exactly `total` rows spread over the links, with visit_count consistent. */
async function loadVisits(databaseUrl: string, total: number): Promise<{ rows: number; sumCounts: number; loadMs: number }> {
  const started = performance.now();
  return withDb(databaseUrl, async (c) => {
    const [{ n }] = (await c.query('SELECT count(*)::bigint AS n FROM visits')).rows as [{ n: string }];
    let have = Number(n);
    const ours = (await c.query(`SELECT count(*)::bigint AS n FROM visits WHERE user_agent = 'bench-load'`)).rows[0] as { n: string };
    if (have !== Number(ours.n) || have > total) {
      await c.query('TRUNCATE visits');
      have = 0;
    }
    await c.query(
      `INSERT INTO visits (short_code, client_ip, country, city, user_agent, visited_at)
       SELECT 'bl' || lpad((g % $3)::text, 6, '0'), '203.0.113.0', 'Unknown', 'Unknown', 'bench-load',
              now() - (g % 86400) * interval '1 second'
         FROM generate_series($1, $2 - 1) g`,
      [have, total, config.links],
    );
    await c.query('UPDATE urls SET visit_count = 0 WHERE visit_count <> 0');
    await c.query(
      `UPDATE urls SET visit_count = v.n
         FROM (SELECT short_code, count(*) AS n FROM visits GROUP BY short_code) v
        WHERE urls.short_code = v.short_code`,
    );
    await c.query('VACUUM ANALYZE visits');
    await c.query('VACUUM ANALYZE urls');
    const check = (await c.query('SELECT (SELECT count(*) FROM visits)::bigint AS rows, (SELECT sum(visit_count) FROM urls)::bigint AS sum')).rows[0] as {
      rows: string;
      sum: string;
    };
    return { rows: Number(check.rows), sumCounts: Number(check.sum), loadMs: Math.round(performance.now() - started) };
  });
}

/** Waits until the redirectors have written their visit queues (the visits count stops moving). */
async function visitsSettled(databaseUrl: string): Promise<void> {
  let last = -1;
  for (let i = 0; i < 50; i++) {
    const n = await withDb(databaseUrl, async (c) => Number(((await c.query('SELECT count(*) AS n FROM visits')).rows[0] as { n: string }).n));
    if (n === last) return;
    last = n;
    await sleep(500);
  }
}

// ---------------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = Date.now();
  const loadAtStart = Math.round(loadavg()[0]! * 100) / 100;
  if (loadAtStart > cpus().length / 2) log(`warning: load average ${loadAtStart} on ${cpus().length} CPUs: other work will skew the figures`);
  if (process.env['BENCH_SKIP_BUILD'] !== '1') {
    log('building');
    execFileSync(join(ROOT, 'node_modules/.bin/nx'), ['run-many', '-t', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  }

  let adminUrl = process.env['DATABASE_URL'];
  if (!adminUrl) {
    log('DATABASE_URL unset: starting an embedded PostgreSQL');
    const pg = await startEmbeddedPostgres();
    cleanups.push(() => pg.destroy());
    adminUrl = pg.adminUrl;
  }
  let redisUrl = process.env['REDIS_URL'];
  if (!redisUrl) {
    const redis = await startRedis();
    if (redis) {
      cleanups.push(() => redis.stop());
      redisUrl = redis.url;
    } else log('REDIS_URL unset and redis-server not installed: the cache-hit scenario is served by PostgreSQL');
  }
  const databaseUrl = await createTestDatabase(adminUrl, 'bench');
  cleanups.push(() => dropTestDatabase(adminUrl, databaseUrl));
  execFileSync(process.execPath, [join(ROOT, 'libs/data/dist/migrate.js')], { env: { PATH: process.env['PATH'], DATABASE_URL: databaseUrl }, stdio: 'pipe' });
  await seed(databaseUrl);

  const bare = await helper('bare');
  const fixtures = await helper('fixtures');
  const targetUrl = `http://127.0.0.1:${fixtures.info['targetPort']}/page`;
  const sinkUrl = `http://127.0.0.1:${fixtures.info['sinkPort']}`;
  const common = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl, REDIS_KEY_PREFIX: redisPrefix('bench') };

  // Started one after the other so that each start-up is timed alone.
  const stacks: Partial<Record<StackKind, Stack>> & Record<'off' | 'on', Stack> = {
    off: await startStack('off', common, sinkUrl),
    on: await startStack('on', common, sinkUrl),
  };
  if (!config.limits) log('BENCH_LIMITS=off: no run inside the memory limits');
  else if (cgroupProblem) log(`memory limits skipped: ${cgroupProblem} (peak memory per scenario and OOM kills are not measured either)`);
  else stacks.limited = await startStack('limited', common, sinkUrl);
  const kinds = (['off', 'on', 'limited'] as const).filter((k) => stacks[k]);
  const tracingOf = (k: StackKind): 'off' | 'on' => (k === 'off' ? 'off' : 'on');

  // Hot links, created through the API like real ones (so the shortener has put them in Redis).
  const hot: string[] = [];
  for (let i = 0; i < config.hotLinks; i++) {
    const res = await fetch(`${stacks.off.shortener.url}/api/shorten`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: `https://example.com/hot/${i}` }),
    });
    const json = (await res.json()) as { short_code?: string };
    if (res.status !== 201 || !json.short_code) throw new Error(`shorten failed: ${res.status} ${JSON.stringify(json)}`);
    hot.push(json.short_code);
  }

  const both = (k: StackKind) => [stacks[k]!.shortener, stacks[k]!.redirector];
  const scenarios: ScenarioResult[] = [];
  const probes: Record<string, { p50: number; p99: number }> = {};
  const run = async (spec: LoadSpec) => {
    if (wanted(spec.name)) scenarios.push(await measure(spec));
  };

  await run({ name: 'bare-302', tracing: null, url: `http://127.0.0.1:${bare.info['port']}/abc`, expectStatus: 302 });

  const hotRequest = () => {
    let i = 0;
    return () => ({ path: `/${hot[i++ % hot.length]}` });
  };
  // Each stack has its own range of miss codes (the limited stack's codes are also read by the others' caches: none).
  const missBase: Record<StackKind, number> = { off: 0, on: config.missCodesPerStack, limited: 2 * config.missCodesPerStack };
  const missNext = { ...missBase };
  let missWrapped = 0;
  const missRequest = (kind: StackKind) => () => {
    if (missNext[kind] >= missBase[kind] + config.missCodesPerStack) {
      missNext[kind] = missBase[kind];
      missWrapped++;
    }
    return { path: `/${missCode(missNext[kind]++)}` };
  };
  const on = (kind: StackKind) => ({ tracing: tracingOf(kind), services: both(kind), stack: stacks[kind]! });

  for (const kind of kinds) {
    await run({ name: 'redirect-hit', ...on(kind), url: stacks[kind]!.shortener.url, expectStatus: 302, request: hotRequest() });
  }
  for (const kind of kinds) {
    await run({ name: 'redirect-miss', ...on(kind), url: stacks[kind]!.shortener.url, expectStatus: 302, request: missRequest(kind) });
  }
  if (missWrapped) log(`warning: the cache-miss codes ran out ${missWrapped} time(s); later requests were cache hits`);
  for (const kind of kinds) {
    await run({
      name: 'shorten',
      ...on(kind),
      url: `${stacks[kind]!.shortener.url}/api/shorten`,
      expectStatus: 201,
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: targetUrl }),
    });
  }

  const visitLoads: Array<{ visits: number; rows: number; sumCounts: number; loadMs: number }> = [];
  if (config.visits.some((v) => wanted(`list-${v}`))) {
    await visitsSettled(databaseUrl);
    for (const visits of config.visits) {
      if (!wanted(`list-${visits}`)) continue;
      const loaded = await loadVisits(databaseUrl, visits);
      log(`visits table: ${loaded.rows} rows, sum(visit_count) ${loaded.sumCounts}, loaded in ${loaded.loadMs} ms`);
      visitLoads.push({ visits, ...loaded });
      for (const kind of kinds) {
        const spec: LoadSpec = { name: `list-${visits}`, ...on(kind), url: `${stacks[kind]!.shortener.url}/api/urls`, expectStatus: 200 };
        await run(spec);
        if (wanted(spec.name) && kind !== 'limited') probes[`list-${visits}-${kind}`] = await probe(spec);
      }
    }
  }

  // RSS after running at full load: the redirect path with tracing on, sampled every second.
  const rss: BenchResult['rss'] = [];
  if (wanted('rss')) {
    const samples: Array<{ t: number; redirector: number | null; shortener: number | null }> = [];
    const stack = stacks.on;
    const sample = (t: number) =>
      samples.push({ t: Math.round(t), redirector: rssMiB(stack.redirector.child.pid), shortener: rssMiB(stack.shortener.child.pid) });
    const result = await measure({
      name: 'rss-load',
      ...on('on'),
      url: stack.shortener.url,
      expectStatus: 302,
      request: hotRequest(),
      warmupS: 0,
      durationS: config.rssS,
      during: sample,
    });
    sample(config.rssS);
    const last = samples.at(-1)!;
    for (const svc of ['redirector', 'shortener'] as const) {
      const values = samples.map((s) => s[svc] ?? 0);
      rss.push({ service: svc, tracing: 'on', afterS: config.rssS, rssMiB: last[svc], peakMiB: Math.max(...values), loadRps: result.rps });
    }
    for (const svc of ['redirector', 'shortener'] as const) {
      rss.push({ service: svc, tracing: 'off', afterS: null, rssMiB: rssMiB(stacks.off[svc].child.pid), peakMiB: null, loadRps: null });
    }
  }

  const sinkStats = (await (await fetch(`${sinkUrl}/stats`)).json()) as Record<string, number>;
  const result: BenchResult = {
    mode: config.mode,
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
    loadAverage: { atStart: loadAtStart, atEnd: Math.round(loadavg()[0]! * 100) / 100 },
    config: {
      connections: config.connections,
      warmupS: config.warmupS,
      durationS: config.durationS,
      rssS: config.rssS,
      visits: config.visits,
      env: config.env,
      envOn: config.envOn,
    },
    commit: gitCommit(),
    limits: stacks.limited ? { profile: 'kind', ...PROFILE_LIMITS } : null,
    limitsSkipped: stacks.limited ? null : config.limits ? cgroupProblem : 'BENCH_LIMITS=off',
    scenarios,
    probes,
    visitLoads,
    rss,
    ready: (['off', 'on'] as const).flatMap((t) => [
      { service: 'redirector' as const, tracing: t, ms: stacks[t].ready.redirector },
      { service: 'shortener' as const, tracing: t, ms: stacks[t].ready.shortener },
    ]),
    otlpSink: sinkStats,
    targets: [],
    elapsedS: 0,
  };
  result.targets = evaluateTargets(result);
  result.elapsedS = Math.round((Date.now() - started) / 1000);

  // Harness health: every scenario answered with its expected status and without errors. A service
  // killed inside its limit is a measured outcome (reported as an OOM kill), not a harness failure.
  const killed = (s: ScenarioResult) => Object.values(s.memory ?? {}).some((m) => m.oomKills > 0);
  const broken = scenarios.filter((s) => !killed(s) && (s.requests === 0 || s.unexpected > 0 || s.errors > 0 || s.timeouts > 0));
  for (const svc of kinds.flatMap((k) => both(k))) {
    const errors = svc.lines.filter((l) => /"level":"(error|fatal)"/.test(l));
    if (errors.length) log(`${svc.name}: ${errors.length} error lines, first: ${errors[0]}`);
  }

  await cleanup();
  mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
  const label = process.env['BENCH_LABEL'];
  const file = join(ROOT, `bench/results/${label ? `${config.mode}-${label.replace(/[^\w.-]/g, '_')}` : config.mode}.json`);
  writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
  const table = renderMarkdown(result);
  process.stdout.write(`${table}\n`);
  // Only a complete, unmodified full run replaces the published table.
  const experiment = label || config.only || Object.keys(config.env).length || Object.keys(config.envOn).length || config.cpuProf;
  if (config.mode === 'full' && !experiment) writePerformanceDoc(table);
  log(`results in ${file}; ${result.elapsedS} s in all`);
  if (broken.length) {
    log(`harness failure: ${broken.map((s) => `${s.name}/${s.tracing}`).join(', ')} answered unexpected statuses or errors`);
    process.exitCode = 1;
  }
  if (process.argv.includes('--strict') && result.targets.some((t) => !t.pass)) process.exitCode = 1;
}

function gitCommit(): string | null {
  try {
    return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT, encoding: 'utf8' }).trim();
  } catch {
    return null;
  }
}

const START = '<!-- bench:results:start -->';
const END = '<!-- bench:results:end -->';

/** Replaces the generated block of docs/performance.md, keeping the rest of the page. */
function writePerformanceDoc(table: string): void {
  const path = join(ROOT, 'docs/performance.md');
  let doc: string;
  try {
    doc = readFileSync(path, 'utf8');
  } catch {
    doc = `# Performance\n\n${START}\n${END}\n`;
  }
  const block = `${START}\n${table}\n${END}`;
  const a = doc.indexOf(START);
  const b = doc.indexOf(END);
  doc = a >= 0 && b > a ? doc.slice(0, a) + block + doc.slice(b + END.length) : `${doc.trimEnd()}\n\n${block}\n`;
  writeFileSync(path, doc);
  log(`table written to ${path}`);
}

main().catch(async (error: Error) => {
  log(`failed: ${error.stack ?? error.message}`);
  await cleanup();
  process.exit(1);
});

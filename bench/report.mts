// The benchmark's result shape, the targets as pass/fail ratios, and the Markdown table.
import type { MemoryGroupStats } from './cgroup.mts';

export interface ScenarioResult {
  name: string;
  tracing: 'off' | 'on' | null;
  /** Run inside the profile's memory limits (tracing on). */
  limited?: boolean;
  /** Per service, from its memory cgroup over warm-up and measurement (limit hits and OOM kills counted in this scenario only). */
  memory?: Record<string, MemoryGroupStats>;
  connections: number;
  durationS: number;
  requests: number;
  rps: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number; mean: number };
  statuses: Record<string, number>;
  /** CPU time (user + system) each service spent per answered request during the measurement. */
  cpuPerRequestUs: Record<string, number>;
  /** Responses with another status than the scenario's expected one. */
  unexpected: number;
  errors: number;
  timeouts: number;
}

export interface Target {
  id: string;
  what: string;
  measured: string;
  limit: string;
  pass: boolean;
}

export interface BenchResult {
  mode: string;
  date: string;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string };
  /** One-minute load average when the run started and ended: other work on the machine skews the figures. */
  loadAverage: { atStart: number; atEnd: number };
  config: {
    connections: number;
    warmupS: number;
    durationS: number;
    rssS: number;
    visits: number[];
    env: Record<string, string>;
    envOn: Record<string, string>;
  };
  commit: string | null;
  /** Memory limits of the limited stack and the profile they come from; null when it did not run. */
  limits?: { profile: string; shortener: string; redirector: string } | null;
  /** Why there is no limited stack (no writable cgroup, BENCH_LIMITS=off). */
  limitsSkipped?: string | null;
  scenarios: ScenarioResult[];
  /** One connection, sequential requests: latency without queueing. */
  probes: Record<string, { p50: number; p99: number }>;
  visitLoads: Array<{ visits: number; rows: number; sumCounts: number; loadMs: number }>;
  rss: Array<{ service: string; tracing: 'off' | 'on'; afterS: number | null; rssMiB: number | null; peakMiB: number | null; loadRps: number | null }>;
  ready: Array<{ service: 'redirector' | 'shortener'; tracing: 'off' | 'on'; ms: number }>;
  otlpSink: Record<string, number>;
  targets: Target[];
  elapsedS: number;
}

const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
const times = (x: number) => `${x.toFixed(2)}×`;

function find(r: BenchResult, name: string, tracing: 'off' | 'on' | null, limited = false): ScenarioResult | undefined {
  return r.scenarios.find((s) => s.name === name && s.tracing === tracing && Boolean(s.limited) === limited);
}

const peaks = (s: ScenarioResult) =>
  s.memory ? `${s.memory['shortener']?.peakMiB ?? '–'} + ${s.memory['redirector']?.peakMiB ?? '–'}` : '–';
const oomKills = (s: ScenarioResult) => Object.values(s.memory ?? {}).reduce((n, m) => n + m.oomKills, 0);

/** The performance targets. A target whose scenarios were not run is left out. */
export function evaluateTargets(r: BenchResult): Target[] {
  const targets: Target[] = [];
  const bare = find(r, 'bare-302', null);
  const hitOn = find(r, 'redirect-hit', 'on');
  const hitOff = find(r, 'redirect-hit', 'off');
  if (bare && hitOn) {
    const ratio = hitOn.rps / bare.rps;
    targets.push({
      id: 'hit-throughput',
      what: 'redirect (cache hit, tracing on) throughput vs bare 302',
      measured: `${hitOn.rps} / ${bare.rps} req/s = ${pct(ratio)}`,
      limit: '≥ 8 %',
      pass: ratio >= 0.08,
    });
    const p99 = hitOn.latencyMs.p99 / Math.max(bare.latencyMs.p99, 0.001);
    targets.push({
      id: 'hit-p99',
      what: 'redirect (cache hit, tracing on) p99 vs bare 302 p99',
      measured: `${hitOn.latencyMs.p99} / ${bare.latencyMs.p99} ms = ${times(p99)}`,
      limit: '≤ 10×',
      pass: p99 <= 10,
    });
  }
  if (hitOn && hitOff) {
    const ratio = hitOn.rps / hitOff.rps;
    targets.push({
      id: 'tracing-overhead',
      what: 'redirect (cache hit) throughput, tracing on vs off',
      measured: `${hitOn.rps} / ${hitOff.rps} req/s = ${pct(ratio)}`,
      limit: '≥ 80 %',
      pass: ratio >= 0.8,
    });
  }
  const sizes = [...new Set(r.scenarios.filter((s) => s.name.startsWith('list-')).map((s) => Number(s.name.slice(5))))].sort((a, b) => a - b);
  if (sizes.length) {
    const smallest = sizes[0]!;
    const largest = sizes.at(-1)!;
    for (const tracing of ['off', 'on'] as const) {
      const big = find(r, `list-${largest}`, tracing);
      if (!big) continue;
      targets.push({
        id: `list-p50-${tracing}`,
        what: `GET /api/urls p50 at ${largest.toLocaleString('en')} visits, tracing ${tracing}, ${big.connections} connections`,
        measured: `${big.latencyMs.p50} ms (1 connection: ${r.probes[`list-${largest}-${tracing}`]?.p50 ?? '–'} ms)`,
        limit: '< 10 ms',
        pass: big.latencyMs.p50 < 10,
      });
      const small = find(r, `list-${smallest}`, tracing);
      if (small && largest > smallest) {
        // Latencies are whole milliseconds at low values: allow one millisecond of rounding.
        const growth = big.latencyMs.p50 / Math.max(small.latencyMs.p50, 0.001);
        targets.push({
          id: `list-growth-${tracing}`,
          what: `GET /api/urls p50 growth ${smallest.toLocaleString('en')} → ${largest.toLocaleString('en')} visits, tracing ${tracing}`,
          measured: `${small.latencyMs.p50} → ${big.latencyMs.p50} ms (${times(growth)})`,
          limit: '≤ 1.25× or ≤ +1 ms',
          pass: growth <= 1.25 || big.latencyMs.p50 - small.latencyMs.p50 <= 1,
        });
      }
    }
  }
  for (const m of r.rss.filter((x) => x.afterS !== null)) {
    targets.push({
      id: `rss-${m.service}`,
      what: `${m.service} RSS after ${m.afterS} s at full load (tracing on, ${m.loadRps} req/s)`,
      measured: `${m.rssMiB} MiB (peak ${m.peakMiB} MiB)`,
      limit: '< 200 MiB',
      pass: m.rssMiB !== null && m.rssMiB < 200,
    });
  }
  for (const limited of r.scenarios.filter((s) => s.limited && s.name !== 'rss-load')) {
    const free = find(r, limited.name, 'on');
    if (!free) continue;
    const ratio = limited.rps / Math.max(free.rps, 1);
    const kills = oomKills(limited);
    targets.push({
      id: `limited-${limited.name}`,
      what: `${label(limited.name)}, tracing on, inside ${r.limits ? `shortener ${r.limits.shortener} / redirector ${r.limits.redirector}` : 'the limits'} vs unlimited`,
      measured: `${limited.rps} / ${free.rps} req/s = ${pct(ratio)}; peak ${peaks(limited)} MiB; ${kills} OOM kills`,
      limit: '≥ 90 %, no OOM kill',
      pass: ratio >= 0.9 && kills === 0,
    });
  }
  for (const x of r.ready) {
    targets.push({
      id: `ready-${x.service}-${x.tracing}`,
      what: `${x.service} ready (tracing ${x.tracing}), from spawn to 200 on /health/ready`,
      measured: `${x.ms} ms`,
      limit: '< 3000 ms',
      pass: x.ms < 3000,
    });
  }
  return targets;
}

const LABELS: Record<string, string> = {
  'bare-302': 'bare `node:http` 302 (ceiling)',
  'redirect-hit': 'redirect `GET /:code`, cache hit',
  'redirect-miss': 'redirect `GET /:code`, cache miss (PostgreSQL)',
  shorten: '`POST /api/shorten` (local target page)',
  'rss-load': 'redirect, cache hit, sustained (RSS run)',
};

function label(name: string): string {
  if (name.startsWith('list-')) return `\`GET /api/urls\`, ${Number(name.slice(5)).toLocaleString('en')} visits`;
  return LABELS[name] ?? name;
}

export function renderMarkdown(r: BenchResult): string {
  const out: string[] = [];
  out.push(
    `Run of ${r.date.slice(0, 16).replace('T', ' ')} UTC, mode \`${r.mode}\`, commit \`${r.commit ?? '?'}\`: ` +
      `${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memoryGiB} GiB, Node ${r.machine.node}; ` +
      `load average ${r.loadAverage.atStart} at start, ${r.loadAverage.atEnd} at end; ` +
      `autocannon in the same machine, ${r.config.connections} connections, ${r.config.warmupS} s warm-up then ${r.config.durationS} s measured per scenario. ` +
      `Raw figures: \`bench/results/${r.mode}.json\`.`,
  );
  out.push('');
  if (r.limits) {
    out.push(
      `Rows marked *limited* ran traced with each service in a memory cgroup at the ${r.limits.profile} profile's limits ` +
        `(shortener ${r.limits.shortener}, redirector ${r.limits.redirector}); peak memory is the cgroup's charged memory over warm-up and measurement.`,
    );
    out.push('');
  } else if (r.limitsSkipped) {
    out.push(`No run inside the memory limits: ${r.limitsSkipped}.`);
    out.push('');
  }
  out.push('| scenario | tracing | req/s | p50 ms | p90 ms | p99 ms | max ms | vs bare req/s | on vs off | CPU µs/req shortener + redirector | peak MiB shortener + redirector |');
  out.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  const bare = find(r, 'bare-302', null);
  for (const s of r.scenarios.filter((x) => x.name !== 'rss-load')) {
    const off = s.tracing === 'on' ? find(r, s.name, 'off') : undefined;
    const kills = oomKills(s);
    const flags =
      (s.unexpected || s.errors || s.timeouts ? ` ⚠ ${s.unexpected} unexpected, ${s.errors} errors` : '') + (kills ? ` ⚠ ${kills} OOM kill(s)` : '');
    out.push(
      `| ${label(s.name)}${flags} | ${s.tracing ?? '–'}${s.limited ? ', *limited*' : ''} | ${s.rps} | ${s.latencyMs.p50} | ${s.latencyMs.p90} | ${s.latencyMs.p99} | ${s.latencyMs.max} | ` +
        `${bare && s !== bare ? pct(s.rps / bare.rps) : '–'} | ${off ? pct(s.rps / off.rps) : '–'} | ` +
        `${s.cpuPerRequestUs && Object.keys(s.cpuPerRequestUs).length ? `${s.cpuPerRequestUs['shortener'] ?? '–'} + ${s.cpuPerRequestUs['redirector'] ?? '–'}` : '–'} | ${peaks(s)} |`,
    );
  }
  if (Object.keys(r.probes).length) {
    out.push('');
    out.push('Unloaded latency (1 connection): ' + Object.entries(r.probes).map(([k, v]) => `${k} p50 ${v.p50} ms / p99 ${v.p99} ms`).join('; ') + '.');
  }
  out.push('');
  out.push('| target | measured | limit | result |');
  out.push('|---|---|---|---|');
  for (const t of r.targets) out.push(`| ${t.what} | ${t.measured} | ${t.limit} | ${t.pass ? 'pass' : '**FAIL**'} |`);
  const idle = r.rss.filter((x) => x.afterS === null);
  if (idle.length) {
    out.push('');
    out.push(`RSS of the tracing-off services at the end of the run: ${idle.map((x) => `${x.service} ${x.rssMiB} MiB`).join(', ')}.`);
  }
  return out.join('\n');
}

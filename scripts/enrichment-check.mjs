#!/usr/bin/env node
// Checks that Snip's spans in Jaeger carry the Kubernetes resource attributes the Collector adds.
// Optionally drives a few requests through Snip first, then reads the traces back from Jaeger's
// HTTP API (/api/services, /api/traces), prints the resource attributes each service's spans
// carry, and exits 1 when a required attribute is missing (2 on usage or connection errors).
//
//   npm run enrichment:check -- --jaeger http://localhost:16686 [--snip http://localhost:8080]
//                               [--services shortener,redirector] [--attempts 10] [--interval 3]

import { parseArgs } from 'node:util';

const REQUIRED = ['service.name', 'k8s.pod.name', 'k8s.namespace.name', 'k8s.deployment.name', 'k8s.node.name'];
const REPORTED_PREFIXES = ['service.', 'k8s.', 'host.', 'cloud.', 'deployment.'];

function usage(message) {
  if (message) console.error(`error: ${message}`);
  console.error(
    'usage: enrichment-check --jaeger URL [--snip URL] [--services a,b] [--target-url URL] [--attempts N] [--interval SECONDS] [--json]',
  );
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      jaeger: { type: 'string' },
      snip: { type: 'string' },
      services: { type: 'string', default: 'shortener,redirector' },
      'target-url': { type: 'string', default: 'https://example.com/' },
      requests: { type: 'string', default: '3' },
      attempts: { type: 'string', default: '10' },
      interval: { type: 'string', default: '3' },
      lookback: { type: 'string', default: '1h' },
      json: { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values;
} catch (err) {
  usage(err.message);
}
if (args.help) usage();
if (!args.jaeger) usage('--jaeger is required');

const jaeger = args.jaeger.replace(/\/+$/, '');
const services = args.services.split(',').map((s) => s.trim()).filter(Boolean);
const attempts = Math.max(1, Number(args.attempts));
const intervalMs = Math.max(0, Number(args.interval) * 1000);
// With --json only the report goes to stdout; progress lines go to stderr.
const info = (...m) => (args.json ? console.error(...m) : console.log(...m));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function getJson(url) {
  const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return res.json();
}

/** Sends a few shorten + redirect requests through Snip so fresh traces exist. */
async function driveTraffic(base) {
  base = base.replace(/\/+$/, '');
  for (let i = 0; i < Number(args.requests); i++) {
    const res = await fetch(`${base}/api/shorten`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: `${args['target-url']}?enrichment-check=${Date.now()}-${i}` }),
      signal: AbortSignal.timeout(15_000),
    });
    if (res.status !== 201) throw new Error(`POST ${base}/api/shorten: HTTP ${res.status}`);
    const { short_code: code } = await res.json();
    const redirect = await fetch(`${base}/${encodeURIComponent(code)}`, {
      redirect: 'manual',
      signal: AbortSignal.timeout(15_000),
    });
    info(`sent: shorten -> ${code}, redirect -> HTTP ${redirect.status}`);
  }
}

/** Resource attributes (Jaeger process tags plus service.name) of every span of a service. */
async function spanResources(service) {
  const url = `${jaeger}/api/traces?service=${encodeURIComponent(service)}&limit=20&lookback=${encodeURIComponent(args.lookback)}`;
  const body = await getJson(url);
  const resources = [];
  for (const trace of body.data ?? []) {
    for (const span of trace.spans ?? []) {
      const proc = trace.processes?.[span.processID];
      if (!proc || proc.serviceName !== service) continue;
      const attrs = { 'service.name': proc.serviceName };
      for (const tag of proc.tags ?? []) attrs[tag.key] = String(tag.value);
      resources.push(attrs);
    }
  }
  return resources;
}

function summarise(service, resources) {
  const keys = new Set(resources.flatMap((r) => Object.keys(r)));
  const attributes = {};
  for (const key of [...keys].sort()) {
    if (!REPORTED_PREFIXES.some((p) => key.startsWith(p))) continue;
    const values = new Set(resources.map((r) => r[key]).filter((v) => v !== undefined));
    attributes[key] = { spans: resources.filter((r) => r[key] !== undefined && r[key] !== '').length, values: [...values].slice(0, 3) };
  }
  const missing = REQUIRED.filter((k) => (attributes[k]?.spans ?? 0) < resources.length || resources.length === 0);
  return { service, spans: resources.length, attributes, missing };
}

async function main() {
  if (args.snip) await driveTraffic(args.snip);

  let known = [];
  let results = [];
  for (let attempt = 1; attempt <= attempts; attempt++) {
    known = (await getJson(`${jaeger}/api/services`)).data ?? [];
    results = [];
    for (const service of services) {
      results.push(summarise(service, known.includes(service) ? await spanResources(service) : []));
    }
    if (results.every((r) => r.spans > 0)) break;
    if (attempt < attempts) await sleep(intervalMs);
  }

  if (args.json) console.log(JSON.stringify({ services: results }, null, 2));
  else {
    for (const r of results) {
      console.log(`\n${r.service}: ${r.spans} span(s)`);
      if (r.spans === 0) {
        console.log(`  no spans found (Jaeger knows: ${known.join(', ') || 'no services'})`);
        continue;
      }
      for (const [key, { spans, values }] of Object.entries(r.attributes)) {
        const mark = REQUIRED.includes(key) ? (spans === r.spans ? 'ok ' : 'MISSING') : '   ';
        console.log(`  ${mark.padEnd(7)} ${key.padEnd(28)} ${String(spans).padStart(4)}/${r.spans}  ${values.join(', ')}`);
      }
      for (const key of REQUIRED.filter((k) => !(k in r.attributes))) console.log(`  MISSING ${key}`);
    }
  }

  const failed = results.filter((r) => r.missing.length > 0);
  if (failed.length > 0) {
    console.error(
      `\nenrichment incomplete: ${failed.map((r) => `${r.service} lacks ${r.missing.join(', ')}`).join('; ')}` +
        '\n(see docs/deploy.md, "Spans are not enriched")',
    );
    process.exit(1);
  }
  info(`\nenrichment ok: ${services.join(', ')} carry ${REQUIRED.join(', ')}`);
}

main().catch((err) => {
  console.error(`error: ${err.message}`);
  process.exit(2);
});

#!/usr/bin/env node
/* global process, console, fetch, AbortSignal, setTimeout */
// Proves that the OpenTelemetry Collector enriched Snip's telemetry, not just that the spans carry
// Kubernetes names: the apps already set service.name and, through OTEL_RESOURCE_ATTRIBUTES and the
// downward API, k8s.pod.name/uid/ip, k8s.namespace.name, k8s.node.name and more, which k8s_attributes
// never overwrites.
//
// For each service and signal it reports three lists:
//   - set by the app: service.name plus the keys of the app container's OTEL_RESOURCE_ATTRIBUTES, read
//     from the live Deployment (`kubectl -n NS get deployment INSTANCE-SERVICE -o json`), or the
//     documented list when kubectl is unavailable (the report says so);
//   - added by the Collector: derived from collector/collector.yaml (the traces pipeline's
//     k8s_attributes metadata and pod labels, resource_detection's detectors; the env detector adds
//     the keys of the Collector's own OTEL_RESOURCE_ATTRIBUTES, read from the live Collector
//     workload), minus what the app sets itself;
//   - missing: expected keys absent from some or all of the service's spans.
// With kubectl it also checks that each span's k8s.pod.name is a live pod of the service's
// Deployment (`kubectl get pods -l app.kubernetes.io/name=SERVICE,app.kubernetes.io/instance=INSTANCE`),
// that k8s.deployment.name (and .uid) is that Deployment and that k8s.replicaset.name is owned by it.
//
// Traces are read from Jaeger's HTTP API (/api/services, /api/traces). The Jaeger profile stores only
// traces, so metrics and logs are reported as not checked; the report is per signal so that another
// source (a log store, say) can be added to SIGNALS below.
//
// Exit codes: 0 enriched; 1 a Collector attribute is missing, a service has no spans, a span's pod
// is not a live pod of its Deployment, or kubectl is unavailable to check that (unless
// --skip-pod-check); 2 usage or connection error (one line on stderr).
//
//   npm run enrichment:check -- --jaeger http://localhost:16686 [--snip http://localhost:8080]
//     [--namespace snip] [--instance snip] [--services shortener,redirector]
//     [--collector-config collector/collector.yaml [--collector-config collector/overlays/agent.yaml]]
//     [--requests 3] [--attempts 10] [--interval 3] [--lookback 1h] [--skip-pod-check] [--json]

import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * What the app containers set themselves (OTEL_SERVICE_NAME, and OTEL_RESOURCE_ATTRIBUTES in
 * infra/cdk8s/src/constructs/app-service.ts): used only when kubectl cannot read the live Deployment.
 */
const DOCUMENTED_APP_SET = [
  'service.name',
  'k8s.pod.uid',
  'k8s.pod.name',
  'k8s.namespace.name',
  'k8s.node.name',
  'k8s.pod.ip',
  'k8s.container.name',
  'service.namespace',
  'deployment.environment.name',
];
/** Keys of the Collector's own OTEL_RESOURCE_ATTRIBUTES (constructs/collector.ts), when kubectl cannot read it. */
const DOCUMENTED_COLLECTOR_ENV = ['k8s.cluster.name'];
/** k8s_attributes' extract.metadata when the config does not list it (the processor's defaults). */
const K8S_ATTRIBUTES_DEFAULT_METADATA = [
  'k8s.namespace.name',
  'k8s.pod.name',
  'k8s.pod.uid',
  'k8s.pod.start_time',
  'k8s.deployment.name',
  'k8s.node.name',
];
/** resource_detection detectors whose attributes are known here (env is read from the Collector's env). */
const DETECTOR_ATTRIBUTES = { k8s_api: ['k8s.node.name', 'k8s.node.uid'], k8snode: ['k8s.node.name', 'k8s.node.uid'] };

const USAGE =
  'usage: enrichment-check --jaeger URL [--snip URL] [--namespace NS] [--instance NAME] [--services a,b] ' +
  '[--collector-config FILE]... [--target-url URL] [--requests N] [--attempts N] [--interval SECONDS] [--lookback 1h] [--skip-pod-check] [--json]';

/** Exit 2 with one line: usage and connection errors. */
function fatal(message) {
  console.error(`error: ${String(message).replace(/\s*\n\s*/g, ' ')}`);
  process.exit(2);
}

let args;
try {
  args = parseArgs({
    options: {
      jaeger: { type: 'string' },
      snip: { type: 'string' },
      namespace: { type: 'string', short: 'n', default: 'snip' },
      instance: { type: 'string', default: 'snip' },
      services: { type: 'string', default: 'shortener,redirector' },
      'collector-config': { type: 'string', multiple: true },
      'target-url': { type: 'string', default: 'https://example.com/' },
      requests: { type: 'string', default: '3' },
      attempts: { type: 'string', default: '10' },
      interval: { type: 'string', default: '3' },
      lookback: { type: 'string', default: '1h' },
      json: { type: 'boolean', default: false },
      'skip-pod-check': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  }).values;
} catch (err) {
  fatal(`${err.message} (${USAGE})`);
}
if (args.help) {
  console.log(USAGE);
  process.exit(0);
}
if (!args.jaeger) fatal(`--jaeger is required (${USAGE})`);
const count = (name, min) => {
  const n = Number(args[name]);
  if (!Number.isFinite(n) || n < min) fatal(`--${name} must be a number >= ${min}, got "${args[name]}"`);
  return n;
};
const jaeger = args.jaeger.replace(/\/+$/, '');
const services = args.services.split(',').map((s) => s.trim()).filter(Boolean);
if (services.length === 0) fatal('--services is empty');
const attempts = Math.floor(count('attempts', 1));
const intervalMs = count('interval', 0) * 1000;
const requests = Math.floor(count('requests', 0));
const { namespace, instance } = args;
// The default is the repository's; files given on the command line are relative to the working directory.
const configFiles = args['collector-config']?.map((f) => resolve(f)) ?? [resolve(ROOT, 'collector/collector.yaml')];
// With --json only the report goes to stdout; progress lines go to stderr.
const info = (...m) => (args.json ? console.error(...m) : console.log(...m));
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const deploymentName = (service) => `${instance}-${service}`;
const oneLine = (err) => {
  const cause = err?.cause ? `: ${err.cause.message ?? err.cause.code ?? err.cause}` : '';
  return `${err?.message ?? err}${cause}`.replace(/\s*\n\s*/g, ' ');
};

// ---------------------------------------------------------------------------------------------
// kubectl: the live Deployments, pods and ReplicaSets. Unavailable (not installed, no cluster,
// forbidden) is remembered after the first failure and reported; NotFound is an answer.

const kube = { available: true, reason: '' };

function kubectl(argv) {
  if (!kube.available) return Promise.resolve({ unavailable: true });
  return new Promise((done) => {
    execFile('kubectl', ['-n', namespace, ...argv], { timeout: 20_000, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) {
        // kubectl's last line is its summary ("The connection to the server ... was refused ...");
        // the lines before it are client-go log noise.
        const lines = String(stderr ?? '').trim().split('\n').filter(Boolean);
        const last = lines.at(-1) ?? '';
        if (/\(NotFound\)/.test(last)) return done({ notFound: true, message: last });
        kube.available = false;
        kube.reason = err.code === 'ENOENT' ? 'kubectl is not on PATH' : last || oneLine(err);
        return done({ unavailable: true });
      }
      try {
        done({ json: JSON.parse(stdout) });
      } catch {
        kube.available = false;
        kube.reason = `kubectl ${argv.join(' ')} did not print JSON`;
        done({ unavailable: true });
      }
    });
  });
}

/** Keys of an OTEL_RESOURCE_ATTRIBUTES value (`k=v,k=v`, values may be unexpanded `$(VAR)`). */
function resourceAttributeKeys(value) {
  return value
    .split(',')
    .map((pair) => pair.split('=')[0].trim())
    .filter(Boolean)
    .map((k) => {
      try {
        return decodeURIComponent(k);
      } catch {
        return k;
      }
    });
}

/** OTEL_RESOURCE_ATTRIBUTES of a workload's containers: `{ value }`, `{ absent }` or `{ unreadable }` (valueFrom). */
function resourceAttributesEnv(workload, containerName) {
  const containers = workload?.spec?.template?.spec?.containers ?? [];
  const ordered = [...containers.filter((c) => c.name === containerName), ...containers.filter((c) => c.name !== containerName)];
  for (const c of ordered) {
    const e = (c.env ?? []).find((v) => v.name === 'OTEL_RESOURCE_ATTRIBUTES');
    if (e) return typeof e.value === 'string' ? { value: e.value, container: c.name } : { unreadable: true, container: c.name };
  }
  return { absent: true };
}

/** The app's own resource attributes, from its live Deployment (or the documented list). */
async function appSetAttributes(service) {
  const name = deploymentName(service);
  const r = await kubectl(['get', 'deployment', name, '-o', 'json']);
  if (r.unavailable) return { keys: DOCUMENTED_APP_SET, source: 'documented list (kubectl unavailable)', deployment: null };
  if (r.notFound)
    return { keys: DOCUMENTED_APP_SET, source: 'documented list (Deployment not found)', deployment: null, notFound: r.message };
  const env = resourceAttributesEnv(r.json, service);
  if (env.unreadable)
    return { keys: DOCUMENTED_APP_SET, source: `documented list (OTEL_RESOURCE_ATTRIBUTES of ${name} is not a plain value)`, deployment: r.json };
  const keys = ['service.name', ...(env.value ? resourceAttributeKeys(env.value) : [])];
  return {
    keys: [...new Set(keys)],
    source: env.absent ? `live Deployment ${namespace}/${name} (no OTEL_RESOURCE_ATTRIBUTES)` : `live Deployment ${namespace}/${name}`,
    deployment: r.json,
  };
}

/** Keys the Collector's env detector adds: its own OTEL_RESOURCE_ATTRIBUTES, from the live workload. */
async function collectorEnvKeys() {
  const selector = `app.kubernetes.io/name=collector,app.kubernetes.io/instance=${instance}`;
  const r = await kubectl(['get', 'deployments,daemonsets', '-l', selector, '-o', 'json']);
  if (r.unavailable) return { keys: DOCUMENTED_COLLECTOR_ENV, source: 'documented (kubectl unavailable)' };
  const workload = (r.json?.items ?? [])[0];
  if (!workload) return { keys: DOCUMENTED_COLLECTOR_ENV, source: `documented (no Collector workload with ${selector})` };
  const where = `live ${workload.kind} ${namespace}/${workload.metadata?.name}`;
  const env = resourceAttributesEnv(workload, 'otel-collector');
  if (env.unreadable) return { keys: DOCUMENTED_COLLECTOR_ENV, source: `documented (OTEL_RESOURCE_ATTRIBUTES of ${where} is not a plain value)` };
  if (env.absent) return { keys: [], source: `${where} (no OTEL_RESOURCE_ATTRIBUTES)` };
  return { keys: resourceAttributeKeys(env.value), source: where };
}

// ---------------------------------------------------------------------------------------------
// The Collector configuration: which resource attributes its traces pipeline adds.

/** The Collector's merge of several --config files: maps merge deeply, lists and scalars are replaced. */
function merge(a, b) {
  if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
    const out = { ...a };
    for (const [k, v] of Object.entries(b)) out[k] = merge(a[k], v);
    return out;
  }
  return b === undefined ? a : b;
}

async function loadCollectorConfig() {
  const { parse } = await import('yaml');
  let config = {};
  for (const file of configFiles) config = merge(config, parse(readFileSync(file, 'utf8')) ?? {});
  return config;
}

/** `[{ key, from }]` the traces pipeline adds, and notes on what is not checked. */
function collectorAdditions(config, envKeys) {
  const added = [];
  const notes = [];
  const add = (key, from) => {
    if (!added.some((a) => a.key === key)) added.push({ key, from });
  };
  const processors = config?.service?.pipelines?.traces?.processors ?? [];
  if (processors.length === 0) notes.push('the traces pipeline has no processors: the Collector adds nothing');
  for (const name of processors) {
    const type = name.split('/')[0];
    const cfg = config.processors?.[name] ?? {};
    if (type === 'k8s_attributes' || type === 'k8sattributes') {
      for (const key of cfg.extract?.metadata ?? K8S_ATTRIBUTES_DEFAULT_METADATA) add(key, name);
      for (const kind of ['labels', 'annotations']) {
        for (const rule of cfg.extract?.[kind] ?? []) {
          const from = rule.from ?? 'pod';
          if (from !== 'pod' || rule.key_regex || !rule.key) {
            notes.push(`${name}: ${kind} rule ${JSON.stringify(rule)} is not checked`);
            continue;
          }
          add(rule.tag_name ?? `k8s.pod.${kind}.${rule.key}`, `${name} (pod ${kind.slice(0, -1)} ${rule.key})`);
        }
      }
    } else if (type === 'resource_detection' || type === 'resourcedetection') {
      for (const detector of cfg.detectors ?? []) {
        if (detector === 'env') for (const key of envKeys.keys) add(key, `${name} env (Collector's OTEL_RESOURCE_ATTRIBUTES)`);
        else if (DETECTOR_ATTRIBUTES[detector]) for (const key of DETECTOR_ATTRIBUTES[detector]) add(key, `${name} ${detector}`);
        else notes.push(`${name}: attributes of the ${detector} detector are not checked`);
      }
    }
  }
  return { added, notes };
}

// ---------------------------------------------------------------------------------------------
// Signals: where each signal's resources are read from.

async function getJson(url) {
  let res;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (err) {
    throw new Error(`cannot reach ${url}: ${oneLine(err)}`, { cause: err });
  }
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  try {
    return await res.json();
  } catch {
    throw new Error(`GET ${url}: the answer is not JSON`);
  }
}

/** Resource attributes (Jaeger process tags plus service.name) of every span of a service, one map per span. */
async function jaegerResources(service, window) {
  const range = window.startMicros ? `start=${window.startMicros}` : `lookback=${encodeURIComponent(args.lookback)}`;
  const body = await getJson(`${jaeger}/api/traces?service=${encodeURIComponent(service)}&limit=20&${range}`);
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

/**
 * One entry per signal. `read(service, window)` returns the resource attributes of each item (span,
 * log record, data point) of the service; a signal without a source says why. To check logs from a
 * log store later, give the logs entry a `read`.
 */
const SIGNALS = [
  { signal: 'traces', unit: 'span', source: `Jaeger ${jaeger}`, read: jaegerResources },
  {
    signal: 'metrics',
    notChecked: 'the Jaeger profile stores only traces (the Collector sends metrics to its debug exporter)',
  },
  {
    signal: 'logs',
    notChecked: 'the Jaeger profile stores only traces (the Collector sends logs to its debug exporter)',
  },
];

// ---------------------------------------------------------------------------------------------
// Checks.

/** The three lists (plus the rest) for one service's items of one signal. */
function classify(resources, appKeys, collectorKeys) {
  const n = resources.length;
  const keys = new Set([...resources.flatMap((r) => Object.keys(r)), ...appKeys, ...collectorKeys]);
  const attributes = {};
  const lists = { appSet: [], collectorAdded: [], missing: [], other: [] };
  for (const key of [...keys].sort()) {
    const origin = appKeys.includes(key) ? 'app' : collectorKeys.includes(key) ? 'collector' : 'other';
    const withKey = resources.filter((r) => r[key] !== undefined && r[key] !== '');
    const values = [...new Set(withKey.map((r) => r[key]))];
    attributes[key] = { origin, items: withKey.length, values: values.slice(0, 5) };
    if (origin === 'other') lists.other.push(key);
    else if (n > 0 && withKey.length === n) lists[origin === 'app' ? 'appSet' : 'collectorAdded'].push(key);
    else lists.missing.push(key);
  }
  return { ...lists, attributes };
}

/** `value -> number of items` for one attribute. */
function tally(resources, key) {
  const counts = new Map();
  for (const r of resources) counts.set(r[key] ?? '', (counts.get(r[key] ?? '') ?? 0) + 1);
  return counts;
}

const plural = (n, word) => `${n} ${word}${n === 1 ? '' : 's'}`;

/** Live pods, Deployment and ReplicaSet ownership behind the items' k8s.* attributes. */
async function checkPods(service, resources, deployment, unit) {
  const name = deploymentName(service);
  const selector = `app.kubernetes.io/name=${service},app.kubernetes.io/instance=${instance}`;
  const problems = [];
  const r = await kubectl(['get', 'pods', '-l', selector, '-o', 'json']);
  if (r.unavailable) return { checked: false, reason: `kubectl unavailable: ${kube.reason}`, problems };
  const items = r.json?.items ?? [];
  const live = new Map(
    items.filter((p) => p.status?.phase === 'Running' && !p.metadata?.deletionTimestamp).map((p) => [p.metadata.name, p]),
  );
  const liveList = [...live.keys()].join(', ') || 'none';
  const pods = [];
  for (const [pod, n] of tally(resources, 'k8s.pod.name')) {
    if (pod === '') {
      problems.push(`${plural(n, unit)} carry no k8s.pod.name: their pod cannot be verified`);
      continue;
    }
    const p = live.get(pod);
    const rsOwner = p?.metadata?.ownerReferences?.find((o) => o.kind === 'ReplicaSet')?.name ?? null;
    pods.push({ name: pod, items: n, live: Boolean(p), replicaSet: rsOwner });
    if (!p) {
      const known = items.find((x) => x.metadata?.name === pod);
      const state = known ? ` (${known.metadata?.deletionTimestamp ? 'terminating' : known.status?.phase ?? 'unknown phase'})` : '';
      problems.push(`k8s.pod.name ${pod}${state} on ${plural(n, unit)} is not a live pod of Deployment ${name} (live pods: ${liveList})`);
      continue;
    }
    for (const res of resources.filter((x) => x['k8s.pod.name'] === pod)) {
      if (res['k8s.pod.uid'] && res['k8s.pod.uid'] !== p.metadata.uid) {
        problems.push(`k8s.pod.uid ${res['k8s.pod.uid']} on ${unit}s of pod ${pod} is not that pod's UID (${p.metadata.uid})`);
        break;
      }
    }
    for (const [rs, m] of tally(resources.filter((x) => x['k8s.pod.name'] === pod), 'k8s.replicaset.name')) {
      if (rs !== '' && rsOwner && rs !== rsOwner)
        problems.push(`${plural(m, unit)} of pod ${pod} name ReplicaSet ${rs}, but the pod belongs to ${rsOwner}`);
    }
  }
  for (const [d, n] of tally(resources, 'k8s.deployment.name')) {
    if (d !== '' && d !== name) problems.push(`k8s.deployment.name ${d} on ${plural(n, unit)} is not the Deployment ${name}`);
  }
  const uid = deployment?.metadata?.uid;
  for (const [u, n] of tally(resources, 'k8s.deployment.uid')) {
    if (u !== '' && uid && u !== uid) problems.push(`k8s.deployment.uid ${u} on ${plural(n, unit)} is not the UID of Deployment ${name} (${uid})`);
  }
  const replicaSets = [];
  for (const [rs, n] of tally(resources, 'k8s.replicaset.name')) {
    if (rs === '') continue;
    const got = await kubectl(['get', 'replicaset', rs, '-o', 'json']);
    if (got.unavailable) break;
    if (got.notFound) {
      problems.push(`k8s.replicaset.name ${rs} on ${plural(n, unit)}: no such ReplicaSet in namespace ${namespace}`);
      continue;
    }
    const owner = got.json?.metadata?.ownerReferences?.find((o) => o.kind === 'Deployment');
    replicaSets.push({ name: rs, items: n, deployment: owner?.name ?? null });
    if (owner?.name !== name || (uid && owner?.uid && owner.uid !== uid))
      problems.push(`ReplicaSet ${rs} (k8s.replicaset.name on ${plural(n, unit)}) is owned by ${owner ? `Deployment ${owner.name}` : 'no Deployment'}, not ${name}`);
  }
  return { checked: true, livePods: [...live.keys()], pods, replicaSets, problems };
}

async function driveTraffic(base) {
  base = base.replace(/\/+$/, '');
  for (let i = 0; i < requests; i++) {
    let res;
    try {
      res = await fetch(`${base}/api/shorten`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url: `${args['target-url']}?enrichment-check=${Date.now()}-${i}` }),
        signal: AbortSignal.timeout(15_000),
      });
    } catch (err) {
      throw new Error(`cannot reach Snip at ${base}: ${oneLine(err)}`, { cause: err });
    }
    if (res.status !== 201) throw new Error(`POST ${base}/api/shorten: HTTP ${res.status}`);
    const { short_code: code } = await res.json();
    const redirect = await fetch(`${base}/${encodeURIComponent(code)}`, { redirect: 'manual', signal: AbortSignal.timeout(15_000) });
    info(`sent: shorten -> ${code}, redirect -> HTTP ${redirect.status}`);
  }
}

// ---------------------------------------------------------------------------------------------

async function main() {
  const window = {};
  if (args.snip) {
    // Only the traces of this run's traffic (30 s of clock skew allowed): older spans may come from
    // pods a rollout has since replaced.
    window.startMicros = (Date.now() - 30_000) * 1000;
    await driveTraffic(args.snip);
  }

  let collectorConfig;
  try {
    collectorConfig = await loadCollectorConfig();
  } catch (err) {
    fatal(`cannot read the Collector configuration ${configFiles.join(', ')}: ${oneLine(err)}`);
  }

  // Jaeger first: an unreachable Jaeger is a connection error whatever kubectl says.
  const signalData = {};
  let known = [];
  for (let attempt = 1; attempt <= attempts; attempt++) {
    known = (await getJson(`${jaeger}/api/services`)).data ?? [];
    for (const { signal, read } of SIGNALS) {
      if (!read) continue;
      signalData[signal] = {};
      for (const service of services) signalData[signal][service] = known.includes(service) ? await read(service, window) : [];
    }
    if (services.every((s) => (signalData.traces?.[s]?.length ?? 0) > 0)) break;
    if (attempt < attempts) {
      info(`waiting for spans of ${services.filter((s) => !signalData.traces?.[s]?.length).join(', ')} (attempt ${attempt}/${attempts})`);
      await sleep(intervalMs);
    }
  }

  const envKeys = await collectorEnvKeys();
  const { added, notes } = collectorAdditions(collectorConfig, envKeys);

  const report = {
    ok: true,
    jaeger,
    namespace,
    instance,
    kubectl: { available: true, note: '' },
    collector: {
      config: configFiles.map((f) => relative(process.cwd(), f) || f),
      // Everything the traces pipeline sets when the item does not carry it yet; per service,
      // collectorAdded is this minus what the app sets itself.
      sets: added,
      env: envKeys,
      notes,
    },
    services: [],
    problems: [],
  };

  for (const service of services) {
    const app = await appSetAttributes(service);
    const collectorKeys = added.map((a) => a.key).filter((k) => !app.keys.includes(k));
    const entry = {
      service,
      deployment: deploymentName(service),
      appSetSource: app.source,
      expected: { appSet: app.keys, collectorAdded: collectorKeys },
      signals: {},
      problems: [],
      warnings: [],
    };
    if (app.notFound) entry.problems.push(`Deployment ${namespace}/${deploymentName(service)} not found (check --namespace and --instance)`);
    for (const { signal, unit, source, read, notChecked } of SIGNALS) {
      if (!read) {
        entry.signals[signal] = { checked: false, reason: notChecked };
        continue;
      }
      const resources = signalData[signal][service] ?? [];
      const lists = classify(resources, app.keys, collectorKeys);
      const result = { checked: true, source, unit, items: resources.length, ...lists, pods: null, problems: [] };
      if (resources.length === 0) {
        result.problems.push(`no ${signal} in ${source} (it knows: ${known.join(', ') || 'no services'})`);
      } else {
        const missingCollector = lists.missing.filter((k) => lists.attributes[k].origin === 'collector');
        const missingApp = lists.missing.filter((k) => lists.attributes[k].origin === 'app');
        if (missingCollector.length > 0) result.problems.push(`missing Collector attributes ${missingCollector.join(', ')}`);
        if (missingApp.length > 0) entry.warnings.push(`${signal}: attributes the app sets are missing: ${missingApp.join(', ')}`);
        if (!app.notFound) {
          result.pods = await checkPods(service, resources, app.deployment, unit);
          result.problems.push(...result.pods.problems);
        }
      }
      entry.signals[signal] = result;
      entry.problems.push(...result.problems.map((p) => `${signal}: ${p}`));
    }
    report.services.push(entry);
    report.problems.push(...entry.problems.map((p) => `${service} ${p}`));
  }

  report.kubectl = kube.available
    ? { available: true, note: `read the live Deployments, pods and ReplicaSets in namespace ${namespace}` }
    : {
        available: false,
        note: `kubectl unavailable (${kube.reason}): app-set attributes are the documented list; pods, Deployments and ReplicaSets were NOT verified`,
      };
  // Attributes alone cannot show that spans name the right pods: without kubectl the check is partial.
  if (!kube.available && !args['skip-pod-check']) {
    report.problems.push(`cannot verify that spans name live pods: kubectl unavailable (${kube.reason}); pass --skip-pod-check to check attributes only`);
  }
  report.ok = report.problems.length === 0;

  if (args.json) console.log(JSON.stringify(report, null, 2));
  else printReport(report);

  const verdict = report.ok
    ? `\nenrichment ok: ${services.join(', ')} carry every Collector attribute${kube.available ? ', from live pods of their Deployments' : ' (live pods not verified: kubectl unavailable)'}`
    : `\nenrichment FAILED:\n${report.problems.map((p) => `  ${p}`).join('\n')}\n(see docs/deploy.md, "Spans are not enriched")`;
  info(verdict);
  process.exit(report.ok ? 0 : 1);
}

function printReport(report) {
  const shown = (values) => values.map((v) => (v.length > 48 ? `${v.slice(0, 45)}...` : v)).join(', ');
  console.log(`Enrichment check: ${report.jaeger}, namespace ${report.namespace}, instance ${report.instance}`);
  console.log(`Collector config: ${report.collector.config.join(' + ')} (traces pipeline)`);
  console.log(`  sets, unless the app already has: ${report.collector.sets.map((a) => a.key).join(', ') || 'nothing'}`);
  console.log(`  env detector keys from: ${report.collector.env.source}`);
  for (const note of report.collector.notes) console.log(`  note: ${note}`);
  console.log(report.kubectl.available ? `kubectl: ${report.kubectl.note}` : `WARNING: ${report.kubectl.note}`);

  for (const s of report.services) {
    console.log(`\n${s.service} (Deployment ${s.deployment}; app attributes from ${s.appSetSource})`);
    for (const [signal, r] of Object.entries(s.signals)) {
      if (!r.checked) {
        console.log(`  ${signal}: not checked: ${r.reason}`);
        continue;
      }
      console.log(`  ${signal} (${r.source}): ${plural(r.items, r.unit)}`);
      const line = (mark, key, note = '') => {
        const a = r.attributes[key];
        console.log(`      ${mark.padEnd(7)} ${key.padEnd(28)} ${String(a.items).padStart(4)}/${r.items}  ${note}${shown(a.values)}`.trimEnd());
      };
      const heading = (title, keys) => console.log(`    ${title} (${keys.length})${keys.length ? ':' : ': none'}`);
      heading('set by the app', r.appSet);
      for (const key of r.appSet) line('ok', key);
      heading('added by the Collector', r.collectorAdded);
      for (const key of r.collectorAdded) line('ok', key);
      heading('missing', r.missing);
      for (const key of r.missing) line('MISSING', key, `(from the ${r.attributes[key].origin === 'app' ? 'app' : 'Collector'}) `);
      if (r.other.length) console.log(`    other attributes (not checked): ${r.other.join(', ')}`);
      if (r.pods?.checked) {
        const pods = r.pods.pods.map((p) => `${p.name} (${p.live ? `live, ReplicaSet ${p.replicaSet ?? '?'}` : 'NOT LIVE'}, ${plural(p.items, r.unit)})`);
        console.log(`    pods on ${r.unit}s: ${pods.join('; ') || 'none'}`);
        if (r.pods.replicaSets.length) console.log(`    ReplicaSets: ${r.pods.replicaSets.map((x) => `${x.name} -> ${x.deployment ?? 'no Deployment'}`).join('; ')}`);
      } else if (r.pods) console.log(`    pods on ${r.unit}s: not verified (${r.pods.reason})`);
      for (const p of r.problems) console.log(`    PROBLEM: ${p}`);
    }
    for (const w of s.warnings) console.log(`  warning: ${w}`);
  }
}

main().catch((err) => fatal(oneLine(err)));

// `npm run enrichment:check` run as a user runs it: the real script as a child process against a
// stand-in Jaeger query API (and Snip routes) on 127.0.0.1 and a stand-in kubectl first on PATH that
// answers from a cluster snapshot (tests/deploy/enrichment-fixtures).
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const SCRIPT = join(ROOT, 'scripts/enrichment-check.mjs');
const FIXTURES = join(ROOT, 'tests/deploy/enrichment-fixtures');
const CLUSTER = join(FIXTURES, 'cluster.json');

/** What the apps set (service.name + the keys of their OTEL_RESOURCE_ATTRIBUTES), sorted as reported. */
const APP_SET = [
  'deployment.environment.name',
  'k8s.container.name',
  'k8s.namespace.name',
  'k8s.node.name',
  'k8s.pod.ip',
  'k8s.pod.name',
  'k8s.pod.uid',
  'service.name',
  'service.namespace',
];
/** What collector/collector.yaml adds on top (k8s_attributes, its pod labels, the env detector). */
const COLLECTOR_ADDED = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/part-of',
  'k8s.cluster.name',
  'k8s.deployment.name',
  'k8s.deployment.uid',
  'k8s.pod.start_time',
  'k8s.replicaset.name',
];

// ---- the cluster snapshot the stand-in kubectl serves --------------------------------------------

type K8sItem = {
  kind: string;
  metadata: { name: string; uid: string; labels?: Record<string, string>; ownerReferences?: Array<{ kind: string; name: string }> };
  status?: { podIP?: string; startTime?: string };
};
const cluster = (JSON.parse(readFileSync(CLUSTER, 'utf8')) as { items: K8sItem[] }).items;

interface PodInfo {
  name: string;
  uid: string;
  ip: string;
  service: string;
  replicaSet: string;
  startTime: string;
}

function livePod(name: string): PodInfo {
  const p = cluster.find((o) => o.kind === 'Pod' && o.metadata.name === name);
  if (!p) throw new Error(`pod ${name} is not in ${CLUSTER}`);
  return {
    name,
    uid: p.metadata.uid,
    ip: p.status!.podIP!,
    service: p.metadata.labels!['app.kubernetes.io/name']!,
    replicaSet: p.metadata.ownerReferences!.find((o) => o.kind === 'ReplicaSet')!.name,
    startTime: p.status!.startTime!,
  };
}
const deploymentUid = (name: string) => cluster.find((o) => o.kind === 'Deployment' && o.metadata.name === name)!.metadata.uid;

const SHORTENER_A = livePod('snip-shortener-5d8f7c9b4-x2x9z');
const SHORTENER_B = livePod('snip-shortener-5d8f7c9b4-m8k4p');
const REDIRECTOR_A = livePod('snip-redirector-7f9c6d5b8-h6t2v');
const REDIRECTOR_B = livePod('snip-redirector-7f9c6d5b8-r9w5d');
/** A pod of the ReplicaSet the last rollout scaled to 0: gone from the cluster, still in Jaeger. */
const GONE: PodInfo = {
  name: 'snip-shortener-6c4b8d7f5-q7w2k',
  uid: '41c7e9a3-5d2f-4b8e-a6c0-9e1f3b5d7a60',
  ip: '10.244.0.11',
  service: 'shortener',
  replicaSet: 'snip-shortener-6c4b8d7f5',
  startTime: '2026-05-04T09:12:30Z',
};

// ---- Jaeger 2.x query API answers ------------------------------------------------------------------

type Tag = { key: string; type: string; value: string | number | boolean };
const str = (key: string, value: string): Tag => ({ key, type: 'string', value });

/**
 * Process tags as Jaeger 2.x reports a span's resource (service.name becomes serviceName): what the
 * app sets, what the Node SDK detects and, when `enriched`, what the Collector adds.
 */
function processTags(pod: PodInfo, enriched: boolean, container = pod.service): Tag[] {
  const tags: Tag[] = [
    str('k8s.pod.uid', pod.uid),
    str('k8s.pod.name', pod.name),
    str('k8s.namespace.name', 'snip'),
    str('k8s.node.name', 'snip-control-plane'),
    str('k8s.pod.ip', pod.ip),
    str('k8s.container.name', container),
    str('service.namespace', 'snip'),
    str('deployment.environment.name', 'kind'),
    { key: 'process.pid', type: 'int64', value: 1 },
    str('process.runtime.name', 'nodejs'),
    str('process.runtime.version', '24.21.0'),
    str('os.type', 'linux'),
    str('telemetry.sdk.language', 'nodejs'),
    str('telemetry.sdk.name', 'opentelemetry'),
    str('telemetry.sdk.version', '3.1.1'),
  ];
  if (enriched) {
    const deployment = `snip-${pod.service}`;
    tags.push(
      str('k8s.pod.start_time', pod.startTime),
      str('k8s.replicaset.name', pod.replicaSet),
      str('k8s.deployment.name', deployment),
      str('k8s.deployment.uid', deploymentUid(deployment)),
      str('app.kubernetes.io/name', pod.service),
      str('app.kubernetes.io/part-of', 'snip'),
      str('k8s.cluster.name', 'snip'),
    );
  }
  return tags;
}

interface Hop {
  /** The service name the span is reported under (OTEL_SERVICE_NAME). */
  service: string;
  pod: PodInfo;
  enriched: boolean;
}

/** A redirect trace as GET /api/traces returns it: the shortener's server span, then the redirector's. */
function trace(n: number, hops: Hop[]) {
  const traceID = `a1b2c3d4e5f60718293a4b5c6d7e8f${String(n).padStart(2, '0')}`;
  const spanID = (i: number) => `${String(n).padStart(2, '0')}${String(i).repeat(14)}`;
  return {
    traceID,
    spans: hops.map((_hop, i) => ({
      traceID,
      spanID: spanID(i + 1),
      operationName: i === 0 ? 'GET /:code' : 'GET /resolve/:code',
      references: i === 0 ? [] : [{ refType: 'CHILD_OF', traceID, spanID: spanID(i) }],
      startTime: 1777886000000000 + n * 1000 + i * 100,
      duration: 4200 - i * 1500,
      tags: [str('span.kind', 'server'), { key: 'http.response.status_code', type: 'int64', value: i === 0 ? 302 : 200 }],
      logs: [],
      processID: `p${i + 1}`,
      warnings: null,
    })),
    processes: Object.fromEntries(
      hops.map((hop, i) => [`p${i + 1}`, { serviceName: hop.service, tags: processTags(hop.pod, hop.enriched, hop.service) }]),
    ),
    warnings: null,
  };
}

const redirects = (enriched: boolean) => [
  trace(1, [
    { service: 'shortener', pod: SHORTENER_A, enriched },
    { service: 'redirector', pod: REDIRECTOR_A, enriched },
  ]),
  trace(2, [
    { service: 'shortener', pod: SHORTENER_B, enriched },
    { service: 'redirector', pod: REDIRECTOR_B, enriched },
  ]),
];

/** Jaeger contents per scenario; the scenario is the URL prefix given as --jaeger. */
const SCENARIOS: Record<string, Array<ReturnType<typeof trace>>> = {
  enriched: redirects(true),
  // No Collector in the path (or one without k8s_attributes): only what the apps set themselves.
  bare: redirects(false),
  // An old pod's spans, a "redirector" whose spans come from a shortener pod, and a span of a live
  // pod whose UID and ReplicaSet are another pod's (a wrong pod association).
  stale: [
    trace(1, [
      { service: 'shortener', pod: GONE, enriched: true },
      { service: 'redirector', pod: REDIRECTOR_A, enriched: true },
    ]),
    trace(2, [
      { service: 'shortener', pod: SHORTENER_B, enriched: true },
      { service: 'redirector', pod: SHORTENER_A, enriched: true },
    ]),
    trace(3, [{ service: 'shortener', pod: { ...SHORTENER_B, uid: GONE.uid, replicaSet: GONE.replicaSet }, enriched: true }]),
  ],
};

function standIn() {
  const seen: string[] = [];
  /** `late` answers with no services the first time, as Jaeger does before the first batch lands. */
  let lateCalls = 0;
  const json = (res: ServerResponse, status: number, body: unknown) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push(`${req.method} ${req.url}`);
    const url = new URL(req.url ?? '/', 'http://x');
    const [, prefix, ...rest] = url.pathname.split('/');
    const path = `/${rest.join('/')}`;
    if (prefix === 'snip') {
      if (path === '/api/shorten' && req.method === 'POST')
        return json(res, 201, { short_code: 'Ab3_x-9Z', short_url: 'http://localhost:8080/Ab3_x-9Z', original_url: 'https://example.com/' });
      if (path === '/Ab3_x-9Z') return res.writeHead(302, { location: 'https://example.com/' }).end();
      return json(res, 404, { message: 'Not Found' });
    }
    if (prefix === 'broken') return json(res, 503, { data: null, errors: [{ code: 503, msg: 'storage unavailable' }] });
    const traces = SCENARIOS[prefix === 'late' ? 'enriched' : prefix!];
    if (!traces) return json(res, 404, { error: 'no such scenario' });
    if (path === '/api/services') {
      const data = prefix === 'late' && lateCalls++ === 0 ? [] : ['jaeger', 'redirector', 'shortener'];
      return json(res, 200, { data, total: data.length, limit: 0, offset: 0, errors: null });
    }
    if (path === '/api/traces') {
      const service = url.searchParams.get('service');
      const data = traces.filter((t) => Object.values(t.processes).some((p) => p.serviceName === service));
      return json(res, 200, { data, total: data.length, limit: 0, offset: 0, errors: null });
    }
    json(res, 404, { data: null, errors: [{ code: 404, msg: '404 page not found' }] });
  });
  return { server, seen };
}

async function listen(s: ReturnType<typeof createServer>): Promise<string> {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

// ---- running the check ---------------------------------------------------------------------------

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  /** Arguments of each stand-in kubectl call. */
  kubectl: string[];
}

let work = '';
let runs = 0;

/** Runs the script; `kubectl`: the stand-in first on PATH, none on PATH, or one without a reachable cluster. */
function check(args: string[], kubectl: 'standin' | 'missing' | 'down' = 'standin'): Promise<Run> {
  const log = join(work, `kubectl-${++runs}.log`);
  const nodeDir = dirname(process.execPath);
  const env = {
    // `missing`: PATH holds only a scratch folder, so neither the stand-in nor a real kubectl is found.
    PATH: kubectl === 'missing' ? work : `${join(FIXTURES, 'bin')}:${nodeDir}`,
    ENRICHMENT_KUBECTL_CLUSTER: CLUSTER,
    ENRICHMENT_KUBECTL_LOG: log,
    ...(kubectl === 'down' ? { ENRICHMENT_KUBECTL_DOWN: '1' } : {}),
  };
  return new Promise((resolve) => {
    execFile(process.execPath, [SCRIPT, ...args], { cwd: ROOT, env }, (err, stdout, stderr) => {
      let calls: string[] = [];
      try {
        calls = readFileSync(log, 'utf8').trim().split('\n').filter(Boolean);
      } catch {
        // kubectl was never run
      }
      const code = err ? Number((err as { code?: number }).code ?? 1) : 0;
      resolve({ code, stdout, stderr, kubectl: calls });
    });
  });
}

/** The keys listed under a heading (e.g. "set by the app") in a service's traces block of the text report. */
function listed(stdout: string, service: string, heading: string): string[] {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`${service} (`));
  expect(start, `a block for ${service} in:\n${stdout}`).toBeGreaterThanOrEqual(0);
  const at = lines.findIndex((l, i) => i > start && l.startsWith(`    ${heading} (`));
  expect(at, `"${heading}" under ${service} in:\n${stdout}`).toBeGreaterThan(start);
  const keys: string[] = [];
  for (const line of lines.slice(at + 1)) {
    const m = /^ {6}(?:ok|MISSING)\s+(\S+)/.exec(line);
    if (!m) break;
    keys.push(m[1]!);
  }
  return keys;
}

interface Report {
  ok: boolean;
  kubectl: { available: boolean; note: string };
  collector: { sets: Array<{ key: string; from: string }>; env: { keys: string[]; source: string }; notes: string[] };
  services: Array<{
    service: string;
    deployment: string;
    appSetSource: string;
    signals: Record<
      string,
      {
        checked: boolean;
        reason?: string;
        unit: string;
        items: number;
        appSet: string[];
        collectorAdded: string[];
        missing: string[];
        other: string[];
        pods: { checked: boolean; livePods?: string[]; pods?: Array<{ name: string; live: boolean }> } | null;
        problems: string[];
      }
    >;
  }>;
  problems: string[];
}

const report = (r: Run) => JSON.parse(r.stdout) as Report;
const traces = (rep: Report, service: string) => rep.services.find((s) => s.service === service)!.signals['traces']!;

// ---- tests -----------------------------------------------------------------------------------------

describe('enrichment check against Jaeger and kubectl stand-ins', () => {
  const jaeger = standIn();
  let base = '';
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'enrichment-check-'));
    base = await listen(jaeger.server);
  });
  afterAll(async () => {
    await new Promise((r) => jaeger.server.close(r));
    rmSync(work, { recursive: true, force: true });
  });

  it('passes on enriched spans and separates what the app set from what the Collector added', async () => {
    const r = await check(['--jaeger', `${base}/enriched`, '--attempts', '1']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    for (const service of ['shortener', 'redirector']) {
      expect(listed(r.stdout, service, 'set by the app')).toEqual(APP_SET);
      expect(listed(r.stdout, service, 'added by the Collector')).toEqual(COLLECTOR_ADDED);
    }
    expect(r.stdout).toMatch(/^shortener \(Deployment snip-shortener; app attributes from live Deployment snip\/snip-shortener\)$/m);
    expect(r.stdout).toMatch(/missing \(0\): none/);
    expect(r.stdout).toContain('snip-shortener-5d8f7c9b4-x2x9z (live, ReplicaSet snip-shortener-5d8f7c9b4, 1 span)');
    expect(r.stdout).toMatch(/metrics: not checked: the Jaeger profile stores only traces/);
    expect(r.stdout).toMatch(/logs: not checked: the Jaeger profile stores only traces/);
    expect(r.stdout).toMatch(/enrichment ok: shortener, redirector carry every Collector attribute, from live pods of their Deployments/);
    // The app's env comes from the live Deployment, pods through the service's own selector.
    expect(r.kubectl).toContain('-n snip get deployment snip-shortener -o json');
    expect(r.kubectl).toContain('-n snip get pods -l app.kubernetes.io/name=redirector,app.kubernetes.io/instance=snip -o json');
    expect(r.kubectl).toContain('-n snip get replicaset snip-redirector-7f9c6d5b8 -o json');
    expect(jaeger.seen).toContain('GET /enriched/api/services');
    expect(jaeger.seen.some((s) => s.startsWith('GET /enriched/api/traces?service=redirector&limit=20&lookback=1h'))).toBe(true);
  });

  it('--json gives the same lists per service and signal', async () => {
    const r = await check(['--jaeger', `${base}/enriched`, '--attempts', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    const rep = report(r);
    expect(rep.ok).toBe(true);
    expect(rep.kubectl.available).toBe(true);
    // The pipeline would also set the pod identity, but the app sets it first (k8s_attributes never overwrites).
    expect(rep.collector.sets.map((a) => a.key).sort()).toEqual(
      [...COLLECTOR_ADDED, 'k8s.namespace.name', 'k8s.node.name', 'k8s.pod.name', 'k8s.pod.uid'].sort(),
    );
    expect(rep.collector.env).toEqual({ keys: ['k8s.cluster.name'], source: 'live Deployment snip/snip-collector' });
    for (const service of ['shortener', 'redirector']) {
      const svc = rep.services.find((s) => s.service === service)!;
      expect(svc.deployment).toBe(`snip-${service}`);
      expect(svc.appSetSource).toBe(`live Deployment snip/snip-${service}`);
      const t = svc.signals['traces']!;
      expect(t).toMatchObject({ checked: true, unit: 'span', items: 2, appSet: APP_SET, collectorAdded: COLLECTOR_ADDED, missing: [], problems: [] });
      expect(t.other).toEqual(expect.arrayContaining(['os.type', 'process.pid', 'telemetry.sdk.language']));
      expect(t.pods?.pods?.map((p) => p.live)).toEqual([true, true]);
      for (const signal of ['metrics', 'logs'])
        expect(svc.signals[signal]).toEqual({ checked: false, reason: expect.stringContaining('the Jaeger profile stores only traces') });
    }
  });

  it('exits 1 and names the Collector attributes when spans carry only what the apps set', async () => {
    const r = await check(['--jaeger', `${base}/bare`, '--attempts', '1']);
    expect(r.code).toBe(1);
    expect(listed(r.stdout, 'shortener', 'set by the app')).toEqual(APP_SET);
    expect(listed(r.stdout, 'shortener', 'added by the Collector')).toEqual([]);
    expect(listed(r.stdout, 'shortener', 'missing')).toEqual(COLLECTOR_ADDED);
    expect(r.stdout).toMatch(/MISSING +k8s\.deployment\.name +0\/2 +\(from the Collector\)/);
    expect(r.stdout).toContain('enrichment FAILED');
    for (const service of ['shortener', 'redirector'])
      expect(r.stdout).toContain(`${service} traces: missing Collector attributes ${COLLECTOR_ADDED.join(', ')}`);

    const j = report(await check(['--jaeger', `${base}/bare`, '--attempts', '1', '--json']));
    expect(j.ok).toBe(false);
    expect(traces(j, 'redirector')).toMatchObject({ appSet: APP_SET, collectorAdded: [], missing: COLLECTOR_ADDED });
  });

  it('exits 1 when a span names a pod that is gone or belongs to another Deployment', async () => {
    const r = await check(['--jaeger', `${base}/stale`, '--attempts', '1']);
    expect(r.code).toBe(1);
    // Every attribute is there: only the cluster shows the problem.
    expect(r.stdout).not.toMatch(/MISSING/);
    expect(r.stdout).toContain(
      'shortener traces: k8s.pod.name snip-shortener-6c4b8d7f5-q7w2k on 1 span is not a live pod of Deployment snip-shortener ' +
        '(live pods: snip-shortener-5d8f7c9b4-x2x9z, snip-shortener-5d8f7c9b4-m8k4p)',
    );
    expect(r.stdout).toContain('redirector traces: k8s.pod.name snip-shortener-5d8f7c9b4-x2x9z on 1 span is not a live pod of Deployment snip-redirector');
    expect(r.stdout).toContain('redirector traces: k8s.deployment.name snip-shortener on 1 span is not the Deployment snip-redirector');
    expect(r.stdout).toContain(
      'redirector traces: ReplicaSet snip-shortener-5d8f7c9b4 (k8s.replicaset.name on 1 span) is owned by Deployment snip-shortener, not snip-redirector',
    );
    expect(r.stdout).toContain(
      `shortener traces: k8s.pod.uid ${GONE.uid} on spans of pod snip-shortener-5d8f7c9b4-m8k4p is not that pod's UID (${SHORTENER_B.uid})`,
    );
    expect(r.stdout).toContain(
      'shortener traces: 1 span of pod snip-shortener-5d8f7c9b4-m8k4p name ReplicaSet snip-shortener-6c4b8d7f5, but the pod belongs to snip-shortener-5d8f7c9b4',
    );
    // The live pods themselves pass.
    expect(r.stdout).not.toMatch(/snip-shortener-5d8f7c9b4-m8k4p on/);
    expect(r.stdout).not.toMatch(/snip-redirector-7f9c6d5b8-h6t2v on/);

    const j = report(await check(['--jaeger', `${base}/stale`, '--attempts', '1', '--json']));
    expect(traces(j, 'shortener').pods?.pods).toEqual([
      expect.objectContaining({ name: 'snip-shortener-6c4b8d7f5-q7w2k', live: false }),
      expect.objectContaining({ name: 'snip-shortener-5d8f7c9b4-m8k4p', live: true }),
    ]);
  });

  it('fails when kubectl is not installed (pods unverifiable), and checks attributes only with --skip-pod-check', async () => {
    const strict = await check(['--jaeger', `${base}/enriched`, '--attempts', '1'], 'missing');
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain(
      'cannot verify that spans name live pods: kubectl unavailable (kubectl is not on PATH); pass --skip-pod-check to check attributes only',
    );
    const r = await check(['--jaeger', `${base}/enriched`, '--attempts', '1', '--skip-pod-check'], 'missing');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.kubectl).toEqual([]);
    expect(r.stdout).toContain(
      'WARNING: kubectl unavailable (kubectl is not on PATH): app-set attributes are the documented list; pods, Deployments and ReplicaSets were NOT verified',
    );
    expect(r.stdout).toMatch(/^shortener \(Deployment snip-shortener; app attributes from documented list \(kubectl unavailable\)\)$/m);
    expect(listed(r.stdout, 'shortener', 'set by the app')).toEqual(APP_SET);
    expect(listed(r.stdout, 'shortener', 'added by the Collector')).toEqual(COLLECTOR_ADDED);
    expect(r.stdout).toContain('pods on spans: not verified (kubectl unavailable: kubectl is not on PATH)');
    expect(r.stdout).toContain('enrichment ok: shortener, redirector carry every Collector attribute (live pods not verified: kubectl unavailable)');

    // Missing Collector attributes still fail without kubectl.
    const bare = await check(['--jaeger', `${base}/bare`, '--attempts', '1', '--json'], 'missing');
    expect(bare.code).toBe(1);
    const j = report(bare);
    expect(j.kubectl.available).toBe(false);
    expect(j.collector.env.source).toBe('documented (kubectl unavailable)');
    expect(traces(j, 'shortener').missing).toEqual(COLLECTOR_ADDED);
  });

  it('says so when kubectl cannot reach a cluster', async () => {
    expect((await check(['--jaeger', `${base}/enriched`, '--attempts', '1'], 'down')).code).toBe(1);
    const r = await check(['--jaeger', `${base}/enriched`, '--attempts', '1', '--skip-pod-check'], 'down');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(
      'WARNING: kubectl unavailable (The connection to the server 127.0.0.1:6443 was refused - did you specify the right host or port?)',
    );
    expect(r.stdout).toContain('(live pods not verified: kubectl unavailable)');
  });

  it('--namespace and --instance name the Deployments it reads', async () => {
    const r = await check(['--jaeger', `${base}/enriched`, '--attempts', '1', '--namespace', 'shop', '--instance', 'demo']);
    expect(r.code).toBe(1);
    expect(r.kubectl).toContain('-n shop get deployment demo-shortener -o json');
    expect(r.stdout).toContain('shortener Deployment shop/demo-shortener not found (check --namespace and --instance)');
  });

  it('follows the Collector configuration it is given (agent overlay: the k8s_api detector adds k8s.node.uid)', async () => {
    const r = await check([
      '--jaeger', `${base}/enriched`, '--attempts', '1', '--json',
      '--collector-config', 'collector/collector.yaml', '--collector-config', 'collector/overlays/agent.yaml',
    ]);
    expect(r.code).toBe(1);
    const j = report(r);
    expect(j.collector.sets.map((a) => a.key)).toContain('k8s.node.uid');
    expect(j.collector.notes).toContain('resource_detection: attributes of the system detector are not checked');
    expect(traces(j, 'shortener').missing).toEqual(['k8s.node.uid']);
    // k8s.node.name is also a k8s_api attribute, but the app sets it first.
    expect(traces(j, 'shortener').appSet).toContain('k8s.node.name');
  });

  it('drives shorten and redirect requests through Snip and reads only the traces since', async () => {
    const r = await check(['--jaeger', `${base}/enriched`, '--snip', `${base}/snip`, '--requests', '2', '--attempts', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(jaeger.seen.filter((s) => s === 'POST /snip/api/shorten')).toHaveLength(2);
    expect(jaeger.seen.filter((s) => s === 'GET /snip/Ab3_x-9Z')).toHaveLength(2);
    expect(r.stderr).toContain('sent: shorten -> Ab3_x-9Z, redirect -> HTTP 302');
    // stdout is the JSON report alone.
    expect(report(r).services.map((s) => s.service)).toEqual(['shortener', 'redirector']);
    expect(jaeger.seen.some((s) => /^GET \/enriched\/api\/traces\?service=shortener&limit=20&start=\d{16}$/.test(s))).toBe(true);
  });

  it('retries until Jaeger has the services (--attempts, --interval)', async () => {
    const r = await check(['--jaeger', `${base}/late`, '--attempts', '3', '--interval', '0']);
    expect(r.code, r.stdout).toBe(0);
    expect(r.stdout).toContain('waiting for spans of shortener, redirector (attempt 1/3)');
    expect(jaeger.seen.filter((s) => s === 'GET /late/api/services')).toHaveLength(2);
  });

  it('fails when a service has no spans at all', async () => {
    const r = await check(['--jaeger', `${base}/enriched`, '--services', 'shortener,ghost', '--attempts', '1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/ghost traces: no traces in Jaeger http:\/\/127\.0\.0\.1:\d+\/enriched \(it knows: jaeger, redirector, shortener\)/);
  });

  it('exits 2 with one line when Jaeger is unreachable or broken, or on usage errors', async () => {
    const closed = createServer();
    const url = await listen(closed);
    await new Promise((r) => closed.close(r));
    const down = await check(['--jaeger', url, '--attempts', '1']);
    expect(down.code).toBe(2);
    expect(down.stdout).toBe('');
    expect(down.stderr.trim().split('\n')).toHaveLength(1);
    expect(down.stderr).toMatch(new RegExp(`^error: cannot reach ${url}/api/services: fetch failed: .*ECONNREFUSED`));
    expect(down.kubectl).toEqual([]);

    const broken = await check(['--jaeger', `${base}/broken`, '--attempts', '1']);
    expect(broken.code).toBe(2);
    expect(broken.stderr.trim()).toBe(`error: GET ${base}/broken/api/services: HTTP 503`);

    for (const args of [[], ['--jaeger', base, '--attempts', 'x'], ['--jaeger', base, '--bogus']]) {
      const r = await check(args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(r.stderr).toMatch(/^error: /);
    }
  });
});

import { execFile } from 'node:child_process';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const run = promisify(execFile);
const SCRIPT = join(ROOT, 'scripts/enrichment-check.mjs');

type Tag = { key: string; type: string; value: string };
const str = (key: string, value: string): Tag => ({ key, type: 'string', value });

/** Process tags as Jaeger 2.x reports resource attributes. */
function processTags(service: string, enriched: boolean): Tag[] {
  const tags = [
    str('k8s.pod.uid', `uid-${service}`),
    str('k8s.pod.name', `snip-${service}-7d9f-abcde`),
    str('k8s.namespace.name', 'snip'),
    str('k8s.node.name', 'snip-control-plane'),
    str('k8s.cluster.name', 'snip'),
    str('service.namespace', 'snip'),
    str('telemetry.sdk.language', 'nodejs'),
  ];
  if (enriched) tags.push(str('k8s.deployment.name', `snip-${service}`), str('k8s.replicaset.name', `snip-${service}-7d9f`));
  return tags;
}

/** One trace crossing both services, shaped like GET /api/traces in Jaeger 2.x. */
function trace(enrichedServices: string[]) {
  const traceID = 'a1b2c3d4e5f60718293a4b5c6d7e8f90';
  return {
    traceID,
    spans: [
      {
        traceID,
        spanID: '1111111111111111',
        operationName: 'GET /:code',
        references: [],
        startTime: 1764000000000000,
        duration: 4200,
        tags: [str('span.kind', 'server'), { key: 'http.response.status_code', type: 'int64', value: '302' }],
        logs: [],
        processID: 'p1',
        warnings: null,
      },
      {
        traceID,
        spanID: '2222222222222222',
        operationName: 'GET /resolve/:code',
        references: [{ refType: 'CHILD_OF', traceID, spanID: '1111111111111111' }],
        startTime: 1764000000001000,
        duration: 2100,
        tags: [str('span.kind', 'server')],
        logs: [],
        processID: 'p2',
        warnings: null,
      },
    ],
    processes: {
      p1: { serviceName: 'shortener', tags: processTags('shortener', enrichedServices.includes('shortener')) },
      p2: { serviceName: 'redirector', tags: processTags('redirector', enrichedServices.includes('redirector')) },
    },
    warnings: null,
  };
}

/** A stand-in for Jaeger's query API and Snip's shorten/redirect routes, on loopback. */
function standIn(enriched: string[]) {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const url = new URL(req.url ?? '/', 'http://x');
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/api/services')
      return json(200, { data: ['jaeger', 'redirector', 'shortener'], total: 3, limit: 0, offset: 0, errors: null });
    if (url.pathname === '/api/traces') {
      const service = url.searchParams.get('service');
      const data = service === 'shortener' || service === 'redirector' ? [trace(enriched)] : [];
      return json(200, { data, total: data.length, limit: 0, offset: 0, errors: null });
    }
    if (url.pathname === '/api/shorten' && req.method === 'POST')
      return json(201, { short_code: 'Ab3_x-9Z', short_url: 'http://localhost/Ab3_x-9Z', original_url: 'https://example.com/' });
    if (url.pathname === '/Ab3_x-9Z') {
      res.writeHead(302, { location: 'https://example.com/' });
      return res.end();
    }
    json(404, { error: 'not found' });
  });
  return { server, seen };
}

async function listen(s: ReturnType<typeof createServer>): Promise<string> {
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
}

async function check(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [SCRIPT, ...args]);
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('enrichment check against a Jaeger 2.x stand-in', () => {
  const full = standIn(['shortener', 'redirector']);
  const partial = standIn(['shortener']);
  let fullUrl = '';
  let partialUrl = '';
  beforeAll(async () => {
    fullUrl = await listen(full.server);
    partialUrl = await listen(partial.server);
  });
  afterAll(() => {
    full.server.close();
    partial.server.close();
  });

  it('passes and prints each service’s resource attributes when spans are enriched', async () => {
    const r = await check(['--jaeger', fullUrl, '--attempts', '1']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/shortener: 1 span/);
    expect(r.stdout).toMatch(/redirector: 1 span/);
    for (const attr of ['k8s.pod.name', 'k8s.namespace.name', 'k8s.deployment.name', 'k8s.node.name', 'service.name', 'k8s.cluster.name'])
      expect(r.stdout).toContain(attr);
    expect(r.stdout).toContain('snip-redirector');
    expect(r.stdout).toMatch(/enrichment ok/);
    expect(full.seen).toContain('GET /api/services');
    expect(full.seen.some((s) => s.startsWith('GET /api/traces?service=redirector'))).toBe(true);
  });

  it('exits non-zero and names the missing attribute when a service is not enriched', async () => {
    const r = await check(['--jaeger', partialUrl, '--attempts', '1']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/redirector lacks k8s\.deployment\.name/);
    expect(r.stderr).not.toMatch(/shortener lacks/);
  });

  it('drives shorten and redirect requests through Snip first when --snip is given', async () => {
    const r = await check(['--jaeger', fullUrl, '--snip', fullUrl, '--requests', '2', '--attempts', '1', '--json']);
    expect(r.code).toBe(0);
    expect(full.seen.filter((s) => s === 'POST /api/shorten')).toHaveLength(2);
    expect(full.seen.filter((s) => s === 'GET /Ab3_x-9Z')).toHaveLength(2);
    const report = JSON.parse(r.stdout.slice(r.stdout.indexOf('{')));
    expect(report.services.map((s: { service: string }) => s.service)).toEqual(['shortener', 'redirector']);
    expect(report.services[1].attributes['k8s.deployment.name'].values).toEqual(['snip-redirector']);
  });

  it('fails when a service has no spans at all', async () => {
    const r = await check(['--jaeger', fullUrl, '--services', 'shortener,ghost', '--attempts', '1']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/ghost: 0 span/);
  });

  it('reports usage and connection errors with exit code 2', async () => {
    expect((await check([])).code).toBe(2);
    const closed = createServer();
    const url = await listen(closed);
    closed.close();
    expect((await check(['--jaeger', url, '--attempts', '1'])).code).toBe(2);
  });
});

import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { collectorFiles, jaegerFile, mergeCollectorConfig, profiles, repoRoot, withOverrides } from '../src/index.js';
import type { SnipConfig } from '../src/index.js';
import { envOf, get, synth } from './synth.js';

const root = repoRoot();

/** Component renames of 2026 (collector-facts): type → [first version accepting the new name, old name]. */
const RENAMED: Record<string, { since: number; old: string }> = {
  otlp_http: { since: 144, old: 'otlphttp' },
  otlp_grpc: { since: 144, old: 'otlp' },
  k8s_attributes: { since: 146, old: 'k8sattributes' },
  resource_detection: { since: 153, old: 'resourcedetection' },
};
const DETECTOR_RENAMED: Record<string, { since: number; old: string }> = { k8s_api: { since: 154, old: 'k8snode' } };

const minor = (image: string) => Number(/:0\.(\d+)\.\d+$/.exec(image)?.[1]);
const typeOf = (id: string) => id.split('/')[0]!;

const variants: Array<[string, SnipConfig]> = [
  ['gateway+jaeger', profiles.kind],
  ['gateway+dash0', profiles.dash0],
  ['agent+jaeger', withOverrides(profiles.kind, { collector: { mode: 'agent' } })],
  ['agent+dash0 without dataset', withOverrides(profiles.dash0, { collector: { mode: 'agent' }, dash0: { dataset: '' } })],
];

describe.each(variants)('Collector configuration loads (%s)', (_name, config) => {
  const files = collectorFiles(config);
  const cfg = mergeCollectorConfig(files.map((f) => f.content)) as any;
  const pinned = minor(config.collector.image);

  it('is built from the single source in collector/', () => {
    for (const f of files) expect(f.source.startsWith('collector/')).toBe(true);
    expect(files[0]!.source).toBe('collector/collector.yaml');
  });

  it('references only defined components and defines only used ones', () => {
    const sections = ['receivers', 'processors', 'exporters'] as const;
    const used = new Set<string>();
    for (const [name, p] of Object.entries<any>(cfg.service.pipelines)) {
      expect(p.receivers?.length, `${name} receivers`).toBeGreaterThan(0);
      expect(p.exporters?.length, `${name} exporters`).toBeGreaterThan(0);
      for (const s of sections) for (const id of p[s] ?? []) {
        expect(cfg[s], s).toHaveProperty([id]);
        used.add(`${s}:${id}`);
      }
    }
    for (const s of sections) for (const id of Object.keys(cfg[s] ?? {})) expect(used, `${s}:${id} unused`).toContain(`${s}:${id}`);
    for (const id of cfg.service.extensions) expect(cfg.extensions).toHaveProperty([id]);
  });

  it('orders every pipeline memory_limiter → k8s_attributes → resource_detection → batch', () => {
    for (const p of Object.values<any>(cfg.service.pipelines)) {
      expect(p.processors).toEqual(['memory_limiter', 'k8s_attributes', 'resource_detection', 'batch']);
    }
  });

  it(`uses component names valid for the pinned image (0.${pinned})`, () => {
    expect(pinned).toBeGreaterThanOrEqual(0);
    const types = ['receivers', 'processors', 'exporters', 'extensions'].flatMap((s) => Object.keys(cfg[s] ?? {}).map(typeOf));
    for (const t of types) {
      const renamed = RENAMED[t];
      if (renamed) expect(pinned, `${t} needs 0.${renamed.since}+`).toBeGreaterThanOrEqual(renamed.since);
      const old = Object.entries(RENAMED).find(([, r]) => r.old === t && t !== 'otlp');
      expect(old, `deprecated alias ${t}`).toBeUndefined();
    }
    for (const d of cfg.processors.resource_detection.detectors as string[]) {
      const renamed = DETECTOR_RENAMED[d];
      if (renamed) expect(pinned).toBeGreaterThanOrEqual(renamed.since);
      expect(Object.values(DETECTOR_RENAMED).map((r) => r.old)).not.toContain(d);
    }
  });

  it('binds receivers and health_check to a non-loopback address', () => {
    expect(cfg.receivers.otlp.protocols.grpc.endpoint).toBe('0.0.0.0:4317');
    expect(cfg.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
    expect(cfg.extensions.health_check.endpoint).toMatch(/^(0\.0\.0\.0|\$\{env:MY_POD_IP\}):13133$/);
  });

  it('bounds retries and queues and keeps memory_limiter relative to the container limit', () => {
    for (const e of Object.values<any>(cfg.exporters)) {
      if (!e || !('endpoint' in e)) continue;
      expect(e.retry_on_failure.max_elapsed_time).toMatch(/^\d+s$/);
      expect(e.sending_queue.queue_size).toBeLessThanOrEqual(5000);
    }
    expect(cfg.processors.memory_limiter.limit_percentage).toBeGreaterThan(0);
  });

  it('has every ${env:VAR} it reads set on the Collector container', () => {
    const vars = new Set([...files.map((f) => f.content).join('\n').matchAll(/\$\{env:([A-Z0-9_]+)\}/g)].map((m) => m[1]!));
    const kind = config.collector.mode === 'agent' ? 'DaemonSet' : 'Deployment';
    const env = envOf(get(synth(config), kind, 'snip-collector')).map((e) => e.name);
    for (const v of vars) expect(env, v).toContain(v);
    // A token is only ever read from the environment.
    expect(files.map((f) => f.content).join('')).not.toMatch(/Bearer [A-Za-z0-9]/);
  });
});

describe('collector/ folder', () => {
  it('holds only YAML that parses', () => {
    const files = [
      ...readdirSync(join(root, 'collector')).filter((f) => f.endsWith('.yaml')).map((f) => join(root, 'collector', f)),
      ...readdirSync(join(root, 'collector/overlays')).map((f) => join(root, 'collector/overlays', f)),
    ];
    expect(files.length).toBeGreaterThanOrEqual(6);
    for (const f of files) expect(() => parse(readFileSync(f, 'utf8'))).not.toThrow();
  });

  it('configures Jaeger v2 with a bounded memory store, OTLP in and the query UI', () => {
    const j = parse(jaegerFile().content);
    expect(j.extensions.jaeger_storage.backends.memstore.memory.max_traces).toBe('${env:JAEGER_MAX_TRACES}');
    expect(j.extensions.jaeger_query.storage.traces).toBe('memstore');
    expect(j.extensions.jaeger_query.http.endpoint).toBe('0.0.0.0:16686');
    expect(j.extensions.healthcheckv2.http.endpoint).toBe('0.0.0.0:13133');
    expect(j.receivers.otlp.protocols.http.endpoint).toBe('0.0.0.0:4318');
    expect(j.service.pipelines.traces.exporters).toEqual(['jaeger_storage_exporter']);
    expect(j.exporters.jaeger_storage_exporter.trace_storage).toBe('memstore');
  });

  it('merges lists by replacement and maps recursively, like the Collector', () => {
    const merged = mergeCollectorConfig(['a: {x: [1, 2], y: {z: 1}}', 'a: {x: [3], y: {w: 2}}']);
    expect(merged).toEqual({ a: { x: [3], y: { z: 1, w: 2 } } });
  });
});

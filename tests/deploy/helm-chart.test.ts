import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { chartCiVariants, profiles, synthObjects } from '../../infra/cdk8s/src/index.js';
import { CHART, byKey, helm, helmTemplate, validateK8s } from './helpers.js';

const ciFiles = readdirSync(join(CHART, 'ci')).filter((f) => f.endsWith('-values.yaml'));

describe('charts/snip with the real helm binary', () => {
  it('has a CI values file for every cdk8s profile and variant', () => {
    expect(ciFiles.map((f) => f.replace('-values.yaml', '')).sort()).toEqual(Object.keys(chartCiVariants).sort());
  });

  it('passes helm lint --strict with the defaults and every CI values file', () => {
    expect(helm(['lint', '--strict', CHART])).toMatch(/0 chart\(s\) failed/);
    for (const f of ciFiles) {
      expect(helm(['lint', '--strict', CHART, '-f', join(CHART, 'ci', f)]), f).toMatch(/0 chart\(s\) failed/);
    }
  });

  it.each(ciFiles)('renders %s into exactly the objects cdk8s synthesizes for that configuration', (file) => {
    const name = file.replace('-values.yaml', '');
    const fromHelm = byKey(helmTemplate(join(CHART, 'ci', file)));
    const fromCdk8s = byKey(synthObjects(chartCiVariants[name]!));
    expect([...fromHelm.keys()].sort()).toEqual([...fromCdk8s.keys()].sort());
    for (const [k, o] of fromCdk8s) {
      if (!isDeepStrictEqual(fromHelm.get(k), o)) expect(fromHelm.get(k), k).toEqual(o);
    }
  });

  it.each(ciFiles)('renders only objects valid against the Kubernetes schema (%s)', async (file) => {
    for (const o of helmTemplate(join(CHART, 'ci', file))) await validateK8s(o);
  });

  it('defaults to the kind profile (values.yaml), with name and namespace taken from the release', () => {
    const values = parse(readFileSync(join(CHART, 'values.yaml'), 'utf8'));
    expect(values).toEqual({ ...profiles.kind, name: '', namespace: '' });
    const objs = helmTemplate(join(CHART, 'values.yaml'));
    expect(byKey(objs)).toEqual(byKey(synthObjects(profiles.kind)));
  });

  it('takes object names and namespace from the release when values leave them empty', () => {
    const out = helm(['template', 'demo', CHART, '--namespace', 'other']);
    expect(out).toContain('name: demo-shortener');
    expect(out).toContain('namespace: other');
    expect(out).not.toContain('namespace: snip');
  });

  it('rejects unknown keys and invalid enum values through values.schema.json', () => {
    const fails = (args: string[]) => {
      try {
        helm(['template', 'snip', CHART, ...args]);
        return '';
      } catch (err) {
        return String((err as { stderr?: string }).stderr ?? err);
      }
    };
    expect(fails(['--set', 'collector.exporter=zipkin'])).toMatch(/exporter/);
    expect(fails(['--set', 'collector.mode=sidecar'])).toMatch(/mode/);
    expect(fails(['--set', 'shortener.replicaCount=3'])).toMatch(/replicaCount|additional/i);
    expect(fails(['--set', 'collector.resources.limits.memory=1Gi'])).toMatch(/memory|pattern/i);
    expect(fails(['--set', 'dash0.endpoint=http://insecure'])).toMatch(/endpoint|pattern/i);
  });

  it('prints where to open Snip and Jaeger in NOTES.txt', () => {
    const out = helm(['install', 'snip', CHART, '--dry-run=client', '--namespace', 'snip', '-f', join(CHART, 'ci/kind-values.yaml')]);
    expect(out).toContain('port-forward svc/snip-shortener 8080:3000');
    expect(out).toContain('port-forward svc/snip-jaeger-query 16686:16686');
    const dash0 = helm(['install', 'snip', CHART, '--dry-run=client', '--namespace', 'snip', '-f', join(CHART, 'ci/dash0-values.yaml')]);
    expect(dash0).toContain('dash0-auth: token');
    expect(dash0).toContain('https://snip.example.com/');
  });

  it('changes the Collector pod checksum when its configuration changes', () => {
    const sum = (args: string[]) => {
      const objs = helmTemplate(join(CHART, 'ci/dash0-values.yaml'), args);
      return objs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'snip-collector')!.spec.template.metadata
        .annotations['checksum/config'];
    };
    expect(sum([])).not.toBe(sum(['--set', 'dash0.dataset=']));
  });
});

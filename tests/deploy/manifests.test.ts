import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { profiles, renderAll, synthNamespace, synthObjects, withOverrides, writeAll } from '../../infra/cdk8s/src/index.js';
import { ROOT, parseDocs, validateK8s } from './helpers.js';

describe('committed GitOps output', () => {
  it('matches a fresh render (run `npm run deploy:render` after changing infra/cdk8s or collector/)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'snip-render-'));
    try {
      const written = writeAll(dir);
      expect(written.length).toBeGreaterThan(0);
      const stale = written.filter((rel) => {
        const committed = (() => {
          try {
            return readFileSync(join(ROOT, rel), 'utf8');
          } catch {
            return undefined;
          }
        })();
        return committed !== readFileSync(join(dir, rel), 'utf8');
      });
      expect(stale, 'files that drifted from the code').toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it.each(Object.keys(profiles))('deploy/%s contains no secret value', (profile) => {
    const text = [...renderAll()].filter(([rel]) => rel.startsWith(`deploy/${profile}/`)).map(([, t]) => t).join('\n---\n');
    const objs = parseDocs(text);
    expect(objs.filter((o) => o.kind === 'Secret')).toEqual([]);
    expect(text).not.toMatch(/postgres:\/\/[^@\s]+:[^@\s]+@/);
    expect(text).not.toMatch(/Bearer [A-Za-z0-9_-]{8,}/);
  });

  it('keeps YAML 1.1 booleans-as-strings quoted so kubectl reads them as strings', () => {
    const text = renderAll().get('deploy/kind/platform/snip.yaml')!;
    expect(text).toContain('- "no"');
  });
});

describe('schema validation of every synthesized object', () => {
  const configs = {
    ...profiles,
    agent: withOverrides(profiles.kind, { collector: { mode: 'agent' } }),
    'no-cache': withOverrides(profiles.kind, { redis: { mode: 'disabled' } }),
    'ingress-plain': withOverrides(profiles.kind, { ingress: { enabled: true, className: '', tlsSecretName: '' } }),
  };
  it.each(Object.entries(configs))('%s validates against the Kubernetes API schema', async (_name, config) => {
    const objs = [...synthNamespace(config), ...synthObjects(config)];
    expect(objs.length).toBeGreaterThan(10);
    for (const o of objs) await validateK8s(o);
  });

  it('fails validation on a wrong type (the validator is not a no-op)', async () => {
    const [deployment] = synthObjects(profiles.kind).filter((o) => o.kind === 'Deployment');
    const broken = structuredClone(deployment!);
    broken.spec.replicas = 'two';
    await expect(validateK8s(broken)).rejects.toThrow(/replicas/);
    delete broken.spec.replicas;
    delete broken.spec.selector;
    await expect(validateK8s(broken)).rejects.toThrow(/selector/);
  });
});

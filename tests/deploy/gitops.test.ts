import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { STAGES, profiles, synthNamespace, synthObjects } from '../../infra/cdk8s/src/index.js';
import type { K8sObject } from '../../infra/cdk8s/src/index.js';
import { CHART, ROOT, helmBin, helmTemplate, key, parseDocs } from './helpers.js';

/** The real kubectl (its built-in kustomize renders offline), unpacked next to helm. */
const kubectl = join(dirname(dirname(helmBin())), 'kubectl', 'kubectl');
const kustomize = (dir: string) => parseDocs(execFileSync(kubectl, ['kustomize', dir], { encoding: 'utf8' }));

// Argo CD's documented sync order: phase, then wave, then kind (gitops-engine's kind order), then name.
// A wave is applied only when every resource of the earlier waves is synced and healthy.
const KIND_ORDER = [
  'Namespace', 'NetworkPolicy', 'ResourceQuota', 'LimitRange', 'PodSecurityPolicy', 'PodDisruptionBudget',
  'ServiceAccount', 'Secret', 'SecretList', 'ConfigMap', 'StorageClass', 'PersistentVolume',
  'PersistentVolumeClaim', 'CustomResourceDefinition', 'ClusterRole', 'ClusterRoleList', 'ClusterRoleBinding',
  'ClusterRoleBindingList', 'Role', 'RoleList', 'RoleBinding', 'RoleBindingList', 'Service', 'DaemonSet', 'Pod',
  'ReplicationController', 'ReplicaSet', 'Deployment', 'HorizontalPodAutoscaler', 'StatefulSet', 'Job', 'CronJob',
  'IngressClass', 'Ingress', 'APIService',
];
const PHASES = ['PreSync', 'Sync', 'PostSync'] as const;
// Argo CD maps Helm hook annotations, on chart output and plain manifests alike, unless the object
// carries Argo CD's own hook annotation (then the Helm ones are ignored).
const HELM_HOOK_PHASE: Record<string, (typeof PHASES)[number] | 'Skip'> = {
  'crd-install': 'PreSync',
  'pre-install': 'PreSync',
  'pre-upgrade': 'PreSync',
  'post-install': 'PostSync',
  'post-upgrade': 'PostSync',
  test: 'Skip',
  'test-success': 'Skip',
  'pre-delete': 'Skip',
  'post-delete': 'Skip',
};

interface Step {
  phase: (typeof PHASES)[number];
  wave: number;
  object: K8sObject;
}

/** Every (phase, wave) an object is applied in during one Argo CD sync. */
function argoSteps(objects: K8sObject[]): Step[] {
  const steps: Step[] = [];
  for (const object of objects) {
    const a = (object.metadata.annotations ?? {}) as Record<string, string>;
    const argoHook = a['argocd.argoproj.io/hook'];
    const helmHook = a['helm.sh/hook'];
    const phases = argoHook
      ? argoHook.split(',').map((p) => p.trim())
      : helmHook
        ? helmHook.split(',').map((h) => HELM_HOOK_PHASE[h.trim()] ?? 'Skip')
        : ['Sync'];
    const wave = Number(a['argocd.argoproj.io/sync-wave'] ?? (argoHook ? 0 : a['helm.sh/hook-weight']) ?? 0);
    for (const phase of new Set(phases)) {
      if ((PHASES as readonly string[]).includes(phase)) steps.push({ phase: phase as Step['phase'], wave, object });
    }
  }
  const kindRank = (k: string) => (KIND_ORDER.includes(k) ? KIND_ORDER.indexOf(k) : KIND_ORDER.length);
  return steps.sort(
    (x, y) =>
      PHASES.indexOf(x.phase) - PHASES.indexOf(y.phase) ||
      x.wave - y.wave ||
      kindRank(x.object.kind) - kindRank(y.object.kind) ||
      x.object.metadata.name.localeCompare(y.object.metadata.name),
  );
}

/** Position of a step in Argo CD's sequence of (phase, wave) groups; later groups start only when earlier ones are healthy. */
const group = (s: Step) => PHASES.indexOf(s.phase) * 1000 + s.wave;
const stepsOf = (steps: Step[], kind: string, name: string) => steps.filter((s) => s.object.kind === kind && s.object.metadata.name === name);

/** Asserts an empty cluster gets stores, then the migration, then the apps, with each waiting for the previous. */
function expectStoresMigrationApps(steps: Step[], config: (typeof profiles)[keyof typeof profiles], jobName: string) {
  const [job, ...again] = stepsOf(steps, 'Job', jobName);
  expect(job, 'migration Job in the sync').toBeDefined();
  expect(again, 'the migration runs once per sync').toEqual([]);
  expect(job!.phase).toBe('Sync');
  const stores = [
    ...(config.postgres.mode === 'in-cluster' ? stepsOf(steps, 'StatefulSet', 'snip-postgres') : []),
    ...(config.redis.mode === 'in-cluster' ? stepsOf(steps, 'Deployment', 'snip-redis') : []),
    ...stepsOf(steps, 'NetworkPolicy', 'snip-migrate'),
  ];
  expect(stores.length).toBeGreaterThan(0);
  for (const s of stores) expect(group(s), `${s.object.kind}/${s.object.metadata.name} before the migration`).toBeLessThan(group(job!));
  for (const app of ['snip-shortener', 'snip-redirector']) {
    const [d] = stepsOf(steps, 'Deployment', app);
    expect(group(d!), `${app} after the migration`).toBeGreaterThan(group(job!));
  }
  const ns = steps.filter((s) => s.object.kind === 'Namespace');
  for (const s of ns) expect(group(s)).toBeLessThan(Math.min(...steps.filter((x) => x.object.kind !== 'Namespace').map(group)));
}

const tmp: string[] = [];
afterAll(() => {
  for (const d of tmp) rmSync(d, { recursive: true, force: true });
});

/** A copy of deploy/<profile> with another tag in its image component (as a GitOps commit would make). */
function withTag(profile: string, tag: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'snip-gitops-'));
  tmp.push(dir);
  cpSync(join(ROOT, 'deploy', profile), dir, { recursive: true });
  const file = join(dir, 'image', 'kustomization.yaml');
  const component = parse(readFileSync(file, 'utf8'));
  for (const image of component.images) image.newTag = tag;
  writeFileSync(file, stringify(component));
  return dir;
}

describe('the Argo CD sync model used below', () => {
  it('puts a Job with the Helm hooks of a plain manifest into PreSync and PostSync (the failure it guards against)', () => {
    const job = {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: { name: 'm', annotations: { 'helm.sh/hook': 'post-install,pre-upgrade', 'argocd.argoproj.io/sync-wave': '-1' } },
    } as K8sObject;
    expect(argoSteps([job]).map((s) => s.phase)).toEqual(['PreSync', 'PostSync']);
    const argoHook = { ...job, metadata: { ...job.metadata, annotations: { ...job.metadata.annotations, 'argocd.argoproj.io/hook': 'Sync' } } };
    expect(argoSteps([argoHook]).map((s) => s.phase)).toEqual(['Sync']);
  });
});

describe.each(Object.entries(profiles))('GitOps output of the %s profile', (profile, config) => {
  const dir = join(ROOT, 'deploy', profile);
  const built = kustomize(dir);
  const jobName = `snip-migrate-${config.image.tag}`;

  it('builds with kustomize into exactly the synthesized objects', () => {
    const expected = [...synthNamespace(config), ...synthObjects(config)];
    expect(built.map(key).sort()).toEqual(expected.map(key).sort());
  });

  it('orders a first Argo CD sync on an empty cluster: namespace, stores, migration, apps', () => {
    expectStoresMigrationApps(argoSteps(built), config, jobName);
    // Argo CD maps helm.sh/hook on plain manifests too: none may appear outside the chart.
    expect(built.filter((o) => Object.keys(o.metadata.annotations ?? {}).some((a) => a.startsWith('helm.sh/')))).toEqual([]);
  });

  it('keeps the image tag in one component: a bump renames the migration Job and changes every Snip image', () => {
    const bumped = kustomize(withTag(profile, 'abc123def456'));
    const jobs = bumped.filter((o) => o.kind === 'Job');
    expect(jobs.map((j) => j.metadata.name)).toEqual(['snip-migrate-abc123def456']);
    expect(jobs[0]!.spec.template.spec.containers[0].image).toBe(`${config.image.shortenerRepository}:abc123def456`);
    for (const svc of ['shortener', 'redirector'] as const) {
      const d = bumped.find((o) => o.kind === 'Deployment' && o.metadata.name === `snip-${svc}`)!;
      expect(d.spec.template.spec.containers[0].image).toBe(`${config.image[`${svc}Repository`]}:abc123def456`);
    }
    // Nothing else changes: the same objects apart from the Job's name and the image references.
    const strip = (objs: K8sObject[]) =>
      JSON.stringify(objs.map(key).sort().map((k) => k.replace(/snip-migrate-[^/]+$/, 'snip-migrate-*')));
    expect(strip(bumped)).toBe(strip(built));
    // A re-sync of an unchanged commit renders the same Job: with ApplyOutOfSyncOnly it is left alone.
    expect(kustomize(dir)).toEqual(built);
  });

  it('declares an Argo CD Application that syncs the folder without re-applying unchanged objects', () => {
    const [app] = parseDocs(readFileSync(join(ROOT, 'deploy', 'argo', `snip-${profile}.yaml`), 'utf8'));
    expect(app!.kind).toBe('Application');
    expect(app!.spec.source.path).toBe(`deploy/${profile}`);
    expect(app!.spec.syncPolicy.syncOptions).toContain('ApplyOutOfSyncOnly=true');
    expect(app!.spec.syncPolicy.automated).toMatchObject({ prune: true });
    // A changed Job template under the same tag is recreated instead of failing on an immutable field.
    const job = built.find((o) => o.kind === 'Job')!;
    expect(job.metadata.annotations['argocd.argoproj.io/sync-options']).toBe('Force=true,Replace=true');
  });

  it('chains Flux Kustomizations stage by stage with dependsOn and wait, covering the same objects', () => {
    const docs = parseDocs(readFileSync(join(ROOT, 'deploy', 'flux', `snip-${profile}.yaml`), 'utf8'));
    const ks = docs.filter((d) => d.kind === 'Kustomization');
    const stages = Object.keys(STAGES);
    expect(ks.map((k) => k.spec.path)).toEqual(stages.map((s) => `./deploy/${profile}/${s}`));
    ks.forEach((k, i) => {
      expect(k.spec.wait, k.metadata.name).toBe(true);
      expect(k.spec.prune).toBe(true);
      expect(k.spec.dependsOn ?? []).toEqual(i === 0 ? [] : [{ name: ks[i - 1]!.metadata.name }]);
    });
    const perStage = stages.map((s) => kustomize(join(dir, s)));
    expect(perStage.flat().map(key).sort()).toEqual(built.map(key).sort());
    expect(perStage[0]![0]!.kind).toBe('Namespace');
    expect(perStage[1]!.map(key)).toEqual([key(built.find((o) => o.kind === 'Job')!)]);
    expect(ks[1]!.spec.force).toBe(true);
    const apps = perStage[2]!.filter((o) => o.kind === 'Deployment').map((o) => o.metadata.name).sort();
    expect(apps).toEqual(['snip-redirector', 'snip-shortener']);
  });
});

describe('the Helm chart synced by Argo CD', () => {
  it('runs the migration as an Argo CD Sync hook after the stores and before the apps, once per sync', () => {
    const objs = helmTemplate(join(CHART, 'ci', 'kind-values.yaml'));
    const job = objs.find((o) => o.kind === 'Job')!;
    expectStoresMigrationApps(argoSteps(objs), profiles.kind, job.metadata.name);
    expect(job.metadata.name).toBe(`snip-migrate-${profiles.kind.image.tag}`);
  });
});

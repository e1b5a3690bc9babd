import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  HEALTH_ROUTES,
  POD_SECURITY_LABELS,
  chartCiVariants,
  deepMerge,
  migrationJobName,
  profiles,
  synthObjects,
  withOverrides,
} from '../../infra/cdk8s/src/index.js';
import type { K8sObject, SnipConfig } from '../../infra/cdk8s/src/index.js';
import { IMAGE_TAG_PATTERN } from '../../infra/cdk8s/src/constructs/migration.js';
import { SWITCH_GROUPS } from '../../infra/cdk8s/src/helm/templates.js';
import { valuesSchema } from '../../infra/cdk8s/src/helm/values-schema.js';
import type { JsonSchema } from '../../infra/cdk8s/src/helm/values-schema.js';
import { terminationGracePeriodSeconds } from '../../infra/cdk8s/src/shutdown.js';
import { CHART, ROOT, byKey, fakeKubeApi, find, helm, helmAsync, helmTemplate, key, parseDocs, validateK8s } from './helpers.js';

const ciFiles = readdirSync(join(CHART, 'ci')).filter((f) => f.endsWith('-values.yaml'));
const ci = (name: string) => join(CHART, 'ci', `${name}-values.yaml`);

// ---- What only the chart has: each difference is stripped from the comparison exactly and is asserted on its own below.

/** The migration Job stays a hook of Helm and, rendering the chart, of Argo CD (whose own hook annotations make it ignore Helm's). */
const JOB_HOOK_ANNOTATIONS = {
  'helm.sh/hook': 'post-install,pre-upgrade',
  'helm.sh/hook-delete-policy': 'before-hook-creation',
  'argocd.argoproj.io/hook': 'Sync',
  'argocd.argoproj.io/hook-delete-policy': 'BeforeHookCreation',
};
/** The manifests' Job recreation option: the chart's hook Job is recreated anyway and goes without it. */
const MANIFEST_JOB_SYNC_OPTIONS = { 'argocd.argoproj.io/sync-options': 'Force=true,Replace=true' };
/** `helm test` objects (a Pod and the NetworkPolicy that lets it reach the shortener). */
const TEST_HOOK_ANNOTATIONS = {
  'helm.sh/hook': 'test',
  'helm.sh/hook-delete-policy': 'before-hook-creation,hook-succeeded',
};

const component = (o: K8sObject): string | undefined => o.metadata.labels?.['app.kubernetes.io/name'];
const isMigrationJob = (o: K8sObject) => o.kind === 'Job' && component(o) === 'migrate';
const isTestHook = (o: K8sObject) => o.metadata.annotations?.['helm.sh/hook'] === 'test';
const annotations = (o: K8sObject): Record<string, string> => o.metadata.annotations ?? {};

/** Removes annotations from a copy of o after checking that they are there with exactly these values. */
function withoutAnnotations(o: K8sObject, expected: Record<string, string>, what: string): K8sObject {
  const present = Object.fromEntries(Object.keys(expected).map((k) => [k, annotations(o)[k]]));
  expect(present, `${what} of ${key(o)}`).toEqual(expected);
  const copy = structuredClone(o);
  for (const k of Object.keys(expected)) delete copy.metadata.annotations[k];
  return copy;
}

/** helm output without its chart-only objects and annotations (each checked before it goes). */
function comparableChart(objects: K8sObject[]): K8sObject[] {
  return objects
    .filter((o) => !isTestHook(o))
    .map((o) => (isMigrationJob(o) ? withoutAnnotations(o, JOB_HOOK_ANNOTATIONS, 'chart hook annotations') : o));
}

function comparableCdk8s(config: SnipConfig): K8sObject[] {
  return synthObjects(config)
    .map((o) => (isMigrationJob(o) ? withoutAnnotations(o, MANIFEST_JOB_SYNC_OPTIONS, 'manifest sync options') : o));
}

function expectParity(fromHelm: K8sObject[], config: SnipConfig): void {
  const chart = byKey(comparableChart(fromHelm));
  const cdk8s = byKey(comparableCdk8s(config));
  expect([...chart.keys()].sort()).toEqual([...cdk8s.keys()].sort());
  for (const [k, o] of cdk8s) {
    if (!isDeepStrictEqual(chart.get(k), o)) expect(chart.get(k), k).toEqual(o);
  }
}

/** helm's error output for a command expected to fail ('' when it succeeded). */
function helmError(args: string[]): string {
  try {
    helm(args);
    return '';
  } catch (err) {
    return String((err as { stderr?: string }).stderr ?? err);
  }
}
const templateError = (...args: string[]) => helmError(['template', 'snip', CHART, '--namespace', 'snip', ...args]);

/** Every container of every pod template (or Pod), with the object it belongs to. */
function containers(objects: K8sObject[]): Array<{ owner: string; container: Record<string, any> }> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return objects.flatMap((o) => {
    const spec = o.kind === 'Pod' ? o.spec : o.spec?.template?.spec;
    return (spec?.containers ?? []).map((container: Record<string, unknown>) => ({ owner: key(o), container }));
  });
}

const b64 = (s: string) => Buffer.from(s, 'base64').toString('utf8');

describe('charts/snip with the real helm binary', () => {
  it('has a CI values file for every cdk8s profile and variant', () => {
    expect(ciFiles.map((f) => f.replace('-values.yaml', '')).sort()).toEqual(Object.keys(chartCiVariants).sort());
  });

  it('passes helm lint --strict with the defaults, every CI values file and createSecret', () => {
    expect(helm(['lint', '--strict', CHART])).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    for (const f of ciFiles) {
      expect(helm(['lint', '--strict', CHART, '-f', join(CHART, 'ci', f)]), f).toMatch(/1 chart\(s\) linted, 0 chart\(s\) failed/);
    }
    expect(helm(['lint', '--strict', CHART, '--set', 'postgres.createSecret=true'])).toMatch(/0 chart\(s\) failed/);
  });

  it.each(ciFiles)('installs with --dry-run=client from %s', (file) => {
    const out = helm(['install', 'snip', CHART, '--dry-run=client', '--namespace', 'snip', '-f', join(CHART, 'ci', file)]);
    expect(out).toMatch(/^STATUS: pending-install$/m);
    expect(out).toContain('NOTES:');
  });

  it.each(ciFiles)('renders %s into exactly the objects cdk8s synthesizes for that configuration', (file) => {
    const name = file.replace('-values.yaml', '');
    expectParity(helmTemplate(join(CHART, 'ci', file)), chartCiVariants[name]!);
  });

  // Values the CI files do not cover, set on the kind file and on the kind profile alike.
  const variants: Array<[string, string[], Parameters<typeof withOverrides>[1]]> = [
    ['shutdown timings', ['shutdown.preStopSeconds=7', 'shutdown.delayMs=2500'], { shutdown: { preStopSeconds: 7, delayMs: 2500 } }],
    ['no cache', ['redis.mode=disabled'], { redis: { mode: 'disabled' } }],
    [
      'external stores, Dash0 with a dataset',
      ['postgres.mode=external', 'redis.mode=external', 'collector.exporter=dash0', 'dash0.dataset=snip'],
      { postgres: { mode: 'external' }, redis: { mode: 'external' }, collector: { exporter: 'dash0' }, dash0: { dataset: 'snip' } },
    ],
    ['another pod network', ['networkPolicy.podCidr=10.42.0.0/16'], { networkPolicy: { podCidr: '10.42.0.0/16' } }],
    [
      'autoscaling bounds',
      ['shortener.replicas=3', 'shortener.autoscaling.maxReplicas=9', 'redirector.autoscaling.targetCpuUtilization=55'],
      { shortener: { replicas: 3, autoscaling: { maxReplicas: 9 } }, redirector: { autoscaling: { targetCpuUtilization: 55 } } },
    ],
    [
      'another name, namespace, tag and pull policy',
      ['name=demo', 'namespace=other', 'image.tag=1.2.3', 'image.pullPolicy=Never'],
      { name: 'demo', namespace: 'other', image: { tag: '1.2.3', pullPolicy: 'Never' } },
    ],
  ];
  it.each(variants)('renders the same objects as cdk8s for %s', (_what, sets, overrides) => {
    const args = sets.flatMap((s) => ['--set', s]);
    expectParity(helmTemplate(ci('kind'), args), withOverrides(profiles.kind, overrides));
  });

  // Every combination of the settings that shape objects (each group's, the others as in kind-values):
  // the chart's branches were generated from these very variants, so each must render like cdk8s.
  const schema = valuesSchema();
  const settingOf = (path: string): JsonSchema =>
    path.split('.').reduce<JsonSchema>((s, k) => {
      const p = s.properties![k]!;
      return p.$ref ? schema.definitions![p.$ref.replace('#/definitions/', '')]! : p;
    }, schema);
  const SET_VALUES: Record<string, string> = {
    'postgres.storageClassName': 'standard',
    'dash0.dataset': 'snip',
    'ingress.className': 'nginx',
    'ingress.tlsSecretName': 'snip-tls',
  };
  const choices = (path: string): unknown[] => {
    const s = settingOf(path);
    return s.enum ?? (s.type === 'boolean' ? [false, true] : ['', SET_VALUES[path]]);
  };
  const combinations = SWITCH_GROUPS.flatMap((group) =>
    group.reduce<Array<Record<string, unknown>>>((acc, path) => acc.flatMap((c) => choices(path).map((v) => ({ ...c, [path]: v }))), [{}]),
  );
  it.each(combinations.map((c) => [Object.entries(c).map(([k, v]) => `${k}=${String(v)}`).join(' '), c] as const))(
    'renders the same objects as cdk8s with %s',
    (_what, combination) => {
      const args = Object.entries(combination).flatMap(([k, v]) => ['--set', `${k}=${String(v)}`]);
      const overrides = Object.entries(combination).reduce<unknown>(
        (acc, [k, v]) => deepMerge(acc, k.split('.').reduceRight<unknown>((x, part) => ({ [part]: x }), v)),
        {},
      );
      expectParity(helmTemplate(ci('kind'), args), withOverrides(profiles.kind, overrides as Parameters<typeof withOverrides>[1]));
    },
  );

  it.each(ciFiles)('renders only objects valid against the Kubernetes schema (%s)', async (file) => {
    for (const o of helmTemplate(join(CHART, 'ci', file), ['--set', 'postgres.createSecret=' + String(!file.startsWith('dash0'))])) {
      await validateK8s(o);
    }
  });

  it('defaults to the kind profile (values.yaml), with name and namespace taken from the release', () => {
    const values = parse(readFileSync(join(CHART, 'values.yaml'), 'utf8'));
    expect(values).toEqual({ ...profiles.kind, name: '', namespace: '' });
    expectParity(helmTemplate(join(CHART, 'values.yaml')), profiles.kind);
  });

  it('takes object names and namespace from the release when values leave them empty', () => {
    const out = helm(['template', 'demo', CHART, '--namespace', 'other']);
    expect(out).toContain('name: demo-shortener');
    expect(out).toContain('name: demo-migrate-dev');
    expect(out).toContain('namespace: other');
    expect(out).not.toContain('namespace: snip');
  });

  describe('differences from the manifests, one by one', () => {
    it('keeps the migration Job a hook of Helm and of Argo CD, in wave -1, without Force/Replace', () => {
      for (const file of ciFiles) {
        const name = file.replace('-values.yaml', '');
        const config = chartCiVariants[name]!;
        const jobs = helmTemplate(join(CHART, 'ci', file)).filter((o) => o.kind === 'Job');
        expect(jobs.map((j) => j.metadata.name), file).toEqual([migrationJobName(config)]);
        expect(jobs[0]!.metadata.name, file).toBe(`${config.name}-migrate-${config.image.tag}`);
        expect(jobs[0]!.metadata.annotations, file).toEqual({ 'argocd.argoproj.io/sync-wave': '-1', ...JOB_HOOK_ANNOTATIONS });
        expect(JSON.stringify(jobs[0]), file).not.toMatch(/Force=true|Replace=true|sync-options/);
      }
      // The manifests' Job is the plain object the comparison expects (no hooks, the sync option).
      const manifestJob = synthObjects(profiles.kind).find(isMigrationJob)!;
      expect(manifestJob.metadata.annotations).toEqual({ 'argocd.argoproj.io/sync-wave': '-1', ...MANIFEST_JOB_SYNC_OPTIONS });
    });

    it('gives every object a sync wave: -2 platform and policies, -1 the Job, 0 the apps', () => {
      for (const o of helmTemplate(ci('dash0')).filter((x) => !isTestHook(x))) {
        const expected = o.kind === 'NetworkPolicy' ? '-2' : isMigrationJob(o) ? '-1' : ['shortener', 'redirector'].includes(component(o)!) ? '0' : '-2';
        expect(annotations(o)['argocd.argoproj.io/sync-wave'], key(o)).toBe(expected);
      }
    });

    it('creates the PostgreSQL Secret only with createSecret: random 24-character password, DATABASE_URL with it, kept', async () => {
      const without = helmTemplate(ci('kind'));
      expect(without.filter((o) => o.kind === 'Secret')).toEqual([]);

      const objs = helmTemplate(ci('kind'), ['--set', 'postgres.createSecret=true']);
      const secrets = objs.filter((o) => o.kind === 'Secret');
      expect(secrets.map(key)).toEqual(['Secret/snip/snip-postgres']);
      const secret = secrets[0]!;
      await validateK8s(secret);
      expect(annotations(secret)['helm.sh/resource-policy']).toBe('keep');
      expect(Object.keys(secret.data).sort()).toEqual(['DATABASE_URL', 'POSTGRES_PASSWORD']);
      const password = b64(secret.data.POSTGRES_PASSWORD);
      expect(password).toMatch(/^[A-Za-z0-9]{24}$/);
      expect(b64(secret.data.DATABASE_URL)).toBe(`postgres://snip:${password}@snip-postgres:5432/snip`);
      // Every other object is unchanged: the Secret is all that createSecret adds.
      expectParity(objs.filter((o) => o.kind !== 'Secret'), withOverrides(profiles.kind, { postgres: { createSecret: true } }));
      // A fresh password per render: why GitOps never renders this Secret.
      const again = helmTemplate(ci('kind'), ['--set', 'postgres.createSecret=true']).find((o) => o.kind === 'Secret')!;
      expect(b64(again.data.POSTGRES_PASSWORD)).not.toBe(password);
    });

    it('reuses the Secret of this release (lookup) and refuses one it does not own', async () => {
      const existing = (releaseName: string): K8sObject => ({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: {
          name: 'snip-postgres',
          namespace: 'snip',
          labels: { 'app.kubernetes.io/managed-by': 'Helm' },
          annotations: { 'meta.helm.sh/release-name': releaseName, 'meta.helm.sh/release-namespace': 'snip' },
        },
        data: { POSTGRES_PASSWORD: Buffer.from('kept-password').toString('base64'), DATABASE_URL: Buffer.from('postgres://kept').toString('base64') },
      });
      const render = async (objects: K8sObject[]) => {
        const api = await fakeKubeApi(objects);
        try {
          return parseDocs(
            await helmAsync([
              'template', 'snip', CHART, '--namespace', 'snip', '-f', ci('kind'), '--set', 'postgres.createSecret=true',
              '--dry-run=server', '--disable-openapi-validation', '--kubeconfig', api.kubeconfig,
            ]),
          );
        } finally {
          await api.close();
        }
      };

      const reused = (await render([existing('snip')])).find((o) => o.kind === 'Secret')!;
      expect(b64(reused.data.POSTGRES_PASSWORD)).toBe('kept-password');
      expect(b64(reused.data.DATABASE_URL)).toBe('postgres://kept');
      expect(annotations(reused)['helm.sh/resource-policy']).toBe('keep');

      const fresh = (await render([])).find((o) => o.kind === 'Secret')!;
      expect(b64(fresh.data.POSTGRES_PASSWORD)).toMatch(/^[A-Za-z0-9]{24}$/);

      const refused = await render([existing('someone-else')]).then(
        () => '',
        (err: { stderr?: string }) => String(err.stderr ?? err),
      );
      expect(refused).toContain('Secret snip/snip-postgres already exists and is not managed by release snip/snip');
      expect(refused).toContain('postgres.createSecret=false');
      expect(refused).toContain('kubectl -n snip delete secret snip-postgres');
    });

    it('renders a helm test Pod and its NetworkPolicy as test hooks, valid and as locked down as the apps', async () => {
      const objs = helmTemplate(ci('kind'));
      const hooks = objs.filter(isTestHook);
      expect(hooks.map(key).sort()).toEqual(['NetworkPolicy/snip/snip-helm-test', 'Pod/snip/snip-helm-test']);
      for (const o of hooks) {
        await validateK8s(o);
        expect(annotations(o), key(o)).toMatchObject(TEST_HOOK_ANNOTATIONS);
      }
      const pod = find(hooks, 'Pod', 'snip-helm-test');
      const policy = find(hooks, 'NetworkPolicy', 'snip-helm-test');
      // The policy exists before the Pod starts.
      expect(Number(annotations(policy)['helm.sh/hook-weight'])).toBeLessThan(Number(annotations(pod)['helm.sh/hook-weight']));

      const shortener = find(objs, 'Deployment', 'snip-shortener').spec.template.spec;
      const c = pod.spec.containers[0];
      expect(pod.spec.containers).toHaveLength(1);
      expect(pod.spec.automountServiceAccountToken).toBe(false);
      expect(pod.spec.restartPolicy).toBe('Never');
      expect(pod.spec.securityContext).toEqual(shortener.securityContext);
      expect(c.securityContext).toEqual(shortener.containers[0].securityContext);
      expect(c.securityContext.readOnlyRootFilesystem).toBe(true);
      expect(c.image).toBe(shortener.containers[0].image);
      expect(c.command.slice(0, 2)).toEqual(['node', '-e']);
      expect(c.resources.requests).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
      expect(c.resources.limits).toEqual({ cpu: expect.any(String), memory: expect.any(String) });
      const tmp = c.volumeMounts.find((m: { mountPath: string }) => m.mountPath === '/tmp');
      expect(pod.spec.volumes.find((v: { name: string }) => v.name === tmp.name).emptyDir).toBeDefined();
      const env = Object.fromEntries(c.env.map((e: { name: string; value: string }) => [e.name, e.value]));
      expect(env.SHORTENER_URL).toBe('http://snip-shortener:3000');
      expect(find(objs, 'Service', 'snip-shortener').spec.ports[0].port).toBe(3000);
      expect(env.PUBLIC_BASE_URL).toBe(profiles.kind.shortener.publicBaseUrl);
      expect(env.TARGET_URL).toBe('https://example.com/helm-test');

      // Default deny stays; the hook policy opens exactly the Pod's egress to the shortener pods on 3000.
      expect(find(objs, 'NetworkPolicy', 'snip-default-deny').spec.podSelector).toEqual({});
      expect(policy.spec.podSelector.matchLabels).toEqual({ 'app.kubernetes.io/instance': 'snip', 'app.kubernetes.io/name': 'helm-test' });
      expect(pod.metadata.labels).toMatchObject(policy.spec.podSelector.matchLabels);
      expect(policy.spec.policyTypes).toEqual(['Ingress', 'Egress']);
      expect(policy.spec.ingress).toEqual([]);
      expect(policy.spec.egress).toEqual([
        { to: [{ podSelector: { matchLabels: find(objs, 'Deployment', 'snip-shortener').spec.selector.matchLabels } }], ports: [{ port: 3000, protocol: 'TCP' }] },
      ]);
      // `--skip-tests` leaves both out.
      expect(helmTemplate(ci('kind'), ['--skip-tests']).filter(isTestHook)).toEqual([]);
    });

    it("checks the shortener's real routes and response shape in the test script", () => {
      const script: string = find(helmTemplate(ci('kind')), 'Pod', 'snip-helm-test').spec.containers[0].command[2];
      const controller = readFileSync(join(ROOT, 'apps/shortener/src/urls/urls.controller.ts'), 'utf8');
      const dto = readFileSync(join(ROOT, 'apps/shortener/src/urls/dto/url.response.ts'), 'utf8');
      const redirect = readFileSync(join(ROOT, 'apps/shortener/src/redirect/redirect.controller.ts'), 'utf8');
      expect(script).toContain(`\${base}${HEALTH_ROUTES.readiness}`);
      expect(controller).toMatch(/@Controller\('api'\)/);
      expect(controller).toMatch(/@Post\('shorten'\)\s+@HttpCode\(201\)/);
      expect(script).toContain('`${base}/api/shorten`');
      expect(script).toContain('created.status !== 201');
      expect(dto).toMatch(/short_code!: string/);
      expect(dto).toMatch(/short_url!: string/);
      expect(script).toContain('link.short_code');
      expect(script).toContain('link.short_url');
      expect(redirect).toMatch(/@Get\(':code'\)/);
      expect(redirect).toContain('HttpStatus.FOUND');
      expect(script).toContain("redirect: 'manual'");
      expect(script).toContain('res.status !== 302');
      expect(script).not.toContain('{{');
    });

    describe('the test script against a stand-in shortener', () => {
      const script: string = find(helmTemplate(ci('kind')), 'Pod', 'snip-helm-test').spec.containers[0].command[2];
      type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void;
      /** The real contract: ready 200; POST /api/shorten 201 {short_code, short_url}; GET /<code> 302 to the target. */
      const contract: Record<string, Handler> = {
        ready: (_req, _body, res) => res.writeHead(200).end('{"status":"ok"}'),
        shorten: (_req, body, res) => {
          const { url } = JSON.parse(body) as { url: string };
          res.writeHead(201, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ short_code: 'aZ3_k9-Q', short_url: 'http://localhost:8080/aZ3_k9-Q', original_url: url, title: null, description: null }));
        },
        redirect: (_req, _body, res) => res.writeHead(302, { location: 'https://example.com/helm-test' }).end(),
      };
      async function run(overrides: Partial<typeof contract>, env: Record<string, string> = {}) {
        const h = { ...contract, ...overrides };
        const seen: string[] = [];
        const server = createServer((req, res) => {
          let body = '';
          req.on('data', (chunk: Buffer) => (body += chunk.toString()));
          req.on('end', () => {
            seen.push(`${req.method} ${req.url} ${req.headers['content-type'] ?? ''} ${body}`.trim());
            if (req.method === 'GET' && req.url === '/health/ready') return h.ready!(req, body, res);
            if (req.method === 'POST' && req.url === '/api/shorten') return h.shorten!(req, body, res);
            if (req.method === 'GET' && req.url === '/aZ3_k9-Q') return h.redirect!(req, body, res);
            res.writeHead(404).end();
          });
        });
        await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
        const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
        try {
          const child = spawn(process.execPath, ['-e', script], {
            env: { SHORTENER_URL: base, PUBLIC_BASE_URL: 'http://localhost:8080/', TARGET_URL: 'https://example.com/helm-test', READY_TIMEOUT_SECONDS: '60', ...env },
          });
          let out = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          child.stderr.on('data', (d: Buffer) => (out += d.toString()));
          const code = await new Promise<number | null>((done) => child.on('close', done));
          return { code, out, seen };
        } finally {
          server.close();
        }
      }

      it('passes and prints each step when the shortener keeps its contract', async () => {
        const { code, out, seen } = await run({});
        expect(out).toContain('ready: 200');
        expect(out).toContain('created: 201 short_code=aZ3_k9-Q');
        expect(out).toContain('redirect: 302 Location: https://example.com/helm-test');
        expect(out).toContain('all checks passed');
        expect(code).toBe(0);
        expect(seen).toEqual([
          'GET /health/ready',
          'POST /api/shorten application/json {"url":"https://example.com/helm-test"}',
          'GET /aZ3_k9-Q',
        ]);
      });

      it('fails with a clear message on each broken step', async () => {
        const notReady = await run({ ready: (_q, _b, res) => res.writeHead(503).end('draining') }, { READY_TIMEOUT_SECONDS: '0' });
        expect(notReady.code).toBe(1);
        expect(notReady.out).toContain('FAILED: GET /health/ready did not answer 200 (last: HTTP 503 draining)');

        const refused = await run({ shorten: (_q, _b, res) => res.writeHead(503).end('{"error":"PostgreSQL is unavailable"}') });
        expect(refused.code).toBe(1);
        expect(refused.out).toContain('FAILED: POST /api/shorten answered 503, expected 201');

        const wrongBase = await run({
          shorten: (_q, _b, res) => res.writeHead(201).end('{"short_code":"aZ3_k9-Q","short_url":"http://elsewhere/aZ3_k9-Q"}'),
        });
        expect(wrongBase.code).toBe(1);
        expect(wrongBase.out).toContain('expected http://localhost:8080/aZ3_k9-Q (shortener.publicBaseUrl)');

        const followed = await run({ redirect: (_q, _b, res) => res.writeHead(200).end('<html>') });
        expect(followed.code).toBe(1);
        expect(followed.out).toContain('FAILED: GET /aZ3_k9-Q answered 200, expected 302');

        const elsewhere = await run({ redirect: (_q, _b, res) => res.writeHead(302, { location: 'https://example.org/' }).end() });
        expect(elsewhere.code).toBe(1);
        expect(elsewhere.out).toContain('FAILED: GET /aZ3_k9-Q redirected to https://example.org/, expected https://example.com/helm-test');
      });

      it('fails with a clear message when the shortener cannot be reached', async () => {
        const { code, out } = await run({}, { SHORTENER_URL: 'http://127.0.0.1:9', READY_TIMEOUT_SECONDS: '0' });
        expect(code).toBe(1);
        expect(out).toMatch(/FAILED: GET \/health\/ready did not answer 200 \(last: \w+/);
      });
    });
  });

  it('applies image.pullPolicy to the Snip images only', () => {
    const objs = helmTemplate(ci('kind'), ['--set', 'image.pullPolicy=Never']);
    const all = containers(objs);
    const snipImage = (image: string) =>
      [profiles.kind.image.shortenerRepository, profiles.kind.image.redirectorRepository].some((r) => image.startsWith(`${r}:`));
    const snip = all.filter((x) => snipImage(x.container.image));
    const others = all.filter((x) => !snipImage(x.container.image));
    expect(snip.map((x) => x.owner).sort()).toEqual([
      'Deployment/snip/snip-redirector',
      'Deployment/snip/snip-shortener',
      'Job/snip/snip-migrate-dev',
      'Pod/snip/snip-helm-test',
    ]);
    for (const x of snip) expect(x.container.imagePullPolicy, x.owner).toBe('Never');
    expect(others.map((x) => x.owner).sort()).toEqual([
      'Deployment/snip/snip-collector',
      'Deployment/snip/snip-jaeger',
      'Deployment/snip/snip-redis',
      'StatefulSet/snip/snip-postgres',
    ]);
    for (const x of others) expect(x.container.imagePullPolicy, x.owner).toBe('IfNotPresent');
  });

  it('hands the replica count to an autoscaler, spreads pods and sleeps before SIGTERM for the computed grace period', () => {
    const config = withOverrides(profiles.kind, { shutdown: { preStopSeconds: 7, delayMs: 2500 } });
    const objs = helmTemplate(ci('kind'), ['--set', 'shutdown.preStopSeconds=7', '--set', 'shutdown.delayMs=2500']);
    for (const app of ['shortener', 'redirector'] as const) {
      const deployment = find(objs, 'Deployment', `snip-${app}`);
      expect(deployment.spec.replicas, app).toBeUndefined();
      const hpa = find(objs, 'HorizontalPodAutoscaler', `snip-${app}`);
      expect(hpa.spec.scaleTargetRef).toEqual({ apiVersion: 'apps/v1', kind: 'Deployment', name: `snip-${app}` });
      expect([hpa.spec.minReplicas, hpa.spec.maxReplicas]).toEqual([config[app].replicas, config[app].autoscaling.maxReplicas]);
      const pod = deployment.spec.template.spec;
      expect(pod.containers[0].lifecycle).toEqual({ preStop: { sleep: { seconds: 7 } } });
      expect(pod.terminationGracePeriodSeconds, app).toBe(terminationGracePeriodSeconds(config, app));
      expect(pod.topologySpreadConstraints[0].labelSelector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    }
    // 7 + ceil((2500 + 10000 + 10000) / 1000) + 5; the redirector adds its visit drain and last batch (15 s + 5 s).
    expect(find(objs, 'Deployment', 'snip-shortener').spec.template.spec.terminationGracePeriodSeconds).toBe(35);
    expect(find(objs, 'Deployment', 'snip-redirector').spec.template.spec.terminationGracePeriodSeconds).toBe(55);
  });

  describe('values.schema.json', () => {
    const schema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8'));

    it('uses the same image tag rule as cdk8s and rejects a tag that cannot name the Job', () => {
      expect(schema.definitions.ImageConfig.properties.tag.pattern).toBe(IMAGE_TAG_PATTERN.source);
      expect(templateError('--set', 'image.tag=Bad_Tag')).toMatch(/\/image\/tag.*pattern|pattern.*tag/is);
      expect(templateError('--set', 'image.tag=1.0-rc1')).toMatch(/\/image\/tag/);
      expect(templateError('--set', `image.tag=${'a'.repeat(41)}`)).toMatch(/\/image\/tag/);
      expect(templateError('--set', 'image.tag=0.2.0')).toBe('');
    });

    it('rejects unknown keys at every level', () => {
      expect(templateError('--set', 'replicaCount=3')).toMatch(/additional properties 'replicaCount'/);
      expect(templateError('--set', 'shortener.replicaCount=3')).toMatch(/additional properties 'replicaCount'/);
      expect(templateError('--set', 'redirector.autoscaling.minReplicas=1')).toMatch(/additional properties 'minReplicas'/);
      expect(templateError('--set', 'shutdown.graceSeconds=3')).toMatch(/additional properties 'graceSeconds'/);
      expect(templateError('--set', 'networkPolicy.enabled=false')).toMatch(/additional properties 'enabled'/);
      expect(templateError('--set', 'postgres.password=secret')).toMatch(/additional properties 'password'/);
    });

    it('names each bad value and what it should be', () => {
      const err = templateError('--set', 'collector.exporter=zipkin', '--set', 'shortener.replicas=0', '--set', 'redis.maxMemory=lots');
      expect(err).toContain("at '/collector/exporter': value must be one of 'jaeger', 'dash0'");
      expect(err).toContain("at '/shortener/replicas': minimum: got 0, want 1");
      expect(err).toMatch(/at '\/redis\/maxMemory': 'lots' does not match pattern/);
    });

    it('rejects invalid enums and out-of-bounds numbers', () => {
      expect(templateError('--set', 'collector.exporter=zipkin')).toMatch(/exporter/);
      expect(templateError('--set', 'collector.mode=sidecar')).toMatch(/mode/);
      expect(templateError('--set', 'image.pullPolicy=Sometimes')).toMatch(/pullPolicy/);
      expect(templateError('--set', 'collector.resources.limits.memory=1Gi')).toMatch(/memory/);
      expect(templateError('--set', 'dash0.endpoint=http://insecure')).toMatch(/endpoint/);
      expect(templateError('--set', 'shortener.replicas=0')).toMatch(/\/shortener\/replicas/);
      expect(templateError('--set', 'shortener.autoscaling.targetCpuUtilization=101')).toMatch(/targetCpuUtilization/);
      expect(templateError('--set', 'redirector.autoscaling.maxReplicas=0')).toMatch(/maxReplicas/);
      expect(templateError('--set', 'shutdown.preStopSeconds=0')).toMatch(/preStopSeconds/);
      expect(templateError('--set', 'shutdown.delayMs=60001')).toMatch(/delayMs/);
      expect(templateError('--set', 'networkPolicy.podCidr=10.244.0.0')).toMatch(/podCidr/);
      expect(templateError('--set', 'networkPolicy.podCidr=10.244.0.0/33')).toMatch(/podCidr/);
    });

    it('rejects createSecret with an external database, in the schema and (schema skipped) in the template', () => {
      const external = ['--set', 'postgres.mode=external', '--set', 'postgres.createSecret=true'];
      expect(templateError(...external)).toMatch(/\/postgres\/createSecret/);
      expect(templateError(...external, '--skip-schema-validation')).toContain(
        'postgres.createSecret needs postgres.mode in-cluster',
      );
      expect(templateError('--set', 'postgres.mode=external', '--set', 'postgres.createSecret=false')).toBe('');
    });

    it('fails clearly on what the schema cannot express', () => {
      expect(templateError('--set', 'shortener.replicas=5')).toContain(
        'shortener.autoscaling.maxReplicas (4) must be at least shortener.replicas (5)',
      );
      // 40 + "-migrate-" + 40 > 63: the Job's name is also a label value of its pods.
      expect(templateError('--set', `name=${'n'.repeat(40)}`, '--set', `image.tag=${'t'.repeat(40)}`)).toContain(
        'is longer than 63 characters',
      );
    });
  });

  describe('NOTES.txt', () => {
    const notes = (release: string, namespace: string, ...args: string[]) => {
      const out = helm(['install', release, CHART, '--dry-run=client', '--namespace', namespace, ...args]);
      return out.slice(out.indexOf('NOTES:'));
    };

    it('tells how to make the namespace and the Secret with a generated password, helm test and the Job name', () => {
      const out = notes('snip', 'snip', '-f', ci('kind'));
      expect(out).toContain('kubectl create namespace snip');
      expect(out).toContain(
        `kubectl label namespace snip --overwrite ${Object.entries(POD_SECURITY_LABELS).map(([k, v]) => `${k}=${v}`).join(' ')}`,
      );
      expect(out).toContain('SNIP_DB_PASSWORD="$(openssl rand -hex 12)"');
      expect(out).toContain('kubectl -n snip create secret generic snip-postgres');
      expect(out).toContain('--from-literal=POSTGRES_PASSWORD="$SNIP_DB_PASSWORD"');
      expect(out).toContain('--from-literal=DATABASE_URL="postgres://snip:$SNIP_DB_PASSWORD@snip-postgres:5432/snip"');
      expect(out).not.toMatch(/POSTGRES_PASSWORD=(?!"\$SNIP_DB_PASSWORD")/);
      expect(out).toContain('helm test snip -n snip');
      expect(out).toContain('Job snip-migrate-dev (snip-migrate-<image tag>)');
      expect(out).toContain('port-forward svc/snip-shortener 8080:3000');
      expect(out).toContain('port-forward svc/snip-jaeger-query 16686:16686');
    });

    it('says when the chart made the Secret instead', () => {
      const out = notes('snip', 'snip', '-f', ci('kind'), '--set', 'postgres.createSecret=true');
      expect(out).toContain('snip-postgres: DATABASE_URL and POSTGRES_PASSWORD, created by this chart');
      expect(out).not.toContain('create secret generic snip-postgres');
      expect(out).not.toContain('openssl');
      expect(out).toContain('kubectl create namespace snip');
    });

    it('lists the external Secrets and names release, namespace and tag from the install', () => {
      const out = notes('demo', 'other', '-f', ci('dash0'), '--set', 'name=', '--set', 'namespace=');
      expect(out).toContain('kubectl -n other create secret generic snip-database');
      expect(out).toContain("--from-literal=DATABASE_URL='postgres://USER:PASSWORD@HOST:5432/DATABASE'");
      expect(out).toContain('kubectl -n other create secret generic snip-redis');
      expect(out).toContain('dash0-auth: token');
      expect(out).toContain('https://snip.example.com/');
      expect(out).toContain('helm test demo -n other');
      expect(out).toContain('Job demo-migrate-0.1.0 (demo-migrate-<image tag>)');
      expect(out).not.toContain('openssl');
    });
  });

  it('changes the Collector pod checksum when its configuration changes', () => {
    const sum = (args: string[]) => {
      const objs = helmTemplate(ci('dash0'), args);
      return objs.find((o) => o.kind === 'Deployment' && o.metadata.name === 'snip-collector')!.spec.template.metadata
        .annotations['checksum/config'];
    };
    expect(sum([])).not.toBe(sum(['--set', 'dash0.dataset=']));
  });
});

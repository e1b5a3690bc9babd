import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const scripts = ['scripts/kind/up.sh', 'scripts/kind/down.sh', 'scripts/minikube/up.sh', 'scripts/minikube/down.sh'];
const dryRun = (script: string, ...args: string[]) =>
  execFileSync('bash', [join(ROOT, script), '--dry-run', ...args], {
    encoding: 'utf8',
    // No cluster tools on PATH: a dry run must not need them.
    env: { PATH: '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/tmp' },
  });
const commands = (out: string) => out.split('\n').filter((l) => l.startsWith('+ ')).map((l) => l.slice(2));
const indexOf = (cmds: string[], re: RegExp) => cmds.findIndex((c) => re.test(c));

describe('quickstart scripts', () => {
  it('kind up --dry-run creates the cluster, builds and loads both images, deploys and waits, in order', () => {
    const out = dryRun('scripts/kind/up.sh');
    const cmds = commands(out);
    const steps = [
      /^kind create cluster --name snip/,
      /^docker build --build-arg SERVICE=shortener -t snip-shortener:dev /,
      /^docker build --build-arg SERVICE=redirector -t snip-redirector:dev /,
      /^kind load docker-image --name snip snip-shortener:dev snip-redirector:dev$/,
      /^kubectl apply -f .*deploy\/kind\/namespace\.yaml$/,
      /^kubectl -n snip create secret generic snip-postgres /,
      /^kubectl apply -k .*deploy\/kind$/,
      /rollout status statefulset\/snip-postgres/,
      /wait --for=condition=complete job -l app\.kubernetes\.io\/name=migrate/,
      /rollout status deployment\/snip-shortener/,
    ];
    const positions = steps.map((re) => indexOf(cmds, re));
    expect(positions.every((p) => p >= 0), JSON.stringify(cmds, null, 1)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    // Dev credentials are generated at deploy time and never printed.
    expect(out).toContain('POSTGRES_PASSWORD=***');
    expect(out).toContain('port-forward svc/snip-shortener 8080:3000');
    expect(out).toContain('port-forward svc/snip-jaeger-query 16686:16686');
    expect(out).toContain('npm run enrichment:check -- --jaeger http://localhost:16686');
  });

  it('kind up --skip-build --name demo loads prebuilt images into the named cluster', () => {
    const cmds = commands(dryRun('scripts/kind/up.sh', '--skip-build', '--name', 'demo'));
    expect(cmds.some((c) => c.startsWith('docker build'))).toBe(false);
    expect(cmds).toContain('kind create cluster --name demo --wait 120s');
    expect(cmds).toContain('kind load docker-image --name demo snip-shortener:dev snip-redirector:dev');
  });

  it('minikube up --dry-run starts a NetworkPolicy-enforcing profile and builds inside it', () => {
    const cmds = commands(dryRun('scripts/minikube/up.sh'));
    expect(cmds[0]).toMatch(/^minikube start --profile snip --cni=calico/);
    expect(cmds.filter((c) => /^minikube --profile snip image build -t snip-(shortener|redirector):dev --build-opt=build-arg=SERVICE=/.test(c))).toHaveLength(2);
    expect(indexOf(cmds, /^kubectl apply -k /)).toBeGreaterThan(0);
  });

  it('teardown --dry-run deletes only the quickstart cluster', () => {
    expect(commands(dryRun('scripts/kind/down.sh'))).toEqual(['kind delete cluster --name snip']);
    expect(commands(dryRun('scripts/minikube/down.sh'))).toEqual(['minikube delete --profile snip']);
  });

  it('rejects unknown arguments', () => {
    const r = spawnSync('bash', [join(ROOT, 'scripts/kind/up.sh'), '--bogus'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('unknown argument');
  });

  const shellcheck = spawnSync('sh', ['-c', 'command -v shellcheck'], { encoding: 'utf8' }).stdout.trim();
  it.skipIf(!shellcheck)('is shellcheck-clean', () => {
    const files = [...scripts, 'scripts/kind/lib.sh', 'scripts/fetch-helm.sh', 'scripts/image-verify.sh'];
    const r = spawnSync(shellcheck, ['-x', ...files], { cwd: ROOT, encoding: 'utf8' });
    expect(r.stdout + r.stderr).toBe('');
    expect(r.status).toBe(0);
  });
});

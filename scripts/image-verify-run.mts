// Runs the images built by scripts/image-verify.sh with `buildah run` (chroot isolation, host
// network) against a throwaway PostgreSQL and Redis: migrations (twice, idempotent), both
// services started with the image's own command, health/readiness, a shorten + redirect through
// both services, and OTLP export from the preloaded SDK to a local receiver.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { createTestDatabase, startEmbeddedPostgres, startRedis } from '../tests/support/stores.ts';
import { freePort, waitFor } from '../tests/support/net.ts';

const work = process.env['SNIP_IMAGE_WORK'] ?? join(import.meta.dirname, '..', '.data', 'image-verify');
const tag = process.env['SNIP_IMAGE_TAG'] ?? 'verify';
const storage = ['--root', join(work, 'storage'), '--runroot', join(work, 'run'), '--storage-driver', 'vfs'];

function buildah(args: string[]): string {
  const r = spawnSync('buildah', [...storage, ...args], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`buildah ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim();
}

function check(cond: unknown, what: string): void {
  if (!cond) throw new Error(`check failed: ${what}`);
  console.log(`  ok  ${what}`);
}

interface ImageConfig {
  Cmd: string[];
  User: string;
  WorkingDir: string;
}

function imageConfig(image: string): ImageConfig {
  const info = JSON.parse(buildah(['inspect', '--type', 'image', image]));
  return info.OCIv1.config as ImageConfig;
}

const containers: string[] = [];
const processes: ChildProcess[] = [];
let stopping = false;

function container(image: string): string {
  const id = buildah(['from', '--pull-never', image]);
  containers.push(id);
  return id;
}

function envArgs(env: Record<string, string>): string[] {
  return Object.entries(env).flatMap(([k, v]) => ['--env', `${k}=${v}`]);
}

function runOnce(ctr: string, env: Record<string, string>, cmd: string[]): { status: number | null; output: string } {
  const r = spawnSync('buildah', [...storage, 'run', '--isolation', 'chroot', ...envArgs(env), ctr, '--', ...cmd], {
    encoding: 'utf8',
  });
  return { status: r.status, output: r.stdout + r.stderr };
}

function runService(name: string, ctr: string, env: Record<string, string>, cmd: string[]): { log: () => string } {
  let log = '';
  const child = spawn('buildah', [...storage, 'run', '--isolation', 'chroot', ...envArgs(env), ctr, '--', ...cmd], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d) => (log += d));
  child.stderr.on('data', (d) => (log += d));
  child.on('exit', (code) => {
    if (!stopping && code !== null && code !== 0) console.error(`${name} exited with ${code}:\n${log.slice(-4000)}`);
  });
  processes.push(child);
  return { log: () => log };
}

async function httpOk(url: string): Promise<boolean> {
  const r = await fetch(url, { signal: AbortSignal.timeout(2000) });
  return r.status === 200;
}

async function main(): Promise<void> {
  const pg = await startEmbeddedPostgres();
  const redis = await startRedis();
  if (!redis) throw new Error('redis-server is not installed (apt-get install redis-server)');
  const databaseUrl = await createTestDatabase(pg.adminUrl, 'image');

  // Receives the services' OTLP/HTTP exports; proves the SDK is preloaded by the image's command.
  const otlp: string[] = [];
  const receiver = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      otlp.push(`${req.url} ${Buffer.concat(chunks).toString('latin1')}`);
      res.writeHead(200, { 'content-type': 'application/x-protobuf' });
      res.end();
    });
  });
  // A target page for metadata extraction (allowed through SSRF_ALLOWLIST for this check only).
  const page = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html><head><title>Image check page</title><meta name="description" content="served locally"></head></html>');
  });
  const otlpPort = await freePort();
  const pagePort = await freePort();
  await new Promise<void>((r) => receiver.listen(otlpPort, '127.0.0.1', r));
  await new Promise<void>((r) => page.listen(pagePort, '127.0.0.1', r));

  try {
    const shortenerImage = `localhost/snip-shortener:${tag}`;
    const redirectorImage = `localhost/snip-redirector:${tag}`;
    for (const image of [shortenerImage, redirectorImage]) {
      const cfg = imageConfig(image);
      check(/^\d+(:\d+)?$/.test(cfg.User) && !cfg.User.startsWith('0'), `${image} runs as numeric non-root user ${cfg.User}`);
      check(cfg.WorkingDir === '/app', `${image} WORKDIR /app`);
      check(cfg.Cmd.join(' ').includes('--require ./libs/telemetry/dist/register.js'), `${image} preloads the SDK`);
    }

    console.log('migrations');
    const migrator = container(shortenerImage);
    for (const round of [1, 2]) {
      const r = runOnce(migrator, { DATABASE_URL: databaseUrl }, ['node', 'libs/data/dist/migrate.js']);
      if (r.status !== 0) console.error(r.output);
      check(r.status === 0, `migrate.js exits 0 (run ${round}${round === 2 ? ', nothing to do' : ''})`);
    }
    const write = runOnce(migrator, {}, ['sh', '-c', 'touch /app/probe 2>/dev/null && echo writable || echo read-only']);
    check(write.output.trim() === 'read-only', 'the app tree is not writable by the runtime user');

    const common = {
      DATABASE_URL: databaseUrl,
      REDIS_URL: redis.url,
      LOG_LEVEL: 'warn',
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlpPort}`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
      OTEL_BSP_SCHEDULE_DELAY: '200',
      REDIS_KEY_PREFIX: 'imgcheck:',
    };
    const redirectorPort = await freePort();
    const shortenerPort = await freePort();
    const redirector = runService('redirector', container(redirectorImage), {
      ...common,
      PORT: String(redirectorPort),
      GEO_PROVIDER: 'none',
      OTEL_SERVICE_NAME: 'redirector',
    }, imageConfig(redirectorImage).Cmd);
    const shortener = runService('shortener', container(shortenerImage), {
      ...common,
      PORT: String(shortenerPort),
      REDIRECTOR_URL: `http://127.0.0.1:${redirectorPort}`,
      PUBLIC_BASE_URL: 'http://snip.test',
      SSRF_ALLOWLIST: '127.0.0.1/32',
      OTEL_SERVICE_NAME: 'shortener',
    }, imageConfig(shortenerImage).Cmd);

    const base = `http://127.0.0.1:${shortenerPort}`;
    try {
      await waitFor(() => httpOk(`http://127.0.0.1:${redirectorPort}/health`), 60_000, 'redirector /health');
      await waitFor(() => httpOk(`${base}/health`), 60_000, 'shortener /health');
    } catch (err) {
      console.error(`redirector log:\n${redirector.log().slice(-3000)}\nshortener log:\n${shortener.log().slice(-3000)}`);
      throw err;
    }
    console.log('services');
    for (const [name, url] of [
      ['redirector', `http://127.0.0.1:${redirectorPort}`],
      ['shortener', base],
    ] as const) {
      const health = await fetch(`${url}/health`);
      check(health.status === 200 && (await health.json()).status === 'ok', `${name} GET /health -> 200 {"status":"ok"}`);
      check((await fetch(`${url}/health/live`)).status === 200, `${name} GET /health/live -> 200`);
      check((await fetch(`${url}/health/ready`)).status === 200, `${name} GET /health/ready -> 200`);
    }
    const target = `http://127.0.0.1:${pagePort}/article`;
    const created = await fetch(`${base}/api/shorten`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: target }),
    });
    const body = (await created.json()) as { short_code: string; short_url: string; title: string | null };
    check(created.status === 201, `POST /api/shorten -> 201 (${body.short_code})`);
    check(body.short_url === `http://snip.test/${body.short_code}`, 'short_url uses PUBLIC_BASE_URL');
    check(body.title === 'Image check page', 'metadata extracted from the target page');
    const redirect = await fetch(`${base}/${body.short_code}`, { redirect: 'manual' });
    check(redirect.status === 302 && redirect.headers.get('location') === target, `GET /${body.short_code} -> 302 ${target}`);
    const missing = await fetch(`${base}/NoSuchCd`, { redirect: 'manual' });
    check(missing.status === 404, 'GET /NoSuchCd -> 404');
    await waitFor(() => otlp.some((o) => o.includes('shortener')) && otlp.some((o) => o.includes('redirector')), 30_000, 'OTLP exports');
    check(otlp.every((o) => o.startsWith('/v1/')), `both services exported OTLP/HTTP (${otlp.length} requests)`);
  } finally {
    stopping = true;
    for (const p of processes) p.kill('SIGTERM');
    await Promise.all(processes.map((p) => (p.exitCode === null ? new Promise((r) => p.once('exit', r)) : undefined)));
    for (const c of containers) spawnSync('buildah', [...storage, 'rm', c], { stdio: 'ignore' });
    receiver.close();
    page.close();
    await redis.stop();
    await pg.destroy();
  }
}

main().then(
  () => console.log('image run checks passed'),
  (err: Error) => {
    console.error(err.message);
    process.exit(1);
  },
);

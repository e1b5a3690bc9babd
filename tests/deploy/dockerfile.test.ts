import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './helpers.js';

const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
const stages = dockerfile.split(/^FROM /m).slice(1);
const [build, runtime] = stages as [string, string];

/** Workspace folders npm ci expects, from the root package.json globs. */
function workspaces(): string[] {
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { workspaces: string[] };
  return pkg.workspaces.flatMap((glob) => {
    const parent = glob.replace(/\/\*$/, '');
    if (!existsSync(join(ROOT, parent))) return [];
    return readdirSync(join(ROOT, parent))
      .map((d) => `${parent}/${d}`)
      .filter((d) => existsSync(join(ROOT, d, 'package.json')));
  });
}

describe('Dockerfile', () => {
  it('pins an exact, overridable Node 24 base image', () => {
    expect(dockerfile).toMatch(/^ARG NODE_IMAGE=node:24\.\d+\.\d+-bookworm-slim$/m);
    expect(stages.every((s) => s.startsWith('${NODE_IMAGE}'))).toBe(true);
    expect(dockerfile).not.toMatch(/:latest/);
  });

  it('builds in one stage and ships production dependencies only in the other', () => {
    expect(stages).toHaveLength(2);
    expect(build).toMatch(/RUN npm ci /);
    expect(build).toMatch(/nx run-many -t build/);
    expect(runtime).toMatch(/npm ci --omit=dev --ignore-scripts/);
    expect(runtime).not.toMatch(/COPY (libs|apps)\/ /);
    expect(runtime).toMatch(/COPY --from=build \/out\/ \.\//);
  });

  it('copies the manifest of every npm workspace into both stages (npm ci needs them)', () => {
    const ws = workspaces();
    expect(ws.length).toBeGreaterThanOrEqual(6);
    for (const w of ws) {
      for (const stage of [build, runtime]) expect(stage, w).toContain(`COPY ${w}/package.json ${w}/`);
    }
  });

  it('runs as a numeric non-root user with the SDK preloaded, one image per SERVICE', () => {
    expect(runtime).toMatch(/^USER 10001:10001$/m);
    expect(runtime).toMatch(/^ARG SERVICE=shortener$/m);
    expect(runtime).toMatch(/SNIP_SERVICE=\$\{SERVICE\}/);
    const cmd = /^CMD (.+)$/m.exec(runtime)![1]!;
    expect(JSON.parse(cmd)).toEqual([
      '/bin/sh',
      '-c',
      'exec node --require ./libs/telemetry/dist/register.js "apps/${SNIP_SERVICE}/dist/main.js"',
    ]);
    expect(build).toMatch(/apps\/shortener\/public/);
  });

  it('keeps secrets, tests, local data and installs out of the build context', () => {
    for (const p of ['.env', '.env.*', '**/.env', 'tests', '**/test', '.data', '**/node_modules', '**/dist', '.git', '.tools']) {
      expect(ignore, p).toContain(p);
    }
  });
});

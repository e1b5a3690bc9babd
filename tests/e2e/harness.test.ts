// The test command itself: a failing test must fail the run, also when the harness starts its own
// stores; CI fails when a test was skipped or a tool is missing; a service that cannot start says why at once.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { windowWithRoom } from '../support/rate-window';
import { ROOT, startService } from '../support/services';

const VITEST = join(ROOT, 'node_modules/vitest/vitest.mjs');
const CHECKER = join(ROOT, 'scripts/check-test-report.mjs');

function runVitest(config: string, env: NodeJS.ProcessEnv, extra: string[] = []) {
  const clean: NodeJS.ProcessEnv = { ...process.env, ...env };
  for (const [key, value] of Object.entries(clean)) if (value === undefined) delete clean[key];
  delete clean['VITEST'];
  return spawnSync(process.execPath, [VITEST, 'run', '--config', join(ROOT, config), ...extra], { cwd: ROOT, env: clean, encoding: 'utf8', timeout: 120_000 });
}

function runFixture(outcome: 'pass' | 'fail') {
  // No DATABASE_URL / REDIS_URL: the global setup starts (and must stop) throwaway instances.
  return runVitest('tests/e2e/fixtures/exit-status/vitest.config.mts', { SNIP_FIXTURE_OUTCOME: outcome, DATABASE_URL: undefined, REDIS_URL: undefined });
}

const check = (report: string) => spawnSync(process.execPath, [CHECKER, report], { cwd: ROOT, encoding: 'utf8' });

function reportFile(report: unknown): string {
  const path = join(mkdtempSync(join(tmpdir(), 'snip-report-')), 'report.json');
  writeFileSync(path, JSON.stringify(report));
  return path;
}

describe('exit status of a test run with throwaway stores', () => {
  it('is non-zero when a test fails', () => {
    const run = runFixture('fail');
    expect(run.stdout + run.stderr).toContain('1 failed');
    expect(run.status).toBe(1);
  });

  it('is zero when every test passes', () => {
    const run = runFixture('pass');
    expect(run.stdout + run.stderr).toContain('1 passed');
    expect(run.status).toBe(0);
  });
});

describe('CI fails when anything it should run did not run', () => {
  const test = (fullName: string, status: string) => ({ fullName, title: fullName, status });

  it('the report check fails on a skipped or todo test and names it', () => {
    const run = check(
      reportFile({
        numTotalTests: 3,
        testResults: [{ name: join(ROOT, 'tests/x.test.ts'), assertionResults: [test('works', 'passed'), test('needs Redis', 'skipped'), test('later', 'todo')] }],
      }),
    );
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('tests/x.test.ts > needs Redis (skipped)');
    expect(run.stderr).toContain('tests/x.test.ts > later (todo)');
    expect(run.stderr).not.toContain('works');
  });

  it('the report check passes a report in which every test ran', () => {
    const run = check(reportFile({ numTotalTests: 2, testResults: [{ name: join(ROOT, 'tests/x.test.ts'), assertionResults: [test('a', 'passed'), test('b', 'failed')] }] }));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('the report check reads the JSON report Vitest writes for a run with a skipped test', () => {
    const dir = mkdtempSync(join(tmpdir(), 'snip-report-'));
    const skipped = runVitest('tests/e2e/fixtures/skipped/vitest.config.mts', { SNIP_FIXTURE_SKIP: '1' }, ['--reporter=default', '--reporter=json', `--outputFile.json=${join(dir, 'skipped.json')}`]);
    expect(skipped.status).toBe(0);
    const run = check(join(dir, 'skipped.json'));
    expect(run.stderr).toContain('1 test(s) did not run');
    expect(run.stderr).toContain('needs something this machine lacks');
    expect(run.status).toBe(1);

    const full = runVitest('tests/e2e/fixtures/skipped/vitest.config.mts', { SNIP_FIXTURE_SKIP: '0' }, ['--reporter=json', `--outputFile.json=${join(dir, 'full.json')}`]);
    expect(full.status).toBe(0);
    expect(check(join(dir, 'full.json')).status).toBe(0);
  });

  it('with SNIP_REQUIRE_ALL=1 the run stops before any test when a tool is missing', () => {
    const run = runVitest('tests/e2e/fixtures/exit-status/vitest.config.mts', { SNIP_FIXTURE_OUTCOME: 'pass', SNIP_REQUIRE_ALL: '1', CHROMIUM_PATH: '/nonexistent/chromium' });
    expect(run.stdout + run.stderr).toContain('chromium at /nonexistent/chromium');
    expect(run.stdout + run.stderr).not.toContain('1 passed');
    expect(run.status).not.toBe(0);
  });
});

describe('starting a service', () => {
  it('binds port 0 and reports the port it got, where it then answers', async () => {
    const service = await startService('shortener', { DATABASE_URL: inject('postgresAdminUrl') });
    try {
      expect(service.port).toBeGreaterThan(0);
      expect(service.logs.find((l) => l['event'] === 'listening')).toMatchObject({ port: service.port });
      expect((await fetch(`${service.url}/health/live`)).status).toBe(200);
    } finally {
      await service.stop();
    }
  });

  it('fails as soon as the process exits, with its error line, not after the start timeout', async () => {
    // A start timeout far beyond the test's own: only the exit can end this wait in time.
    const start = startService('redirector', { DATABASE_URL: 'mysql://u@h/x' }, { timeoutMs: 600_000 });
    const error = await start.then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error?.message).toContain('redirector exited with 78 before listening');
    expect(error?.message).toContain('DATABASE_URL must use postgres: or postgresql: (got "mysql:")');
  });
});

describe('rate-limit window for tests against real processes', () => {
  it('is the asked length when its current window has room, and another length one second before a boundary', () => {
    const at = (seconds: number) => seconds * 1000;
    expect(windowWithRoom(600, 3600, at(7200 + 100))).toBe(3600);
    const length = windowWithRoom(600, 3600, at(7200 - 1));
    expect(length).not.toBe(3600);
    expect(length - ((7200 - 1) % length)).toBeGreaterThan(600);
  });
});

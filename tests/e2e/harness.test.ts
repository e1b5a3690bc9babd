// The test command itself: a failing test must fail the run, also when the harness starts its own stores.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/services';

function runFixture(outcome: 'pass' | 'fail') {
  const env: NodeJS.ProcessEnv = { ...process.env, SNIP_FIXTURE_OUTCOME: outcome };
  // No DATABASE_URL / REDIS_URL: the global setup starts (and must stop) throwaway instances.
  delete env['DATABASE_URL'];
  delete env['REDIS_URL'];
  delete env['VITEST'];
  return spawnSync(process.execPath, [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', join(ROOT, 'tests/e2e/fixtures/exit-status/vitest.config.mts')], {
    cwd: ROOT,
    env,
    encoding: 'utf8',
    timeout: 120_000,
  });
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

// LOG_LEVEL is validated with every other variable: a bad level stops the service with one line, not a pino stack trace.
import { spawnSync } from 'node:child_process';
import { LOG_LEVELS } from '@snip/config-contract';
import { describe, expect, it } from 'vitest';
import { serviceCommand, ROOT } from '../support/services';

describe('LOG_LEVEL', () => {
  it.each(['shortener', 'redirector'] as const)('%s with LOG_LEVEL=loud exits 78 with one line naming the variable', (name) => {
    const run = spawnSync(process.execPath, serviceCommand(name), {
      cwd: ROOT,
      env: { PATH: process.env['PATH'], OTEL_SDK_DISABLED: 'true', DATABASE_URL: 'postgres://u@127.0.0.1/x', LOG_LEVEL: 'loud' },
      encoding: 'utf8',
      timeout: 20_000,
    });
    expect(run.status).toBe(78);
    expect(run.stderr.trim().split('\n')).toEqual([
      `${name}: invalid configuration: LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "loud")`,
    ]);
    expect(run.stdout).toBe('');
  });
});

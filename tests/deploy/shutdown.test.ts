import { describe, expect, it } from 'vitest';
import { appConfig as redirectorApp } from '../../apps/redirector/src/config/app.config.js';
import { visitsConfig } from '../../apps/redirector/src/config/visits.config.js';
import { appConfig as shortenerApp } from '../../apps/shortener/src/config/app.config.js';
import { SERVER_CLOSE_TIMEOUT_MS } from '../../libs/common/src/bootstrap.js';
import { databaseConfig } from '../../libs/data/src/database.config.js';
import { TELEMETRY_SHUTDOWN_TIMEOUT_MS } from '../../libs/telemetry/src/shutdown.js';
import { profiles, synthObjects } from '../../infra/cdk8s/src/index.js';
import type { K8sObject } from '../../infra/cdk8s/src/index.js';
import { find } from './helpers.js';

/** Runs a service's config factory with exactly the literal env a container gets (Secrets stubbed). */
function withContainerEnv<T>(deployment: K8sObject, read: () => T): T {
  const saved = process.env;
  const env: Record<string, string> = {};
  for (const e of deployment.spec.template.spec.containers[0].env as Array<{ name: string; value?: string }>) {
    if (e.value !== undefined) env[e.name] = e.value;
  }
  env['DATABASE_URL'] ??= 'postgres://snip@db:5432/snip';
  process.env = env;
  try {
    return read();
  } finally {
    process.env = saved;
  }
}

describe.each(Object.entries(profiles))('pod shutdown fits the grace period (%s)', (_profile, config) => {
  const objs = synthObjects(config);

  it.each(['shortener', 'redirector'] as const)('%s: preStop + every bounded drain step fits terminationGracePeriodSeconds', (svc) => {
    const d = find(objs, 'Deployment', `snip-${svc}`);
    const pod = d.spec.template.spec;
    const preStopMs = pod.containers[0].lifecycle.preStop.sleep.seconds * 1000;
    expect(preStopMs).toBeGreaterThan(0);
    // What the process does after SIGTERM, read from the services' own config with the manifest's env.
    const steps = withContainerEnv(d, () => {
      const app = svc === 'shortener' ? shortenerApp() : redirectorApp();
      const base = [app.shutdownDelayMs, SERVER_CLOSE_TIMEOUT_MS, TELEMETRY_SHUTDOWN_TIMEOUT_MS];
      if (svc === 'shortener') return { delay: app.shutdownDelayMs, total: base.reduce((a, b) => a + b, 0) };
      // The visit drain may start one last batch just before its deadline; it ends within the statement timeout.
      const extra = visitsConfig().drainTimeoutMs + databaseConfig().statementTimeoutMs;
      return { delay: app.shutdownDelayMs, total: base.reduce((a, b) => a + b, 0) + extra };
    });
    // Behind a load balancer the app keeps serving with readiness 503 for a while.
    expect(steps.delay).toBeGreaterThan(0);
    const needed = preStopMs + steps.total;
    const grace = pod.terminationGracePeriodSeconds * 1000;
    expect(grace, `needs ${needed} ms`).toBeGreaterThanOrEqual(needed);
    // And not so long that a stuck pod blocks a rollout for minutes.
    expect(grace - needed).toBeLessThanOrEqual(10_000);
  });
});

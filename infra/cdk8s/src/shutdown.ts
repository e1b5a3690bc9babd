// Why a pod's terminationGracePeriodSeconds is what it is: the sum of every bounded step a Snip
// process takes after SIGTERM (libs/common runService, the redirector's visit drain, libs/telemetry).
import type { SnipConfig } from './config.js';

/** libs/common: in-flight HTTP requests get this long after the server stops accepting. */
export const SERVER_CLOSE_TIMEOUT_MS = 10_000;
/** libs/telemetry: the last span flush is cut off after this. */
export const TELEMETRY_FLUSH_TIMEOUT_MS = 10_000;
/** Redirector: queued visits are written for at most this long (VISITS_DRAIN_TIMEOUT_MS, set explicitly). */
export const VISITS_DRAIN_TIMEOUT_MS = 15_000;
/** Redirector: a visit batch started just before the drain deadline ends within the statement timeout. */
export const LAST_VISIT_BATCH_MS = 5_000;
/** Slack for process exit and the kubelet's own bookkeeping. */
export const GRACE_MARGIN_SECONDS = 5;

export type AppService = 'shortener' | 'redirector';

/** Milliseconds a service may spend draining after SIGTERM, step by step. */
export function drainSteps(config: SnipConfig, service: AppService): Record<string, number> {
  return {
    SHUTDOWN_DELAY_MS: config.shutdown.delayMs,
    server: SERVER_CLOSE_TIMEOUT_MS,
    ...(service === 'redirector' ? { VISITS_DRAIN_TIMEOUT_MS, lastVisitBatch: LAST_VISIT_BATCH_MS } : {}),
    telemetry: TELEMETRY_FLUSH_TIMEOUT_MS,
  };
}

/** preStop sleep + every drain step + margin, rounded up to whole seconds. */
export function terminationGracePeriodSeconds(config: SnipConfig, service: AppService): number {
  const drainMs = Object.values(drainSteps(config, service)).reduce((a, b) => a + b, 0);
  return config.shutdown.preStopSeconds + Math.ceil(drainMs / 1000) + GRACE_MARGIN_SECONDS;
}

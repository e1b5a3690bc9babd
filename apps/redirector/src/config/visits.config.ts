import { registerAs } from '@nestjs/config';
import { envInt } from '@snip/common';

// The in-memory visit queue between the redirect and its batched INSERT.
export const visitsConfig = registerAs('visits', () => ({
  flushIntervalMs: envInt(process.env, 'VISITS_FLUSH_INTERVAL_MS', 200, 10, 60_000),
  batchSize: envInt(process.env, 'VISITS_BATCH_SIZE', 500, 1, 10_000),
  maxQueue: envInt(process.env, 'VISITS_MAX_QUEUE', 100_000, 100, 10_000_000),
  drainTimeoutMs: envInt(process.env, 'VISITS_DRAIN_TIMEOUT_MS', 15_000, 0, 600_000),
}));

export type VisitsConfig = ReturnType<typeof visitsConfig>;

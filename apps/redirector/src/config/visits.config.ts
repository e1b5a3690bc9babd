import { registerAs } from '@nestjs/config';
import { readInt } from '@snip/common';

// The in-memory visit queue between the redirect and its batched INSERT.
export const visitsConfig = registerAs('visits', () => ({
  flushIntervalMs: readInt('VISITS_FLUSH_INTERVAL_MS'),
  batchSize: readInt('VISITS_BATCH_SIZE'),
  maxQueue: readInt('VISITS_MAX_QUEUE'),
  drainTimeoutMs: readInt('VISITS_DRAIN_TIMEOUT_MS'),
}));

export type VisitsConfig = ReturnType<typeof visitsConfig>;

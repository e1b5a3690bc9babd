import { registerAs } from '@nestjs/config';
import { readInt, readString } from '@snip/common';

// Visit recording: the Redis Stream every replica appends to, and the in-memory fallback queue.
export const visitsConfig = registerAs('visits', () => ({
  flushIntervalMs: readInt('VISITS_FLUSH_INTERVAL_MS'),
  batchSize: readInt('VISITS_BATCH_SIZE'),
  maxQueue: readInt('VISITS_MAX_QUEUE'),
  drainTimeoutMs: readInt('VISITS_DRAIN_TIMEOUT_MS'),
  streamKey: readString('VISITS_STREAM_KEY'),
  streamGroup: readString('VISITS_STREAM_GROUP'),
  streamMaxLen: readInt('VISITS_STREAM_MAXLEN'),
  claimIdleMs: readInt('VISITS_CLAIM_IDLE_MS'),
}));

export type VisitsConfig = ReturnType<typeof visitsConfig>;

import { Inject, Injectable, Logger, type BeforeApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { visitsConfig, type VisitsConfig } from '../config/visits.config';
import { newVisitId, type PendingVisit } from './visit';
import { VisitQueue } from './visit-queue';
import { VisitStream } from './visit-stream';
import { VisitWriter, type VisitSource } from './visit-writer';

export interface VisitOutcome {
  /** Where the visit waits to be written. */
  readonly source: VisitSource;
  /** False when it was dropped (the in-memory fallback was full). */
  readonly queued: boolean;
}

/**
 * Records visits: each one gets its id and goes to the Redis Stream (durable, written by whichever
 * replica reads it) or, while the stream is unavailable, to this process's memory, written by a
 * timer. Shutdown writes what this process read and still holds before the database pool closes.
 */
@Injectable()
export class VisitsService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Visits');
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private writtenTotal = 0;

  constructor(
    private readonly stream: VisitStream,
    private readonly queue: VisitQueue,
    private readonly writer: VisitWriter,
    @Inject(visitsConfig.KEY) private readonly config: VisitsConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.config.flushIntervalMs);
    this.timer.unref();
  }

  /** Visits waiting in this process's memory. */
  get depth(): number {
    return this.queue.length;
  }

  async record(visit: Omit<PendingVisit, 'id'>): Promise<VisitOutcome> {
    const withId: PendingVisit = { id: newVisitId(visit.visitedAt.getTime()), ...visit };
    // While visits wait in memory, new ones join them: the fallback is written in order, and a hung
    // Redis costs one command timeout per flush interval rather than one per redirect.
    if (this.queue.length === 0 && (await this.stream.append(withId))) return { source: 'stream', queued: true };
    const queued = this.queue.push(withId);
    if (queued && this.queue.length >= this.config.batchSize) void this.flush();
    return { source: 'memory', queued };
  }

  /** Writes one batch of the in-memory fallback; concurrent calls share the flush in progress. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.queue.length === 0) return Promise.resolve();
    this.flushing = this.writeBatch().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    // One deadline for both: VISITS_DRAIN_TIMEOUT_MS bounds the whole drain, as the pod's grace period assumes.
    const deadline = Date.now() + this.config.drainTimeoutMs;
    await this.stream.drain(deadline);
    while (this.queue.length > 0 && Date.now() < deadline) {
      const before = this.queue.length;
      await this.flush();
      if (this.queue.length >= before) await new Promise((r) => setTimeout(r, 200));
    }
    if (this.queue.length > 0) {
      this.logger.error({ event: 'visits.lost_on_shutdown', count: this.queue.length });
    } else {
      this.logger.log({ event: 'visits.drained', written_total: this.writtenTotal });
    }
  }

  private async writeBatch(): Promise<void> {
    const batch = this.queue.take(this.config.batchSize);
    try {
      this.writtenTotal += await this.writer.write(batch, { source: 'memory', redelivered: 0, queueDepth: this.queue.length });
    } catch (error) {
      // Back in front, in order, so nothing is lost while PostgreSQL is away.
      this.queue.putBack(batch);
      this.logger.warn({ event: 'visits.write_failed', batch: batch.length, queued: this.queue.length, detail: (error as Error).message });
    }
  }
}

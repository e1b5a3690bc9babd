import { Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { observeVisitQueueDepth, recordVisitsDropped } from '@snip/telemetry';
import { visitsConfig, type VisitsConfig } from '../config/visits.config';
import type { PendingVisit } from './visit';

/**
 * The in-memory fallback: visits this process holds while the stream is unavailable (no REDIS_URL,
 * Redis down). Bounded by VISITS_MAX_QUEUE; drops are logged and counted. Lost on SIGKILL.
 */
@Injectable()
export class VisitQueue implements OnModuleInit {
  private readonly logger = new Logger('Visits');
  private items: PendingVisit[] = [];
  private droppedTotal = 0;

  constructor(@Inject(visitsConfig.KEY) private readonly config: VisitsConfig) {}

  onModuleInit(): void {
    observeVisitQueueDepth(() => this.items.length);
  }

  get length(): number {
    return this.items.length;
  }

  /** Returns false when the queue is full and the visit was dropped. */
  push(visit: PendingVisit): boolean {
    if (this.items.length >= this.config.maxQueue) {
      this.dropped(1, 'queue-full');
      return false;
    }
    this.items.push(visit);
    return true;
  }

  take(count: number): PendingVisit[] {
    return this.items.splice(0, count);
  }

  /** Puts a batch that could not be written back in front, in order, as far as there is room. */
  putBack(batch: PendingVisit[]): void {
    const room = Math.max(0, this.config.maxQueue - this.items.length);
    this.items.unshift(...batch.slice(0, room));
    this.dropped(batch.length - Math.min(room, batch.length), 'write-failed');
  }

  private dropped(count: number, reason: 'queue-full' | 'write-failed'): void {
    if (count <= 0) return;
    const before = this.droppedTotal;
    this.droppedTotal += count;
    recordVisitsDropped(count, reason);
    if (before === 0 || Math.floor(before / 1000) !== Math.floor(this.droppedTotal / 1000)) {
      this.logger.error({ event: 'visits.dropped', reason, dropped_total: this.droppedTotal, max_queue: this.config.maxQueue });
    }
  }
}

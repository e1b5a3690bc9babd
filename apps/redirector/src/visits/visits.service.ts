import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnModuleInit,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { anonymizeAddress } from '@snip/common';
import { observeVisitQueueDepth, recordVisitsDropped, withSpan } from '@snip/telemetry';
import { DataSource } from 'typeorm';
import { geoConfig, type GeoConfig } from '../config/geo.config';
import { visitsConfig, type VisitsConfig } from '../config/visits.config';
import { GeoService, type Location } from '../geo/geo.service';

export interface PendingVisit {
  readonly shortCode: string;
  readonly clientIp: string;
  readonly userAgent: string | null;
  readonly visitedAt: Date;
}

/**
 * Records visits off the redirect's critical path: the request only enqueues; a timer geolocates
 * and writes batches in one transaction (rows plus per-link counters). A failed batch goes back to
 * the queue, and shutdown drains the queue before the database pool closes.
 */
@Injectable()
export class VisitsService implements OnModuleInit, BeforeApplicationShutdown {
  private readonly logger = new Logger('Visits');
  private queue: PendingVisit[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;
  private droppedTotal = 0;
  private writtenTotal = 0;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly geo: GeoService,
    @Inject(visitsConfig.KEY) private readonly config: VisitsConfig,
    @Inject(geoConfig.KEY) private readonly geoSettings: GeoConfig,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), this.config.flushIntervalMs);
    this.timer.unref();
    observeVisitQueueDepth(() => this.queue.length);
  }

  get depth(): number {
    return this.queue.length;
  }

  /** Returns false when the queue is full (PostgreSQL down for long) and the visit was dropped. */
  enqueue(visit: PendingVisit): boolean {
    if (this.queue.length >= this.config.maxQueue) {
      this.droppedTotal++;
      recordVisitsDropped(1, 'queue-full');
      if (this.droppedTotal === 1 || this.droppedTotal % 1000 === 0) {
        this.logger.error({ event: 'visits.dropped', dropped_total: this.droppedTotal, max_queue: this.config.maxQueue });
      }
      return false;
    }
    this.queue.push(visit);
    if (this.queue.length >= this.config.batchSize) void this.flush();
    return true;
  }

  /** Writes one batch; concurrent calls share the flush in progress. */
  flush(): Promise<void> {
    if (this.flushing) return this.flushing;
    if (this.queue.length === 0) return Promise.resolve();
    this.flushing = this.writeBatch().finally(() => (this.flushing = undefined));
    return this.flushing;
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    const deadline = Date.now() + this.config.drainTimeoutMs;
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
    const batch = this.queue.splice(0, this.config.batchSize);
    try {
      await withSpan('record-visits', { 'visits.batch_size': batch.length }, async (span) => {
        const locations = await this.locateAll(batch.map((v) => v.clientIp));
        await this.insert(batch, locations);
        span.setAttribute('visits.queue_depth', this.queue.length);
      });
      this.writtenTotal += batch.length;
    } catch (error) {
      // Put the batch back in front, in order, so nothing is lost while PostgreSQL is away.
      const room = Math.max(0, this.config.maxQueue - this.queue.length);
      this.queue.unshift(...batch.slice(0, room));
      this.droppedTotal += batch.length - Math.min(room, batch.length);
      recordVisitsDropped(batch.length - Math.min(room, batch.length), 'write-failed');
      this.logger.warn({ event: 'visits.write_failed', batch: batch.length, queued: this.queue.length, detail: (error as Error).message });
    }
  }

  /** Geolocates each distinct address once, at most GEO_CONCURRENCY lookups at a time. */
  private async locateAll(ips: string[]): Promise<Map<string, Location>> {
    const distinct = [...new Set(ips)];
    const result = new Map<string, Location>();
    let next = 0;
    const worker = async () => {
      while (next < distinct.length) {
        const ip = distinct[next++]!;
        result.set(ip, await this.geo.locate(ip));
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.geoSettings.concurrency, distinct.length) }, worker));
    return result;
  }

  private async insert(batch: PendingVisit[], locations: Map<string, Location>): Promise<void> {
    const codes = batch.map((v) => v.shortCode);
    const counts = new Map<string, number>();
    for (const code of codes) counts.set(code, (counts.get(code) ?? 0) + 1);
    await this.db.transaction(async (tx) => {
      await tx.query(
        `INSERT INTO visits (short_code, client_ip, country, city, user_agent, visited_at)
         SELECT v.code, v.ip, v.country, v.city, v.ua, v.at
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::timestamptz[])
                AS v(code, ip, country, city, ua, at)`,
        [
          codes,
          batch.map((v) => anonymizeAddress(v.clientIp)),
          batch.map((v) => locations.get(v.clientIp)?.country ?? 'Unknown'),
          batch.map((v) => locations.get(v.clientIp)?.city ?? 'Unknown'),
          batch.map((v) => v.userAgent),
          batch.map((v) => v.visitedAt.toISOString()),
        ],
      );
      // One UPDATE per batch, codes in a fixed order so concurrent replicas never deadlock.
      const ordered = [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      await tx.query(
        `UPDATE urls SET visit_count = urls.visit_count + c.n
           FROM unnest($1::text[], $2::int[]) AS c(code, n)
          WHERE urls.short_code = c.code`,
        [ordered.map(([code]) => code), ordered.map(([, n]) => n)],
      );
    });
  }
}

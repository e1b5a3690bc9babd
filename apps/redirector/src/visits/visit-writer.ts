import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { anonymizeAddress } from '@snip/common';
import { withSpan } from '@snip/telemetry';
import { DataSource } from 'typeorm';
import { geoConfig, type GeoConfig } from '../config/geo.config';
import { GeoService, type Location } from '../geo/geo.service';
import type { PendingVisit } from './visit';

/** Where a batch came from: the shared Redis Stream or this process's fallback queue. */
export type VisitSource = 'stream' | 'memory';

export interface BatchContext {
  readonly source: VisitSource;
  /** Visits of the batch delivered before (a retry, or taken over from another replica). */
  readonly redelivered: number;
  /** Visits still waiting in memory, for the span. */
  readonly queueDepth: number;
}

/**
 * Geolocates a batch and writes it in one transaction: rows plus per-link counters. Idempotent: a
 * visit id already stored is skipped, and the counters grow by the rows actually inserted.
 */
@Injectable()
export class VisitWriter {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly geo: GeoService,
    @Inject(geoConfig.KEY) private readonly geoSettings: Pick<GeoConfig, 'concurrency'>,
  ) {}

  /** Resolves to the number of visits inserted (the rest were stored before). */
  write(batch: readonly PendingVisit[], context: BatchContext): Promise<number> {
    return withSpan(
      'record-visits',
      { 'visits.batch_size': batch.length, 'visits.source': context.source, 'visits.redelivered': context.redelivered },
      async (span) => {
        const locations = await this.locateAll(batch.map((v) => v.clientIp));
        const inserted = await this.insert(batch, locations);
        span.setAttributes({ 'visits.queue_depth': context.queueDepth, 'visits.inserted': inserted });
        return inserted;
      },
    );
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

  private async insert(batch: readonly PendingVisit[], locations: Map<string, Location>): Promise<number> {
    // Ids in one order for every writer: two replicas writing the same visits wait, never deadlock.
    const sorted = [...batch].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
    return this.db.transaction(async (tx) => {
      const inserted = (await tx.query(
        `INSERT INTO visits (visit_id, short_code, client_ip, country, city, user_agent, visited_at)
         SELECT v.id, v.code, v.ip, v.country, v.city, v.ua, v.at
           FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamptz[])
                AS v(id, code, ip, country, city, ua, at)
         ON CONFLICT (visit_id) DO NOTHING
         RETURNING short_code`,
        [
          sorted.map((v) => v.id),
          sorted.map((v) => v.shortCode),
          sorted.map((v) => anonymizeAddress(v.clientIp)),
          sorted.map((v) => locations.get(v.clientIp)?.country ?? 'Unknown'),
          sorted.map((v) => locations.get(v.clientIp)?.city ?? 'Unknown'),
          sorted.map((v) => v.userAgent),
          sorted.map((v) => v.visitedAt.toISOString()),
        ],
      )) as Array<{ short_code: string }>;
      const counts = new Map<string, number>();
      for (const { short_code: code } of inserted) counts.set(code, (counts.get(code) ?? 0) + 1);
      if (counts.size === 0) return 0;
      // One UPDATE per batch, by inserted rows only, codes in a fixed order so concurrent replicas never deadlock.
      const ordered = [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      await tx.query(
        `UPDATE urls SET visit_count = urls.visit_count + c.n
           FROM unnest($1::text[], $2::int[]) AS c(code, n)
          WHERE urls.short_code = c.code`,
        [ordered.map(([code]) => code), ordered.map(([, n]) => n)],
      );
      return inserted.length;
    });
  }
}

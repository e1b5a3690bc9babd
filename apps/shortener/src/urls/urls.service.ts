import { Inject, Injectable, Logger, ServiceUnavailableException } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { UrlCacheService } from '@snip/cache';
import { scenariosConfig, type ScenariosConfig } from '@snip/common';
import { annotateActiveSpan, withSpan } from '@snip/telemetry';
import { DataSource } from 'typeorm';
import { appConfig, type AppConfig } from '../config/app.config';
import { MetadataService } from '../metadata/metadata.service';
import type { ShortenedUrlResponse, UrlListItem } from './dto/url.response';
import { generateShortCode, queryOrUnavailable } from '@snip/data';

const MAX_CODE_ATTEMPTS = 5;

interface ListRow {
  short_code: string;
  original_url: string;
  title: string | null;
  description: string | null;
  /** ISO 8601 in UTC, formatted by PostgreSQL (`Date` parsing and re-formatting was a tenth of the list's CPU). */
  created_at: string;
  visit_count?: string | number;
}

const CREATED_AT_ISO = `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS created_at`;

/** Creating and listing links. */
@Injectable()
export class UrlsService {
  private readonly logger = new Logger('Urls');
  /** List queries in flight, by page size: concurrent requests for the same page share one query. */
  private readonly listsInFlight = new Map<number, Promise<ListRow[]>>();

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    private readonly cache: UrlCacheService,
    private readonly metadata: MetadataService,
    @Inject(appConfig.KEY) private readonly app: AppConfig,
    @Inject(scenariosConfig.KEY) private readonly scenarios: ScenariosConfig,
  ) {}

  async shorten(originalUrl: string): Promise<ShortenedUrlResponse> {
    annotateActiveSpan({ 'shortener.original_url': originalUrl });
    const meta = await this.metadata.extract(originalUrl);
    const code = await this.insertWithFreshCode(originalUrl, meta.title, meta.description);
    // A list asked for after this answer must not join a query that started before the insert.
    this.listsInFlight.clear();
    annotateActiveSpan({ 'shortener.short_code': code });
    await this.cache.set(code, originalUrl);
    this.logger.log({ event: 'url.created', short_code: code, has_title: meta.title !== null });
    return {
      short_code: code,
      short_url: `${this.app.publicBaseUrl}/${code}`,
      original_url: originalUrl,
      title: meta.title,
      description: meta.description,
    };
  }

  async list(limit: number): Promise<UrlListItem[]> {
    const rows = this.scenarios.nPlusOne ? await this.listOneQueryPerLink(limit) : await this.listInOneQuery(limit);
    return rows.map((r) => ({
      short_code: r.short_code,
      original_url: r.original_url,
      title: r.title,
      description: r.description,
      created_at: r.created_at,
      visit_count: Number(r.visit_count ?? 0),
    }));
  }

  /**
   * One statement for any page size: the count is a column kept up to date by the visit writer.
   * A request arriving while the same page is being read joins that read instead of queueing
   * another one behind it (the page can only be as old as a query already running).
   */
  private listInOneQuery(limit: number): Promise<ListRow[]> {
    const running = this.listsInFlight.get(limit);
    if (running) {
      annotateActiveSpan({ 'shortener.list_shared_query': true });
      return running;
    }
    const query = this.query<ListRow[]>(
      `SELECT short_code, original_url, title, description, ${CREATED_AT_ISO}, visit_count
         FROM urls ORDER BY urls.created_at DESC, urls.id DESC LIMIT $1`,
      [limit],
    ).finally(() => {
      if (this.listsInFlight.get(limit) === query) this.listsInFlight.delete(limit);
    });
    this.listsInFlight.set(limit, query);
    return query;
  }

  /** Training scenario `n-plus-one`: the list, then one COUNT per link, one after the other. */
  private async listOneQueryPerLink(limit: number): Promise<ListRow[]> {
    const rows = await this.query<ListRow[]>(
      `SELECT short_code, original_url, title, description, ${CREATED_AT_ISO} FROM urls ORDER BY urls.created_at DESC, urls.id DESC LIMIT $1`,
      [limit],
    );
    for (const row of rows) {
      const [count] = await this.query<Array<{ n: number }>>(
        'SELECT count(*)::int AS n FROM visits WHERE short_code = $1',
        [row.short_code],
      );
      row.visit_count = count?.n ?? 0;
    }
    return rows;
  }

  private insertWithFreshCode(originalUrl: string, title: string | null, description: string | null): Promise<string> {
    return withSpan('generate-short-code', {}, async (span) => {
      for (let attempt = 1; attempt <= MAX_CODE_ATTEMPTS; attempt++) {
        const code = generateShortCode();
        const inserted = await this.query<Array<{ short_code: string }>>(
          `INSERT INTO urls (short_code, original_url, title, description) VALUES ($1, $2, $3, $4)
           ON CONFLICT (short_code) DO NOTHING RETURNING short_code`,
          [code, originalUrl, title, description],
        );
        span.setAttribute('shortener.code_attempts', attempt);
        if (inserted.length === 1) return code;
        this.logger.warn({ event: 'short_code.collision', attempt });
      }
      throw new ServiceUnavailableException({ error: 'Could not allocate a short code, try again' });
    });
  }

  private query<T>(sql: string, params: unknown[]): Promise<T> {
    return queryOrUnavailable<T>(this.db, sql, params);
  }
}

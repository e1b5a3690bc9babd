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
  created_at: Date;
  visit_count?: string | number;
}

/** Creating and listing links. */
@Injectable()
export class UrlsService {
  private readonly logger = new Logger('Urls');

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
      created_at: new Date(r.created_at).toISOString(),
      visit_count: Number(r.visit_count ?? 0),
    }));
  }

  /** One statement for any page size: the count is a column kept up to date by the visit writer. */
  private listInOneQuery(limit: number): Promise<ListRow[]> {
    return this.query<ListRow[]>(
      `SELECT short_code, original_url, title, description, created_at, visit_count
         FROM urls ORDER BY created_at DESC, id DESC LIMIT $1`,
      [limit],
    );
  }

  /** Training scenario `n-plus-one`: the list, then one COUNT per link, one after the other. */
  private async listOneQueryPerLink(limit: number): Promise<ListRow[]> {
    const rows = await this.query<ListRow[]>(
      `SELECT short_code, original_url, title, description, created_at FROM urls ORDER BY created_at DESC, id DESC LIMIT $1`,
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

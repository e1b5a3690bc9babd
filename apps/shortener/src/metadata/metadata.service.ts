import { Inject, Injectable, Logger } from '@nestjs/common';
import { markFailed, recordMetadataFetch, withSpan } from '@snip/telemetry';
import { metadataConfig, type MetadataConfig } from '../config/metadata.config';
import { decodeBody, type PageMetadata, parseMetadata } from './metadata.parser';
import { FetchRefused, safeFetchHtml, systemResolver } from './safe-fetch';

export interface ExtractionResult extends PageMetadata {
  readonly outcome: 'ok' | 'skipped' | 'failed';
  readonly reason?: string;
}

/** Fetches a target page's title and description; never throws, so a bad page never fails a shorten. */
@Injectable()
export class MetadataService {
  private readonly logger = new Logger('Metadata');
  private readonly resolve: (host: string) => Promise<string[]>;

  constructor(@Inject(metadataConfig.KEY) private readonly config: MetadataConfig) {
    this.resolve = systemResolver(config.dnsServers);
  }

  extract(target: string): Promise<ExtractionResult> {
    return withSpan('extract-metadata', { 'metadata.target_url': target }, async (span) => {
      const started = performance.now();
      try {
        const page = await safeFetchHtml(target, { ...this.config, resolve: this.resolve });
        const meta = parseMetadata(decodeBody(page.body, page.contentType));
        span.setAttributes({
          'metadata.bytes_read': page.bytes,
          'metadata.truncated': page.truncated,
          'metadata.redirects': page.redirects,
          'metadata.has_title': meta.title !== null,
          'metadata.has_description': meta.description !== null,
          'metadata.outcome': 'ok',
        });
        recordMetadataFetch(performance.now() - started, 'ok');
        return { ...meta, outcome: 'ok' };
      } catch (error) {
        const refused = error instanceof FetchRefused ? error : new FetchRefused('failed', 'parse-error', String(error));
        span.setAttributes({
          'metadata.bytes_read': 0,
          'metadata.has_title': false,
          'metadata.has_description': false,
          'metadata.outcome': refused.kind,
          [refused.kind === 'skipped' ? 'metadata.skip_reason' : 'metadata.failure_reason']: refused.reason,
        });
        if (refused.kind === 'failed') markFailed(span, refused);
        recordMetadataFetch(performance.now() - started, refused.kind, refused.reason);
        this.logger.log({ event: 'metadata.' + refused.kind, reason: refused.reason, detail: refused.message });
        return { title: null, description: null, outcome: refused.kind, reason: refused.reason };
      }
    });
  }
}

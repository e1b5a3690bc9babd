import { load } from 'cheerio';

export interface PageMetadata {
  title: string | null;
  description: string | null;
}

const MAX_TITLE = 300;
const MAX_DESCRIPTION = 1000;

function clean(value: string | undefined, max: number): string | null {
  if (value === undefined) return null;
  const text = value.replace(/\s+/g, ' ').trim();
  if (text === '') return null;
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** title: og:title, then the first <title>; description: og:description, then meta description. */
export function parseMetadata(html: string): PageMetadata {
  const $ = load(html);
  const meta = (selector: string) => clean($(selector).first().attr('content'), Number.MAX_SAFE_INTEGER);
  const title =
    clean(meta('meta[property="og:title" i]') ?? undefined, MAX_TITLE) ??
    clean($('title').not('svg title').first().text(), MAX_TITLE);
  const description =
    clean(meta('meta[property="og:description" i]') ?? undefined, MAX_DESCRIPTION) ??
    clean(meta('meta[name="description" i]') ?? undefined, MAX_DESCRIPTION);
  return { title, description };
}

/** Picks the text decoder the page declares (header first), falling back to UTF-8. */
export function decodeBody(body: Buffer, contentType: string | undefined): string {
  const charset = /charset\s*=\s*"?([\w-]+)"?/i.exec(contentType ?? '')?.[1] ?? sniffCharset(body);
  try {
    return new TextDecoder(charset ?? 'utf-8').decode(body);
  } catch {
    return new TextDecoder('utf-8').decode(body);
  }
}

function sniffCharset(body: Buffer): string | undefined {
  const head = body.subarray(0, 2048).toString('latin1');
  return /<meta[^>]+charset\s*=\s*["']?([\w-]+)/i.exec(head)?.[1];
}

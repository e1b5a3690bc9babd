import { load } from 'cheerio';
import { Tokenizer } from 'htmlparser2';

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

const MAX_META_ELEMENTS = 256;

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * One linear pass of htmlparser2's tokenizer (cheerio's own parser) that keeps only what metadata
 * can come from: the first document <title> (not one inside inline SVG) and the <meta> elements,
 * re-serialised as a tiny document. A DOM of the whole page is what an attacker controls: 256 KiB
 * of unclosed elements takes cheerio seconds to build and query, with the event loop blocked.
 */
export function headElements(html: string): string {
  const kept: string[] = [];
  let metas = 0;
  let titleDone = false;
  let titleText: string | undefined;
  let svgDepth = 0;
  let tag = '';
  let attrs: Record<string, string> = {};
  let attrName = '';
  let attrValue = '';
  const opened = (selfClosing: boolean) => {
    if (tag === 'svg') {
      if (!selfClosing) svgDepth++;
    } else if (tag === 'title' && !titleDone && titleText === undefined && svgDepth === 0) {
      titleText = '';
    } else if (tag === 'meta' && metas < MAX_META_ELEMENTS && ('property' in attrs || 'name' in attrs)) {
      metas++;
      const serialised = ['property', 'name', 'content']
        .filter((a) => Object.hasOwn(attrs, a))
        .map((a) => ` ${a}="${escapeHtml(attrs[a]!)}"`)
        .join('');
      kept.push(`<meta${serialised}>`);
    }
  };
  const closeTitle = () => {
    if (titleText === undefined) return;
    kept.push(`<title>${escapeHtml(titleText)}</title>`);
    titleText = undefined;
    titleDone = true;
  };
  const tokenizer = new Tokenizer(
    { xmlMode: false, decodeEntities: true },
    {
      onopentagname(start, end) {
        tag = html.slice(start, end).toLowerCase();
        attrs = {};
      },
      onattribname(start, end) {
        attrName = html.slice(start, end).toLowerCase();
        attrValue = '';
      },
      onattribdata(start, end) {
        attrValue += html.slice(start, end);
      },
      onattribentity(codepoint) {
        attrValue += String.fromCodePoint(codepoint);
      },
      onattribend() {
        if (!Object.hasOwn(attrs, attrName)) attrs[attrName] = attrValue;
      },
      onopentagend() {
        opened(false);
      },
      onselfclosingtag() {
        opened(true);
      },
      ontext(start, end) {
        if (titleText !== undefined) titleText += html.slice(start, end);
      },
      ontextentity(codepoint) {
        if (titleText !== undefined) titleText += String.fromCodePoint(codepoint);
      },
      onclosetag(start, end) {
        const name = html.slice(start, end).toLowerCase();
        if (name === 'svg' && svgDepth > 0) svgDepth--;
        else if (name === 'title') closeTitle();
      },
      oncdata: () => undefined,
      oncomment: () => undefined,
      ondeclaration: () => undefined,
      onprocessinginstruction: () => undefined,
      onend: () => undefined,
    },
  );
  tokenizer.write(html);
  tokenizer.end();
  closeTitle();
  return `<html><head>${kept.join('')}</head></html>`;
}

/** title: og:title, then the first <title>; description: og:description, then meta description. */
export function parseMetadata(html: string): PageMetadata {
  const $ = load(headElements(html));
  // The first matching element decides, even when its content is missing or blank.
  const meta = (selector: string) => $(selector).first().attr('content');
  return {
    title: clean(meta('meta[property="og:title" i]'), MAX_TITLE) ?? clean($('title').first().text(), MAX_TITLE),
    description:
      clean(meta('meta[property="og:description" i]'), MAX_DESCRIPTION) ??
      clean(meta('meta[name="description" i]'), MAX_DESCRIPTION),
  };
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

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

/**
 * title: og:title, then the first <title> (not one inside inline SVG); description: og:description,
 * then meta description. Runs htmlparser2's tokenizer alone: no DOM and no open-element stack, so a
 * 1 MiB page of tiny or unclosed elements costs one linear pass and a few strings (a DOM of it took
 * seconds of blocked event loop and 100+ MiB).
 */
export function parseMetadata(html: string): PageMetadata {
  let ogTitle: string | undefined | null = null;
  let ogDescription: string | undefined | null = null;
  let metaDescription: string | undefined | null = null;
  let title: string | null = null;
  let titleText: string | undefined;
  let svgDepth = 0;
  let tag = '';
  let attrs: Record<string, string> = {};
  let attrName = '';
  let attrValue = '';
  const opened = (selfClosing: boolean) => {
    if (tag === 'svg') {
      if (!selfClosing) svgDepth++;
    } else if (tag === 'title' && title === null && titleText === undefined && svgDepth === 0) {
      titleText = '';
    } else if (tag === 'meta') {
      const property = attrs['property']?.toLowerCase();
      // The first matching tag decides, even when its content is missing or blank.
      if (property === 'og:title' && ogTitle === null) ogTitle = attrs['content'];
      else if (property === 'og:description' && ogDescription === null) ogDescription = attrs['content'];
      if (attrs['name']?.toLowerCase() === 'description' && metaDescription === null) metaDescription = attrs['content'];
    }
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
        else if (name === 'title' && titleText !== undefined) {
          title = titleText;
          titleText = undefined;
        }
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
  if (titleText !== undefined) title = titleText;
  return {
    title: clean(ogTitle ?? undefined, MAX_TITLE) ?? clean(title ?? undefined, MAX_TITLE),
    description: clean(ogDescription ?? undefined, MAX_DESCRIPTION) ?? clean(metaDescription ?? undefined, MAX_DESCRIPTION),
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

// Snip web UI: shorten form, result with copy, recent links.
//
// Every string that comes from the server (titles, descriptions, URLs, codes) is rendered with
// textContent, never parsed as HTML, and only http(s) URLs ever become links.

const SAFE_PROTOCOLS = new Set(['http:', 'https:']);
const NETWORK_ERROR = 'Could not reach Snip. Check your connection and try again.';
const LIST_LIMIT = 20;

const $ = (id) => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el;
};

const form = $('shorten-form');
const input = $('url-input');
const button = $('shorten-button');
const errorBox = $('url-error');
const result = $('result');
const resultLink = $('result-short-url');
const resultTitle = $('result-title');
const resultDescription = $('result-description');
const resultOriginal = $('result-original-url');
const copyButton = $('copy-button');
const copyStatus = $('copy-status');
const refreshButton = $('refresh-button');
const linksTable = $('links-table');
const linksBody = $('links-body');
const linksStatus = $('links-status');
const announcer = $('announcer');

// ---------------------------------------------------------------------------------------------
// Safe rendering helpers

/** The URL as a string when it parses and is http(s); null for anything else (javascript:, data:, …). */
export function safeHref(value) {
  if (typeof value !== 'string' || value === '') return null;
  let parsed;
  try {
    parsed = new URL(value);
  } catch {
    return null;
  }
  return SAFE_PROTOCOLS.has(parsed.protocol) ? parsed.href : null;
}

/** An element with text content (never HTML) and optional class / attributes. */
function el(tag, { text, className, attrs } = {}) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (attrs) for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

/**
 * A link when `url` is http(s), plain text otherwise. External links open in a new tab without
 * handing the opener or the referrer to the target.
 */
function linkOrText(url, { text = url, className, testId, external = true } = {}) {
  const href = safeHref(url);
  const attrs = testId ? { 'data-testid': testId } : {};
  if (!href) return el('span', { text: String(text ?? ''), className: joinClass(className, 'unsafe-url'), attrs });
  const a = el('a', { text: String(text ?? ''), className, attrs: { ...attrs, href } });
  if (external) {
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
  }
  return a;
}

function joinClass(...names) {
  return names.filter(Boolean).join(' ');
}

/** Sets a link's target, or turns it inert when the URL is not http(s). */
function setLink(a, url, text) {
  const href = safeHref(url);
  a.textContent = String(text ?? url ?? '');
  if (href) {
    a.setAttribute('href', href);
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
  } else {
    a.removeAttribute('href');
    a.removeAttribute('target');
    a.removeAttribute('rel');
  }
}

function setOptionalText(node, value, fallback) {
  const text = typeof value === 'string' ? value.trim() : '';
  node.textContent = text || fallback;
  node.classList.toggle('muted', !text);
}

function announce(message) {
  // Clearing first makes screen readers repeat an identical message.
  announcer.textContent = '';
  window.setTimeout(() => {
    announcer.textContent = message;
  }, 50);
}

// ---------------------------------------------------------------------------------------------
// HTTP

class ApiError extends Error {
  constructor(message, status) {
    super(message);
    this.status = status;
  }
}

/** Fetches JSON; throws ApiError with the server's `error` text, or the network message. */
async function api(path, init = {}) {
  let response;
  try {
    response = await fetch(path, {
      ...init,
      headers: { accept: 'application/json', ...(init.headers ?? {}) },
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(NETWORK_ERROR, 0);
  }
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  if (!response.ok) {
    const serverText = body && typeof body.error === 'string' && body.error.trim() ? body.error.trim() : null;
    throw new ApiError(serverText ?? `Something went wrong (HTTP ${response.status}). Try again.`, response.status);
  }
  if (body === null) throw new ApiError(`Unexpected answer from the server (HTTP ${response.status}).`, response.status);
  return body;
}

// ---------------------------------------------------------------------------------------------
// Shorten form

function showError(message) {
  errorBox.textContent = message;
  input.setAttribute('aria-invalid', 'true');
}

function clearError() {
  errorBox.textContent = '';
  input.removeAttribute('aria-invalid');
}

function setBusy(busy) {
  button.disabled = busy;
  form.setAttribute('aria-busy', String(busy));
  button.querySelector('.button__label').textContent = busy ? 'Shortening…' : 'Shorten';
}

function showResult(link) {
  setLink(resultLink, link.short_url, link.short_url);
  resultLink.dataset.code = String(link.short_code ?? '');
  setOptionalText(resultTitle, link.title, 'No title found');
  setOptionalText(resultDescription, link.description, 'No description found');
  resultOriginal.replaceChildren(linkOrText(link.original_url, { testId: 'result-original-link' }));
  copyStatus.textContent = '';
  copyButton.textContent = 'Copy';
  result.hidden = false;
}

let submitting = false;

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (submitting) return;
  submitting = true;
  clearError();
  setBusy(true);
  try {
    const link = await api('/api/shorten', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: input.value.trim() }),
    });
    showResult(link);
    input.value = '';
    announce(`Short link created: ${link.short_url}`);
    void loadLinks();
  } catch (error) {
    showError(error instanceof ApiError ? error.message : NETWORK_ERROR);
    input.focus();
  } finally {
    setBusy(false);
    submitting = false;
  }
});

input.addEventListener('input', () => {
  if (input.hasAttribute('aria-invalid')) clearError();
});

// ---------------------------------------------------------------------------------------------
// Copy

let copyTimer = 0;

async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try {
      await navigator.clipboard.writeText(text);
      return true;
    } catch {
      // fall through to the selection-based copy
    }
  }
  const area = document.createElement('textarea');
  area.value = text;
  area.setAttribute('readonly', '');
  area.className = 'offscreen';
  document.body.append(area);
  area.select();
  let ok = false;
  try {
    ok = document.execCommand('copy');
  } catch {
    ok = false;
  }
  area.remove();
  return ok;
}

copyButton.addEventListener('click', async () => {
  const text = resultLink.textContent ?? '';
  if (!text) return;
  const ok = await copyText(text);
  window.clearTimeout(copyTimer);
  if (ok) {
    copyButton.textContent = 'Copied';
    copyStatus.textContent = 'Copied to the clipboard';
  } else {
    copyButton.textContent = 'Copy';
    copyStatus.textContent = 'Copy failed: select the link and press Ctrl+C (⌘C on a Mac).';
    const range = document.createRange();
    range.selectNodeContents(resultLink);
    const selection = window.getSelection();
    selection?.removeAllRanges();
    selection?.addRange(range);
  }
  copyTimer = window.setTimeout(() => {
    copyButton.textContent = 'Copy';
    copyStatus.textContent = '';
  }, 2500);
});

// ---------------------------------------------------------------------------------------------
// Recent links

const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
const absolute = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const count = new Intl.NumberFormat();
const UNITS = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

export function relativeTime(date, now = Date.now()) {
  const seconds = Math.round((date.getTime() - now) / 1000);
  if (Math.abs(seconds) < 45) return 'just now';
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === 'minute') return relative.format(Math.round(seconds / size), unit);
  }
  return 'just now';
}

function timeCell(iso) {
  const td = el('td', { attrs: { 'data-label': 'Created', 'data-testid': 'link-created' } });
  const date = typeof iso === 'string' ? new Date(iso) : null;
  if (!date || Number.isNaN(date.getTime())) {
    td.textContent = typeof iso === 'string' ? iso : '';
    return td;
  }
  const time = el('time', { text: relativeTime(date), attrs: { datetime: date.toISOString(), title: absolute.format(date) } });
  td.append(time);
  return td;
}

function shortUrlFor(code) {
  return new URL(encodeURIComponent(String(code)), new URL('/', window.location.href)).href;
}

function linkRow(link) {
  const tr = el('tr', { attrs: { 'data-testid': 'link-row', 'data-code': String(link.short_code ?? '') } });

  const shortCell = el('td', { attrs: { 'data-label': 'Short link' } });
  const shortUrl = shortUrlFor(link.short_code);
  const shortText = shortUrl.replace(/^https?:\/\//, '');
  shortCell.append(linkOrText(shortUrl, { text: shortText, className: 'mono', testId: 'link-short-url' }));

  const titleCell = el('td', { attrs: { 'data-label': 'Title', 'data-testid': 'link-title' } });
  setOptionalText(titleCell, link.title, 'No title found');

  const originalCell = el('td', { className: 'break', attrs: { 'data-label': 'Original URL' } });
  const original = typeof link.original_url === 'string' ? link.original_url : '';
  const originalNode = linkOrText(original, { className: 'clamp', testId: 'link-original-url' });
  originalNode.setAttribute('title', original);
  originalCell.append(originalNode);

  const visits = Number(link.visit_count);
  const visitCell = el('td', {
    className: 'num',
    text: Number.isFinite(visits) ? count.format(visits) : '0',
    attrs: { 'data-label': 'Visits', 'data-testid': 'visit-count' },
  });

  tr.append(shortCell, titleCell, originalCell, visitCell, timeCell(link.created_at));
  return tr;
}

function emptyRow(message, testId) {
  const tr = el('tr', { className: 'links-table__empty' });
  tr.append(el('td', { text: message, attrs: { colspan: '5', 'data-testid': testId } }));
  return tr;
}

let loadSeq = 0;
let loadsDone = 0;

async function loadLinks({ announceDone = false } = {}) {
  const seq = ++loadSeq;
  refreshButton.disabled = true;
  linksTable.setAttribute('aria-busy', 'true');
  linksTable.dataset.state = 'loading';
  linksStatus.textContent = 'Loading…';
  try {
    const links = await api(`/api/urls?limit=${LIST_LIMIT}`);
    if (seq !== loadSeq) return;
    if (!Array.isArray(links)) throw new ApiError('Unexpected answer from the server.', 200);
    if (links.length === 0) {
      linksBody.replaceChildren(emptyRow('No links yet. Shorten one above.', 'links-empty'));
    } else {
      linksBody.replaceChildren(...links.map(linkRow));
    }
    // data-state / data-loads let tests and tools wait for a finished render deterministically.
    linksTable.dataset.state = 'ready';
    linksTable.dataset.loads = String(++loadsDone);
    const noun = links.length === 1 ? 'link' : 'links';
    linksStatus.textContent = `${links.length} ${noun} · updated ${absolute.format(new Date())}`;
    if (announceDone) announce(`Recent links updated: ${links.length} ${noun}`);
  } catch (error) {
    if (seq !== loadSeq) return;
    linksTable.dataset.state = 'error';
    linksStatus.textContent = `Could not load recent links. ${error instanceof ApiError ? error.message : NETWORK_ERROR}`;
  } finally {
    if (seq === loadSeq) {
      refreshButton.disabled = false;
      linksTable.removeAttribute('aria-busy');
    }
  }
}

refreshButton.addEventListener('click', () => void loadLinks({ announceDone: true }));

// Counts change while the user is away following links: refresh when the tab comes back.
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible') void loadLinks();
});

// Keep "5 minutes ago" honest without refetching.
window.setInterval(() => {
  for (const time of linksBody.querySelectorAll('time[datetime]')) {
    const date = new Date(time.getAttribute('datetime') ?? '');
    if (!Number.isNaN(date.getTime())) time.textContent = relativeTime(date);
  }
}, 60_000);

document.documentElement.classList.add('js');
void loadLinks();

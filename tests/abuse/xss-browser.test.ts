// XSS payloads in page titles, descriptions and the shortened URLs themselves, rendered by the web UI
// in chromium: nothing may execute, create an element, open a dialog or load anything.
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { record, startFaultStack, type FaultStack } from '../faults/support';
import { serve, type StandIn } from '../support/stand-ins';

const FILE = 'tests/abuse/xss-browser.test.ts';

// Each payload, if it ran, would set window.__pwned or call alert.
const PAYLOADS = [
  '<script>window.__pwned=1</script>',
  '<img src=x onerror="window.__pwned=2">',
  '<svg onload="window.__pwned=3"></svg>',
  '"><img src=x onerror=alert(4)>',
  "'><script>alert(5)</script>",
  '</title><script>window.__pwned=6</script>',
  '<iframe src="javascript:parent.__pwned=7"></iframe>',
  '<a href="javascript:alert(8)">click</a>',
  '{{constructor.constructor("window.__pwned=9")()}}',
  '${alert(10)}',
  '<math><mi xlink:href="javascript:alert(11)">x</mi></math>',
  '<style>@import "http://127.0.0.1:1/x.css";</style>',
  '&lt;img src=x onerror=alert(12)&gt;',
  '<details open ontoggle="window.__pwned=13">',
  '<body onload=alert(14)>',
];
const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

let stack: FaultStack;
let site: StandIn;
let browser: Browser;

beforeAll(async () => {
  const executablePath = inject('chromium');
  if (!executablePath) throw new Error('chromium is missing: apt-get install -y chromium (or set CHROMIUM_PATH)');
  site = await serve((req, res) => {
    const n = Number(new URL(req.url!, 'http://x').searchParams.get('n') ?? 0);
    const p = PAYLOADS[n % PAYLOADS.length]!;
    res.writeHead(200, { 'content-type': 'text/html' });
    // Title as raw markup inside <title> (RCDATA) and via og:title; description via og:description.
    res.end(n % 2 === 0
      ? `<html><head><title>${p}</title><meta name="description" content="${attr(p)}"></head></html>`
      : `<html><head><meta property="og:title" content="${attr(p)}"><meta property="og:description" content="${attr(p)}"></head></html>`);
  });
  stack = await startFaultStack({ label: 'abuse_xss', withoutRedis: true });
  browser = await chromium.launch({ executablePath, args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'] });
});

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await stack?.stop();
  await site?.close();
});

describe('XSS in titles, descriptions and URLs, in the browser', () => {
  it('renders every payload as text and runs none of them', async () => {
    const api = async (url: string) => {
      const res = await fetch(`${stack.shortener.url}/api/shorten`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ url }) });
      return { status: res.status, json: (await res.json()) as Record<string, unknown> };
    };
    const blank = await browser.newPage();
    await blank.goto(`${stack.shortener.url}/`);
    await blank.waitForSelector('[data-testid="links-table"][data-state="ready"]');
    const baselineElements = await blank.locator('main script, main img, main svg, main iframe, main math, main details, main style').count();
    await blank.close();
    // Payloads in the page's metadata.
    const titled = [];
    for (let n = 0; n < PAYLOADS.length * 2; n++) titled.push(await api(`${site.url}/p?n=${n}`));
    // Payloads in the URL itself (what the API accepts as http(s)).
    const urlPayloads = [
      `${site.url}/"><img/src=x/onerror=alert(20)>`,
      `${site.url}/?q=<script>window.__pwned=21</script>`,
      `${site.url}/#"onmouseover="window.__pwned=22`,
      `${site.url}/'-alert(23)-'`,
      `http://192.0.2.1/</a><script>window.__pwned=24</script>`,
    ];
    const urlResults = [];
    for (const u of urlPayloads) urlResults.push(await api(u));

    const context = await browser.newContext();
    const page = await context.newPage();
    const dialogs: string[] = [];
    const pageErrors: string[] = [];
    const requests: string[] = [];
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    page.on('pageerror', (e) => pageErrors.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(`${stack.shortener.url}/`);
    await page.waitForSelector('[data-testid="links-table"][data-state="ready"]');
    // Also the result panel of a fresh shorten, typed into the UI.
    await page.getByTestId('url-input').fill(`${site.url}/p?n=1`);
    await page.getByTestId('url-input').press('Enter');
    await page.waitForFunction(() => !(document.querySelector('[data-testid="result"]') as HTMLElement | null)?.hidden);
    await page.mouse.move(10, 10);
    for (const link of await page.locator('[data-testid="link-original-url"]').all()) await link.hover().catch(() => undefined);
    await page.waitForTimeout(500);

    const pwned = await page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned);
    // Elements the UI's own markup does not have (compared with a page that never saw a payload).
    const selector = 'main script, main img, main svg, main iframe, main math, main details, main style';
    const injected = (await page.locator(selector).count()) - baselineElements;
    const titles = await page.locator('[data-testid="link-title"]').allTextContents();
    const shown = PAYLOADS.filter((p) => titles.some((t) => t.includes(p.replace(/\s+/g, ' ').trim())));
    const hrefs = await page.locator('a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).protocol));
    const foreign = requests.filter((u) => !u.startsWith(stack.shortener.url) && !u.startsWith('data:'));
    record({
      id: 'A-XSS',
      area: 'abuse',
      name: `XSS: ${PAYLOADS.length} payloads × title/og:title/description, ${urlPayloads.length} in URLs, rendered in chromium`,
      expected: 'shown as literal text; no script runs, no dialog, no element created, no request elsewhere, every link http(s)',
      measured: `${titled.filter((t) => t.status === 201).length + urlResults.filter((t) => t.status === 201).length} links created; ${shown.length}/${PAYLOADS.length} payloads visible as text; executed: ${pwned ?? 'none'}; dialogs ${dialogs.length}; injected elements ${injected}; non-http(s) links ${hrefs.filter((p) => p !== 'http:' && p !== 'https:').length}; requests elsewhere ${foreign.length}`,
      file: FILE,
    });
    expect(titled.every((t) => t.status === 201)).toBe(true);
    expect(urlResults.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    expect(pwned).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(injected).toBe(0);
    expect(shown.length).toBeGreaterThanOrEqual(PAYLOADS.length - 2);
    expect(hrefs.filter((p) => p !== 'http:' && p !== 'https:')).toEqual([]);
    expect(foreign).toEqual([]);
    await context.close();
  });
});

// The web UI in a real browser (Debian's chromium through playwright-core) against both built
// services: what a user sees when shortening, copying, following and listing links, and that no
// stored string can run script or become a dangerous link.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest';
import { ROOT, startService, type RunningService } from '../support/services';
import { PUBLIC_BASE_URL } from '../support/stack';
import { pages, serve, type StandIn } from '../support/stand-ins';
import { createTestDatabase, dropTestDatabase, redisPrefix, sql } from '../support/stores';

// The address the browser uses: chromium resolves it to the port the shortener reported (launch flags below).
const SITE = PUBLIC_BASE_URL;
const LOCAL_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', new URL(SITE).hostname]);

const XSS_TITLE = '<img src=x onerror=alert(1)>';
// The description both tries an event handler and a script element; each would set the flag.
const XSS_DESCRIPTION = '<img src=x onerror="window.__snipXss=1"><script>window.__snipXss=2</script>';

const escapeAttr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** What one browser page did: everything the tests assert "nothing bad happened" against. */
interface Watched {
  page: Page;
  context: BrowserContext;
  consoleErrors: string[];
  pageErrors: string[];
  dialogs: string[];
  requests: string[];
}

let adminUrl: string;
let databaseUrl: string;
let target: StandIn;
let redirector: RunningService | undefined;
let shortener: RunningService | undefined;
let browser: Browser | undefined;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  const executablePath = inject('chromium');
  if (!executablePath) throw new Error('chromium is missing: install it with apt-get install -y chromium (or set CHROMIUM_PATH)');
  adminUrl = inject('postgresAdminUrl');
  const redisUrl = inject('redisUrl');
  databaseUrl = await createTestDatabase(adminUrl, 'browser');
  execFileSync(process.execPath, [join(ROOT, 'libs/data/dist/migrate.js')], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: 'pipe',
  });

  target = await serve(
    pages({
      '/article': {
        body:
          '<!doctype html><html><head><title>  A friendly article  </title>' +
          '<meta name="description" content="Everything about short links."></head><body>hi</body></html>',
      },
      '/xss': {
        body:
          `<!doctype html><html><head><title>${XSS_TITLE}</title>` +
          `<meta property="og:description" content="${escapeAttr(XSS_DESCRIPTION)}"></head><body>x</body></html>`,
      },
      '/untitled': { body: '<!doctype html><html><head></head><body>no title here</body></html>' },
    }),
  );

  const prefix = redisPrefix('browser');
  const stores = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl ?? undefined, REDIS_KEY_PREFIX: prefix };
  redirector = await startService('redirector', { ...stores, GEO_PROVIDER: 'none' });
  shortener = await startService('shortener', { ...stores, REDIRECTOR_URL: redirector.url, PUBLIC_BASE_URL: SITE, SSRF_ALLOWLIST: '127.0.0.1' });

  browser = await chromium.launch({
    executablePath,
    args: [
      `--host-resolver-rules=MAP ${new URL(SITE).host}:80 127.0.0.1:${shortener.port}`,
      // The clipboard needs a secure context, which a loopback address is and a plain-HTTP name is not.
      `--unsafely-treat-insecure-origin-as-secure=${SITE}`,
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
});

afterEach(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close().catch(() => undefined)));
});

afterAll(async () => {
  await Promise.all(contexts.splice(0).map((c) => c.close().catch(() => undefined)));
  await browser?.close().catch(() => undefined);
  await shortener?.stop();
  await redirector?.stop();
  await target?.close();
  if (databaseUrl) await dropTestDatabase(adminUrl, databaseUrl).catch(() => undefined);
});

/** A fresh browser context and page with every console error, script error, dialog and request recorded. */
async function openUi(): Promise<Watched> {
  const context = await browser!.newContext();
  contexts.push(context);
  const page = await context.newPage();
  const watched: Watched = { page, context, consoleErrors: [], pageErrors: [], dialogs: [], requests: [] };
  // CSP violations are reported both to the console and as events; record the events too.
  await page.addInitScript(() => {
    const w = window as unknown as { __cspViolations: string[] };
    w.__cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => {
      w.__cspViolations.push(`${e.violatedDirective} ${e.blockedURI}`);
    });
  });
  page.on('console', (m) => {
    if (m.type() === 'error') watched.consoleErrors.push(m.text());
  });
  page.on('pageerror', (e) => watched.pageErrors.push(e.message));
  page.on('dialog', (d) => {
    watched.dialogs.push(`${d.type()}: ${d.message()}`);
    void d.dismiss();
  });
  page.on('request', (r) => watched.requests.push(r.url()));
  return watched;
}

/** Loads the UI and waits for the first render of the recent-links table. */
async function loadUi(): Promise<Watched> {
  const watched = await openUi();
  const response = await watched.page.goto(`${SITE}/`);
  expect(response?.status()).toBe(200);
  await watched.page.waitForSelector('[data-testid="links-table"][data-state="ready"]');
  return watched;
}

async function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations);
}

/** Clicks Refresh and waits for the table to render again. */
async function refreshLinks(page: Page): Promise<void> {
  const table = page.getByTestId('links-table');
  const before = Number((await table.getAttribute('data-loads')) ?? '0');
  await page.getByTestId('refresh-button').click();
  await page.waitForFunction(
    (n) => Number(document.querySelector('[data-testid="links-table"]')?.getAttribute('data-loads') ?? 0) > n,
    before,
  );
}

/** Submits the form with the keyboard and waits for the result of this submission. */
async function shortenInUi(page: Page, url: string): Promise<{ code: string; shortUrl: string }> {
  const previous = await page.getByTestId('result-short-url').getAttribute('data-code');
  const input = page.getByTestId('url-input');
  await input.fill(url);
  await input.press('Enter');
  await page.waitForFunction(
    (prev) => {
      const link = document.querySelector('[data-testid="result-short-url"]');
      const result = document.querySelector('[data-testid="result"]') as HTMLElement | null;
      return !!link && !!result && !result.hidden && link.getAttribute('data-code') !== prev;
    },
    previous,
  );
  const link = page.getByTestId('result-short-url');
  return { code: (await link.getAttribute('data-code'))!, shortUrl: (await link.textContent())! };
}

function row(page: Page, code: string) {
  return page.locator(`[data-testid="link-row"][data-code="${code}"]`);
}

describe('web UI', () => {
  it('loads under the Content-Security-Policy with no console errors, no violations and nothing from outside loopback', async () => {
    const { page, consoleErrors, pageErrors, requests } = await loadUi();

    // The policy this page must live with is really in force (otherwise this test would prove nothing).
    const csp = (await fetch(`${shortener!.url}/`)).headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");

    // The stylesheet and the script both ran: styled body, rendered table, labelled input.
    expect(await page.evaluate(() => getComputedStyle(document.body).display)).toBe('flex');
    expect(await page.evaluate(() => document.documentElement.classList.contains('js'))).toBe(true);
    expect(await page.getByLabel('Long URL').getAttribute('data-testid')).toBe('url-input');
    expect(await page.title()).toContain('Snip');

    expect(consoleErrors).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(await cspViolations(page)).toEqual([]);
    expect(requests.length).toBeGreaterThan(0);
    const outside = requests.filter((u) => !u.startsWith('data:') && !LOCAL_HOSTS.has(new URL(u).hostname));
    expect(outside).toEqual([]);
    expect(requests.some((u) => u.endsWith('/assets/app.js'))).toBe(true);
    expect(requests.some((u) => u.endsWith('/assets/app.css'))).toBe(true);
  });

  it('shortens a page: short link, title, copy, and a new row whose visit count follows a redirect', async () => {
    const { page, context, consoleErrors, pageErrors } = await loadUi();
    await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: SITE });

    const original = `${target.url}/article`;
    const { code, shortUrl } = await shortenInUi(page, original);

    // The result: a link to the short URL itself, opening in a new tab without opener or referrer.
    expect(code).toMatch(/^[A-Za-z0-9_-]{8}$/);
    expect(shortUrl).toBe(`${SITE}/${code}`);
    const link = page.getByTestId('result-short-url');
    expect(await link.getAttribute('href')).toBe(shortUrl);
    expect(await link.getAttribute('target')).toBe('_blank');
    expect(await link.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await page.getByTestId('result-title').textContent()).toBe('A friendly article');
    expect(await page.getByTestId('result-description').textContent()).toBe('Everything about short links.');
    expect(await page.getByTestId('error').textContent()).toBe('');

    // Copy puts the short URL on the clipboard and says so.
    await page.getByTestId('copy-button').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="copy-button"]')?.textContent === 'Copied');
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(shortUrl);

    // The table is refreshed after the shorten: the new row, newest first, with 0 visits.
    await row(page, code).waitFor();
    const first = page.getByTestId('link-row').first();
    expect(await first.getAttribute('data-code')).toBe(code);
    expect(await row(page, code).getByTestId('visit-count').textContent()).toBe('0');
    expect(await row(page, code).getByTestId('link-title').textContent()).toBe('A friendly article');
    const originalLink = row(page, code).getByTestId('link-original-url');
    expect(await originalLink.evaluate((el) => el.tagName)).toBe('A');
    expect(await originalLink.getAttribute('href')).toBe(original);
    expect(await originalLink.getAttribute('rel')).toBe('noopener noreferrer');
    expect(await row(page, code).getByTestId('link-short-url').getAttribute('href')).toBe(shortUrl);
    expect(await row(page, code).locator('time').getAttribute('datetime')).toMatch(/^\d{4}-\d\d-\d\dT/);

    // Follow the short link once, as a visitor would: in the browser, redirected to the original page.
    const visitor = await context.newPage();
    const landed = await visitor.goto(shortUrl);
    expect(visitor.url()).toBe(original);
    expect(landed?.request().redirectedFrom()?.url()).toBe(shortUrl);
    await visitor.close();

    // Visits are written off the redirect's path: refresh until the count shows it (bounded).
    await expect
      .poll(
        async () => {
          await refreshLinks(page);
          return row(page, code).getByTestId('visit-count').textContent();
        },
        { timeout: 15_000, interval: 200 },
      )
      .toBe('1');

    expect(consoleErrors).toEqual([]);
    expect(pageErrors).toEqual([]);
    expect(await cspViolations(page)).toEqual([]);
  });

  it('says "No title found" for a page without a title', async () => {
    const { page } = await loadUi();
    const { code } = await shortenInUi(page, `${target.url}/untitled`);
    expect(await page.getByTestId('result-title').textContent()).toBe('No title found');
    await row(page, code).waitFor();
    expect(await row(page, code).getByTestId('link-title').textContent()).toBe('No title found');
  });

  it('shows an HTML-injection title and description as literal text and runs nothing', async () => {
    const { page, consoleErrors, pageErrors, dialogs, requests } = await loadUi();
    const { code } = await shortenInUi(page, `${target.url}/xss`);

    expect(await page.getByTestId('result-title').textContent()).toBe(XSS_TITLE);
    expect(await page.getByTestId('result-description').textContent()).toBe(XSS_DESCRIPTION);
    await row(page, code).waitFor();
    expect(await row(page, code).getByTestId('link-title').textContent()).toBe(XSS_TITLE);

    // Reload from scratch too: the list renders stored strings on first paint as well.
    await page.reload();
    await page.waitForSelector('[data-testid="links-table"][data-state="ready"]');
    expect(await row(page, code).getByTestId('link-title').textContent()).toBe(XSS_TITLE);

    // No element was made from the payload, nothing ran, nothing was requested for it.
    expect(await page.locator('[data-testid="result"] img, [data-testid="result"] script').count()).toBe(0);
    expect(await page.locator('[data-testid="links-table"] img, [data-testid="links-table"] script').count()).toBe(0);
    expect(await page.locator('main img, main script').count()).toBe(0);
    expect(dialogs).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __snipXss?: number }).__snipXss)).toBeUndefined();
    expect(requests.filter((u) => new URL(u).pathname === '/x')).toEqual([]);
    expect(await cspViolations(page)).toEqual([]);
    expect(consoleErrors).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('never renders a stored javascript:, data: or vbscript: URL as a link', async () => {
    // The API refuses such URLs, from the UI too, with the server's own message under the input.
    const refused = await fetch(`${shortener!.url}/api/shorten`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: 'javascript:alert(1)' }),
    });
    expect(refused.status).toBe(400);
    const refusedText = ((await refused.json()) as { error: string }).error;

    // So the rows are put in the database directly, as an older version or an operator might have.
    const hostile: Record<string, string> = {
      jsPlain1: 'javascript:window.__snipXss=4',
      jsUpper2: ' JavaScript:window.__snipXss=5',
      jsTab003: 'java\tscript:window.__snipXss=6',
      dataHtml: 'data:text/html,<script>window.__snipXss=7</script>',
      vbScript: 'vbscript:msgbox(1)',
    };
    for (const [code, url] of Object.entries(hostile)) {
      await sql(databaseUrl, 'INSERT INTO urls (short_code, original_url, title) VALUES ($1, $2, $3)', [code, url, 'Stored hostile URL']);
    }

    const { page, dialogs, pageErrors } = await loadUi();
    for (const [code, url] of Object.entries(hostile)) {
      const cell = row(page, code).getByTestId('link-original-url');
      expect(await cell.evaluate((el) => el.tagName), code).toBe('SPAN');
      expect(await cell.textContent(), code).toBe(url);
      expect(await cell.getAttribute('href'), code).toBeNull();
    }
    // Every anchor the table holds points at http(s) only.
    const protocols = await page.locator('[data-testid="links-table"] a').evaluateAll((as) => as.map((a) => (a as HTMLAnchorElement).protocol));
    expect(protocols.length).toBeGreaterThan(0);
    expect(protocols.filter((p) => p !== 'http:' && p !== 'https:')).toEqual([]);

    // Clicking the text does nothing.
    await row(page, 'jsPlain1').getByTestId('link-original-url').click();
    expect(await page.evaluate(() => (window as unknown as { __snipXss?: number }).__snipXss)).toBeUndefined();
    expect(dialogs).toEqual([]);
    expect(pageErrors).toEqual([]);

    const input = page.getByTestId('url-input');
    await input.fill('javascript:alert(1)');
    await page.getByTestId('shorten-button').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="error"]')?.textContent !== '');
    expect(await page.getByTestId('error').textContent()).toBe(refusedText);
  });

  it("shows the server's error text under the input for an invalid or missing URL", async () => {
    const { page } = await loadUi();
    const serverText = async (url: string) =>
      (
        (await (
          await fetch(`${shortener!.url}/api/shorten`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ url }),
          })
        ).json()) as { error: string }
      ).error;

    const input = page.getByTestId('url-input');
    const error = page.getByTestId('error');
    await input.fill('not a url');
    await page.getByTestId('shorten-button').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="error"]')?.textContent !== '');
    expect(await error.textContent()).toBe(await serverText('not a url'));
    expect(await error.textContent()).toBe('Invalid URL format');
    expect(await input.getAttribute('aria-invalid')).toBe('true');
    const errorId = await error.getAttribute('id');
    expect((await input.getAttribute('aria-describedby'))?.split(/\s+/)).toContain(errorId);
    expect(await page.getByTestId('result').isHidden()).toBe(true);

    // Editing clears the message; an empty submission gets the server's "required" text.
    await input.fill('');
    expect(await error.textContent()).toBe('');
    await page.getByTestId('shorten-button').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="error"]')?.textContent !== '');
    expect(await error.textContent()).toBe(await serverText(''));
    expect(await error.textContent()).toBe('url is required');
  });

  it('shows a generic message when the server cannot be reached', async () => {
    const { page } = await loadUi();
    await page.route('**/api/shorten', (route) => route.abort('internetdisconnected'));
    await page.getByTestId('url-input').fill(`${target.url}/article`);
    await page.getByTestId('shorten-button').click();
    await page.waitForFunction(() => document.querySelector('[data-testid="error"]')?.textContent !== '');
    expect(await page.getByTestId('error').textContent()).toBe('Could not reach Snip. Check your connection and try again.');
    expect(await page.getByTestId('shorten-button').isEnabled()).toBe(true);
  });
});

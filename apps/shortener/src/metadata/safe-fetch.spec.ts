import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CidrList } from '@snip/common';
import { afterEach, describe, expect, it } from 'vitest';
import { metadataConfig } from '../config/metadata.config';
import { FetchRefused, safeFetchHtml, type SafeFetchOptions } from './safe-fetch';

interface TestServer {
  readonly port: number;
  readonly origin: string;
  readonly requests: IncomingMessage[];
}

const servers: http.Server[] = [];

async function serve(
  handler: (req: IncomingMessage, res: ServerResponse, server: TestServer) => void,
  host = '127.0.0.1',
): Promise<TestServer> {
  const requests: IncomingMessage[] = [];
  const server = http.createServer();
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  const { port } = server.address() as AddressInfo;
  const info: TestServer = { port, origin: `http://${host}:${port}`, requests };
  server.on('request', (req, res) => {
    requests.push(req);
    handler(req, res, info);
  });
  return info;
}

const html = (body: string, contentType = 'text/html; charset=utf-8') => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(200, { 'content-type': contentType });
  res.end(body);
};

const redirectTo = (location: string, status = 302) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { location });
  res.end();
};

afterEach(async () => {
  const closing = servers.splice(0).map(
    (server) =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  );
  await Promise.all(closing);
});

const loopbackOnly = new CidrList(['127.0.0.1']);

function options(overrides: Partial<SafeFetchOptions> = {}): SafeFetchOptions {
  return {
    timeoutMs: 5000,
    maxBytes: 1024 * 1024,
    maxRedirects: 5,
    allowlist: new CidrList([]),
    userAgent: metadataConfig().userAgent,
    ...overrides,
  };
}

async function refusal(promise: Promise<unknown>): Promise<{ kind: string; reason: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(FetchRefused);
    const refused = error as FetchRefused;
    return { kind: refused.kind, reason: refused.reason, message: refused.message };
  }
  throw new Error('expected the fetch to be refused');
}

describe('safeFetchHtml: allow-list', () => {
  it('refuses a page on 127.0.0.1 that is not allow-listed, without connecting', async () => {
    const target = await serve(html('<title>secret</title>'));
    const result = await refusal(safeFetchHtml(`${target.origin}/`, options()));
    expect(result).toMatchObject({ kind: 'skipped', reason: 'blocked-address' });
    expect(result.message).toContain('127.0.0.1 is loopback');
    expect(target.requests).toHaveLength(0);
  });

  it('fetches an allow-listed page with a User-Agent naming Snip', async () => {
    const target = await serve(html('<title>Hello</title>'));
    const page = await safeFetchHtml(`${target.origin}/page?x=1`, options({ allowlist: loopbackOnly }));
    expect(page.body.toString()).toBe('<title>Hello</title>');
    expect(page.contentType).toBe('text/html; charset=utf-8');
    expect(page.finalUrl).toBe(`${target.origin}/page?x=1`);
    expect(page.bytes).toBe(20);
    expect(page.truncated).toBe(false);
    expect(page.redirects).toBe(0);
    expect(target.requests).toHaveLength(1);
    const request = target.requests[0]!;
    expect(request.method).toBe('GET');
    expect(request.url).toBe('/page?x=1');
    expect(request.headers['user-agent']).toMatch(/Snip/);
    expect(request.headers['accept']).toContain('text/html');
  });

  it('allows a range given in CIDR form', async () => {
    const target = await serve(html('<title>ok</title>'));
    const page = await safeFetchHtml(`${target.origin}/`, options({ allowlist: new CidrList(['127.0.0.0/8']) }));
    expect(page.body.toString()).toBe('<title>ok</title>');
  });
});

describe('safeFetchHtml: address forms that mean loopback or another private target', () => {
  it.each([
    ['IPv6 loopback literal', (port: number) => `http://[::1]:${port}/`],
    ['hex integer', (port: number) => `http://0x7f000001:${port}/`],
    ['decimal integer', (port: number) => `http://2130706433:${port}/`],
    ['octal dotted', (port: number) => `http://0177.0.0.1:${port}/`],
    ['short form', (port: number) => `http://127.1:${port}/`],
    ['mixed hex short form', (port: number) => `http://0x7f.1:${port}/`],
    ['IPv4-mapped IPv6', (port: number) => `http://[::ffff:127.0.0.1]:${port}/`],
    ['IPv4-mapped IPv6 in hex', (port: number) => `http://[::ffff:7f00:1]:${port}/`],
    ['IPv4-compatible IPv6', (port: number) => `http://[::127.0.0.1]:${port}/`],
    ['unspecified 0', (port: number) => `http://0:${port}/`],
    ['unspecified 0.0.0.0', (port: number) => `http://0.0.0.0:${port}/`],
    ['unspecified ::', (port: number) => `http://[::]:${port}/`],
    ['cloud metadata', () => 'http://169.254.169.254/latest/meta-data/'],
    ['cloud metadata as an integer', () => 'http://2852039166/latest/meta-data/'],
    ['private 10/8', () => 'http://10.0.0.5/'],
    ['private 172.16/12', () => 'http://172.16.0.1/'],
    ['private 192.168/16', () => 'http://192.168.1.1/'],
    ['CGNAT', () => 'http://100.64.0.1/'],
    ['IPv6 unique-local', () => 'http://[fd00::1]/'],
    ['IPv6 link-local', () => 'http://[fe80::1]/'],
    ['NAT64 of loopback', () => 'http://[64:ff9b::7f00:1]/'],
    ['6to4 of a private address', () => 'http://[2002:a00:1::1]/'],
    ['multicast', () => 'http://224.0.0.1/'],
  ])('blocks %s', async (_label, url) => {
    const sink = await serve(html('<title>sink</title>'));
    const result = await refusal(safeFetchHtml(url(sink.port), options()));
    expect(result).toMatchObject({ kind: 'skipped', reason: 'blocked-address' });
    expect(sink.requests).toHaveLength(0);
  });

  it('still blocks loopback forms other than the allow-listed address', async () => {
    const sink = await serve(html('<title>sink</title>'), '127.0.0.2');
    const result = await refusal(safeFetchHtml(`http://0x7f000002:${sink.port}/`, options({ allowlist: loopbackOnly })));
    expect(result).toMatchObject({ kind: 'skipped', reason: 'blocked-address' });
    expect(sink.requests).toHaveLength(0);
  });
});

describe('safeFetchHtml: DNS', () => {
  it.each([
    ['a private address', ['10.0.0.5']],
    ['loopback', ['127.0.0.1']],
    ['cloud metadata', ['169.254.169.254']],
    ['IPv6 loopback', ['::1']],
    ['an IPv4-mapped private address', ['::ffff:192.168.0.10']],
    ['a public and a private address', ['93.184.215.14', '10.0.0.5']],
  ])('blocks a host name that resolves to %s', async (_label, addresses) => {
    const sink = await serve(html('<title>sink</title>'));
    const asked: string[] = [];
    const resolve = async (host: string) => {
      asked.push(host);
      return addresses;
    };
    const result = await refusal(safeFetchHtml(`http://internal.example:${sink.port}/`, options({ resolve })));
    expect(result).toMatchObject({ kind: 'skipped', reason: 'blocked-address' });
    expect(asked).toEqual(['internal.example']);
    expect(sink.requests).toHaveLength(0);
  });

  it('connects to the address it checked, keeping the host name in the request', async () => {
    const target = await serve(html('<title>named</title>'));
    const resolve = async () => ['127.0.0.1'];
    const page = await safeFetchHtml(`http://pages.example:${target.port}/`, options({ resolve, allowlist: loopbackOnly }));
    expect(page.body.toString()).toBe('<title>named</title>');
    expect(target.requests[0]?.headers.host).toBe(`pages.example:${target.port}`);
  });

  it.each([
    ['a resolver error', async () => Promise.reject(new Error('ENOTFOUND nowhere.example'))],
    ['no addresses', async () => []],
  ])('reports dns-failure for %s', async (_label, resolve) => {
    const result = await refusal(safeFetchHtml('http://nowhere.example/', options({ resolve })));
    expect(result).toMatchObject({ kind: 'failed', reason: 'dns-failure' });
  });
});

describe('safeFetchHtml: redirects', () => {
  it.each([
    ['a private address', () => 'http://10.0.0.5/'],
    ['cloud metadata', () => 'http://169.254.169.254/latest/meta-data/iam/'],
    ['another loopback address', (sink: TestServer) => `http://127.0.0.2:${sink.port}/`],
    ['IPv6 loopback', (sink: TestServer) => `http://[::1]:${sink.port}/`],
    ['a hex loopback form', (sink: TestServer) => `http://0x7f000002:${sink.port}/`],
  ])('blocks a hop to %s', async (_label, location) => {
    const sink = await serve(html('<title>sink</title>'), '127.0.0.2');
    const start = await serve(redirectTo(location(sink)));
    const result = await refusal(safeFetchHtml(`${start.origin}/`, options({ allowlist: loopbackOnly })));
    expect(result).toMatchObject({ kind: 'skipped', reason: 'blocked-address' });
    expect(start.requests).toHaveLength(1);
    expect(sink.requests).toHaveLength(0);
  });

  it('checks the DNS answer again on every hop', async () => {
    const sink = await serve(html('<title>sink</title>'));
    const start = await serve(redirectTo(`http://rebind.example:${sink.port}/`));
    const resolve = async () => ['192.168.0.7'];
    const result = await refusal(safeFetchHtml(`${start.origin}/`, options({ allowlist: loopbackOnly, resolve })));
    expect(result).toMatchObject({ kind: 'skipped', reason: 'blocked-address' });
    expect(sink.requests).toHaveLength(0);
  });

  it.each([
    ['file:', 'file:///etc/passwd'],
    ['gopher:', 'gopher://127.0.0.1:6379/_INFO'],
  ])('refuses a hop to %s', async (scheme, location) => {
    const start = await serve(redirectTo(location));
    const result = await refusal(safeFetchHtml(`${start.origin}/`, options({ allowlist: loopbackOnly })));
    expect(result).toMatchObject({ kind: 'skipped', reason: 'unsupported-scheme' });
    expect(result.message).toContain(scheme);
  });

  it('follows relative redirects and reports the final URL and hop count', async () => {
    const target = await serve((req, res) => {
      if (req.url === '/a') return redirectTo('/b', 301)(req, res);
      if (req.url === '/b') return redirectTo('c?x=1', 307)(req, res);
      return html('<title>end</title>')(req, res);
    });
    const page = await safeFetchHtml(`${target.origin}/a`, options({ allowlist: loopbackOnly }));
    expect(page.body.toString()).toBe('<title>end</title>');
    expect(page.finalUrl).toBe(`${target.origin}/c?x=1`);
    expect(page.redirects).toBe(2);
    expect(target.requests.map((r) => r.url)).toEqual(['/a', '/b', '/c?x=1']);
  });

  it('follows exactly maxRedirects hops', async () => {
    const target = await serve((req, res) => {
      const n = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('n') ?? 0);
      if (n < 5) return redirectTo(`/?n=${n + 1}`)(req, res);
      return html('<title>after five</title>')(req, res);
    });
    const page = await safeFetchHtml(`${target.origin}/?n=0`, options({ allowlist: loopbackOnly, maxRedirects: 5 }));
    expect(page.redirects).toBe(5);
    expect(page.body.toString()).toBe('<title>after five</title>');
  });

  it('gives up on a redirect loop with too-many-redirects', async () => {
    const target = await serve(redirectTo('/'));
    const result = await refusal(safeFetchHtml(`${target.origin}/`, options({ allowlist: loopbackOnly, maxRedirects: 5 })));
    expect(result).toMatchObject({ kind: 'failed', reason: 'too-many-redirects' });
    expect(target.requests).toHaveLength(6);
  });

  it('follows no redirect when maxRedirects is 0', async () => {
    const target = await serve(redirectTo('/elsewhere'));
    const result = await refusal(safeFetchHtml(`${target.origin}/`, options({ allowlist: loopbackOnly, maxRedirects: 0 })));
    expect(result.reason).toBe('too-many-redirects');
    expect(target.requests).toHaveLength(1);
  });
});

describe('safeFetchHtml: responses', () => {
  it.each([
    ['application/json', 'application/json'],
    ['image/png', 'image/png'],
    ['text/plain', 'text/plain; charset=utf-8'],
    ['a text/html look-alike', 'text/htmlx'],
  ])('skips %s as not-html', async (_label, contentType) => {
    const target = await serve(html('<title>not really</title>', contentType));
    const result = await refusal(safeFetchHtml(`${target.origin}/`, options({ allowlist: loopbackOnly })));
    expect(result).toMatchObject({ kind: 'skipped', reason: 'not-html' });
  });

  it('skips a response without a content type as not-html', async () => {
    const target = await serve((_req, res) => {
      res.removeHeader('content-type');
      res.writeHead(200);
      res.end('<title>unlabelled</title>');
    });
    const result = await refusal(safeFetchHtml(`${target.origin}/`, options({ allowlist: loopbackOnly })));
    expect(result).toMatchObject({ kind: 'skipped', reason: 'not-html' });
  });

  it.each(['text/html', 'TEXT/HTML; charset=iso-8859-1', 'application/xhtml+xml'])('accepts %j', async (contentType) => {
    const target = await serve(html('<title>x</title>', contentType));
    const page = await safeFetchHtml(`${target.origin}/`, options({ allowlist: loopbackOnly }));
    expect(page.contentType).toBe(contentType);
  });

  it.each([403, 404, 500, 503])('fails with http-status on %d', async (status) => {
    const target = await serve((_req, res) => {
      res.writeHead(status, { 'content-type': 'text/html' });
      res.end('<title>error page</title>');
    });
    const result = await refusal(safeFetchHtml(`${target.origin}/`, options({ allowlist: loopbackOnly })));
    expect(result).toMatchObject({ kind: 'failed', reason: 'http-status', message: `http-status: ${status}` });
  });

  it('treats a 3xx without Location as a status failure', async () => {
    const target = await serve((_req, res) => {
      res.writeHead(302, { 'content-type': 'text/html' });
      res.end();
    });
    const result = await refusal(safeFetchHtml(`${target.origin}/`, options({ allowlist: loopbackOnly })));
    expect(result).toMatchObject({ kind: 'failed', reason: 'http-status', message: 'http-status: 302' });
  });

  it('truncates a body at maxBytes', async () => {
    const sent = Buffer.from('<title>big</title>' + 'x'.repeat(10_000));
    const target = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(sent);
    });
    const page = await safeFetchHtml(`${target.origin}/`, options({ allowlist: loopbackOnly, maxBytes: 1000 }));
    expect(page.bytes).toBe(1000);
    expect(page.body).toEqual(sent.subarray(0, 1000));
    expect(page.truncated).toBe(true);
  });

  it('stops reading an endless body at maxBytes', async () => {
    const chunk = Buffer.alloc(64 * 1024, 'a');
    const target = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      const pump = () => {
        while (!res.destroyed && res.write(chunk));
      };
      res.on('drain', pump);
      pump();
    });
    const page = await safeFetchHtml(`${target.origin}/`, options({ allowlist: loopbackOnly, maxBytes: 300_000 }));
    expect(page.bytes).toBe(300_000);
    expect(page.truncated).toBe(true);
  });

  it('reads a body below maxBytes whole, across chunks', async () => {
    const target = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write('<title>');
      setImmediate(() => res.end('parts</title>'));
    });
    const page = await safeFetchHtml(`${target.origin}/`, options({ allowlist: loopbackOnly, maxBytes: 1000 }));
    expect(page.body.toString()).toBe('<title>parts</title>');
    expect(page.truncated).toBe(false);
  });
});

describe('safeFetchHtml: failures', () => {
  it('times out on a server that never answers', async () => {
    const target = await serve(() => undefined);
    const result = await refusal(safeFetchHtml(`${target.origin}/`, options({ allowlist: loopbackOnly, timeoutMs: 300 })));
    expect(result).toMatchObject({ kind: 'failed', reason: 'timeout' });
  });

  it('times out on a body that never ends', async () => {
    const target = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.write('<title>slow');
    });
    const result = await refusal(safeFetchHtml(`${target.origin}/`, options({ allowlist: loopbackOnly, timeoutMs: 300 })));
    expect(result).toMatchObject({ kind: 'failed', reason: 'timeout' });
  });

  it('times out across a slow redirect chain', async () => {
    const target = await serve((req, res) => {
      if (req.url === '/') return redirectTo('/stall')(req, res);
    });
    const result = await refusal(safeFetchHtml(`${target.origin}/`, options({ allowlist: loopbackOnly, timeoutMs: 1000 })));
    expect(result.reason).toBe('timeout');
    expect(target.requests.map((r) => r.url)).toEqual(['/', '/stall']);
  });

  it('reports a refused connection as network-error', async () => {
    const closed = await serve(html(''));
    const server = servers.pop()!;
    await new Promise<void>((resolve) => server.close(() => resolve()));
    const result = await refusal(safeFetchHtml(`${closed.origin}/`, options({ allowlist: loopbackOnly })));
    expect(result).toMatchObject({ kind: 'failed', reason: 'network-error' });
  });

  it.each(['ftp://127.0.0.1/file', 'file:///etc/passwd', 'javascript:alert(1)', 'data:text/html,<title>x</title>'])(
    'refuses the unsupported scheme of %j',
    async (url) => {
      const result = await refusal(safeFetchHtml(url, options({ allowlist: loopbackOnly })));
      expect(result).toMatchObject({ kind: 'skipped', reason: 'unsupported-scheme' });
    },
  );
});

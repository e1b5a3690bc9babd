import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { RedirectorClient } from './redirector.client';

const servers: http.Server[] = [];
const clients: RedirectorClient[] = [];

async function serve(handler: (req: IncomingMessage, res: ServerResponse) => void): Promise<{ origin: string; requests: IncomingMessage[]; connections: unknown[] }> {
  const requests: IncomingMessage[] = [];
  const connections: unknown[] = [];
  const server = http.createServer((req, res) => {
    requests.push(req);
    handler(req, res);
  });
  server.on('connection', (socket) => connections.push(socket));
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, requests, connections };
}

function client(url: string, timeoutMs = 5000): RedirectorClient {
  const c = new RedirectorClient({ url, timeoutMs });
  clients.push(c);
  return c;
}

const json = (status: number, body: string) => (_req: IncomingMessage, res: ServerResponse) => {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(body);
};

const visit = { clientIp: '203.0.113.7', userAgent: 'curl/8', countVisit: true };

afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.onModuleDestroy()));
  for (const s of servers.splice(0)) s.closeAllConnections();
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
});

describe('RedirectorClient', () => {
  it('asks /resolve/:code with the client address and user agent and returns the original URL', async () => {
    const { origin, requests } = await serve(json(200, '{"original_url":"https://example.com/a?b=1"}'));
    await expect(client(origin).resolve('abc1234', visit)).resolves.toEqual({ kind: 'found', url: 'https://example.com/a?b=1' });
    expect(requests[0]?.url).toBe('/resolve/abc1234');
    expect(requests[0]?.headers['x-snip-client-ip']).toBe('203.0.113.7');
    expect(requests[0]?.headers['x-snip-user-agent']).toBe('curl/8');
  });

  it('keeps a path prefix of REDIRECTOR_URL, marks HEAD requests with visit=0 and omits an absent user agent', async () => {
    const { origin, requests } = await serve(json(200, '{"original_url":"https://example.com/"}'));
    await client(`${origin}/internal/`).resolve('abc1234', { clientIp: '::1', userAgent: undefined, countVisit: false });
    expect(requests[0]?.url).toBe('/internal/resolve/abc1234?visit=0');
    expect(requests[0]?.headers).not.toHaveProperty('x-snip-user-agent');
  });

  it('reuses keep-alive connections instead of opening one per call', async () => {
    const { origin, requests, connections } = await serve(json(200, '{"original_url":"https://example.com/"}'));
    const c = client(origin);
    for (let i = 0; i < 20; i++) await c.resolve('abc1234', visit);
    expect(requests).toHaveLength(20);
    // undici may open a second socket while the first is being released; never one per call.
    expect(connections.length).toBeLessThanOrEqual(2);
  });

  it('maps 404 to not-found and other statuses to unavailable', async () => {
    const notFound = await serve(json(404, '{"error":"Short URL not found"}'));
    await expect(client(notFound.origin).resolve('abc1234', visit)).resolves.toEqual({ kind: 'not-found' });
    const failing = await serve(json(503, '{"error":"Database unavailable"}'));
    await expect(client(failing.origin).resolve('abc1234', visit)).resolves.toEqual({ kind: 'unavailable', reason: 'status-503' });
  });

  it('treats a body that is not the expected JSON as a bad response', async () => {
    const broken = await serve(json(200, '<html>'));
    await expect(client(broken.origin).resolve('abc1234', visit)).resolves.toEqual({ kind: 'unavailable', reason: 'bad-response' });
    const wrongShape = await serve(json(200, '{"url":"https://example.com/"}'));
    await expect(client(wrongShape.origin).resolve('abc1234', visit)).resolves.toEqual({ kind: 'unavailable', reason: 'bad-response' });
  });

  it('never turns a URL that is not http(s) into a redirect', async () => {
    const hostile = await serve(json(200, '{"original_url":"javascript:alert(1)"}'));
    await expect(client(hostile.origin).resolve('abc1234', visit)).resolves.toEqual({ kind: 'unavailable', reason: 'bad-response' });
  });

  it('reports a refused connection as connection-failed', async () => {
    const { origin } = await serve(json(200, '{}'));
    const c = client(origin);
    for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
    await expect(c.resolve('abc1234', visit)).resolves.toEqual({ kind: 'unavailable', reason: 'connection-failed' });
  });

  it('gives up with timeout when the redirector does not answer in time', async () => {
    const { origin } = await serve(() => undefined);
    await expect(client(origin, 200).resolve('abc1234', visit)).resolves.toEqual({ kind: 'unavailable', reason: 'timeout' });
  });
});

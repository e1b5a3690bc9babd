// Local stand-ins for the outside world: target pages and the geolocation API, on 127.0.0.1.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface StandIn {
  readonly url: string;
  readonly port: number;
  readonly requests: Array<{ method: string; path: string; headers: IncomingMessage['headers'] }>;
  close(): Promise<void>;
}

export type Handler = (req: IncomingMessage, res: ServerResponse) => void;

export async function serve(handler: Handler): Promise<StandIn> {
  const requests: StandIn['requests'] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    handler(req, res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** Pages by path: `{ '/a': { type, body, status, headers } }`; anything else is a 404. */
export function pages(
  routes: Record<string, { body?: string | Buffer; type?: string; status?: number; headers?: Record<string, string> }>,
): Handler {
  return (req, res) => {
    const route = routes[(req.url ?? '/').split('?')[0]!];
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res.writeHead(route.status ?? 200, { 'content-type': route.type ?? 'text/html; charset=utf-8', ...route.headers });
    res.end(route.body ?? '');
  };
}

/** ip-api.com's `/json/<ip>?fields=status,country,city`, answering from a table. */
export function geoApi(table: Record<string, { country: string; city: string }>): Handler {
  return (req, res) => {
    const ip = decodeURIComponent((req.url ?? '').split('?')[0]!.replace(/^\/json\//, ''));
    const hit = table[ip];
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(hit ? { status: 'success', ...hit } : { status: 'fail', message: 'reserved range' }));
  };
}

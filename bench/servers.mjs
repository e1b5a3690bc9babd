// Helper processes for the benchmark, each on its own port on loopback, printing one JSON line
// with its port once listening:
//   node bench/servers.mjs bare      a bare node:http server answering 302: this machine's ceiling
//   node bench/servers.mjs fixtures  a target page for POST /api/shorten and an OTLP sink that
//                                    accepts /v1/traces, /v1/metrics and /v1/logs and discards them
import { Buffer } from 'node:buffer';
import { createServer } from 'node:http';
import process from 'node:process';

const mode = process.argv[2];

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

function keepAlive(server) {
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}

if (mode === 'bare') {
  const server = keepAlive(
    createServer((_req, res) => {
      res.writeHead(302, { location: 'https://example.com/', 'cache-control': 'private, max-age=0', 'content-length': '0' });
      res.end();
    }),
  );
  process.stdout.write(`${JSON.stringify({ port: await listen(server) })}\n`);
} else if (mode === 'fixtures') {
  const page =
    '<!doctype html><html><head><title>Bench target page</title>' +
    '<meta name="description" content="A page the shortener fetches for its title."></head>' +
    '<body><p>Hello.</p></body></html>';
  const target = keepAlive(
    createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': Buffer.byteLength(page) });
      res.end(page);
    }),
  );
  const counts = { traces: 0, metrics: 0, logs: 0, bytes: 0 };
  const sink = keepAlive(
    createServer((req, res) => {
      let bytes = 0;
      req.on('data', (chunk) => (bytes += chunk.length));
      req.on('end', () => {
        counts.bytes += bytes;
        const kind = req.url?.split('/').pop();
        if (kind in counts) counts[kind]++;
        if (req.method === 'GET' && req.url === '/stats') {
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify(counts));
          return;
        }
        // An empty Export*ServiceResponse: zero bytes in protobuf, `{}` in JSON.
        const json = String(req.headers['content-type'] ?? '').includes('json');
        res.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
        res.end(json ? '{}' : '');
      });
    }),
  );
  process.stdout.write(`${JSON.stringify({ targetPort: await listen(target), sinkPort: await listen(sink) })}\n`);
} else {
  process.stderr.write('usage: node bench/servers.mjs bare|fixtures\n');
  process.exit(64);
}

// Server-side request forgery, end to end through POST /api/shorten against a running shortener whose
// allow-list holds only one dedicated page (127.0.0.3). A sink listening on every loopback address
// must never see a request; every payload is still shortened, with null metadata and a blocked skip.
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/net';
import { record, startFaultStack, type FaultStack } from '../faults/support';
import { startDns, type DnsStandIn } from './support/dns';

const FILE = 'tests/abuse/ssrf.test.ts';

let stack: FaultStack;
let dns: DnsStandIn;
let sink: Server;
let allowed: Server;
let P: number;
let A: number;
const sinkHits: string[] = [];
const allowedHits: string[] = [];

beforeAll(async () => {
  // `::` with dual stack: 127.0.0.0/8, ::1, 0.0.0.0 and IPv4-mapped loopback all land here.
  sink = createServer((req, res) => {
    sinkHits.push(`${req.socket.localAddress} ${req.url}`);
    res.writeHead(200, { 'content-type': 'text/html' }).end('<title>SECRET FROM THE SINK</title>');
  });
  await new Promise<void>((r) => sink.listen({ port: 0, host: '::', ipv6Only: false }, r));
  P = (sink.address() as { port: number }).port;
  allowed = createServer((req, res) => {
    allowedHits.push(req.url!);
    const to = new URL(req.url!, 'http://x').searchParams.get('to');
    if (to) res.writeHead(302, { location: to }).end();
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<title>Allowed page</title>');
  });
  await new Promise<void>((r) => allowed.listen(0, '127.0.0.3', r));
  A = (allowed.address() as { port: number }).port;
  dns = await startDns({
    localhost: ['127.0.0.1', '::1'],
    'internal.snip.test': ['127.0.0.2'],
    'metadata.snip.test': ['169.254.169.254'],
    'v6loop.snip.test': ['::1'],
    'mapped.snip.test': ['::ffff:127.0.0.1'],
    'private.snip.test': ['10.1.2.3'],
    'mixed.snip.test': ['93.184.216.34', '127.0.0.2'],
    '127.0.0.1.nip.io': ['127.0.0.1'],
    'ula.snip.test': ['fd00::1'],
  });
  stack = await startFaultStack({
    label: 'abuse_ssrf',
    withoutRedis: true,
    shortenerEnv: { SSRF_ALLOWLIST: '127.0.0.3/32', METADATA_DNS_SERVERS: dns.server, METADATA_TIMEOUT_MS: '3000', LOG_LEVEL: 'info' },
  });
});

afterAll(async () => {
  await stack?.stop();
  sink?.closeAllConnections();
  sink?.close();
  allowed?.closeAllConnections();
  allowed?.close();
  await dns?.close();
});

const payloads = (): Array<[string, string]> => [
  ['loopback', `http://127.0.0.1:${P}/`],
  ['loopback, other address', `http://127.0.0.2:${P}/`],
  ['loopback, top of /8', `http://127.255.255.254:${P}/`],
  ['localhost by name', `http://localhost:${P}/`],
  ['localhost, upper case, trailing dot', `http://LOCALHOST.:${P}/`],
  ['private 10/8', `http://10.0.0.1:${P}/`],
  ['private 172.16/12', `http://172.16.0.1:${P}/`],
  ['private 192.168/16', `http://192.168.1.1:${P}/`],
  ['cloud metadata', 'http://169.254.169.254/latest/meta-data/iam/security-credentials/'],
  ['link-local', `http://169.254.0.1:${P}/`],
  ['CGNAT', `http://100.64.0.1:${P}/`],
  ['multicast', `http://224.0.0.1:${P}/`],
  ['IPv6 loopback', `http://[::1]:${P}/`],
  ['IPv6 unique-local fc00::/7', `http://[fc00::1]:${P}/`],
  ['IPv6 unique-local fd', `http://[fd12:3456::1]:${P}/`],
  ['IPv6 link-local', `http://[fe80::1]:${P}/`],
  ['IPv6 unspecified', `http://[::]:${P}/`],
  ['IPv4-mapped loopback', `http://[::ffff:127.0.0.1]:${P}/`],
  ['IPv4-mapped loopback, hex', `http://[::ffff:7f00:2]:${P}/`],
  ['IPv4-mapped private', `http://[::ffff:10.0.0.1]:${P}/`],
  ['IPv4-mapped metadata', 'http://[::ffff:169.254.169.254]/latest/meta-data/'],
  ['IPv4-compatible loopback', `http://[::127.0.0.1]:${P}/`],
  ['NAT64 of loopback', `http://[64:ff9b::7f00:1]:${P}/`],
  ['6to4 of loopback', `http://[2002:7f00:1::]:${P}/`],
  ['decimal', `http://2130706433:${P}/`],
  ['decimal, other loopback', `http://2130706434:${P}/`],
  ['octal', `http://0177.0.0.1:${P}/`],
  ['hex dotted', `http://0x7f.0.0.2:${P}/`],
  ['hex whole', `http://0x7f000001:${P}/`],
  ['short form 127.1', `http://127.1:${P}/`],
  ['short form 127.0.2', `http://127.0.2:${P}/`],
  ['mixed octal/hex metadata', 'http://0251.0xfe.169.254/'],
  ['zero', `http://0:${P}/`],
  ['0.0.0.0', `http://0.0.0.0:${P}/`],
  ['full-width digits', `http://１２７.０.０.１:${P}/`],
  ['name → 127.0.0.2 (DNS stand-in)', `http://internal.snip.test:${P}/`],
  ['name → 169.254.169.254', 'http://metadata.snip.test/latest/meta-data/'],
  ['name → ::1 (AAAA)', `http://v6loop.snip.test:${P}/`],
  ['name → ::ffff:127.0.0.1 (AAAA)', `http://mapped.snip.test:${P}/`],
  ['name → 10.1.2.3', `http://private.snip.test:${P}/`],
  ['name → fd00::1', `http://ula.snip.test:${P}/`],
  ['name → public and loopback', `http://mixed.snip.test:${P}/`],
  ['127.0.0.1.nip.io style', `http://127.0.0.1.nip.io:${P}/`],
  ['allowed page → 302 loopback', `http://127.0.0.3:${A}/go?to=${encodeURIComponent(`http://127.0.0.2:${P}/`)}`],
  ['allowed page → 302 name → loopback', `http://127.0.0.3:${A}/go?to=${encodeURIComponent(`http://internal.snip.test:${P}/`)}`],
  ['allowed page → 302 mapped IPv6', `http://127.0.0.3:${A}/go?to=${encodeURIComponent(`http://[::ffff:127.0.0.1]:${P}/`)}`],
  ['allowed page → 302 decimal', `http://127.0.0.3:${A}/go?to=${encodeURIComponent(`http://2130706433:${P}/`)}`],
  ['allowed page → 302 metadata', `http://127.0.0.3:${A}/go?to=${encodeURIComponent('http://169.254.169.254/latest/meta-data/')}`],
  ['allowed page → 302 → 302 loopback', `http://127.0.0.3:${A}/go?to=${encodeURIComponent(`http://127.0.0.3:${A}/go?to=${encodeURIComponent(`http://[::1]:${P}/`)}`)}`],
];

describe('SSRF through POST /api/shorten', () => {
  it('reaches no sink with any of the payloads, yet shortens each with null metadata', async () => {
    // The allowed page itself works: the setup can tell "blocked" from "broken".
    const control = await fetch(`${stack.shortener.url}/api/shorten`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ url: `http://127.0.0.3:${A}/` }),
    });
    expect(((await control.json()) as { title: string }).title).toBe('Allowed page');

    const rows: Array<{ name: string; status: number; title: unknown; reason: string }> = [];
    for (const [name, url] of payloads()) {
      const marker = stack.shortener.logs.length;
      const res = await fetch(`${stack.shortener.url}/api/shorten`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ url }),
      });
      const json = (await res.json()) as { title?: unknown; description?: unknown };
      const metadataLog = () => stack.shortener.logs.slice(marker).find((l) => String(l['event'] ?? '').startsWith('metadata.'));
      // The outcome is logged around the answer; wait for its line rather than a guessed time.
      if (res.status === 201) await waitFor(() => metadataLog() !== undefined, 5000, `the metadata log line for ${name}`).catch(() => undefined);
      const log = metadataLog();
      rows.push({ name, status: res.status, title: json.title ?? json.description ?? null, reason: `${String(log?.['reason'])}: ${String(log?.['detail'] ?? '')}` });
    }
    const blocked = rows.filter((r) => r.status === 201 && r.title === null && r.reason.startsWith('blocked-address'));
    const notBlocked = rows.filter((r) => !blocked.includes(r));
    record({
      id: 'A-SSRF',
      area: 'abuse',
      name: `SSRF: ${rows.length} payloads (loopback, private, link-local, metadata, CGNAT, ULA, mapped/compat/NAT64/6to4, decimal/octal/hex/short, 0, DNS to private, allowed page redirecting)`,
      expected: 'sink on loopback receives 0 requests; each link created (201) with null metadata, skip reason blocked-address',
      measured: `${rows.length} payloads: ${blocked.length} blocked (201, null metadata), ${notBlocked.length} otherwise${notBlocked.length ? ` (${notBlocked.map((r) => `${r.name}: ${r.status} ${r.reason}`).join('; ')})` : ''}; sink received ${sinkHits.length}; DNS stand-in answered ${dns.queries.length} queries; allowed page fetched ${allowedHits.length} times`,
      file: FILE,
    });
    expect(rows.length).toBeGreaterThanOrEqual(30);
    expect(sinkHits).toEqual([]);
    expect(notBlocked).toEqual([]);
    expect(dns.queries.some((q) => q.name === 'internal.snip.test')).toBe(true);
  });
});

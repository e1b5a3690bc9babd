// An HTTP GET that refuses non-public addresses after DNS resolution, on every redirect hop.
import { promises as dns, type LookupAddress } from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';
import { isIPv6 } from 'node:net';
import { classifyAddress, CidrList, isIpLiteral } from '@snip/common';

/** Why a fetch was not attempted or did not yield a page; becomes the span's skip or failure reason. */
export class FetchRefused extends Error {
  constructor(
    readonly kind: 'skipped' | 'failed',
    readonly reason: string,
    detail?: string,
  ) {
    super(detail ? `${reason}: ${detail}` : reason);
    this.name = 'FetchRefused';
  }
}

export interface SafeFetchOptions {
  readonly timeoutMs: number;
  readonly maxBytes: number;
  readonly maxRedirects: number;
  readonly allowlist: CidrList;
  readonly userAgent: string;
  /** Resolves a host name to all its addresses; the default uses the system resolver. */
  readonly resolve?: (host: string) => Promise<string[]>;
}

export interface FetchedPage {
  readonly body: Buffer;
  readonly contentType: string | undefined;
  readonly finalUrl: string;
  readonly bytes: number;
  readonly truncated: boolean;
  readonly redirects: number;
}

export function systemResolver(servers: readonly string[] = []): (host: string) => Promise<string[]> {
  if (servers.length === 0) {
    return async (host) => (await dns.lookup(host, { all: true, verbatim: true })).map((a: LookupAddress) => a.address);
  }
  const resolver = new dns.Resolver({ timeout: 2000, tries: 1 });
  resolver.setServers([...servers]);
  return async (host) => {
    const [v4, v6] = await Promise.allSettled([resolver.resolve4(host), resolver.resolve6(host)]);
    const all = [...(v4.status === 'fulfilled' ? v4.value : []), ...(v6.status === 'fulfilled' ? v6.value : [])];
    if (all.length === 0) throw new Error(`no address for ${host}`);
    return all;
  };
}

async function checkedAddresses(host: string, options: SafeFetchOptions): Promise<string[]> {
  const bare = host.replace(/^\[|\]$/g, '');
  let addresses: string[];
  if (isIpLiteral(bare)) addresses = [bare];
  else {
    try {
      addresses = await (options.resolve ?? systemResolver())(bare);
    } catch (error) {
      throw new FetchRefused('failed', 'dns-failure', (error as Error).message);
    }
  }
  if (addresses.length === 0) throw new FetchRefused('failed', 'dns-failure', `no address for ${bare}`);
  for (const address of addresses) {
    if (options.allowlist.contains(address)) continue;
    const kind = classifyAddress(address);
    if (kind !== 'public') throw new FetchRefused('skipped', 'blocked-address', `${address} is ${kind}`);
  }
  return addresses;
}

function request(url: URL, addresses: string[], options: SafeFetchOptions, signal: AbortSignal): Promise<IncomingMessage> {
  const client = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = client.request(url, {
      method: 'GET',
      agent: false,
      signal,
      headers: {
        'user-agent': options.userAgent,
        accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.1',
        'accept-encoding': 'identity',
      },
      // Connect only to the addresses checked above, so a second DNS answer cannot point elsewhere.
      lookup: (_host, opts, callback) => {
        const list = addresses.map((address) => ({ address, family: isIPv6(address) ? 6 : 4 }));
        if ((opts as { all?: boolean }).all) (callback as (e: null, a: typeof list) => void)(null, list);
        else callback(null, list[0]!.address, list[0]!.family);
      },
    });
    req.once('response', resolve);
    req.once('error', reject);
    req.end();
  });
}

async function readCapped(res: IncomingMessage, maxBytes: number): Promise<{ body: Buffer; truncated: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    const room = maxBytes - size;
    if (chunk.length >= room) {
      chunks.push(chunk.subarray(0, room));
      res.destroy();
      return { body: Buffer.concat(chunks), truncated: chunk.length > room || !res.readableEnded };
    }
    chunks.push(chunk);
    size += chunk.length;
  }
  return { body: Buffer.concat(chunks), truncated: false };
}

export async function safeFetchHtml(target: string, options: SafeFetchOptions): Promise<FetchedPage> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let url = new URL(target);
  try {
    for (let hop = 0; ; hop++) {
      if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new FetchRefused('skipped', 'unsupported-scheme', url.protocol);
      const addresses = await checkedAddresses(url.hostname, options);
      signal.throwIfAborted();
      const res = await request(url, addresses, options, signal);
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        res.resume();
        if (hop >= options.maxRedirects) throw new FetchRefused('failed', 'too-many-redirects', `more than ${options.maxRedirects}`);
        url = new URL(res.headers.location, url);
        continue;
      }
      if (status < 200 || status >= 300) {
        res.resume();
        throw new FetchRefused('failed', 'http-status', String(status));
      }
      const contentType = res.headers['content-type'];
      if (!/^\s*(text\/html|application\/xhtml\+xml)\b/i.test(contentType ?? '')) {
        res.destroy();
        throw new FetchRefused('skipped', 'not-html', contentType ?? 'no content type');
      }
      const { body, truncated } = await readCapped(res, options.maxBytes);
      return { body, contentType, finalUrl: url.toString(), bytes: body.length, truncated, redirects: hop };
    }
  } catch (error) {
    if (error instanceof FetchRefused) throw error;
    if (signal.aborted) throw new FetchRefused('failed', 'timeout', `no complete answer within ${options.timeoutMs} ms`);
    throw new FetchRefused('failed', 'network-error', (error as Error).message);
  }
}

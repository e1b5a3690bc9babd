// Readable, low-cardinality names for outbound (client) spans: `<METHOD> <peer> <path template>`.
// Inbound (server) spans are named `<METHOD> <route>` by the http instrumentation from the route
// that the express instrumentation records, so only the client side needs help here.

/** A service this process calls, known from its configuration, with the path templates it serves. */
export interface Peer {
  /** `scheme://host[:port]`, as `new URL(...).origin` gives it. */
  readonly origin: string;
  /** The name used in span names, e.g. `redirector`, `ip-api.com`. */
  readonly name: string;
  /** First match wins; a path that matches none is named by the peer alone. */
  readonly templates: ReadonlyArray<readonly [RegExp, string]>;
}

/** Any host that is not a configured peer: in Snip, the pages whose metadata the shortener reads. */
export const UNKNOWN_PEER = 'target-page';

function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}

/** The peers of both services, read from the same variables (and defaults) the services use. */
export function peersFromEnv(env: NodeJS.ProcessEnv = process.env): Peer[] {
  const peers: Peer[] = [];
  const redirector = originOf(env['REDIRECTOR_URL'] ?? 'http://127.0.0.1:3001');
  if (redirector) peers.push({ origin: redirector, name: 'redirector', templates: [[/^\/resolve\/[^/?#]+/, '/resolve/:code']] });
  // ip-api.com by default; a stand-in or proxy configured with GEO_API_URL is still that provider.
  const geo = originOf(env['GEO_API_URL'] ?? 'http://ip-api.com');
  if (geo) peers.push({ origin: geo, name: 'ip-api.com', templates: [[/^\/json\/[^/?#]+/, '/json/:ip']] });
  return peers;
}

export function clientSpanName(method: string | undefined, origin: string, path: string, peers: readonly Peer[]): string {
  const verb = (method || 'GET').toUpperCase();
  const normalized = originOf(origin) ?? origin;
  const peer = peers.find((p) => p.origin === normalized);
  if (!peer) return `${verb} ${UNKNOWN_PEER}`;
  const template = peer.templates.find(([pattern]) => pattern.test(path))?.[1];
  return template ? `${verb} ${peer.name} ${template}` : `${verb} ${peer.name}`;
}

/** Kubernetes probes and load-balancer checks: not worth a trace each. */
export function isProbe(url: string | undefined): boolean {
  return url !== undefined && /^\/health(?:[/?]|$)/.test(url);
}

/** `apps/<svc>/dist/main.js` → `<svc>`: the start command names the service only by its path. */
export function serviceFromMainPath(main: string | undefined): string | undefined {
  return main?.replace(/\\/g, '/').match(/(?:^|\/)apps\/([^/]+)\/dist\/main\.js$/)?.[1];
}

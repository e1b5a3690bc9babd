// Readable, low-cardinality names for outbound (client) spans: `<METHOD> <peer> <path template>`.
// Inbound (server) spans are named `<METHOD> <route>` by the http instrumentation from the route
// that the express instrumentation records, so only the client side needs help here.

/** A service this process calls, registered by the client that calls it, from its own configuration. */
export interface Peer {
  /** `scheme://host[:port]`, as `new URL(...).origin` gives it. */
  readonly origin: string;
  /** The name used in span names, e.g. `redirector`, `ip-api.com`. */
  readonly name: string;
  /** First match wins; a path that matches none is named by the peer alone. */
  readonly templates: ReadonlyArray<readonly [RegExp, string]>;
}

/** Any host that is not a registered peer: in Snip, the pages whose metadata the shortener reads. */
export const UNKNOWN_PEER = 'target-page';

// On globalThis: the preload and the application reach this module through different paths.
const REGISTRY = Symbol.for('snip.telemetry.peers');
const registry = ((globalThis as Record<symbol, unknown>)[REGISTRY] ??= []) as Peer[];

function originOf(url: string): string | undefined {
  return URL.parse(url)?.origin;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A peer at `baseUrl` (its path, if any, prefixes every route) serving `routes` written as
 * Express-style templates (`/resolve/:code`); each `:param` stands for one path segment.
 */
export function peer(baseUrl: string, name: string, routes: readonly string[]): Peer {
  const url = new URL(baseUrl);
  const base = escape(url.pathname.replace(/\/+$/, ''));
  const templates = routes.map((route) => {
    const pattern = route
      .split(/(:[A-Za-z_]\w*)/)
      .map((part) => (part.startsWith(':') ? '[^/?#]+' : escape(part)))
      .join('');
    return [new RegExp(`^${base}${pattern}(?:[?#]|$)`), route] as const;
  });
  return { origin: url.origin, name, templates };
}

/** Makes outbound spans to `p` carry its name; a later registration of the same origin replaces it. */
export function registerPeer(p: Peer): void {
  const index = registry.findIndex((known) => known.origin === p.origin);
  if (index >= 0) registry[index] = p;
  else registry.push(p);
}

export function clientSpanName(method: string | undefined, origin: string, path: string, peers: readonly Peer[] = registry): string {
  const verb = (method || 'GET').toUpperCase();
  const normalized = originOf(origin) ?? origin;
  const known = peers.find((p) => p.origin === normalized);
  if (!known) return `${verb} ${UNKNOWN_PEER}`;
  const template = known.templates.find(([pattern]) => pattern.test(path))?.[1];
  return template ? `${verb} ${known.name} ${template}` : `${verb} ${known.name}`;
}

/** Kubernetes probes and load-balancer checks: not worth a trace each. */
export function isProbe(url: string | undefined): boolean {
  return url !== undefined && /^\/health(?:[/?]|$)/.test(url);
}

/** `apps/<svc>/dist/main.js` → `<svc>`: the start command names the service only by its path. */
export function serviceFromMainPath(main: string | undefined): string | undefined {
  return main?.replace(/\\/g, '/').match(/(?:^|\/)apps\/([^/]+)\/dist\/main\.js$/)?.[1];
}

// The redirector's internal HTTP API (`GET /resolve/:code`), shared by its server and its one client, the shortener.

/** Route template, as the redirector's controller declares it and as span names show it. */
export const RESOLVE_ROUTE = '/resolve/:code';

/** Request headers the shortener sets: the client address it trusts and the client's user agent. */
export const RESOLVE_HEADERS = {
  clientIp: 'x-snip-client-ip',
  userAgent: 'x-snip-user-agent',
} as const;

/** Longest user agent forwarded and stored (the `visits.user_agent` column). */
export const USER_AGENT_MAX_LENGTH = 512;

/** Query parameter: `visit=0` resolves without counting a visit (the shortener's HEAD requests). */
export const RESOLVE_QUERY = { visit: 'visit' } as const;
const NO_VISIT = '0';

/** Answers the redirector gives; any other status means it could not answer. */
export const RESOLVE_STATUS = {
  found: 200,
  notFound: 404,
  /** PostgreSQL was needed and did not answer. */
  unavailable: 503,
} as const;

/** The 200 body. */
export interface ResolveResponse {
  readonly original_url: string;
}

/** The 404 and 503 body. */
export interface ResolveError {
  readonly error: string;
}

export const RESOLVE_NOT_FOUND: ResolveError = { error: 'Short URL not found' };

/** Path and query of one call, relative to the redirector's base URL. */
export function resolvePath(code: string, countVisit: boolean): string {
  const path = RESOLVE_ROUTE.replace(':code', encodeURIComponent(code));
  return countVisit ? path : `${path}?${RESOLVE_QUERY.visit}=${NO_VISIT}`;
}

/** How the redirector reads the `visit` query parameter: anything but `0` counts. */
export function countsVisit(visit: string | undefined): boolean {
  return visit !== NO_VISIT;
}

/**
 * Validates a 200 body: an object whose `original_url` is an absolute http(s) URL (what the
 * shortener accepts when a link is created); undefined for anything else, so a broken or hostile
 * answer never becomes a `Location` header.
 */
export function parseResolveResponse(body: unknown): ResolveResponse | undefined {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return undefined;
  const url = (body as Record<string, unknown>)['original_url'];
  if (typeof url !== 'string') return undefined;
  const parsed = URL.parse(url);
  if (parsed === null || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')) return undefined;
  return { original_url: url };
}

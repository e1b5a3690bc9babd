// Every environment variable Snip reads: name, readers, type, default, bounds and meaning, in one place.
import { SERVICE_PORTS } from './constants';

/** A process that reads configuration: the two services and the migration command. */
export type Reader = 'shortener' | 'redirector' | 'migrate';
export type ServiceName = keyof typeof SERVICE_PORTS;

interface Described {
  /** Processes that read the variable. */
  readonly readers: readonly Reader[];
  /** One line for the README table. */
  readonly description: string;
}

export interface IntVariable extends Described {
  readonly type: 'int';
  /** One default, or one per service. */
  readonly default: number | Readonly<Partial<Record<Reader, number>>>;
  readonly min: number;
  readonly max: number;
}

export interface BoolVariable extends Described {
  readonly type: 'bool';
  readonly default: boolean;
}

export interface EnumVariable extends Described {
  readonly type: 'enum';
  readonly values: readonly string[];
  readonly default: string;
}

export interface StringVariable extends Described {
  readonly type: 'string';
  /** '' when the variable may be left empty. */
  readonly default: string;
}

export interface UrlVariable extends Described {
  readonly type: 'url';
  readonly protocols: readonly string[];
  /** Absent: required, unless `optional` says unset is meaningful. */
  readonly default?: string;
  /** Unset is allowed and means what `unset` says (e.g. no cache). */
  readonly optional?: boolean;
  /** How an unset value reads in the docs when it is neither required nor a fixed URL. */
  readonly unset?: string;
}

export interface ListVariable extends Described {
  readonly type: 'list';
  /** What each comma-separated item is: allowed values, IPs/CIDRs, or host addresses. */
  readonly items: readonly string[] | 'cidr' | 'address';
  /** What an item is called in an error, e.g. `scenario`. */
  readonly noun?: string;
  /** How an empty list reads in the docs, when it is not simply "empty". */
  readonly unset?: string;
}

export type Variable = IntVariable | BoolVariable | EnumVariable | StringVariable | UrlVariable | ListVariable;
export type VariableType = Variable['type'];

const SERVICES = ['shortener', 'redirector'] as const satisfies readonly Reader[];
const EVERY_READER = ['shortener', 'redirector', 'migrate'] as const satisfies readonly Reader[];

/** pino's levels, most verbose first. */
export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

/** Training scenarios that re-create known performance problems (docs/tracing.md); all off unless listed. */
export const SCENARIOS = ['n-plus-one', 'cache-key-mismatch'] as const;
export type Scenario = (typeof SCENARIOS)[number];

export const VARIABLES = {
  PORT: { type: 'int', readers: SERVICES, default: SERVICE_PORTS, min: 0, max: 65535, description: 'listening port (0: any free port, logged once listening)' },
  HOST: { type: 'string', readers: SERVICES, default: '0.0.0.0', description: 'listening address' },
  DATABASE_URL: {
    type: 'url',
    readers: EVERY_READER,
    protocols: ['postgres:', 'postgresql:'],
    description: 'PostgreSQL connection URL',
  },
  DATABASE_POOL_SIZE: { type: 'int', readers: EVERY_READER, default: 10, min: 1, max: 200, description: 'PostgreSQL connections per process' },
  DATABASE_CONNECT_TIMEOUT_MS: {
    type: 'int',
    readers: EVERY_READER,
    default: 3000,
    min: 100,
    max: 60_000,
    description: 'connection timeout',
  },
  DATABASE_STATEMENT_TIMEOUT_MS: {
    type: 'int',
    readers: EVERY_READER,
    default: 5000,
    min: 100,
    max: 600_000,
    description: 'server-side statement timeout',
  },
  DATABASE_LOG_QUERIES: { type: 'bool', readers: EVERY_READER, default: false, description: 'log every SQL statement as a JSON line' },
  REDIS_URL: {
    type: 'url',
    readers: SERVICES,
    protocols: ['redis:', 'rediss:'],
    optional: true,
    unset: 'unset = no cache',
    description: 'Redis connection URL',
  },
  REDIS_KEY_PREFIX: { type: 'string', readers: SERVICES, default: '', description: 'prefix for every key (shared Redis)' },
  REDIS_CONNECT_TIMEOUT_MS: { type: 'int', readers: SERVICES, default: 1000, min: 50, max: 60_000, description: 'connect timeout' },
  REDIS_COMMAND_TIMEOUT_MS: {
    type: 'int',
    readers: SERVICES,
    default: 250,
    min: 10,
    max: 60_000,
    description: 'per-command timeout; a slow Redis is a cache miss',
  },
  SHUTDOWN_DELAY_MS: {
    type: 'int',
    readers: SERVICES,
    default: 0,
    min: 0,
    max: 60_000,
    description: 'time readiness reports 503 before the server stops accepting (set ~5000 behind a load balancer)',
  },
  LOG_LEVEL: { type: 'enum', readers: SERVICES, values: LOG_LEVELS, default: 'info', description: 'least severe level written' },
  SNIP_SCENARIOS: {
    type: 'list',
    readers: SERVICES,
    items: SCENARIOS,
    noun: 'scenario',
    description: 'training scenarios to switch on (see `docs/tracing.md`)',
  },
  PUBLIC_BASE_URL: {
    type: 'url',
    readers: ['shortener'],
    protocols: ['http:', 'https:'],
    optional: true,
    unset: '`http://localhost:$PORT`',
    description: 'base of every `short_url` (never the Host header)',
  },
  REDIRECTOR_URL: {
    type: 'url',
    readers: ['shortener'],
    protocols: ['http:', 'https:'],
    default: `http://127.0.0.1:${SERVICE_PORTS.redirector}`,
    description: 'redirector base URL',
  },
  REDIRECTOR_TIMEOUT_MS: {
    type: 'int',
    readers: ['shortener'],
    default: 5000,
    min: 100,
    max: 60_000,
    description: 'after this, `GET /:code` answers 502',
  },
  TRUSTED_PROXIES: { type: 'list', readers: ['shortener'], items: 'cidr', description: 'IPs/CIDRs whose `X-Forwarded-For` is honoured' },
  BODY_LIMIT_KB: { type: 'int', readers: ['shortener'], default: 16, min: 1, max: 1024, description: 'JSON body limit (413 above)' },
  RATE_LIMIT_SHORTEN: {
    type: 'int',
    readers: ['shortener'],
    default: 30,
    min: 0,
    max: 1_000_000,
    description: '`POST /api/shorten` per client address and window (0 switches the limit off)',
  },
  RATE_LIMIT_WINDOW_SECONDS: {
    type: 'int',
    readers: ['shortener'],
    default: 60,
    min: 1,
    max: 86_400,
    description: 'length of the rate-limit window',
  },
  SSRF_ALLOWLIST: {
    type: 'list',
    readers: ['shortener'],
    items: 'cidr',
    description: 'IPs/CIDRs exempt from SSRF checks (development, tests)',
  },
  METADATA_TIMEOUT_MS: {
    type: 'int',
    readers: ['shortener'],
    default: 5000,
    min: 100,
    max: 60_000,
    description: 'whole metadata fetch, all hops',
  },
  METADATA_MAX_BYTES: {
    type: 'int',
    readers: ['shortener'],
    default: 1024 * 1024,
    min: 1024,
    max: 64 * 1024 * 1024,
    description: 'bytes of HTML read at most',
  },
  METADATA_MAX_REDIRECTS: { type: 'int', readers: ['shortener'], default: 5, min: 0, max: 20, description: 'redirect hops followed' },
  METADATA_DNS_SERVERS: {
    type: 'list',
    readers: ['shortener'],
    items: 'address',
    unset: 'system resolver',
    description: 'comma list of DNS servers for target hosts',
  },
  RESOLVE_MEMORY_CACHE_TTL_MS: {
    type: 'int',
    readers: ['redirector'],
    default: 5000,
    min: 0,
    max: 300_000,
    description: 'lifetime of a link Redis returned in the in-process tier in front of Redis (0 switches it off)',
  },
  RESOLVE_MEMORY_CACHE_SIZE: {
    type: 'int',
    readers: ['redirector'],
    default: 10_000,
    min: 0,
    max: 1_000_000,
    description: 'links kept in the in-process tier (0 switches it off)',
  },
  GEO_PROVIDER: {
    type: 'enum',
    readers: ['redirector'],
    values: ['ip-api', 'none'],
    default: 'ip-api',
    description: 'geolocation of visits; `none` records every visit as Unknown',
  },
  GEO_API_URL: {
    type: 'url',
    readers: ['redirector'],
    protocols: ['http:', 'https:'],
    default: 'http://ip-api.com',
    description: 'ip-api-compatible endpoint (`/json/<ip>?fields=status,country,city`)',
  },
  GEO_TIMEOUT_MS: { type: 'int', readers: ['redirector'], default: 1500, min: 50, max: 30_000, description: 'per lookup; failures are `Unknown`' },
  GEO_CACHE_TTL_SECONDS: {
    type: 'int',
    readers: ['redirector'],
    default: 3600,
    min: 0,
    max: 7 * 24 * 3600,
    description: 'lifetime of a per-IP geolocation result',
  },
  GEO_CACHE_SIZE: { type: 'int', readers: ['redirector'], default: 10_000, min: 0, max: 1_000_000, description: 'per-IP results kept' },
  GEO_CONCURRENCY: { type: 'int', readers: ['redirector'], default: 8, min: 1, max: 256, description: 'parallel lookups per batch' },
  VISITS_FLUSH_INTERVAL_MS: {
    type: 'int',
    readers: ['redirector'],
    default: 200,
    min: 10,
    max: 60_000,
    description: 'how often queued visits are written',
  },
  VISITS_BATCH_SIZE: { type: 'int', readers: ['redirector'], default: 500, min: 1, max: 10_000, description: 'visits per INSERT' },
  VISITS_MAX_QUEUE: {
    type: 'int',
    readers: ['redirector'],
    default: 100_000,
    min: 100,
    max: 10_000_000,
    description: 'queued visits kept while PostgreSQL is away',
  },
  VISITS_DRAIN_TIMEOUT_MS: {
    type: 'int',
    readers: ['redirector'],
    default: 15_000,
    min: 0,
    max: 600_000,
    description: 'how long shutdown waits to write the queue',
  },
  VISITS_STREAM_KEY: {
    type: 'string',
    readers: ['redirector'],
    default: 'visits',
    description: 'Redis Stream (after `REDIS_KEY_PREFIX`) every replica appends visits to',
  },
  VISITS_STREAM_GROUP: {
    type: 'string',
    readers: ['redirector'],
    default: 'visit-writers',
    description: 'consumer group of the replicas that write the stream to PostgreSQL (one consumer per process)',
  },
  VISITS_STREAM_MAXLEN: {
    type: 'int',
    readers: ['redirector'],
    default: 1_000_000,
    min: 1000,
    max: 100_000_000,
    description: 'unwritten visits the stream keeps at most (approximate trim on append)',
  },
  VISITS_CLAIM_IDLE_MS: {
    type: 'int',
    readers: ['redirector'],
    default: 30_000,
    min: 100,
    max: 3_600_000,
    description: "how long a visit read by a replica may stay unwritten before another replica takes it over (a killed replica's visits)",
  },
} as const satisfies Record<string, Variable>;

export type Variables = typeof VARIABLES;
export type VariableName = keyof Variables;

/** Names of the variables of one type, e.g. `NameOf<'int'>`. */
export type NameOf<T extends VariableType> = { [K in VariableName]: Variables[K]['type'] extends T ? K : never }[VariableName];

/** URL variables whose absence means something (no cache, a derived default). */
export type OptionalUrlName = { [K in NameOf<'url'>]: Variables[K] extends { optional: true } ? K : never }[NameOf<'url'>];
export type RequiredUrlName = Exclude<NameOf<'url'>, OptionalUrlName>;

/** The allowed values of an enum variable, as a union. */
export type ValueOf<N extends NameOf<'enum'>> = Variables[N]['values'][number];

/**
 * Variables read by a library on Snip's behalf rather than by Snip's code: documented together,
 * accepted by every check, never listed one by one.
 */
export const VARIABLE_FAMILIES = [
  {
    prefix: 'OTEL_',
    readers: SERVICES,
    description: 'standard OpenTelemetry SDK variables (see `docs/tracing.md`)',
  },
] as const satisfies ReadonlyArray<{ prefix: string; readers: readonly Reader[]; description: string }>;

export function isVariableName(name: string): name is VariableName {
  return Object.hasOwn(VARIABLES, name);
}

/** True when a reader takes the variable, by name or as part of a documented family. */
export function isReadBy(name: string, reader: Reader): boolean {
  if (isVariableName(name)) return (VARIABLES[name].readers as readonly Reader[]).includes(reader);
  return VARIABLE_FAMILIES.some((f) => name.startsWith(f.prefix) && (f.readers as readonly Reader[]).includes(reader));
}

/** The default of an integer variable for one reader (PORT differs per service). */
export function intDefault(name: NameOf<'int'>, reader?: Reader): number {
  const value = (VARIABLES[name] as IntVariable).default;
  if (typeof value === 'number') return value;
  const own = reader === undefined ? undefined : value[reader];
  if (own === undefined) throw new Error(`${name} has a default per service; say which service reads it`);
  return own;
}

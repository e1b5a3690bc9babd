/**
 * Typed configuration of one Snip deployment. The same shape is the Helm chart's values:
 * charts/snip/values.schema.json and values.yaml are generated from these interfaces (their JSDoc
 * text, `@minimum`/`@maximum`/`@pattern`/`@minLength`/`@maxLength` tags; every number is an integer).
 * Strings are used where Helm needs them ('' means "not set").
 */
import { IMAGES } from '@snip/config-contract';

/** CPU in millicores and memory in Mi (so GOMEMLIMIT can be derived from it). */
export interface Quantities {
  /** CPU in millicores, e.g. 250m. @pattern ^[1-9][0-9]*m$ */
  readonly cpu: string;
  /** Memory in Mi, e.g. 256Mi. @pattern ^[1-9][0-9]*Mi$ */
  readonly memory: string;
}

/** CPU and memory for one container. */
export interface Resources {
  /** Scheduling requests. */
  readonly requests: Quantities;
  /** Hard limits; the memory limit bounds the container (and the Collector's memory_limiter). */
  readonly limits: Quantities;
}

export type PullPolicy = 'Always' | 'IfNotPresent' | 'Never';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** Name of a Secret in the release namespace. @pattern ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$ @maxLength 253 */
export type SecretName = string;

/** An http(s) URL. @pattern ^https?://[^\s/]+ */
export type HttpUrl = string;

export interface ImageConfig {
  /** Repository of the shortener image (built with `--build-arg SERVICE=shortener`). @pattern ^\S+$ */
  readonly shortenerRepository: string;
  /** Repository of the redirector image (built with `--build-arg SERVICE=redirector`). @pattern ^\S+$ */
  readonly redirectorRepository: string;
  /**
   * Tag shared by both images; the migration Job runs the shortener image and is named after it,
   * so the tag must be lowercase letters, digits and '.' (the quickstart uses a content hash).
   * GitOps output takes it from the kustomize `images:` component (deploy/<profile>/image).
   * @pattern ^[a-z0-9](?:[a-z0-9.]{0,38}[a-z0-9])?$
   */
  readonly tag: string;
  /** Pull policy of Snip's own images only; PostgreSQL, Redis, Jaeger and the Collector always use IfNotPresent. @default 'IfNotPresent' */
  readonly pullPolicy: PullPolicy;
}

/** HorizontalPodAutoscaler of one app (autoscaling/v2, CPU). The app's `replicas` is the minimum. */
export interface AutoscalingConfig {
  /** Ceiling of the HorizontalPodAutoscaler; at least replicas. @minimum 1 @maximum 100 */
  readonly maxReplicas: number;
  /** Average CPU utilisation (percent of the CPU request) the autoscaler aims at. @minimum 1 @maximum 100 */
  readonly targetCpuUtilization: number;
}

export interface ShortenerConfig {
  /** Minimum replicas (the HorizontalPodAutoscaler's floor). @minimum 1 @maximum 100 */
  readonly replicas: number;
  readonly autoscaling: AutoscalingConfig;
  readonly resources: Resources;
  /** Public base of short links (PUBLIC_BASE_URL), never derived from the Host header. */
  readonly publicBaseUrl: HttpUrl;
  /** Comma list of IPs/CIDRs whose X-Forwarded-For is honoured (the ingress controller). */
  readonly trustedProxies: string;
  /** @default 'info' */
  readonly logLevel: LogLevel;
}

export interface RedirectorConfig {
  /** Minimum replicas (the HorizontalPodAutoscaler's floor). @minimum 1 @maximum 100 */
  readonly replicas: number;
  readonly autoscaling: AutoscalingConfig;
  readonly resources: Resources;
  /** Geolocation provider: `ip-api` or `none`. */
  readonly geoProvider: 'ip-api' | 'none';
  /** Base URL of the geolocation API. @default 'http://ip-api.com' */
  readonly geoApiUrl: HttpUrl;
  /** @default 'info' */
  readonly logLevel: LogLevel;
}

export interface PostgresConfig {
  /** `in-cluster` runs a StatefulSet; `external` only references DATABASE_URL in the Secret. */
  readonly mode: 'in-cluster' | 'external';
  /**
   * Secret holding `DATABASE_URL` (both modes) and `POSTGRES_PASSWORD` (in-cluster).
   * Created outside Git (the kind quickstart makes dev values at deploy time).
   */
  readonly secretName: SecretName;
  /**
   * Helm only, in-cluster mode only: the chart creates the Secret with a random password and keeps
   * it across upgrades (read back with `lookup`). Rendered manifests and Argo CD never carry a
   * Secret (`helm template` cannot look up, so every render would change the password).
   * @default false
   * @onlyWhen mode in-cluster
   */
  readonly createSecret: boolean;
  /** @default 'postgres:17.6-bookworm' */
  readonly image: string;
  /** Size of the data PersistentVolumeClaim. @pattern ^[1-9][0-9]*(Mi|Gi|Ti)$ */
  readonly storage: string;
  /** StorageClass of the claim; '' uses the cluster default. */
  readonly storageClassName: string;
  readonly resources: Resources;
}

export interface RedisConfig {
  /** `in-cluster` runs a cache-only Redis; `external` reads REDIS_URL from a Secret; `disabled` runs without cache. */
  readonly mode: 'in-cluster' | 'external' | 'disabled';
  /** Secret holding `REDIS_URL` when mode is `external`. @pattern ^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$ @maxLength 253 */
  readonly secretName: string;
  /** @default 'redis:7.4.5-bookworm' */
  readonly image: string;
  /** Redis `maxmemory` (LRU eviction past it). @pattern ^[1-9][0-9]*(kb|mb|gb)$ */
  readonly maxMemory: string;
  readonly resources: Resources;
}

export interface CollectorConfig {
  /** `gateway`: a Deployment behind a Service (default); `agent`: a DaemonSet, one per node. */
  readonly mode: 'gateway' | 'agent';
  /** Where traces go: the in-cluster Jaeger or Dash0. */
  readonly exporter: 'jaeger' | 'dash0';
  /** @default 'otel/opentelemetry-collector-contrib:0.159.0' */
  readonly image: string;
  /** Gateway replicas (ignored in agent mode). @minimum 1 @maximum 20 */
  readonly replicas: number;
  /** The memory limit must be in Mi: GOMEMLIMIT is set to 80 % of it. */
  readonly resources: Resources;
}

export interface JaegerConfig {
  /** @default 'jaegertracing/jaeger:2.20.0' */
  readonly image: string;
  /** Bound of the in-memory trace store. @minimum 100 @maximum 10000000 */
  readonly maxTraces: number;
  readonly resources: Resources;
}

export interface Dash0Config {
  /** Region ingress base URL, e.g. `https://ingress.eu-west-1.aws.dash0.com`. @pattern ^https://[^\s/]+ */
  readonly endpoint: string;
  /** Dash0 dataset sent as the `Dash0-Dataset` header; '' sends none. */
  readonly dataset: string;
  /** Secret holding the raw ingest token (no `Bearer ` prefix). */
  readonly secretName: SecretName;
  /** Key of the token in that Secret. @default 'token' @pattern ^[-._a-zA-Z0-9]+$ */
  readonly secretKey: string;
}

export interface IngressConfig {
  /** @default false */
  readonly enabled: boolean;
  /** IngressClass; '' uses the cluster default. */
  readonly className: string;
  /** Host name the Ingress serves. @minLength 1 */
  readonly host: string;
  /** TLS Secret for the host; '' serves plain HTTP. */
  readonly tlsSecretName: string;
}

/** How pods are stopped; the grace period is computed from these and the services' drain timeouts. */
export interface ShutdownConfig {
  /** preStop sleep: time for Services and ingress controllers to drop the pod before it hears SIGTERM. @minimum 1 @maximum 60 */
  readonly preStopSeconds: number;
  /** SHUTDOWN_DELAY_MS: readiness 503 and keep-alive closed before the server stops accepting. @minimum 0 @maximum 60000 */
  readonly delayMs: number;
}

export interface NetworkPolicyConfig {
  /**
   * The cluster's pod network. Probe ports admit any source outside it (the kubelet on the node)
   * while pods stay limited to the components that need them. kind and minikube use 10.244.0.0/16.
   * @pattern ^((25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])\.){3}(25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])/([0-9]|[12][0-9]|3[0-2])$
   */
  readonly podCidr: string;
}

export interface SnipConfig {
  /**
   * Name prefix of every object and the `app.kubernetes.io/instance` label; '' (Helm only) uses the release name.
   * @pattern ^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$
   * @maxLength 40
   */
  readonly name: string;
  /** Namespace of every namespaced object; '' (Helm only) uses the release namespace. @pattern ^([a-z0-9]([-a-z0-9]*[a-z0-9])?)?$ @maxLength 63 */
  readonly namespace: string;
  /** Reported as `deployment.environment.name`. @minLength 1 */
  readonly environment: string;
  /** Reported as `k8s.cluster.name` by the Collector's env detector. @minLength 1 */
  readonly clusterName: string;
  /** Prefix of every Redis key, shared by both services. */
  readonly redisKeyPrefix: string;
  readonly image: ImageConfig;
  readonly shortener: ShortenerConfig;
  readonly redirector: RedirectorConfig;
  readonly migration: { readonly resources: Resources };
  readonly postgres: PostgresConfig;
  readonly redis: RedisConfig;
  readonly collector: CollectorConfig;
  readonly jaeger: JaegerConfig;
  readonly dash0: Dash0Config;
  readonly ingress: IngressConfig;
  readonly shutdown: ShutdownConfig;
  readonly networkPolicy: NetworkPolicyConfig;
}

const small = (cpu: string, memory: string, cpuLimit: string, memoryLimit: string): Resources => ({
  requests: { cpu, memory },
  limits: { cpu: cpuLimit, memory: memoryLimit },
});

/** kind: everything in the cluster, traces to an in-cluster Jaeger, images loaded with `kind load`. */
export const kindProfile: SnipConfig = {
  name: 'snip',
  namespace: 'snip',
  environment: 'kind',
  clusterName: 'snip',
  redisKeyPrefix: '',
  image: {
    shortenerRepository: 'snip-shortener',
    redirectorRepository: 'snip-redirector',
    tag: 'dev',
    pullPolicy: 'IfNotPresent',
  },
  shortener: {
    replicas: 2,
    autoscaling: { maxReplicas: 4, targetCpuUtilization: 70 },
    resources: small('100m', '128Mi', '500m', '256Mi'),
    publicBaseUrl: 'http://localhost:8080',
    trustedProxies: '',
    logLevel: 'info',
  },
  redirector: {
    replicas: 2,
    autoscaling: { maxReplicas: 4, targetCpuUtilization: 70 },
    resources: small('100m', '128Mi', '500m', '256Mi'),
    geoProvider: 'ip-api',
    geoApiUrl: 'http://ip-api.com',
    logLevel: 'info',
  },
  migration: { resources: small('50m', '96Mi', '500m', '192Mi') },
  postgres: {
    mode: 'in-cluster',
    secretName: 'snip-postgres',
    createSecret: false,
    image: IMAGES.postgres,
    storage: '1Gi',
    storageClassName: '',
    resources: small('100m', '256Mi', '1000m', '512Mi'),
  },
  redis: {
    mode: 'in-cluster',
    secretName: 'snip-redis',
    image: IMAGES.redis,
    maxMemory: '48mb',
    resources: small('50m', '64Mi', '250m', '96Mi'),
  },
  collector: {
    mode: 'gateway',
    exporter: 'jaeger',
    image: IMAGES.collector,
    replicas: 1,
    resources: small('100m', '256Mi', '500m', '512Mi'),
  },
  jaeger: {
    image: IMAGES.jaeger,
    maxTraces: 20000,
    resources: small('100m', '256Mi', '500m', '512Mi'),
  },
  dash0: {
    endpoint: 'https://ingress.eu-west-1.aws.dash0.com',
    dataset: '',
    secretName: 'dash0-auth',
    secretKey: 'token',
  },
  ingress: { enabled: false, className: '', host: 'snip.localtest.me', tlsSecretName: '' },
  shutdown: { preStopSeconds: 5, delayMs: 2000 },
  networkPolicy: { podCidr: '10.244.0.0/16' },
};

/**
 * dash0: production-like; external PostgreSQL and Redis through Secrets, telemetry to Dash0,
 * an Ingress in front of the shortener.
 */
export const dash0Profile: SnipConfig = {
  ...kindProfile,
  environment: 'production',
  clusterName: 'snip-prod',
  image: {
    shortenerRepository: 'ghcr.io/snip-dev/snip-shortener',
    redirectorRepository: 'ghcr.io/snip-dev/snip-redirector',
    tag: '0.1.0',
    pullPolicy: 'IfNotPresent',
  },
  shortener: {
    ...kindProfile.shortener,
    replicas: 3,
    autoscaling: { maxReplicas: 10, targetCpuUtilization: 70 },
    publicBaseUrl: 'https://snip.example.com',
    trustedProxies: '10.0.0.0/8',
  },
  redirector: { ...kindProfile.redirector, replicas: 3, autoscaling: { maxReplicas: 10, targetCpuUtilization: 70 } },
  postgres: { ...kindProfile.postgres, mode: 'external', secretName: 'snip-database' },
  redis: { ...kindProfile.redis, mode: 'external', secretName: 'snip-redis' },
  collector: {
    ...kindProfile.collector,
    exporter: 'dash0',
    replicas: 2,
    resources: small('200m', '512Mi', '1000m', '1024Mi'),
  },
  dash0: { ...kindProfile.dash0, dataset: 'snip' },
  ingress: { enabled: true, className: 'nginx', host: 'snip.example.com', tlsSecretName: 'snip-tls' },
};

export const profiles = { kind: kindProfile, dash0: dash0Profile } as const;
export type ProfileName = keyof typeof profiles;

type DeepPartial<T> = { -readonly [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

/** Deep-merges overrides onto a profile (objects merge, everything else replaces). */
export function withOverrides(base: SnipConfig, overrides: DeepPartial<SnipConfig>): SnipConfig {
  return deepMerge(base, overrides) as SnipConfig;
}

export function deepMerge(base: unknown, over: unknown): unknown {
  if (isPlainObject(base) && isPlainObject(over)) {
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(over)) {
      if (v === undefined) continue;
      out[k] = k in base ? deepMerge(base[k], v) : v;
    }
    return out;
  }
  return over === undefined ? base : over;
}

export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

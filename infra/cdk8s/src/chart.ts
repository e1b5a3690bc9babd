import { SERVICE_PORTS, type VariableName } from '@snip/config-contract';
import { ApiObject, Chart } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import type { SnipConfig } from './config.js';
import { SnipService } from './constructs/app-service.js';
import { Collector } from './constructs/collector.js';
import { applySerializedPatches, objectName } from './constructs/common.js';
import { ShortenerIngress } from './constructs/ingress.js';
import { Jaeger } from './constructs/jaeger.js';
import { MigrationJob } from './constructs/migration.js';
import { NetworkPolicies } from './constructs/network-policies.js';
import { Postgres, Redis } from './constructs/stores.js';

export interface SnipChartProps {
  readonly config: SnipConfig;
}

/**
 * Deployment stages in the order an empty cluster needs them: the stores, Collector, Jaeger and
 * every NetworkPolicy; then the migration Job; then the apps. They are Argo CD sync waves (the
 * namespace goes one wave earlier), the folders of deploy/<profile>/ that Flux Kustomizations
 * chain with dependsOn, and the quickstart's apply-and-wait order.
 */
export const STAGES = { platform: -2, migrate: -1, apps: 0 } as const;
export type Stage = keyof typeof STAGES;
export const NAMESPACE_SYNC_WAVE = -3;
const SYNC_WAVE = 'argocd.argoproj.io/sync-wave';

/** Stage of an object, from its kind and component (`app.kubernetes.io/name`). */
export function stageOf(kind: string, component: string | undefined): Stage {
  if (kind === 'NetworkPolicy') return 'platform';
  if (component === 'migrate') return 'migrate';
  return component === 'shortener' || component === 'redirector' ? 'apps' : 'platform';
}

/** A plain-value setting of an app container; the name must be one the contract defines. */
const setting = (name: VariableName, value: string) => [name, kplus.EnvValue.fromValue(value)] as const;

/** The whole Snip system for one configuration (the same objects the Helm chart renders). */
export class SnipChart extends Chart {
  constructor(scope: Construct, id: string, props: SnipChartProps) {
    super(scope, id, { namespace: props.config.namespace, disableResourceNameHashes: true });
    const { config } = props;
    const image = (repo: string) => `${repo}:${config.image.tag}`;

    if (config.postgres.mode === 'in-cluster') new Postgres(this, 'postgres', { config });
    if (config.redis.mode === 'in-cluster') new Redis(this, 'redis', { config });

    const jaeger = config.collector.exporter === 'jaeger' ? new Jaeger(this, 'jaeger', { config }) : undefined;
    const collector = new Collector(this, 'collector', {
      config,
      ...(jaeger ? { jaegerEndpoint: jaeger.otlpHttpEndpoint } : {}),
    });

    new MigrationJob(this, 'migration', { config, image: image(config.image.shortenerRepository) });

    const redirectorPort = SERVICE_PORTS.redirector;
    new SnipService(this, 'redirector', {
      config,
      service: 'redirector',
      port: redirectorPort,
      replicas: config.redirector.replicas,
      autoscaling: config.redirector.autoscaling,
      resources: config.redirector.resources,
      image: image(config.image.redirectorRepository),
      otlpEndpoint: collector.otlpHttpEndpoint,
      env: [
        setting('GEO_PROVIDER', config.redirector.geoProvider),
        setting('GEO_API_URL', config.redirector.geoApiUrl),
        setting('LOG_LEVEL', config.redirector.logLevel),
      ],
    });
    new SnipService(this, 'shortener', {
      config,
      service: 'shortener',
      port: SERVICE_PORTS.shortener,
      replicas: config.shortener.replicas,
      autoscaling: config.shortener.autoscaling,
      resources: config.shortener.resources,
      image: image(config.image.shortenerRepository),
      otlpEndpoint: collector.otlpHttpEndpoint,
      env: [
        setting('REDIRECTOR_URL', `http://${objectName(config, 'redirector')}:${redirectorPort}`),
        setting('PUBLIC_BASE_URL', config.shortener.publicBaseUrl),
        setting('TRUSTED_PROXIES', config.shortener.trustedProxies),
        // No SSRF exemptions in a cluster: every private target stays blocked.
        setting('SSRF_ALLOWLIST', ''),
        setting('LOG_LEVEL', config.shortener.logLevel),
        setting('SNIP_SCENARIOS', ''),
      ],
    });

    new NetworkPolicies(this, 'network-policies', { config });
    if (config.ingress.enabled) new ShortenerIngress(this, 'ingress', { config });

    for (const child of this.node.findAll()) {
      if (!(child instanceof ApiObject)) continue;
      const stage = stageOf(child.kind, child.metadata.getLabel('app.kubernetes.io/name'));
      child.metadata.addAnnotation(SYNC_WAVE, String(STAGES[stage]));
    }
  }

  public override toJson(): any[] { // eslint-disable-line @typescript-eslint/no-explicit-any
    return applySerializedPatches(this, super.toJson());
  }
}

/** Pod Security admission: every Snip pod meets the `restricted` profile, so the namespace enforces it. */
export const POD_SECURITY_LABELS = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/enforce-version': 'latest',
  'pod-security.kubernetes.io/audit': 'restricted',
  'pod-security.kubernetes.io/warn': 'restricted',
} as const;

/** The Namespace, emitted for kubectl/kustomize/GitOps use (Helm uses --create-namespace instead). */
export class NamespaceChart extends Chart {
  constructor(scope: Construct, id: string, props: SnipChartProps) {
    super(scope, id);
    new ApiObject(this, 'namespace', {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: props.config.namespace,
        labels: { 'app.kubernetes.io/part-of': 'snip', ...POD_SECURITY_LABELS },
        annotations: { [SYNC_WAVE]: String(NAMESPACE_SYNC_WAVE) },
      },
    });
  }
}

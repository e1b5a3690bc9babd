import { ApiObject, Duration, JsonPatch } from 'cdk8s';
import { CONTAINER_UID, PLATFORM_PORTS } from '@snip/config-contract';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { AutoscalingConfig, Resources, SnipConfig } from '../config.js';
import { VISITS_DRAIN_TIMEOUT_MS, terminationGracePeriodSeconds } from '../shutdown.js';
import {
  addSerializedPatch,
  clusterService,
  commonLabels,
  meta,
  containerSecurity,
  dropAddrLabel,
  httpProbe,
  objectName,
  podDisruptionBudget,
  podSecurity,
  resources,
  secretEnv,
  selectorLabels,
  tmpVolume,
} from './common.js';

/** Numeric user of the Snip image (the Dockerfile's `USER`). */
export const APP_UID = CONTAINER_UID;

/** Routes the probes use; they exist in both services. */
export const HEALTH_ROUTES = { liveness: '/health/live', readiness: '/health/ready' } as const;

/**
 * Resource detectors of the Node SDK in a pod: without `host`, whose host.name would be the pod
 * name (a container's hostname); the pod and node come from the downward API instead.
 */
export const POD_RESOURCE_DETECTORS = 'env,os,process,serviceinstance';

export interface SnipServiceProps {
  /** Whole deployment configuration. */
  readonly config: SnipConfig;
  /** Which service this is. */
  readonly service: 'shortener' | 'redirector';
  /** Container and Service port (env PORT). */
  readonly port: number;
  /** Minimum replicas; the HorizontalPodAutoscaler owns the count (the Deployment leaves it unset). */
  readonly replicas: number;
  readonly autoscaling: AutoscalingConfig;
  readonly resources: Resources;
  readonly image: string;
  /** Service-specific env, placed after the common env and before the OTEL_* block. */
  readonly env: ReadonlyArray<readonly [string, kplus.EnvValue]>;
  /** Base URL of the Collector's OTLP/HTTP receiver. */
  readonly otlpEndpoint: string;
}

/**
 * One Snip HTTP service (Deployment + Service + PodDisruptionBudget + HorizontalPodAutoscaler)
 * with the downward-API environment that lets the Collector match spans to pods by UID, spread
 * across nodes, and a grace period that covers its whole drain.
 */
export class SnipService extends Construct {
  public readonly deployment: kplus.Deployment;

  constructor(scope: Construct, id: string, props: SnipServiceProps) {
    super(scope, id);
    const { config, service, port } = props;
    if (props.replicas < 1 || props.autoscaling.maxReplicas < props.replicas) {
      throw new Error(`${service}: autoscaling needs 1 <= replicas <= maxReplicas (got ${props.replicas} and ${props.autoscaling.maxReplicas})`);
    }

    this.deployment = new kplus.Deployment(this, 'deployment', {
      metadata: { name: objectName(config, service), labels: commonLabels(config, service) },
      select: false,
      podMetadata: { labels: commonLabels(config, service) },
      securityContext: podSecurity(APP_UID),
      automountServiceAccountToken: false,
      terminationGracePeriod: Duration.seconds(terminationGracePeriodSeconds(config, service)),
    });
    this.deployment.select(kplus.LabelSelector.of({ labels: selectorLabels(config, service) }));
    dropAddrLabel(this.deployment);
    ApiObject.of(this.deployment).addJsonPatch(
      // The HorizontalPodAutoscaler owns the replica count; a fixed value here would undo its scaling at every apply.
      JsonPatch.remove('/spec/replicas'),
      // Prefer one replica per node; a single-node kind cluster still schedules them all.
      JsonPatch.add('/spec/template/spec/topologySpreadConstraints', [
        {
          maxSkew: 1,
          topologyKey: 'kubernetes.io/hostname',
          whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: { matchLabels: selectorLabels(config, service) },
        },
      ]),
    );
    // Endpoints and ingress controllers drop the pod while it sleeps, before it hears SIGTERM.
    // The sleep action needs Kubernetes 1.30 (no shell or sleep binary in the image).
    addSerializedPatch(
      ApiObject.of(this.deployment),
      JsonPatch.add('/spec/template/spec/containers/0/lifecycle', {
        preStop: { sleep: { seconds: config.shutdown.preStopSeconds } },
      }),
    );

    const tmp = tmpVolume(this, 'tmp');
    const container = this.deployment.addContainer({
      name: service,
      image: props.image,
      imagePullPolicy: snipPullPolicy(config),
      ports: [{ number: port, name: 'http' }],
      securityContext: containerSecurity(APP_UID),
      resources: resources(props.resources),
      startup: httpProbe(HEALTH_ROUTES.liveness, port, { period: 2, failureThreshold: 30 }),
      liveness: httpProbe(HEALTH_ROUTES.liveness, port, { period: 10, failureThreshold: 3 }),
      readiness: httpProbe(HEALTH_ROUTES.readiness, port, { period: 5, failureThreshold: 3 }),
      volumeMounts: [{ path: '/tmp', volume: tmp }],
    });

    // Order matters: $(VAR) only expands variables defined earlier, so OTEL_RESOURCE_ATTRIBUTES is last.
    const env: Array<readonly [string, kplus.EnvValue]> = [
      ['K8S_POD_UID', kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_UID)],
      ['K8S_POD_NAME', kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAME)],
      ['K8S_NAMESPACE_NAME', kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_NAMESPACE)],
      ['K8S_NODE_NAME', kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.NODE_NAME)],
      ['K8S_POD_IP', kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_IP)],
      ['PORT', kplus.EnvValue.fromValue(String(port))],
      ['DATABASE_URL', secretEnv(this, 'database-url', config.postgres.secretName, 'DATABASE_URL')],
      ...redisEnv(this, config),
      ...props.env,
      ['REDIS_KEY_PREFIX', kplus.EnvValue.fromValue(config.redisKeyPrefix)],
      ['SHUTDOWN_DELAY_MS', kplus.EnvValue.fromValue(String(config.shutdown.delayMs))],
      ...(service === 'redirector'
        ? [['VISITS_DRAIN_TIMEOUT_MS', kplus.EnvValue.fromValue(String(VISITS_DRAIN_TIMEOUT_MS))] as const]
        : []),
      ['OTEL_SERVICE_NAME', kplus.EnvValue.fromValue(service)],
      ['OTEL_EXPORTER_OTLP_ENDPOINT', kplus.EnvValue.fromValue(props.otlpEndpoint)],
      ['OTEL_EXPORTER_OTLP_PROTOCOL', kplus.EnvValue.fromValue('http/protobuf')],
      ['OTEL_NODE_RESOURCE_DETECTORS', kplus.EnvValue.fromValue(POD_RESOURCE_DETECTORS)],
      ['OTEL_RESOURCE_ATTRIBUTES', kplus.EnvValue.fromValue(resourceAttributes(config, service))],
    ];
    for (const [name, value] of env) container.env.addVariable(name, value);

    clusterService(this, 'service', config, service, [{ name: 'http', port }]);
    podDisruptionBudget(this, config, service);
    new ApiObject(this, 'autoscaler', {
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta(config, service),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: this.deployment.name },
        minReplicas: props.replicas,
        maxReplicas: props.autoscaling.maxReplicas,
        metrics: [
          {
            type: 'Resource',
            resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: props.autoscaling.targetCpuUtilization } },
          },
        ],
      },
    });
  }
}

/** OTEL_RESOURCE_ATTRIBUTES of an app container: pod identity from the downward API first. */
export function resourceAttributes(config: SnipConfig, container: string): string {
  return [
    'k8s.pod.uid=$(K8S_POD_UID)',
    'k8s.pod.name=$(K8S_POD_NAME)',
    'k8s.namespace.name=$(K8S_NAMESPACE_NAME)',
    'k8s.node.name=$(K8S_NODE_NAME)',
    'k8s.pod.ip=$(K8S_POD_IP)',
    `k8s.container.name=${container}`,
    'service.namespace=snip',
    `deployment.environment.name=${config.environment}`,
  ].join(',');
}

/** REDIS_URL: the in-cluster Service, a Secret for an external Redis, or absent (no cache). */
export function redisEnv(scope: Construct, config: SnipConfig): Array<readonly [string, kplus.EnvValue]> {
  switch (config.redis.mode) {
    case 'in-cluster':
      return [['REDIS_URL', kplus.EnvValue.fromValue(`redis://${objectName(config, 'redis')}:${PLATFORM_PORTS.redis}`)]];
    case 'external':
      return [['REDIS_URL', secretEnv(scope, 'redis-url', config.redis.secretName, 'REDIS_URL')]];
    default:
      return [];
  }
}

/** Pull policy of Snip's own images; the config's values are the API's, passed through as they are. */
export function snipPullPolicy(config: SnipConfig): kplus.ImagePullPolicy {
  return config.image.pullPolicy as kplus.ImagePullPolicy;
}

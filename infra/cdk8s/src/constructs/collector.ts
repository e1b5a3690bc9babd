import { ApiObject, JsonPatch, Size } from 'cdk8s';
import { PLATFORM_PORTS } from '@snip/config-contract';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { SnipConfig } from '../config.js';
import { checksum, collectorFiles } from '../collector-files.js';
import type { ConfigFile } from '../collector-files.js';
import {
  clusterService,
  commonLabels,
  containerSecurity,
  dropAddrLabel,
  goMemLimit,
  httpProbe,
  meta,
  objectName,
  podDisruptionBudget,
  podSecurity,
  resources,
  secretEnv,
  selectorLabels,
  PINNED_IMAGE_PULL_POLICY,
} from './common.js';

/** uid of the otel/opentelemetry-collector-contrib image. */
const COLLECTOR_UID = 10001;
/** Where the ConfigMap is mounted in the Collector container. */
export const COLLECTOR_CONFIG_DIR = '/conf';
export const OTLP_GRPC_PORT = PLATFORM_PORTS.otlpGrpc;
export const OTLP_HTTP_PORT = PLATFORM_PORTS.otlpHttp;
export const HEALTH_PORT = PLATFORM_PORTS.health;

export interface CollectorProps {
  readonly config: SnipConfig;
  /** OTLP/HTTP base URL of the in-cluster Jaeger (only with the jaeger exporter). */
  readonly jaegerEndpoint?: string;
}

/** RBAC rules k8s_attributes (and, for agents, the k8s_api detector) need; nothing more. */
export function collectorRbacRules(config: SnipConfig) {
  const rules = [
    { apiGroups: [''], resources: ['pods', 'namespaces'], verbs: ['get', 'list', 'watch'] },
    { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['get', 'list', 'watch'] },
  ];
  // Only the agent's node detector reads Node objects; the gateway takes k8s.node.name from the pod.
  if (config.collector.mode === 'agent') {
    rules.push({ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] });
  }
  return rules;
}

/**
 * OpenTelemetry Collector that enriches spans with Kubernetes metadata and exports them:
 * a gateway Deployment by default, a per-node DaemonSet agent as an option.
 */
export class Collector extends Construct {
  public readonly files: ConfigFile[];
  public readonly workload: kplus.Deployment | kplus.DaemonSet;
  /** OTLP/HTTP base URL the apps export to. */
  public readonly otlpHttpEndpoint: string;

  constructor(scope: Construct, id: string, props: CollectorProps) {
    super(scope, id);
    const { config } = props;
    const name = objectName(config, 'collector');
    const clusterWideName = `${config.name}-${config.namespace}-collector`;
    this.files = collectorFiles(config);
    this.otlpHttpEndpoint = `http://${name}.${config.namespace}:${OTLP_HTTP_PORT}`;

    const sa = new ApiObject(this, 'service-account', {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta(config, 'collector'),
      automountServiceAccountToken: false,
    });
    const role = new ApiObject(this, 'cluster-role', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRole',
      metadata: { name: clusterWideName, labels: commonLabels(config, 'collector') },
      rules: collectorRbacRules(config),
    });
    const binding = new ApiObject(this, 'cluster-role-binding', {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'ClusterRoleBinding',
      metadata: { name: clusterWideName, labels: commonLabels(config, 'collector') },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.name },
      subjects: [{ kind: 'ServiceAccount', name: sa.name, namespace: config.namespace }],
    });
    // Cluster-scoped: the chart's namespace does not apply.
    for (const o of [role, binding]) o.addJsonPatch(JsonPatch.remove('/metadata/namespace'));
    const configMap = new ApiObject(this, 'config', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(config, 'collector'),
      data: Object.fromEntries(this.files.map((f) => [f.key, f.content])),
    });

    const podProps = {
      metadata: { name, labels: commonLabels(config, 'collector') },
      select: false,
      podMetadata: {
        labels: commonLabels(config, 'collector'),
        annotations: { 'checksum/config': checksum(this.files) },
      },
      securityContext: podSecurity(COLLECTOR_UID),
      serviceAccount: kplus.ServiceAccount.fromServiceAccountName(this, 'sa-ref', sa.name),
      // The token is mounted only here, where the k8s_attributes processor needs it.
      automountServiceAccountToken: true,
    };
    this.workload =
      config.collector.mode === 'agent'
        ? new kplus.DaemonSet(this, 'daemonset', podProps)
        : new kplus.Deployment(this, 'deployment', { ...podProps, replicas: config.collector.replicas });
    this.workload.select(kplus.LabelSelector.of({ labels: selectorLabels(config, 'collector') }));
    dropAddrLabel(this.workload);

    const container = this.workload.addContainer({
      name: 'otel-collector',
      image: config.collector.image,
      imagePullPolicy: PINNED_IMAGE_PULL_POLICY,
      args: this.files.map((f) => `--config=${COLLECTOR_CONFIG_DIR}/${f.key}`),
      ports: [
        { number: OTLP_GRPC_PORT, name: 'otlp-grpc' },
        { number: OTLP_HTTP_PORT, name: 'otlp-http' },
        { number: HEALTH_PORT, name: 'health' },
      ],
      securityContext: containerSecurity(COLLECTOR_UID),
      resources: resources(config.collector.resources),
      // health_check answers on / ; the image is FROM scratch, so exec probes are impossible.
      liveness: httpProbe('/', HEALTH_PORT, { period: 10 }),
      readiness: httpProbe('/', HEALTH_PORT, { period: 5 }),
      volumeMounts: [
        {
          path: COLLECTOR_CONFIG_DIR,
          readOnly: true,
          volume: kplus.Volume.fromConfigMap(
            this,
            'config-volume',
            kplus.ConfigMap.fromConfigMapName(this, 'cm-ref', configMap.name),
            { name: 'config' },
          ),
        },
        {
          path: '/tmp',
          volume: kplus.Volume.fromEmptyDir(this, 'tmp', 'tmp', { sizeLimit: Size.mebibytes(64) }),
        },
      ],
    });

    const env: Array<readonly [string, kplus.EnvValue]> = [
      ['MY_POD_IP', kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.POD_IP)],
      ['K8S_NODE_NAME', kplus.EnvValue.fromFieldRef(kplus.EnvFieldPaths.NODE_NAME)],
      ['GOMEMLIMIT', kplus.EnvValue.fromValue(goMemLimit(config.collector.resources))],
    ];
    if (config.collector.exporter === 'jaeger') {
      if (!props.jaegerEndpoint) throw new Error('the jaeger exporter needs jaegerEndpoint');
      env.push(['JAEGER_OTLP_ENDPOINT', kplus.EnvValue.fromValue(props.jaegerEndpoint)]);
    } else {
      env.push(['DASH0_ENDPOINT', kplus.EnvValue.fromValue(config.dash0.endpoint)]);
      env.push(['DASH0_AUTH_TOKEN', secretEnv(this, 'dash0-token', config.dash0.secretName, config.dash0.secretKey)]);
      if (config.dash0.dataset !== '') env.push(['DASH0_DATASET', kplus.EnvValue.fromValue(config.dash0.dataset)]);
    }
    // Read by the env detector of resource_detection: cluster-level attributes for every span.
    env.push(['OTEL_RESOURCE_ATTRIBUTES', kplus.EnvValue.fromValue(`k8s.cluster.name=${config.clusterName}`)]);
    for (const [n, v] of env) container.env.addVariable(n, v);

    clusterService(
      this,
      'service',
      config,
      'collector',
      [
        { name: 'otlp-grpc', port: OTLP_GRPC_PORT },
        { name: 'otlp-http', port: OTLP_HTTP_PORT },
      ],
      // Agents: keep each pod's spans on its own node's Collector.
      config.collector.mode === 'agent' ? { internalTrafficPolicy: 'Local' } : {},
    );
    if (config.collector.mode === 'gateway') podDisruptionBudget(this, config, 'collector');
  }
}

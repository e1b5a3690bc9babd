import { ApiObject, Size } from 'cdk8s';
import { PLATFORM_PORTS } from '@snip/config-contract';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import type { SnipConfig } from '../config.js';
import { checksum, jaegerFile } from '../collector-files.js';
import {
  clusterService,
  commonLabels,
  containerSecurity,
  dropAddrLabel,
  goMemLimit,
  httpProbe,
  meta,
  objectName,
  podSecurity,
  resources,
  selectorLabels,
  PINNED_IMAGE_PULL_POLICY,
} from './common.js';

const JAEGER_UID = 10001;
export const JAEGER_UI_PORT = PLATFORM_PORTS.jaegerUi;

export interface JaegerProps {
  readonly config: SnipConfig;
}

/** In-cluster Jaeger v2 (single replica, bounded in-memory store) with an OTLP and a UI Service. */
export class Jaeger extends Construct {
  /** OTLP/HTTP base URL the Collector exports to. */
  public readonly otlpHttpEndpoint: string;

  constructor(scope: Construct, id: string, props: JaegerProps) {
    super(scope, id);
    const { config } = props;
    const file = jaegerFile();
    const collectorSvc = objectName(config, 'jaeger-collector');
    this.otlpHttpEndpoint = `http://${collectorSvc}.${config.namespace}.svc.cluster.local:${PLATFORM_PORTS.otlpHttp}`;

    const configMap = new ApiObject(this, 'config', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(config, 'jaeger'),
      data: { [file.key]: file.content },
    });
    const deployment = new kplus.Deployment(this, 'deployment', {
      metadata: { name: objectName(config, 'jaeger'), labels: commonLabels(config, 'jaeger') },
      select: false,
      replicas: 1,
      // One in-memory store: never run two side by side.
      strategy: kplus.DeploymentStrategy.recreate(),
      podMetadata: { labels: commonLabels(config, 'jaeger'), annotations: { 'checksum/config': checksum([file]) } },
      securityContext: podSecurity(JAEGER_UID),
      automountServiceAccountToken: false,
    });
    deployment.select(kplus.LabelSelector.of({ labels: selectorLabels(config, 'jaeger') }));
    dropAddrLabel(deployment);
    const container = deployment.addContainer({
      name: 'jaeger',
      image: config.jaeger.image,
      imagePullPolicy: PINNED_IMAGE_PULL_POLICY,
      args: [`--config=/etc/jaeger/${file.key}`],
      ports: [
        { number: PLATFORM_PORTS.otlpGrpc, name: 'otlp-grpc' },
        { number: PLATFORM_PORTS.otlpHttp, name: 'otlp-http' },
        { number: JAEGER_UI_PORT, name: 'http-query' },
        { number: PLATFORM_PORTS.health, name: 'health' },
      ],
      securityContext: containerSecurity(JAEGER_UID),
      resources: resources(config.jaeger.resources),
      liveness: httpProbe('/status', PLATFORM_PORTS.health, { period: 10 }),
      readiness: httpProbe('/status', PLATFORM_PORTS.health, { period: 5 }),
      volumeMounts: [
        {
          path: '/etc/jaeger',
          readOnly: true,
          volume: kplus.Volume.fromConfigMap(
            this,
            'config-volume',
            kplus.ConfigMap.fromConfigMapName(this, 'cm-ref', configMap.name),
            { name: 'config' },
          ),
        },
        { path: '/tmp', volume: kplus.Volume.fromEmptyDir(this, 'tmp', 'tmp', { sizeLimit: Size.mebibytes(64) }) },
      ],
    });
    container.env.addVariable('GOMEMLIMIT', kplus.EnvValue.fromValue(goMemLimit(config.jaeger.resources)));
    container.env.addVariable('JAEGER_MAX_TRACES', kplus.EnvValue.fromValue(String(config.jaeger.maxTraces)));

    clusterService(
      this,
      'otlp-service',
      config,
      'jaeger',
      [
        { name: 'otlp-grpc', port: PLATFORM_PORTS.otlpGrpc },
        { name: 'otlp-http', port: PLATFORM_PORTS.otlpHttp },
      ],
      { name: collectorSvc },
    );
    clusterService(this, 'ui-service', config, 'jaeger', [{ name: 'http-query', port: JAEGER_UI_PORT }], {
      name: objectName(config, 'jaeger-query'),
    });
  }
}

import { ApiObject, JsonPatch, Size } from 'cdk8s';
import { PLATFORM_PORTS } from '@snip/config-contract';
import * as kplus from 'cdk8s-plus-28';
import { Construct } from 'constructs';
import * as k8s from 'cdk8s-plus-28/lib/imports/k8s.js';
import type { SnipConfig } from '../config.js';
import {
  clusterService,
  commonLabels,
  containerSecurity,
  dropAddrLabel,
  objectName,
  podSecurity,
  resources,
  secretEnv,
  selectorLabels,
  tmpVolume,
  PINNED_IMAGE_PULL_POLICY,
} from './common.js';

/** uid/gid of the `postgres` and `redis` users in the Debian-based official images. */
const STORE_UID = 999;

export interface PostgresProps {
  readonly config: SnipConfig;
}

/** In-cluster PostgreSQL (StatefulSet with a PVC, headless-free ClusterIP Service) for kind and demos. */
export class Postgres extends Construct {
  public readonly statefulSet: kplus.StatefulSet;

  constructor(scope: Construct, id: string, props: PostgresProps) {
    super(scope, id);
    const { config } = props;
    const name = objectName(config, 'postgres');
    // The StatefulSet's governing Service; it selects the pods by the StatefulSet's selector.
    const service = new kplus.Service(this, 'service', {
      metadata: { name, labels: commonLabels(config, 'postgres') },
      type: kplus.ServiceType.CLUSTER_IP,
      ports: [{ name: 'postgres', port: PLATFORM_PORTS.postgres, targetPort: PLATFORM_PORTS.postgres, protocol: kplus.Protocol.TCP }],
    });

    this.statefulSet = new kplus.StatefulSet(this, 'statefulset', {
      metadata: { name, labels: commonLabels(config, 'postgres') },
      select: false,
      replicas: 1,
      service,
      podMetadata: { labels: commonLabels(config, 'postgres') },
      securityContext: podSecurity(STORE_UID),
      automountServiceAccountToken: false,
    });
    this.statefulSet.select(kplus.LabelSelector.of({ labels: selectorLabels(config, 'postgres') }));
    // Select by the app.kubernetes.io labels (cdk8s-plus would use its internal address label).
    ApiObject.of(service).addJsonPatch(
      JsonPatch.replace('/spec/selector', selectorLabels(config, 'postgres')),
      JsonPatch.remove('/spec/externalIPs'),
    );
    dropAddrLabel(this.statefulSet);

    const run = kplus.Volume.fromEmptyDir(this, 'run', 'run', { sizeLimit: Size.mebibytes(16) });
    // The data volume comes from the claim template added below; cdk8s-plus needs a Volume to mount it.
    const data = kplus.Volume.fromPersistentVolumeClaim(
      this,
      'data',
      kplus.PersistentVolumeClaim.fromClaimName(this, 'data-claim', 'data'),
      { name: 'data' },
    );
    const container = this.statefulSet.addContainer({
      name: 'postgres',
      image: config.postgres.image,
      imagePullPolicy: PINNED_IMAGE_PULL_POLICY,
      ports: [{ number: PLATFORM_PORTS.postgres, name: 'postgres' }],
      securityContext: containerSecurity(STORE_UID),
      resources: resources(config.postgres.resources),
      readiness: kplus.Probe.fromCommand(['pg_isready', '-h', '127.0.0.1', '-U', 'snip', '-d', 'snip']),
      liveness: kplus.Probe.fromTcpSocket({ port: PLATFORM_PORTS.postgres }),
      volumeMounts: [
        { path: '/var/lib/postgresql/data', volume: data },
        { path: '/var/run/postgresql', volume: run },
        { path: '/tmp', volume: tmpVolume(this, 'tmp') },
      ],
    });
    container.env.addVariable('POSTGRES_USER', kplus.EnvValue.fromValue('snip'));
    container.env.addVariable('POSTGRES_DB', kplus.EnvValue.fromValue('snip'));
    container.env.addVariable(
      'POSTGRES_PASSWORD',
      secretEnv(this, 'password', config.postgres.secretName, 'POSTGRES_PASSWORD'),
    );
    container.env.addVariable('PGDATA', kplus.EnvValue.fromValue('/var/lib/postgresql/data/pgdata'));

    const sts = ApiObject.of(this.statefulSet);
    // The StatefulSet owns its claim: remove the pod-level volume and add a claim template instead.
    sts.addJsonPatch(JsonPatch.remove('/spec/template/spec/volumes/0'));
    sts.addJsonPatch(
      JsonPatch.add('/spec/volumeClaimTemplates', [
        {
          metadata: { name: 'data', labels: commonLabels(config, 'postgres') },
          spec: {
            accessModes: ['ReadWriteOnce'],
            ...(config.postgres.storageClassName ? { storageClassName: config.postgres.storageClassName } : {}),
            // Patches apply before the L1 serializer, which expects Quantity objects here.
            resources: { requests: { storage: k8s.Quantity.fromString(config.postgres.storage) } },
          },
        },
      ]),
    );

  }
}

export interface RedisProps {
  readonly config: SnipConfig;
}

/** In-cluster Redis used purely as a cache (no persistence, LRU eviction at maxmemory). */
export class Redis extends Construct {
  public readonly deployment: kplus.Deployment;

  constructor(scope: Construct, id: string, props: RedisProps) {
    super(scope, id);
    const { config } = props;
    this.deployment = new kplus.Deployment(this, 'deployment', {
      metadata: { name: objectName(config, 'redis'), labels: commonLabels(config, 'redis') },
      select: false,
      replicas: 1,
      podMetadata: { labels: commonLabels(config, 'redis') },
      securityContext: podSecurity(STORE_UID),
      automountServiceAccountToken: false,
    });
    this.deployment.select(kplus.LabelSelector.of({ labels: selectorLabels(config, 'redis') }));
    dropAddrLabel(this.deployment);
    this.deployment.addContainer({
      name: 'redis',
      image: config.redis.image,
      imagePullPolicy: PINNED_IMAGE_PULL_POLICY,
      args: ['--save', '', '--appendonly', 'no', '--maxmemory', config.redis.maxMemory, '--maxmemory-policy', 'allkeys-lru'],
      ports: [{ number: PLATFORM_PORTS.redis, name: 'redis' }],
      securityContext: containerSecurity(STORE_UID),
      resources: resources(config.redis.resources),
      readiness: kplus.Probe.fromCommand(['redis-cli', 'ping']),
      liveness: kplus.Probe.fromTcpSocket({ port: PLATFORM_PORTS.redis }),
      volumeMounts: [
        { path: '/data', volume: kplus.Volume.fromEmptyDir(this, 'data', 'data', { sizeLimit: Size.mebibytes(16) }) },
      ],
    });
    clusterService(this, 'service', config, 'redis', [{ name: 'redis', port: PLATFORM_PORTS.redis }]);
  }
}

import { ApiObject, Chart, Duration, JsonPatch, Size } from 'cdk8s';
import * as kplus from 'cdk8s-plus-28';
import type { Construct } from 'constructs';
import type { Resources, SnipConfig } from '../config.js';

/** Labels that identify one component's pods; also the selector of its Service/PDB/policies. */
export function selectorLabels(config: SnipConfig, component: string): Record<string, string> {
  return { 'app.kubernetes.io/name': component, 'app.kubernetes.io/instance': config.name };
}

/** Labels on every object of a component. */
export function commonLabels(config: SnipConfig, component: string): Record<string, string> {
  return { ...selectorLabels(config, component), 'app.kubernetes.io/part-of': 'snip' };
}

/** Object name of a component, e.g. `snip-shortener`. */
export function objectName(config: SnipConfig, component: string): string {
  return `${config.name}-${component}`;
}

/** Metadata for plain (non cdk8s-plus) objects. */
export function meta(config: SnipConfig, component: string, name = objectName(config, component)) {
  return { name, namespace: config.namespace, labels: commonLabels(config, component) };
}

function cpu(value: string): kplus.Cpu {
  const m = /^(\d+)m$/.exec(value);
  if (!m) throw new Error(`CPU must be in millicores (e.g. 250m), got ${value}`);
  return kplus.Cpu.millis(Number(m[1]));
}

function memory(value: string): Size {
  const m = /^(\d+)Mi$/.exec(value);
  if (!m) throw new Error(`memory must be in Mi (e.g. 256Mi), got ${value}`);
  return Size.mebibytes(Number(m[1]));
}

/** Converts the config's string resources to cdk8s-plus resources. */
export function resources(r: Resources): kplus.ContainerResources {
  return {
    cpu: { request: cpu(r.requests.cpu), limit: cpu(r.limits.cpu) },
    memory: { request: memory(r.requests.memory), limit: memory(r.limits.memory) },
  };
}

/** GOMEMLIMIT for a Go process: about 80 % of the container memory limit. */
export function goMemLimit(r: Resources): string {
  const mi = Number(/^(\d+)Mi$/.exec(r.limits.memory)?.[1]);
  return `${Math.floor((mi * 8) / 10)}MiB`;
}

/** Container security context: numeric non-root user, read-only root, no privilege, no capabilities, RuntimeDefault seccomp. */
export function containerSecurity(uid: number): kplus.ContainerSecurityContextProps {
  return {
    user: uid,
    group: uid,
    ensureNonRoot: true,
    privileged: false,
    readOnlyRootFilesystem: true,
    allowPrivilegeEscalation: false,
    capabilities: { drop: [kplus.Capability.ALL] },
    seccompProfile: { type: kplus.SeccompProfileType.RUNTIME_DEFAULT },
  };
}

/** Pod security context matching containerSecurity. */
export function podSecurity(uid: number): kplus.PodSecurityContextProps {
  return { user: uid, group: uid, fsGroup: uid, ensureNonRoot: true };
}

/** An httpGet probe with explicit timings. */
export function httpProbe(
  path: string,
  port: number,
  opts: { period?: number; failureThreshold?: number; initialDelay?: number } = {},
): kplus.Probe {
  return kplus.Probe.fromHttpGet(path, {
    port,
    periodSeconds: Duration.seconds(opts.period ?? 10),
    failureThreshold: opts.failureThreshold ?? 3,
    timeoutSeconds: Duration.seconds(2),
    initialDelaySeconds: Duration.seconds(opts.initialDelay ?? 0),
    successThreshold: 1,
  });
}

/**
 * cdk8s-plus adds a `cdk8s.io/metadata.addr` label to pod templates; Snip selects pods by the
 * `app.kubernetes.io/*` labels only, so it is removed to keep selectors and the Helm chart identical.
 */
export function dropAddrLabel(workload: Construct, templatePath = '/spec/template'): void {
  ApiObject.of(workload).addJsonPatch(JsonPatch.remove(`${templatePath}/metadata/labels/cdk8s.io~1metadata.addr`));
}

/** A writable /tmp for read-only root filesystems. */
export function tmpVolume(scope: Construct, id: string, sizeMi = 64): kplus.Volume {
  return kplus.Volume.fromEmptyDir(scope, id, 'tmp', { sizeLimit: Size.mebibytes(sizeMi) });
}

/** Env var from a Secret key (the Secret is created outside Git). */
export function secretEnv(scope: Construct, id: string, secretName: string, key: string): kplus.EnvValue {
  return kplus.EnvValue.fromSecretValue({ secret: kplus.Secret.fromSecretName(scope, id, secretName), key });
}

/** A PodDisruptionBudget allowing one voluntary eviction at a time. */
export function podDisruptionBudget(scope: Construct, config: SnipConfig, component: string): ApiObject {
  return new ApiObject(scope, 'pdb', {
    apiVersion: 'policy/v1',
    kind: 'PodDisruptionBudget',
    metadata: meta(config, component),
    spec: { maxUnavailable: 1, selector: { matchLabels: selectorLabels(config, component) } },
  });
}

/** A ClusterIP Service whose named ports map 1:1 to container ports. */
export function clusterService(
  scope: Construct,
  id: string,
  config: SnipConfig,
  component: string,
  ports: ReadonlyArray<{ name: string; port: number }>,
  opts: { name?: string; internalTrafficPolicy?: 'Local' | 'Cluster' } = {},
): ApiObject {
  return new ApiObject(scope, id, {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: meta(config, component, opts.name),
    spec: {
      type: 'ClusterIP',
      selector: selectorLabels(config, component),
      ports: ports.map((p) => ({ name: p.name, port: p.port, targetPort: p.name, protocol: 'TCP' })),
      ...(opts.internalTrafficPolicy ? { internalTrafficPolicy: opts.internalTrafficPolicy } : {}),
    },
  });
}

/** Third-party images are pinned to exact tags: pulled once, whatever `image.pullPolicy` says for Snip's own images. */
export const PINNED_IMAGE_PULL_POLICY = kplus.ImagePullPolicy.IF_NOT_PRESENT;

/** JSON patches applied after serialization, for fields newer than cdk8s-plus-28's Kubernetes 1.28 schema. */
const serializedPatches = new WeakMap<Chart, Map<string, JsonPatch[]>>();

/**
 * Patches an object's final JSON (addJsonPatch runs before the 1.28 serializer, which drops fields
 * it does not know, such as the preStop `sleep` action of Kubernetes 1.30). Applied by
 * applySerializedPatches in the chart's toJson.
 */
export function addSerializedPatch(obj: ApiObject, ...ops: JsonPatch[]): void {
  const chart = Chart.of(obj);
  const byObject = serializedPatches.get(chart) ?? new Map<string, JsonPatch[]>();
  serializedPatches.set(chart, byObject);
  const id = `${obj.kind}/${obj.name}`;
  byObject.set(id, [...(byObject.get(id) ?? []), ...ops]);
}

export function applySerializedPatches(chart: Chart, objects: Array<{ kind: string; metadata: { name: string } }>): unknown[] {
  const byObject = serializedPatches.get(chart);
  if (!byObject) return objects;
  return objects.map((o) => {
    const ops = byObject.get(`${o.kind}/${o.metadata.name}`);
    return ops ? JsonPatch.apply(o, ...ops) : o;
  });
}

// The resource a service exports with the environment the rendered Kubernetes manifest gives it.
// In a pod the container's hostname is the pod name, so the Node SDK's default host detector would
// stamp host.name = <pod name> on every span; the manifest limits the detectors with
// OTEL_NODE_RESOURCE_DETECTORS. This starts the real shortener twice, with and without that variable,
// and decodes what each exports.
import { hostname } from 'node:os';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { profiles, synthObjects, type K8sObject } from '../../infra/cdk8s/src/index.js';
import { startService, type RunningService } from '../support/services';
import { dropTestDatabase } from '../support/stores';
import { SpanKind, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './support/otlp-receiver';
import { migratedDatabase, newTraceparent, otelEnv } from './support/stack';

type EnvVar = { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } };

/** What the kubelet would resolve the downward-API fields to, for one simulated pod. */
const POD = {
  'metadata.uid': '5f0c7a2e-1b9d-4e6f-a3c8-2d7e9b4f6a10',
  'metadata.name': 'snip-shortener-5d8f7c9b4-x2x9z',
  'metadata.namespace': 'snip',
  'spec.nodeName': 'snip-control-plane',
  'status.podIP': '10.244.0.17',
} as Record<string, string>;

/** The env list of the snip-shortener container in the kind profile's rendered manifest. */
function manifestEnv(): EnvVar[] {
  const objects: K8sObject[] = synthObjects(profiles.kind);
  const deployment = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'snip-shortener');
  if (!deployment) throw new Error('Deployment snip-shortener is not in synthObjects(profiles.kind)');
  const containers = deployment.spec.template.spec.containers as Array<{ name: string; env?: EnvVar[] }>;
  const container = containers.find((c) => c.name === 'shortener');
  if (!container) throw new Error('snip-shortener has no container named shortener');
  return container.env ?? [];
}

/**
 * The OTEL_* part of the container env as the process sees it: downward-API fields resolved for
 * POD, `$(VAR)` references to earlier variables expanded as the kubelet does, and the exporter
 * pointed at the test receiver.
 */
function processEnv(env: EnvVar[], receiverUrl: string): Record<string, string> {
  const resolved: Record<string, string> = {};
  for (const v of env) {
    const field = v.valueFrom?.fieldRef?.fieldPath;
    if (field !== undefined) {
      if (POD[field] !== undefined) resolved[v.name] = POD[field];
      continue;
    }
    if (v.value === undefined) continue; // secrets: the test supplies its own stores
    resolved[v.name] = v.value.replace(/\$\((\w+)\)/g, (ref, name: string) => resolved[name] ?? ref);
  }
  const otel = Object.fromEntries(Object.entries(resolved).filter(([k]) => k.startsWith('OTEL_') || k.startsWith('K8S_')));
  delete otel['OTEL_EXPORTER_OTLP_ENDPOINT'];
  return otelEnv(receiverUrl, otel);
}

let receiver: OtlpReceiver;
let databaseUrl: string;
let env: EnvVar[];
const running: RunningService[] = [];

beforeAll(async () => {
  env = manifestEnv();
  receiver = await startOtlpReceiver();
  databaseUrl = await migratedDatabase(inject('postgresAdminUrl'), 'resource');
});

afterAll(async () => {
  await Promise.all(running.map((s) => s.stop()));
  await receiver?.close();
  if (databaseUrl) await dropTestDatabase(inject('postgresAdminUrl'), databaseUrl);
});

/** Starts the shortener with `otel`, sends GET / in a fresh trace, returns the exported server span. */
async function serverSpanOf(otel: Record<string, string>): Promise<{ span: ReceivedSpan; service: RunningService }> {
  const service = await startService('shortener', { DATABASE_URL: databaseUrl, REDIS_URL: undefined, ...otel });
  running.push(service);
  const tp = newTraceparent();
  const res = await fetch(`${service.url}/`, { headers: { traceparent: tp.header } });
  expect(res.status).toBe(200);
  const span = await receiver.until(
    () => receiver.trace(tp.traceId).find((s) => s.kind === SpanKind.SERVER),
    `the server span of GET / (trace ${tp.traceId})`,
  );
  return { span, service };
}

const hostKeys = (resource: Record<string, unknown>) => Object.keys(resource).filter((k) => k.startsWith('host.'));

describe('resource attributes with the env of the rendered manifest', () => {
  it('the manifest limits the Node resource detectors on snip-shortener', () => {
    const detectors = env.find((v) => v.name === 'OTEL_NODE_RESOURCE_DETECTORS');
    expect(detectors?.value, 'OTEL_NODE_RESOURCE_DETECTORS on the shortener container of synthObjects(profiles.kind)').toBeDefined();
    const list = detectors!.value!.split(',').map((d) => d.trim());
    expect(list).not.toContain('host');
    expect(list).not.toContain('all');
    // The env detector reads OTEL_RESOURCE_ATTRIBUTES: without it the pod identity would be lost.
    expect(list).toContain('env');
  });

  it('a pod exports no host.name, and keeps service.name, process and pod attributes', async () => {
    const otel = processEnv(env, receiver.url);
    expect(otel['OTEL_NODE_RESOURCE_DETECTORS'], 'OTEL_NODE_RESOURCE_DETECTORS in the manifest env').toBeDefined();
    const { span, service } = await serverSpanOf(otel);
    const r = span.resource;
    expect(hostKeys(r), JSON.stringify(r)).toEqual([]);
    expect(r['host.name']).toBeUndefined();
    expect(r['service.name']).toBe('shortener');
    expect(r['process.pid']).toBe(service.child.pid);
    expect(r['process.runtime.name']).toBe('nodejs');
    expect(r['process.executable.name']).toBeDefined();
    // OTEL_RESOURCE_ATTRIBUTES (downward API) still applies.
    expect(r['k8s.pod.name']).toBe(POD['metadata.name']);
    expect(r['k8s.pod.uid']).toBe(POD['metadata.uid']);
    expect(r['k8s.namespace.name']).toBe('snip');
  });

  it('without OTEL_NODE_RESOURCE_DETECTORS (local runs) the host detector sets host.name', async () => {
    const otel = processEnv(env, receiver.url);
    delete otel['OTEL_NODE_RESOURCE_DETECTORS'];
    const { span, service } = await serverSpanOf(otel);
    const r = span.resource;
    expect(r['host.name']).toBe(hostname());
    expect(r['service.name']).toBe('shortener');
    expect(r['process.pid']).toBe(service.child.pid);
    expect(r['k8s.pod.name']).toBe(POD['metadata.name']);
  });
});

import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  chartCiVariants,
  mergeCollectorConfig,
  migrationJobName,
  profiles,
  withOverrides,
} from '../src/index.js';
import type { K8sObject, SnipConfig } from '../src/index.js';
import { envOf, get, podSpec, synth } from './synth.js';

const WORKLOAD_KINDS = new Set(['Deployment', 'StatefulSet', 'DaemonSet', 'Job']);
const workloads = (objs: K8sObject[]) => objs.filter((o) => WORKLOAD_KINDS.has(o.kind));
const podLabels = (o: K8sObject): Record<string, string> => o.spec.template.metadata.labels;
const matches = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([k, v]) => labels[k] === v);

const variants: Array<[string, SnipConfig]> = [
  ...Object.entries(chartCiVariants),
  ['no-redis', withOverrides(profiles.kind, { redis: { mode: 'disabled' } })],
  ['dash0-agent-no-dataset', withOverrides(profiles.dash0, { collector: { mode: 'agent' }, dash0: { dataset: '' } })],
];

describe.each(variants)('cdk8s synth contracts: %s', (_name, config) => {
  const objs = synth(config);
  const ns = config.namespace;

  it('puts every namespaced object in the configured namespace and nothing cluster-wide but RBAC', () => {
    for (const o of objs) {
      if (o.kind === 'ClusterRole' || o.kind === 'ClusterRoleBinding') expect(o.metadata.namespace).toBeUndefined();
      else expect(o.metadata.namespace, `${o.kind}/${o.metadata.name}`).toBe(ns);
    }
    expect(objs.filter((o) => o.kind === 'Secret')).toEqual([]);
  });

  it('probes the real health routes on the container port', () => {
    for (const [svc, port] of [
      ['shortener', 3000],
      ['redirector', 3001],
    ] as const) {
      const c = podSpec(get(objs, 'Deployment', `snip-${svc}`)).containers[0];
      expect(c.ports).toEqual([{ containerPort: port, name: 'http' }]);
      expect(c.livenessProbe.httpGet).toMatchObject({ path: '/health/live', port });
      expect(c.readinessProbe.httpGet).toMatchObject({ path: '/health/ready', port });
      expect(c.startupProbe.httpGet).toMatchObject({ path: '/health/live', port });
      expect(envOf(get(objs, 'Deployment', `snip-${svc}`)).find((e) => e.name === 'PORT')?.value).toBe(String(port));
    }
  });

  it('orders app env so OTEL_RESOURCE_ATTRIBUTES is last and only references earlier variables', () => {
    for (const svc of ['shortener', 'redirector']) {
      const env = envOf(get(objs, 'Deployment', `snip-${svc}`));
      const names = env.map((e) => e.name);
      expect(names.at(-1)).toBe('OTEL_RESOURCE_ATTRIBUTES');
      expect(new Set(names).size).toBe(names.length);
      const attrs = env.at(-1)!.value!;
      expect(attrs.split(',')[0]).toBe('k8s.pod.uid=$(K8S_POD_UID)');
      for (const ref of attrs.matchAll(/\$\(([A-Z0-9_]+)\)/g)) {
        expect(names.indexOf(ref[1]!), `${ref[1]} defined before use`).toBeGreaterThanOrEqual(0);
        expect(names.indexOf(ref[1]!)).toBeLessThan(names.length - 1);
      }
      expect(attrs).toContain(`k8s.container.name=${svc}`);
      const fieldPaths = Object.fromEntries(
        env.filter((e) => e.valueFrom?.fieldRef).map((e) => [e.name, e.valueFrom.fieldRef.fieldPath]),
      );
      expect(fieldPaths).toEqual({
        K8S_POD_UID: 'metadata.uid',
        K8S_POD_NAME: 'metadata.name',
        K8S_NAMESPACE_NAME: 'metadata.namespace',
        K8S_NODE_NAME: 'spec.nodeName',
        K8S_POD_IP: 'status.podIP',
      });
      const value = (n: string) => env.find((e) => e.name === n)?.value;
      expect(value('OTEL_SERVICE_NAME')).toBe(svc);
      expect(value('OTEL_EXPORTER_OTLP_PROTOCOL')).toBe('http/protobuf');
      expect(value('OTEL_EXPORTER_OTLP_ENDPOINT')).toBe(`http://snip-collector.${ns}:4318`);
    }
    const shortenerEnv = envOf(get(objs, 'Deployment', 'snip-shortener'));
    expect(shortenerEnv.find((e) => e.name === 'REDIRECTOR_URL')?.value).toBe('http://snip-redirector:3001');
    expect(shortenerEnv.find((e) => e.name === 'SSRF_ALLOWLIST')?.value).toBe('');
  });

  it('reads credentials only through Secret references', () => {
    for (const w of ['snip-shortener', 'snip-redirector']) {
      const env = envOf(get(objs, 'Deployment', w));
      expect(env.find((e) => e.name === 'DATABASE_URL')?.valueFrom).toEqual({
        secretKeyRef: { name: config.postgres.secretName, key: 'DATABASE_URL' },
      });
      const redis = env.find((e) => e.name === 'REDIS_URL');
      if (config.redis.mode === 'disabled') expect(redis).toBeUndefined();
      else if (config.redis.mode === 'external')
        expect(redis?.valueFrom).toEqual({ secretKeyRef: { name: config.redis.secretName, key: 'REDIS_URL' } });
      else expect(redis?.value).toBe('redis://snip-redis:6379');
    }
    if (config.postgres.mode === 'in-cluster') {
      const pw = envOf(get(objs, 'StatefulSet', 'snip-postgres')).find((e) => e.name === 'POSTGRES_PASSWORD');
      expect(pw?.valueFrom.secretKeyRef).toEqual({ name: config.postgres.secretName, key: 'POSTGRES_PASSWORD' });
    } else {
      expect(objs.filter((o) => o.metadata.name === 'snip-postgres')).toEqual([]);
    }
    // No env entry anywhere carries a literal credential.
    for (const w of workloads(objs)) {
      for (const c of podSpec(w).containers) {
        for (const e of c.env ?? []) {
          if (/PASSWORD|TOKEN|DATABASE_URL/.test(e.name)) expect(e.value, e.name).toBeUndefined();
        }
      }
    }
  });

  it('hardens every container: non-root numeric user, read-only root, no escalation, no capabilities, RuntimeDefault', () => {
    for (const w of workloads(objs)) {
      const spec = podSpec(w);
      expect(spec.securityContext.runAsNonRoot).toBe(true);
      expect(spec.hostNetwork).toBe(false);
      for (const c of spec.containers) {
        const sc = c.securityContext;
        expect(sc, `${w.metadata.name}/${c.name}`).toMatchObject({
          runAsNonRoot: true,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          privileged: false,
          capabilities: { drop: ['ALL'] },
          seccompProfile: { type: 'RuntimeDefault' },
        });
        expect(Number.isInteger(sc.runAsUser) && sc.runAsUser > 0).toBe(true);
        for (const k of ['requests', 'limits']) {
          expect(c.resources[k].cpu, `${c.name} ${k}`).toBeTruthy();
          expect(c.resources[k].memory, `${c.name} ${k}`).toBeTruthy();
        }
        if (spec.containers.some((x: { image: string }) => x.image.startsWith('snip-') || x.image.includes('/snip-'))) {
          expect(c.volumeMounts).toContainEqual({ mountPath: '/tmp', name: 'tmp' });
        }
      }
      // Only the Collector talks to the API server.
      expect(spec.automountServiceAccountToken).toBe(w.metadata.name === 'snip-collector');
    }
  });

  it('matches every selector to exactly one workload and its pod labels', () => {
    const ws = workloads(objs);
    for (const w of ws) expect(matches(w.spec.selector?.matchLabels ?? {}, podLabels(w))).toBe(true);
    const selected = (sel: Record<string, string>) => ws.filter((w) => matches(sel, podLabels(w)));
    for (const s of objs.filter((o) => o.kind === 'Service')) {
      expect(selected(s.spec.selector), `Service ${s.metadata.name}`).toHaveLength(1);
    }
    for (const p of objs.filter((o) => o.kind === 'PodDisruptionBudget')) {
      const sel = selected(p.spec.selector.matchLabels);
      expect(sel.map((w) => w.kind), `PDB ${p.metadata.name}`).toEqual(['Deployment']);
    }
    for (const np of objs.filter((o) => o.kind === 'NetworkPolicy')) {
      const all = Object.keys(np.spec.podSelector).length === 0;
      // Only the namespace-wide default deny selects every pod; each other policy selects one workload.
      if (all) expect(np.metadata.name).toBe('snip-default-deny');
      else expect(selected(np.spec.podSelector.matchLabels), `NetworkPolicy ${np.metadata.name}`).toHaveLength(1);
      const peers = [...(np.spec.ingress ?? []), ...(np.spec.egress ?? [])].flatMap((r) => [
        ...(r.from ?? []),
        ...(r.to ?? []),
      ]);
      for (const peer of peers.filter((p) => p.podSelector)) expect(selected(peer.podSelector.matchLabels)).toHaveLength(1);
    }
  });

  it('maps every Service port to a container port of the selected pods', () => {
    const ws = workloads(objs);
    for (const s of objs.filter((o) => o.kind === 'Service')) {
      const w = ws.find((x) => matches(s.spec.selector, podLabels(x)))!;
      const ports = podSpec(w).containers.flatMap((c: { ports?: unknown[] }) => c.ports ?? []) as Array<{
        containerPort: number;
        name?: string;
      }>;
      for (const p of s.spec.ports) {
        const target = ports.find((cp) => cp.name === p.targetPort || cp.containerPort === p.targetPort);
        expect(target, `${s.metadata.name}:${p.port}`).toBeDefined();
        expect(target!.containerPort).toBe(p.port);
      }
    }
  });

  it('runs the Collector with a least-privilege ClusterRole bound to its ServiceAccount', () => {
    const role = objs.find((o) => o.kind === 'ClusterRole')!;
    const expected = [
      { apiGroups: [''], resources: ['pods', 'namespaces'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['apps'], resources: ['replicasets'], verbs: ['get', 'list', 'watch'] },
      ...(config.collector.mode === 'agent'
        ? [{ apiGroups: [''], resources: ['nodes'], verbs: ['get', 'list', 'watch'] }]
        : []),
    ];
    expect(role.rules).toEqual(expected);
    const binding = objs.find((o) => o.kind === 'ClusterRoleBinding')!;
    expect(binding.roleRef).toEqual({ apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name });
    const kind = config.collector.mode === 'agent' ? 'DaemonSet' : 'Deployment';
    const collector = get(objs, kind, 'snip-collector');
    expect(binding.subjects).toEqual([{ kind: 'ServiceAccount', name: podSpec(collector).serviceAccountName, namespace: ns }]);
    get(objs, 'ServiceAccount', podSpec(collector).serviceAccountName);
    expect(objs.filter((o) => o.kind === 'Role' || o.kind === 'RoleBinding')).toEqual([]);
  });

  it('configures the Collector pipeline: memory_limiter, k8s_attributes, resource_detection, batch', () => {
    const kind = config.collector.mode === 'agent' ? 'DaemonSet' : 'Deployment';
    const collector = get(objs, kind, 'snip-collector');
    const cm = get(objs, 'ConfigMap', 'snip-collector');
    const c = podSpec(collector).containers[0];
    // The container loads exactly the ConfigMap's files, base first, then the exporter overlay.
    const loaded = (c.args as string[]).map((a) => a.replace('--config=/conf/', ''));
    expect([...loaded].sort()).toEqual(Object.keys(cm.data).sort());
    expect(loaded.slice(0, 2)).toEqual(['collector.yaml', `exporter-${config.collector.exporter}.yaml`]);
    const merged = mergeCollectorConfig(loaded.map((k) => cm.data[k])) as any;
    for (const p of ['traces', 'metrics', 'logs']) {
      expect(merged.service.pipelines[p].processors).toEqual(['memory_limiter', 'k8s_attributes', 'resource_detection', 'batch']);
      expect(merged.service.pipelines[p].receivers).toEqual(['otlp']);
    }
    const k8s = merged.processors.k8s_attributes;
    expect(k8s.wait_for_metadata).toBe(true);
    expect(k8s.pod_association[0].sources).toEqual([{ from: 'resource_attribute', name: 'k8s.pod.uid' }]);
    expect(k8s.pod_association.at(-1).sources).toEqual([{ from: 'connection' }]);
    expect(merged.processors.resource_detection.override).toBe(false);
    if (config.collector.mode === 'agent') {
      expect(k8s.filter).toEqual({ node_from_env_var: 'K8S_NODE_NAME' });
      expect(merged.processors.resource_detection.detectors).toEqual(['env', 'k8s_api', 'system']);
      expect(merged.processors.resource_detection.system.resource_attributes['host.name'].enabled).toBe(false);
    } else {
      expect(k8s.filter).toBeUndefined();
      expect(merged.processors.resource_detection.detectors).toEqual(['env']);
    }
    // health_check on a non-loopback address, probed with httpGet.
    expect(merged.extensions.health_check.endpoint).toBe('0.0.0.0:13133');
    expect(merged.service.extensions).toContain('health_check');
    expect(c.livenessProbe.httpGet).toMatchObject({ path: '/', port: 13133 });
    expect(c.readinessProbe.httpGet).toMatchObject({ path: '/', port: 13133 });
    expect(c.livenessProbe.exec).toBeUndefined();
    // memory_limiter needs a limit; GOMEMLIMIT is 80 % of it.
    const limitMi = Number(c.resources.limits.memory.replace('Mi', ''));
    const gomem = c.env.find((e: { name: string }) => e.name === 'GOMEMLIMIT').value;
    expect(gomem).toBe(`${Math.floor(limitMi * 0.8)}MiB`);
    expect(merged.processors.memory_limiter.limit_percentage).toBeLessThanOrEqual(80);
    expect(podSpec(collector).containers[0].env.at(-1)).toEqual({
      name: 'OTEL_RESOURCE_ATTRIBUTES',
      value: `k8s.cluster.name=${config.clusterName}`,
    });
    expect(cm.data).not.toHaveProperty('jaeger.yaml');
    expect(collector.spec.template.metadata.annotations['checksum/config']).toMatch(/^[0-9a-f]{64}$/);
  });

  it('exports to the configured backend', () => {
    const kind = config.collector.mode === 'agent' ? 'DaemonSet' : 'Deployment';
    const env = envOf(get(objs, kind, 'snip-collector'));
    const cm = get(objs, 'ConfigMap', 'snip-collector');
    const args = podSpec(get(objs, kind, 'snip-collector')).containers[0].args as string[];
    const merged = mergeCollectorConfig(args.map((a) => cm.data[a.replace('--config=/conf/', '')])) as any;
    if (config.collector.exporter === 'jaeger') {
      expect(merged.service.pipelines.traces.exporters).toEqual(['otlp_http/jaeger']);
      const endpoint = env.find((e) => e.name === 'JAEGER_OTLP_ENDPOINT')?.value;
      expect(endpoint).toBe(`http://snip-jaeger-collector.${ns}.svc.cluster.local:4318`);
      const svc = get(objs, 'Service', 'snip-jaeger-collector');
      expect(svc.spec.ports.map((p: { port: number }) => p.port)).toContain(4318);
      const ui = get(objs, 'Service', 'snip-jaeger-query');
      expect(ui.spec.ports).toEqual([{ name: 'http-query', port: 16686, protocol: 'TCP', targetPort: 'http-query' }]);
      const jaeger = get(objs, 'Deployment', 'snip-jaeger');
      const jenv = envOf(jaeger);
      expect(jenv.find((e) => e.name === 'JAEGER_MAX_TRACES')?.value).toBe(String(config.jaeger.maxTraces));
      const jcfg = parse(get(objs, 'ConfigMap', 'snip-jaeger').data['jaeger.yaml']);
      expect(jcfg.extensions.jaeger_storage.backends.memstore.memory.max_traces).toBe('${env:JAEGER_MAX_TRACES}');
      expect(podSpec(jaeger).containers[0].readinessProbe.httpGet).toMatchObject({ path: '/status', port: 13133 });
    } else {
      expect(merged.service.pipelines.traces.exporters).toEqual(['otlp_http/dash0']);
      const exp = merged.exporters['otlp_http/dash0'];
      expect(exp.endpoint).toBe('${env:DASH0_ENDPOINT}');
      expect(exp.headers.Authorization).toBe('Bearer ${env:DASH0_AUTH_TOKEN}');
      expect(env.find((e) => e.name === 'DASH0_ENDPOINT')?.value).toMatch(/^https:\/\/ingress\.[a-z0-9-]+\.aws\.dash0\.com$/);
      expect(env.find((e) => e.name === 'DASH0_AUTH_TOKEN')?.valueFrom).toEqual({
        secretKeyRef: { name: config.dash0.secretName, key: config.dash0.secretKey },
      });
      if (config.dash0.dataset) {
        expect(exp.headers['Dash0-Dataset']).toBe('${env:DASH0_DATASET}');
        expect(env.find((e) => e.name === 'DASH0_DATASET')?.value).toBe(config.dash0.dataset);
      } else {
        expect(exp.headers['Dash0-Dataset']).toBeUndefined();
      }
      expect(objs.filter((o) => o.metadata.name.startsWith('snip-jaeger'))).toEqual([]);
    }
  });

  it('chooses gateway or agent workloads', () => {
    const svc = get(objs, 'Service', 'snip-collector');
    if (config.collector.mode === 'agent') {
      get(objs, 'DaemonSet', 'snip-collector');
      expect(svc.spec.internalTrafficPolicy).toBe('Local');
      expect(objs.find((o) => o.kind === 'PodDisruptionBudget' && o.metadata.name === 'snip-collector')).toBeUndefined();
    } else {
      expect(get(objs, 'Deployment', 'snip-collector').spec.replicas).toBe(config.collector.replicas);
      get(objs, 'PodDisruptionBudget', 'snip-collector');
    }
    for (const w of ['snip-shortener', 'snip-redirector']) {
      expect(get(objs, 'PodDisruptionBudget', w).spec.maxUnavailable).toBe(1);
    }
  });

  it('isolates components with NetworkPolicies: default deny, then explicit allows', () => {
    const deny = get(objs, 'NetworkPolicy', 'snip-default-deny');
    expect(deny.spec).toEqual({
      podSelector: {},
      policyTypes: ['Ingress', 'Egress'],
      egress: [{ ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }] }],
    });
    const fromPods = (np: K8sObject) =>
      np.spec.ingress.flatMap((r: any) =>
        (r.from ?? []).filter((p: any) => p.podSelector).map((p: any) => p.podSelector.matchLabels['app.kubernetes.io/name']),
      );
    expect(fromPods(get(objs, 'NetworkPolicy', 'snip-redirector'))).toEqual(['shortener']);
    expect(fromPods(get(objs, 'NetworkPolicy', 'snip-collector'))).toEqual(['shortener', 'redirector']);
    if (config.postgres.mode === 'in-cluster')
      expect(fromPods(get(objs, 'NetworkPolicy', 'snip-postgres'))).toEqual(['shortener', 'redirector', 'migrate']);
    if (config.redis.mode === 'in-cluster')
      expect(fromPods(get(objs, 'NetworkPolicy', 'snip-redis'))).toEqual(['shortener', 'redirector']);
    const egressPorts = (name: string) =>
      get(objs, 'NetworkPolicy', name).spec.egress.flatMap((r: any) => (r.ports ?? []).map((p: any) => `${p.protocol}/${p.port}`));
    expect(egressPorts('snip-redirector')).toEqual(expect.arrayContaining(['TCP/80', 'TCP/443', 'TCP/5432', 'TCP/4318']));
    expect(egressPorts('snip-migrate')).toEqual(['TCP/5432']);
    // The Collector's k8s_attributes watches the API server.
    expect(egressPorts('snip-collector')).toEqual(expect.arrayContaining(['TCP/443', 'TCP/6443']));
    // The shortener fetches arbitrary pages: open egress.
    expect(get(objs, 'NetworkPolicy', 'snip-shortener').spec.egress).toEqual([{}]);
    // Every pod is selected by a policy of its own besides the default deny.
    for (const w of workloads(objs)) {
      const own = objs.filter(
        (o) => o.kind === 'NetworkPolicy' && o.spec.podSelector.matchLabels && matches(o.spec.podSelector.matchLabels, podLabels(w)),
      );
      expect(own, `${w.kind}/${w.metadata.name}`).toHaveLength(1);
    }
  });

  it('admits the kubelet to every port a probe uses, from outside the pod network only', () => {
    for (const w of workloads(objs)) {
      for (const c of podSpec(w).containers) {
        for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe].filter(Boolean)) {
          const port = probe.httpGet?.port ?? probe.tcpSocket?.port;
          if (port === undefined) continue; // exec probes need no network
          const named = (c.ports ?? []).find((p: any) => p.name === port)?.containerPort;
          const number = typeof port === 'number' ? port : named;
          const admitted = objs
            .filter((o) => o.kind === 'NetworkPolicy' && o.spec.podSelector.matchLabels && matches(o.spec.podSelector.matchLabels, podLabels(w)))
            .flatMap((np) => np.spec.ingress ?? [])
            .some(
              (r: any) =>
                (r.ports ?? []).some((p: any) => p.port === number) &&
                (!r.from || r.from.some((f: any) => f.ipBlock?.cidr === '0.0.0.0/0' && f.ipBlock.except?.includes(config.networkPolicy.podCidr))),
            );
          expect(admitted, `${w.metadata.name}/${c.name} probe port ${number}`).toBe(true);
        }
      }
    }
  });

  it('scales each app with a HorizontalPodAutoscaler that owns the replica count, spread across nodes', () => {
    for (const svc of ['shortener', 'redirector'] as const) {
      const d = get(objs, 'Deployment', `snip-${svc}`);
      expect(d.spec.replicas).toBeUndefined();
      const hpa = get(objs, 'HorizontalPodAutoscaler', `snip-${svc}`);
      expect(hpa.apiVersion).toBe('autoscaling/v2');
      expect(hpa.spec).toMatchObject({
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: `snip-${svc}` },
        minReplicas: config[svc].replicas,
        maxReplicas: config[svc].autoscaling.maxReplicas,
      });
      expect(hpa.spec.metrics[0].resource).toEqual({
        name: 'cpu',
        target: { type: 'Utilization', averageUtilization: config[svc].autoscaling.targetCpuUtilization },
      });
      expect(podSpec(d).topologySpreadConstraints).toEqual([
        {
          maxSkew: 1,
          topologyKey: 'kubernetes.io/hostname',
          whenUnsatisfiable: 'ScheduleAnyway',
          labelSelector: { matchLabels: d.spec.selector.matchLabels },
        },
      ]);
    }
  });

  it('applies image.pullPolicy to Snip images only', () => {
    const never = synth(withOverrides(config, { image: { pullPolicy: 'Never' } }));
    for (const w of workloads(never)) {
      for (const c of podSpec(w).containers) {
        const own = c.image.startsWith(`${config.image.shortenerRepository}:`) || c.image.startsWith(`${config.image.redirectorRepository}:`);
        expect(c.imagePullPolicy, `${w.metadata.name}/${c.name}`).toBe(own ? 'Never' : 'IfNotPresent');
      }
    }
  });

  it('does not let the host detector stamp the pod name as host.name', () => {
    for (const svc of ['shortener', 'redirector']) {
      const detectors = envOf(get(objs, 'Deployment', `snip-${svc}`)).find((e) => e.name === 'OTEL_NODE_RESOURCE_DETECTORS');
      expect(detectors?.value?.split(',')).not.toContain('host');
      expect(detectors?.value?.split(',')).toContain('env');
    }
  });

  it('runs migrations once per image in a Job named after the image tag, ordered by Argo CD waves', () => {
    const image = `${config.image.shortenerRepository}:${config.image.tag}`;
    const job = get(objs, 'Job', migrationJobName(config));
    expect(job.metadata.name).toBe(`snip-migrate-${config.image.tag}`);
    const c = podSpec(job).containers[0];
    expect(c.command).toEqual(['node', 'libs/data/dist/migrate.js']);
    expect(c.image).toBe(image);
    expect(podSpec(job).restartPolicy).toBe('Never');
    expect(job.metadata.annotations['argocd.argoproj.io/sync-wave']).toBe('-1');
    // Argo CD maps helm.sh/hook annotations on plain manifests too: none outside the chart.
    for (const o of objs) expect(Object.keys(o.metadata.annotations ?? {}).filter((a) => a.startsWith('helm.sh/')), `${o.kind}/${o.metadata.name}`).toEqual([]);
    const other = withOverrides(config, { image: { tag: 'other.1' } });
    expect(migrationJobName(other)).not.toBe(job.metadata.name);
    expect(() => migrationJobName(withOverrides(config, { image: { tag: 'Bad_Tag' } }))).toThrow(/image.tag/);
  });

  it('adds the shortener Ingress only when enabled', () => {
    const ing = objs.filter((o) => o.kind === 'Ingress');
    if (!config.ingress.enabled) return expect(ing).toEqual([]);
    expect(ing).toHaveLength(1);
    const path = ing[0]!.spec.rules[0].http.paths[0];
    expect(ing[0]!.spec.rules[0].host).toBe(config.ingress.host);
    expect(path.backend.service).toEqual({ name: 'snip-shortener', port: { name: 'http' } });
  });
});

describe('profiles', () => {
  it('kind runs everything in-cluster with Jaeger; dash0 uses external stores, Dash0 and an Ingress', () => {
    expect(profiles.kind).toMatchObject({
      postgres: { mode: 'in-cluster' },
      redis: { mode: 'in-cluster' },
      collector: { mode: 'gateway', exporter: 'jaeger' },
      ingress: { enabled: false },
    });
    expect(profiles.dash0).toMatchObject({
      postgres: { mode: 'external' },
      redis: { mode: 'external' },
      collector: { mode: 'gateway', exporter: 'dash0' },
      ingress: { enabled: true },
    });
  });

  it('rejects autoscaling bounds and Job names the API server would refuse', () => {
    expect(() => synth(withOverrides(profiles.kind, { shortener: { replicas: 5 } }))).toThrow(/replicas <= maxReplicas/);
    expect(() => synth(withOverrides(profiles.kind, { redirector: { replicas: 0 } }))).toThrow(/1 <= replicas/);
    expect(() => synth(withOverrides(profiles.kind, { name: 'a'.repeat(30), image: { tag: 'b'.repeat(30) } }))).toThrow(/63 characters/);
  });

  it('rejects resources the GOMEMLIMIT derivation cannot read', () => {
    const bad = withOverrides(profiles.kind, {
      collector: { resources: { requests: { cpu: '1', memory: '1Gi' }, limits: { cpu: '1', memory: '1Gi' } } },
    });
    expect(() => synth(bad)).toThrow(/millicores|Mi/);
  });
});

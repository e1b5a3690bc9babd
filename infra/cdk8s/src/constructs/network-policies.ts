import { ApiObject } from 'cdk8s';
import { PLATFORM_PORTS, SERVICE_PORTS } from '@snip/config-contract';
import { Construct } from 'constructs';
import type { SnipConfig } from '../config.js';
import { meta, selectorLabels } from './common.js';

export interface NetworkPoliciesProps {
  readonly config: SnipConfig;
}

type Peer = Record<string, unknown>;
type Rule = { from?: Peer[]; to?: Peer[]; ports?: Array<{ protocol: string; port: number }> };
const tcp = (port: number) => ({ protocol: 'TCP', port });

/** Health ports the kubelet probes with httpGet or tcpSocket (exec probes need no network). */
export const PROBE_PORTS = {
  shortener: SERVICE_PORTS.shortener,
  redirector: SERVICE_PORTS.redirector,
  postgres: PLATFORM_PORTS.postgres,
  redis: PLATFORM_PORTS.redis,
  collector: PLATFORM_PORTS.health,
  jaeger: PLATFORM_PORTS.health,
} as const;

/**
 * Default deny in both directions for every pod of the namespace (DNS excepted), then one policy
 * per component naming exactly what it may receive and send: probes from outside the pod network
 * (the kubelet), the redirector only from the shortener, the stores only from the apps (and the
 * migration), the Collector only from the apps with egress to the API server and its backend.
 * The shortener keeps open egress: it fetches arbitrary web pages (the SSRF rules guard them).
 */
export class NetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: NetworkPoliciesProps) {
    super(scope, id);
    const { config } = props;
    const pods = (component: string): Peer => ({ podSelector: { matchLabels: selectorLabels(config, component) } });
    const apps = [pods('shortener'), pods('redirector')];
    // Node-originated traffic (kubelet probes) comes from outside the pod network.
    const notPods: Peer = { ipBlock: { cidr: '0.0.0.0/0', except: [config.networkPolicy.podCidr] } };
    const probes = (component: keyof typeof PROBE_PORTS): Rule => ({ from: [notPods], ports: [tcp(PROBE_PORTS[component])] });
    const dns: Rule = { ports: [{ protocol: 'UDP', port: 53 }, tcp(53)] };

    new ApiObject(this, 'default-deny', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta(config, 'default-deny'),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'], egress: [dns] },
    });

    const policy = (component: string, ingress: Rule[], egress: Rule[]) =>
      new ApiObject(this, component, {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: meta(config, component),
        spec: {
          podSelector: { matchLabels: selectorLabels(config, component) },
          policyTypes: ['Ingress', 'Egress'],
          ingress,
          egress,
        },
      });

    const store = (component: string, port: number, mode: string): Rule[] =>
      mode === 'disabled' ? [] : [mode === 'in-cluster' ? { to: [pods(component)], ports: [tcp(port)] } : { ports: [tcp(port)] }];
    const postgres = store('postgres', PLATFORM_PORTS.postgres, config.postgres.mode);
    const redis = store('redis', PLATFORM_PORTS.redis, config.redis.mode);
    const collector: Rule = { to: [pods('collector')], ports: [tcp(PLATFORM_PORTS.otlpGrpc), tcp(PLATFORM_PORTS.otlpHttp)] };

    // Public entry point (behind the ingress controller or a port-forward); open egress for target pages.
    policy('shortener', [{ ports: [tcp(SERVICE_PORTS.shortener)] }], [{}]);
    policy(
      'redirector',
      [{ from: [pods('shortener')], ports: [tcp(SERVICE_PORTS.redirector)] }, probes('redirector')],
      // ip-api.com geolocation over HTTP(S).
      [...postgres, ...redis, collector, { ports: [tcp(80), tcp(443)] }],
    );
    policy('migrate', [], postgres);
    if (config.postgres.mode === 'in-cluster') {
      policy('postgres', [{ from: [...apps, pods('migrate')], ports: [tcp(PLATFORM_PORTS.postgres)] }, probes('postgres')], []);
    }
    if (config.redis.mode === 'in-cluster') {
      policy('redis', [{ from: apps, ports: [tcp(PLATFORM_PORTS.redis)] }, probes('redis')], []);
    }
    const backend: Rule =
      config.collector.exporter === 'jaeger' ? { to: [pods('jaeger')], ports: [tcp(PLATFORM_PORTS.otlpGrpc), tcp(PLATFORM_PORTS.otlpHttp)] } : { ports: [tcp(443)] };
    policy(
      'collector',
      [{ from: apps, ports: [tcp(PLATFORM_PORTS.otlpGrpc), tcp(PLATFORM_PORTS.otlpHttp)] }, probes('collector')],
      // k8s_attributes watches the API server: the kubernetes Service (443) and, after DNAT, the server itself (6443).
      [{ ports: [tcp(443), tcp(6443)] }, backend],
    );
    if (config.collector.exporter === 'jaeger') {
      policy(
        'jaeger',
        [
          { from: [pods('collector')], ports: [tcp(PLATFORM_PORTS.otlpGrpc), tcp(PLATFORM_PORTS.otlpHttp)] },
          // The UI is reached through kubectl port-forward or an operator's own ingress.
          { ports: [tcp(PLATFORM_PORTS.jaegerUi)] },
          probes('jaeger'),
        ],
        [],
      );
    }
  }
}

import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { SnipConfig } from '../config.js';
import { meta, selectorLabels } from './common.js';

export interface NetworkPoliciesProps {
  readonly config: SnipConfig;
}

type Peer = Record<string, unknown>;
const tcp = (port: number) => ({ protocol: 'TCP', port });

/**
 * Ingress isolation between components: the redirector only from the shortener, the stores only
 * from the apps, the Collector only from the apps, Jaeger's OTLP only from the Collector. The
 * redirector's egress is limited to DNS, its stores, the Collector and HTTP(S) for geolocation;
 * the shortener keeps open egress because it fetches arbitrary web pages.
 */
export class NetworkPolicies extends Construct {
  constructor(scope: Construct, id: string, props: NetworkPoliciesProps) {
    super(scope, id);
    const { config } = props;
    const pods = (component: string): Peer => ({ podSelector: { matchLabels: selectorLabels(config, component) } });
    const apps = [pods('shortener'), pods('redirector')];

    const policy = (component: string, spec: Record<string, unknown>) =>
      new ApiObject(this, component, {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'NetworkPolicy',
        metadata: meta(config, component),
        spec: { podSelector: { matchLabels: selectorLabels(config, component) }, ...spec },
      });

    // Public entry point (behind the ingress controller or a port-forward).
    policy('shortener', {
      policyTypes: ['Ingress'],
      ingress: [{ ports: [tcp(3000)] }],
    });

    const storeEgress = (component: string, port: number, inCluster: boolean) =>
      inCluster ? { to: [pods(component)], ports: [tcp(port)] } : { ports: [tcp(port)] };
    policy('redirector', {
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ from: [pods('shortener')], ports: [tcp(3001)] }],
      egress: [
        { ports: [{ protocol: 'UDP', port: 53 }, tcp(53)] },
        storeEgress('postgres', 5432, config.postgres.mode === 'in-cluster'),
        ...(config.redis.mode === 'disabled'
          ? []
          : [storeEgress('redis', 6379, config.redis.mode === 'in-cluster')]),
        { to: [pods('collector')], ports: [tcp(4317), tcp(4318)] },
        // ip-api.com geolocation.
        { ports: [tcp(80), tcp(443)] },
      ],
    });

    if (config.postgres.mode === 'in-cluster') {
      policy('postgres', {
        policyTypes: ['Ingress'],
        ingress: [{ from: [...apps, pods('migrate')], ports: [tcp(5432)] }],
      });
    }
    if (config.redis.mode === 'in-cluster') {
      policy('redis', { policyTypes: ['Ingress'], ingress: [{ from: apps, ports: [tcp(6379)] }] });
    }
    policy('collector', {
      policyTypes: ['Ingress'],
      ingress: [{ from: apps, ports: [tcp(4317), tcp(4318)] }],
    });
    if (config.collector.exporter === 'jaeger') {
      policy('jaeger', {
        policyTypes: ['Ingress'],
        ingress: [
          { from: [pods('collector')], ports: [tcp(4317), tcp(4318)] },
          // The UI is reached through kubectl port-forward or an operator's own ingress.
          { ports: [tcp(16686)] },
        ],
      });
    }
  }
}

import { ApiObject } from 'cdk8s';
import { Construct } from 'constructs';
import type { SnipConfig } from '../config.js';
import { meta, objectName } from './common.js';

export interface ShortenerIngressProps {
  readonly config: SnipConfig;
}

/** Optional public entry to the shortener (UI, API and short links) through an ingress controller. */
export class ShortenerIngress extends Construct {
  constructor(scope: Construct, id: string, props: ShortenerIngressProps) {
    super(scope, id);
    const { config } = props;
    const ing = config.ingress;
    new ApiObject(this, 'ingress', {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'Ingress',
      metadata: meta(config, 'shortener'),
      spec: {
        ...(ing.className ? { ingressClassName: ing.className } : {}),
        ...(ing.tlsSecretName ? { tls: [{ hosts: [ing.host], secretName: ing.tlsSecretName }] } : {}),
        rules: [
          {
            host: ing.host,
            http: {
              paths: [
                {
                  path: '/',
                  pathType: 'Prefix',
                  backend: { service: { name: objectName(config, 'shortener'), port: { name: 'http' } } },
                },
              ],
            },
          },
        ],
      },
    });
  }
}

// Values pinned once for the apps, the image, compose, the manifests and the tests.

/** Listening port of each Snip service (also its container and Service port). */
export const SERVICE_PORTS = { shortener: 3000, redirector: 3001 } as const;

/** Ports of the stores and the telemetry pipeline, as their images expose them. */
export const PLATFORM_PORTS = {
  postgres: 5432,
  redis: 6379,
  otlpGrpc: 4317,
  otlpHttp: 4318,
  /** Health endpoint of the Collector and of Jaeger v2 (built on the Collector). */
  health: 13133,
  jaegerUi: 16686,
} as const;

/** Numeric user and group of the Snip image (the Dockerfile's `USER`), so runAsNonRoot can verify it. */
export const CONTAINER_UID = 10001;
export const CONTAINER_GID = 10001;

/** Third-party images, pinned to exact tags everywhere they run (compose, cdk8s profiles, Helm values). */
export const IMAGES = {
  postgres: 'postgres:17.6-bookworm',
  redis: 'redis:7.4.5-bookworm',
  collector: 'otel/opentelemetry-collector-contrib:0.159.0',
  jaeger: 'jaegertracing/jaeger:2.20.0',
} as const;

/**
 * Node.js release of the image. Its source of truth is `ARG NODE_IMAGE` in the Dockerfile, which
 * scripts/node-runtime.sh reads too; a test keeps this copy equal to it.
 */
export const NODE_VERSION = '24.21.0';

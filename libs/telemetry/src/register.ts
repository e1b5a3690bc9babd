// The OpenTelemetry preload: `node --require ./libs/telemetry/dist/register.js apps/<svc>/dist/main.js`.
// It runs before any application module so that the instrumentations can patch http, express,
// @nestjs/core, pg, ioredis and undici when the application requires them.
//
// Everything else comes from the standard variables, read by the NodeSDK itself:
//   OTEL_SDK_DISABLED, OTEL_TRACES_EXPORTER (otlp by default, console for local debugging),
//   OTEL_EXPORTER_OTLP_* (http/protobuf by default), OTEL_TRACES_SAMPLER(_ARG), OTEL_BSP_*,
//   OTEL_METRICS_EXPORTER, OTEL_METRIC_EXPORT_INTERVAL, OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES,
//   OTEL_NODE_RESOURCE_DETECTORS, OTEL_PROPAGATORS, OTEL_LOG_LEVEL,
//   OTEL_NODE_ENABLED_INSTRUMENTATIONS / OTEL_NODE_DISABLED_INSTRUMENTATIONS.
// It registers no signal handler: the application owns SIGTERM and calls the published shutdown last.
import type { ClientRequest, IncomingMessage } from 'node:http';
import type * as AutoInstrumentations from '@opentelemetry/auto-instrumentations-node';
import type * as Resources from '@opentelemetry/resources';
import type * as SdkNode from '@opentelemetry/sdk-node';
import { TELEMETRY_SHUTDOWN_TIMEOUT_MS } from './shutdown';
import { clientSpanName, isProbe, serviceFromMainPath } from './span-names';

// Loaded only when the SDK starts: together they take about 0.6 s to load, which a process with
// OTEL_SDK_DISABLED=true would otherwise pay at every start for nothing.
/* eslint-disable @typescript-eslint/no-require-imports */
function loadSdk() {
  const { getNodeAutoInstrumentations } = require('@opentelemetry/auto-instrumentations-node') as typeof AutoInstrumentations;
  const { defaultResource, resourceFromAttributes } = require('@opentelemetry/resources') as typeof Resources;
  const { NodeSDK } = require('@opentelemetry/sdk-node') as typeof SdkNode;
  return { getNodeAutoInstrumentations, defaultResource, resourceFromAttributes, NodeSDK };
}
/* eslint-enable @typescript-eslint/no-require-imports */

/** Enabled unless OTEL_NODE_ENABLED_INSTRUMENTATIONS says otherwise; fs, dns, net, pino and the rest stay off. */
export const DEFAULT_INSTRUMENTATIONS = ['http', 'express', 'nestjs-core', 'pg', 'ioredis', 'undici'] as const;

function isClientRequest(request: ClientRequest | IncomingMessage): request is ClientRequest {
  return typeof (request as ClientRequest).getHeader === 'function';
}

function buildInstrumentations(getNodeAutoInstrumentations: typeof AutoInstrumentations.getNodeAutoInstrumentations) {
  const configs = {
    '@opentelemetry/instrumentation-http': {
      // Probes every few seconds would otherwise be most of the traces (and cost).
      ignoreIncomingRequestHook: (req: IncomingMessage) => isProbe(req.url),
      // Server spans are renamed `<METHOD> <route>` by the instrumentation itself once express has
      // matched the route; client spans (node:http, used for target pages) are named here, after
      // the peers the application registers when it configures its clients.
      requestHook: (span: import('@opentelemetry/api').Span, request: ClientRequest | IncomingMessage) => {
        if (!isClientRequest(request)) return;
        const host = String(request.getHeader('host') ?? request.host);
        span.updateName(clientSpanName(request.method, `${request.protocol}//${host}`, request.path));
      },
    },
    '@opentelemetry/instrumentation-undici': {
      requestHook: (span: import('@opentelemetry/api').Span, request: { method: string; origin: string; path: string }) => {
        span.updateName(clientSpanName(request.method, request.origin, request.path));
      },
    },
    '@opentelemetry/instrumentation-express': {
      // Express layer spans (one per middleware: helmet, body parser, ...) are the bulk of the span
      // count and of the tracing overhead; NestJS spans already show the handler. The instrumentation
      // still records the matched route, which names the server span.
      ignoreLayersType: ['middleware', 'request_handler', 'router'],
    },
    // Connection-pool and start-up queries outside a request or a business span are noise.
    '@opentelemetry/instrumentation-pg': { requireParentSpan: true },
    '@opentelemetry/instrumentation-ioredis': { requireParentSpan: true },
    // Off by default: the pino mixin already stamps trace_id/span_id. When switched on through
    // OTEL_NODE_ENABLED_INSTRUMENTATIONS it only sends log records over OTLP, without adding the ids twice.
    '@opentelemetry/instrumentation-pino': { disableLogCorrelation: true },
  };
  const variable = 'OTEL_NODE_ENABLED_INSTRUMENTATIONS';
  const given = process.env[variable];
  // getNodeAutoInstrumentations reads the variable itself; a default list here (instead of
  // `enabled: false` per instrumentation) keeps both OTEL_NODE_* variables in charge.
  if (!given) process.env[variable] = DEFAULT_INSTRUMENTATIONS.join(',');
  try {
    return getNodeAutoInstrumentations(configs as Parameters<typeof getNodeAutoInstrumentations>[0]);
  } finally {
    if (!given) delete process.env[variable];
  }
}

function start(): void {
  const { NodeSDK, defaultResource, resourceFromAttributes, getNodeAutoInstrumentations } = loadSdk();
  const service = serviceFromMainPath(process.argv[1]);
  const sdk = new NodeSDK({
    // Lowest priority: OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (env detector) override it.
    resource: service ? defaultResource().merge(resourceFromAttributes({ 'service.name': service })) : defaultResource(),
    instrumentations: [buildInstrumentations(getNodeAutoInstrumentations)],
  });
  sdk.start();
  let done: Promise<void> | undefined;
  // The application owns SIGTERM and calls this last, after it has drained requests and queues.
  // Bounded, so that an unreachable collector cannot hold the process past its grace period.
  const flush = () =>
    Promise.race([
      sdk.shutdown().catch(() => undefined),
      new Promise<void>((resolve) => setTimeout(resolve, TELEMETRY_SHUTDOWN_TIMEOUT_MS).unref()),
    ]);
  (globalThis as Record<symbol, unknown>)[Symbol.for('snip.telemetry')] = { shutdown: () => (done ??= flush()) };
}

if (!/^true$/i.test(process.env['OTEL_SDK_DISABLED']?.trim() ?? '')) start();

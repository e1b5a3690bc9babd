// Preloaded with `node --require` before any application module so auto-instrumentation can patch them.
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { NodeSDK } from '@opentelemetry/sdk-node';

const disabled = /^true$/i.test(process.env['OTEL_SDK_DISABLED'] ?? '');

if (!disabled) {
  const sdk = new NodeSDK({
    instrumentations: [
      getNodeAutoInstrumentations({
        '@opentelemetry/instrumentation-fs': { enabled: false },
        '@opentelemetry/instrumentation-dns': { enabled: false },
        '@opentelemetry/instrumentation-net': { enabled: false },
      }),
    ],
  });
  sdk.start();
  let done: Promise<void> | undefined;
  // The application owns SIGTERM and calls this last, after it has drained requests.
  (globalThis as Record<symbol, unknown>)[Symbol.for('snip.telemetry')] = {
    shutdown: () => (done ??= sdk.shutdown().catch(() => undefined)),
  };
}

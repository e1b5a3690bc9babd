// Helpers for the business spans that no library boundary shows.
import { type Attributes, context, type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { getRPCMetadata } from '@opentelemetry/core';

export const tracer = trace.getTracer('snip');

/** Runs `fn` inside a new active span; records the exception and ERROR status when it throws. */
export async function withSpan<T>(name: string, attributes: Attributes, fn: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      markFailed(span, error);
      throw error;
    } finally {
      span.end();
    }
  });
}

export function markFailed(span: Span | undefined, error: unknown, message?: string): void {
  if (!span) return;
  if (error instanceof Error) span.recordException(error);
  else span.recordException({ name: 'Error', message: String(error) });
  span.setStatus({ code: SpanStatusCode.ERROR, message: message ?? (error instanceof Error ? error.message : String(error)) });
}

/**
 * Sets attributes on the request's server span (`GET /:code`, `POST /api/shorten`, ...), where
 * dashboards and queries look for them. Inside a handler the active span is NestJS's handler span,
 * a child of it; the http instrumentation keeps the server span in the context's RPC metadata.
 * Outside a request it falls back to the active span.
 */
export function annotateActiveSpan(attributes: Attributes): void {
  const active = context.active();
  (getRPCMetadata(active)?.span ?? trace.getSpan(active))?.setAttributes(attributes);
}

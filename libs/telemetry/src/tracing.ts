// Helpers for the business spans that no library boundary shows.
import { type Attributes, type Span, SpanStatusCode, trace } from '@opentelemetry/api';

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

/** Sets attributes on the active (request) span, if there is one. */
export function annotateActiveSpan(attributes: Attributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}

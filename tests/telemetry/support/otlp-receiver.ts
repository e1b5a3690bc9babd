// An OTLP/HTTP receiver on 127.0.0.1 that decodes what the services export, with the message classes
// generated from the official opentelemetry-proto definitions (shipped by @opentelemetry/otlp-transformer
// up to 0.216, installed here as `otlp-proto-generated`).
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';

const require = createRequire(import.meta.url);
// The generated module's typings only declare a protobufjs Root; the messages are plain properties.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const proto = (require('otlp-proto-generated/build/src/generated/root.js') as any).opentelemetry.proto;
const ExportTraceServiceRequest = proto.collector.trace.v1.ExportTraceServiceRequest;
const ExportMetricsServiceRequest = proto.collector.metrics.v1.ExportMetricsServiceRequest;

export const SpanKind = { INTERNAL: 1, SERVER: 2, CLIENT: 3, PRODUCER: 4, CONSUMER: 5 } as const;
export const StatusCode = { UNSET: 0, OK: 1, ERROR: 2 } as const;

export type Attributes = Record<string, unknown>;

export interface ReceivedSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** '' for a root span. */
  readonly parentSpanId: string;
  readonly name: string;
  readonly kind: number;
  readonly attributes: Attributes;
  readonly status: { code: number; message: string };
  readonly events: ReadonlyArray<{ name: string; attributes: Attributes }>;
  readonly resource: Attributes;
  readonly scope: string;
  readonly service: string;
}

export interface ReceivedMetric {
  readonly name: string;
  readonly service: string;
  readonly resource: Attributes;
  /** One entry per data point: its attributes and its value (sum/gauge value or histogram count). */
  readonly points: ReadonlyArray<{ attributes: Attributes; value: number }>;
}

interface KeyValue {
  key: string;
  value?: AnyValue;
}
interface AnyValue {
  value?: string;
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number | string;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
  bytesValue?: Uint8Array;
}

function valueOf(v: AnyValue | undefined): unknown {
  if (!v) return undefined;
  // Decoded oneof members that are not set read as null; `value` names the one that is.
  switch (v.value) {
    case 'stringValue':
      return v.stringValue;
    case 'boolValue':
      return v.boolValue;
    case 'intValue':
      return Number(v.intValue);
    case 'doubleValue':
      return v.doubleValue;
    case 'arrayValue':
      return (v.arrayValue?.values ?? []).map(valueOf);
    case 'kvlistValue':
      return attrs(v.kvlistValue?.values);
    case 'bytesValue':
      return Buffer.from(v.bytesValue ?? []).toString('hex');
    default:
      return undefined;
  }
}

function attrs(list: KeyValue[] | undefined): Attributes {
  const out: Attributes = {};
  for (const kv of list ?? []) out[kv.key] = valueOf(kv.value);
  return out;
}

const hex = (b: Uint8Array | undefined) => (b && b.length > 0 ? Buffer.from(b).toString('hex') : '');

export interface OtlpReceiver {
  readonly url: string;
  readonly spans: ReceivedSpan[];
  readonly metrics: ReceivedMetric[];
  /** Raw export requests per signal path, for counting. */
  readonly requests: Record<string, number>;
  trace(traceId: string): ReceivedSpan[];
  /** Polls until `check` returns a truthy value (or throws after `timeoutMs`: a wait, not an assertion). */
  until<T>(check: () => T | undefined | false | null, what: string, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const spans: ReceivedSpan[] = [];
  const metrics: ReceivedMetric[] = [];
  const requests: Record<string, number> = {};
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const path = (req.url ?? '').split('?')[0]!;
      requests[path] = (requests[path] ?? 0) + 1;
      let body = Buffer.concat(chunks);
      if (req.headers['content-encoding'] === 'gzip') body = gunzipSync(body);
      try {
        if (!String(req.headers['content-type']).startsWith('application/x-protobuf')) throw new Error(`not protobuf: ${req.headers['content-type']}`);
        if (path === '/v1/traces') collectSpans(ExportTraceServiceRequest.decode(body), spans);
        else if (path === '/v1/metrics') collectMetrics(ExportMetricsServiceRequest.decode(body), metrics);
        // An empty Export*ServiceResponse encodes to zero bytes.
        res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
      } catch (error) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(String(error));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    spans,
    metrics,
    requests,
    trace: (traceId) => spans.filter((s) => s.traceId === traceId),
    until: async (check, what, timeoutMs = 20_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const result = check();
        if (result) return result;
        if (Date.now() > deadline) throw new Error(`the receiver did not get ${what} within ${timeoutMs} ms`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/* eslint-disable @typescript-eslint/no-explicit-any */
function collectSpans(request: any, into: ReceivedSpan[]): void {
  for (const rs of request.resourceSpans ?? []) {
    const resource = attrs(rs.resource?.attributes);
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        into.push({
          traceId: hex(s.traceId),
          spanId: hex(s.spanId),
          parentSpanId: hex(s.parentSpanId),
          name: s.name,
          kind: s.kind ?? 0,
          attributes: attrs(s.attributes),
          status: { code: s.status?.code ?? 0, message: s.status?.message ?? '' },
          events: (s.events ?? []).map((e: any) => ({ name: e.name, attributes: attrs(e.attributes) })),
          resource,
          scope: ss.scope?.name ?? '',
          service: String(resource['service.name'] ?? ''),
        });
      }
    }
  }
}

function collectMetrics(request: any, into: ReceivedMetric[]): void {
  for (const rm of request.resourceMetrics ?? []) {
    const resource = attrs(rm.resource?.attributes);
    for (const sm of rm.scopeMetrics ?? []) {
      for (const m of sm.metrics ?? []) {
        const data = m.sum ?? m.gauge ?? m.histogram;
        const points = (data?.dataPoints ?? []).map((p: any) => ({
          attributes: attrs(p.attributes),
          value: m.histogram ? Number(p.count) : Number(p.asInt ?? p.asDouble ?? 0),
        }));
        into.push({ name: m.name, service: String(resource['service.name'] ?? ''), resource, points });
      }
    }
  }
}

import { createRequire } from 'node:module';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** A decoded OTLP KeyValue list as a plain object. */
export type Attrs = Record<string, string | number | boolean>;

export interface ReceivedSpan {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId: string;
  startNs: bigint;
  endNs: bigint;
  attributes: Attrs;
  status: { code: number; message: string };
  resource: Attrs;
}

export interface ReceivedMetric {
  name: string;
  unit: string;
  resource: Attrs;
  /** gauge, sum, histogram or summary. */
  type: string;
  points: Array<{ attributes: Attrs; timeNs: bigint; startNs: bigint; value?: number; count?: number; sum?: number; quantiles?: Array<{ quantile: number; value: number }>; bucketCounts?: number[] }>;
}

interface AnyValue {
  stringValue?: string;
  intValue?: string;
  doubleValue?: number;
  boolValue?: boolean;
  value?: string;
}
interface KeyValue {
  key: string;
  value?: AnyValue;
}

function attrs(list: KeyValue[] | undefined): Attrs {
  const out: Attrs = {};
  for (const kv of list ?? []) {
    const v = kv.value ?? {};
    if (v.value === 'intValue') out[kv.key] = Number(v.intValue);
    else if (v.value === 'doubleValue') out[kv.key] = v.doubleValue!;
    else if (v.value === 'boolValue') out[kv.key] = v.boolValue!;
    else out[kv.key] = v.stringValue ?? '';
  }
  return out;
}

const protoDir = path.join(path.dirname(createRequire(import.meta.url).resolve('otlp-protos/package.json')), 'build', 'protos');

/** A real OTLP/gRPC collector endpoint (TraceService and MetricsService from the official protos), keeping what it receives. */
export class OtlpReceiver {
  readonly spans: ReceivedSpan[] = [];
  readonly metrics: ReceivedMetric[] = [];
  traceRequests = 0;
  metricRequests = 0;
  /** Headers (gRPC metadata) of the last request. */
  lastMetadata: Record<string, string> = {};
  private server: grpc.Server | undefined;
  port = 0;

  /** Starts listening on 127.0.0.1 (a free port the first time, the same port after stop()). */
  async start(): Promise<void> {
    const def = protoLoader.loadSync(
      ['opentelemetry/proto/collector/trace/v1/trace_service.proto', 'opentelemetry/proto/collector/metrics/v1/metrics_service.proto'],
      { includeDirs: [protoDir], longs: String, enums: Number, defaults: true, oneofs: true },
    );
    const pkg = grpc.loadPackageDefinition(def) as unknown as {
      opentelemetry: { proto: { collector: { trace: { v1: { TraceService: { service: grpc.ServiceDefinition } } }; metrics: { v1: { MetricsService: { service: grpc.ServiceDefinition } } } } } };
    };
    const server = new grpc.Server();
    server.addService(pkg.opentelemetry.proto.collector.trace.v1.TraceService.service, {
      Export: (call: grpc.ServerUnaryCall<TraceRequest, object>, cb: grpc.sendUnaryData<object>) => {
        this.traceRequests++;
        this.keepMetadata(call.metadata);
        this.onTraces(call.request);
        cb(null, {});
      },
    });
    server.addService(pkg.opentelemetry.proto.collector.metrics.v1.MetricsService.service, {
      Export: (call: grpc.ServerUnaryCall<MetricsRequest, object>, cb: grpc.sendUnaryData<object>) => {
        this.metricRequests++;
        this.keepMetadata(call.metadata);
        this.onMetrics(call.request);
        cb(null, {});
      },
    });
    this.port = await new Promise<number>((resolve, reject) =>
      server.bindAsync(`127.0.0.1:${this.port}`, grpc.ServerCredentials.createInsecure(), (e, port) => (e ? reject(e) : resolve(port))),
    );
    this.server = server;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Stops at once, dropping open calls (a collector that goes away). */
  async stop(): Promise<void> {
    this.server?.forceShutdown();
    this.server = undefined;
  }

  /** Resolves when `pred` holds, polling; rejects after `ms`. */
  async waitFor(pred: () => boolean, ms = 10000, what = 'condition'): Promise<void> {
    const until = Date.now() + ms;
    while (!pred()) {
      if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  private keepMetadata(md: grpc.Metadata): void {
    this.lastMetadata = {};
    for (const [k, v] of Object.entries(md.getMap())) this.lastMetadata[k] = String(v);
  }

  private onTraces(req: TraceRequest): void {
    for (const rs of req.resourceSpans ?? []) {
      const resource = attrs(rs.resource?.attributes);
      for (const ss of rs.scopeSpans ?? []) {
        for (const s of ss.spans ?? []) {
          this.spans.push({
            name: s.name,
            kind: s.kind,
            traceId: Buffer.from(s.traceId).toString('hex'),
            spanId: Buffer.from(s.spanId).toString('hex'),
            parentSpanId: Buffer.from(s.parentSpanId ?? []).toString('hex'),
            startNs: BigInt(s.startTimeUnixNano),
            endNs: BigInt(s.endTimeUnixNano),
            attributes: attrs(s.attributes),
            status: { code: s.status?.code ?? 0, message: s.status?.message ?? '' },
            resource,
          });
        }
      }
    }
  }

  private onMetrics(req: MetricsRequest): void {
    for (const rm of req.resourceMetrics ?? []) {
      const resource = attrs(rm.resource?.attributes);
      for (const sm of rm.scopeMetrics ?? []) {
        for (const m of sm.metrics ?? []) {
          const type = m.data ?? '';
          const body = (m as unknown as Record<string, { dataPoints?: RawPoint[] }>)[type];
          const points = (body?.dataPoints ?? []).map((p) => ({
            attributes: attrs(p.attributes),
            timeNs: BigInt(p.timeUnixNano ?? '0'),
            startNs: BigInt(p.startTimeUnixNano ?? '0'),
            value: p.value === 'asInt' ? Number(p.asInt) : p.value === 'asDouble' ? p.asDouble : undefined,
            count: p.count !== undefined ? Number(p.count) : undefined,
            sum: p.sum,
            quantiles: p.quantileValues?.map((q) => ({ quantile: q.quantile, value: q.value })),
            bucketCounts: p.bucketCounts?.map(Number),
          }));
          this.metrics.push({ name: m.name, unit: m.unit, resource, type, points });
        }
      }
    }
  }
}

interface RawPoint {
  attributes?: KeyValue[];
  timeUnixNano?: string;
  startTimeUnixNano?: string;
  value?: string;
  asInt?: string;
  asDouble?: number;
  count?: string;
  sum?: number;
  quantileValues?: Array<{ quantile: number; value: number }>;
  bucketCounts?: string[];
}
interface TraceRequest {
  resourceSpans?: Array<{
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: Array<{
      spans?: Array<{
        name: string;
        kind: number;
        traceId: Buffer;
        spanId: Buffer;
        parentSpanId?: Buffer;
        startTimeUnixNano: string;
        endTimeUnixNano: string;
        attributes?: KeyValue[];
        status?: { code: number; message: string };
      }>;
    }>;
  }>;
}
interface MetricsRequest {
  resourceMetrics?: Array<{
    resource?: { attributes?: KeyValue[] };
    scopeMetrics?: Array<{ metrics?: Array<{ name: string; unit: string; data?: string }> }>;
  }>;
}

import { createRequire } from 'node:module';
import path from 'node:path';
import { readFileSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';

/** The official OTLP protos, as the npm package `otlp-protos` (an alias of an OTel package that ships them) holds them. */
function protoDir(): string {
  return path.join(path.dirname(createRequire(import.meta.url).resolve('otlp-protos/package.json')), 'build', 'protos');
}

type Unary = (req: unknown, md: grpc.Metadata, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null) => void) => void;
type ServiceCtor = new (address: string, creds: grpc.ChannelCredentials) => grpc.Client & { Export: Unary };

let services: { trace: ServiceCtor; metrics: ServiceCtor } | undefined;

function loadServices(): { trace: ServiceCtor; metrics: ServiceCtor } {
  if (services) return services;
  const def = protoLoader.loadSync(
    ['opentelemetry/proto/collector/trace/v1/trace_service.proto', 'opentelemetry/proto/collector/metrics/v1/metrics_service.proto'],
    { includeDirs: [protoDir()], longs: String, enums: Number, defaults: false, oneofs: true },
  );
  const pkg = grpc.loadPackageDefinition(def) as unknown as {
    opentelemetry: { proto: { collector: { trace: { v1: { TraceService: ServiceCtor } }; metrics: { v1: { MetricsService: ServiceCtor } } } } };
  };
  services = { trace: pkg.opentelemetry.proto.collector.trace.v1.TraceService, metrics: pkg.opentelemetry.proto.collector.metrics.v1.MetricsService };
  return services;
}

export interface OtlpGrpcClientOptions {
  /** host:port, or http://host:port (plain text) / https://host:port (TLS). */
  url: string;
  headers?: Readonly<Record<string, string>>;
  insecure?: boolean;
  timeoutMs?: number;
  caFile?: string;
}

/**
 * A small OTLP/gRPC client over the official protos. px.export needs OTLP Summary points, which the
 * OTel JS SDK's encoders do not produce, so PxL exports are encoded from the protos directly.
 */
export class OtlpGrpcClient {
  private readonly trace: grpc.Client & { Export: Unary };
  private readonly metrics: grpc.Client & { Export: Unary };
  private readonly metadata = new grpc.Metadata();
  private readonly timeoutMs: number;

  constructor(opts: OtlpGrpcClientOptions) {
    const { trace, metrics } = loadServices();
    let address = opts.url.trim();
    let insecure = opts.insecure ?? false;
    const m = /^(https?):\/\/([^/]+)/i.exec(address);
    if (m) {
      insecure = m[1]!.toLowerCase() === 'http';
      address = m[2]!;
    }
    const creds = insecure ? grpc.credentials.createInsecure() : grpc.credentials.createSsl(opts.caFile ? readFileSync(opts.caFile) : undefined);
    this.trace = new trace(address, creds);
    this.metrics = new metrics(address, creds);
    for (const [k, v] of Object.entries(opts.headers ?? {})) this.metadata.set(k, v);
    this.timeoutMs = opts.timeoutMs ?? 10000;
  }

  /** Sends an ExportTraceServiceRequest (as a plain object in the protos' camelCase shape). */
  exportTraces(req: { resourceSpans: unknown[] }): Promise<void> {
    return this.call(this.trace, req);
  }

  /** Sends an ExportMetricsServiceRequest. */
  exportMetrics(req: { resourceMetrics: unknown[] }): Promise<void> {
    return this.call(this.metrics, req);
  }

  close(): void {
    this.trace.close();
    this.metrics.close();
  }

  private call(client: grpc.Client & { Export: Unary }, req: unknown): Promise<void> {
    return new Promise((resolve, reject) => {
      client.Export(req, this.metadata, { deadline: Date.now() + this.timeoutMs }, (e) => (e ? reject(e) : resolve()));
    });
  }
}

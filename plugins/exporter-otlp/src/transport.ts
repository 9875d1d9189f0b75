import { readFileSync } from 'node:fs';
import { credentials, Metadata } from '@grpc/grpc-js';
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as GrpcTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as HttpJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as HttpProtoTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { OTLPMetricExporter as GrpcMetricExporter } from '@opentelemetry/exporter-metrics-otlp-grpc';
import { OTLPMetricExporter as HttpJsonMetricExporter } from '@opentelemetry/exporter-metrics-otlp-http';
import { OTLPMetricExporter as HttpProtoMetricExporter } from '@opentelemetry/exporter-metrics-otlp-proto';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { OtlpOptions } from './options.js';

/** What the exporter needs of a signal's transport: send, then report success; never reject. */
export interface SignalSender<T> {
  send(items: T): Promise<ExportResult>;
  shutdown(): Promise<void>;
}

type TransportOptions = Pick<OtlpOptions, 'endpoint' | 'protocol' | 'headers' | 'insecure' | 'tls' | 'export_timeout_ms'>;

/** The endpoint as a URL: a bare host:port gets http:// when insecure, https:// otherwise. */
export function endpointUrl(opts: Pick<OtlpOptions, 'endpoint' | 'insecure'>, signalPath: string, protocol: OtlpOptions['protocol']): string {
  let url = opts.endpoint.trim();
  if (!/^[a-z]+:\/\//i.test(url)) url = `${opts.insecure ? 'http' : 'https'}://${url}`;
  if (protocol === 'grpc') return url;
  // OTLP/HTTP: a bare endpoint gets the signal's path (/v1/traces), as the OTel spec's env vars do.
  const u = new URL(url);
  if (u.pathname === '/' || u.pathname === '') u.pathname = signalPath;
  return u.toString();
}

function grpcConfig(opts: TransportOptions) {
  const url = endpointUrl(opts, '', 'grpc');
  const metadata = new Metadata();
  for (const [k, v] of Object.entries(opts.headers)) metadata.set(k, v);
  const read = (f: string) => (f ? readFileSync(f) : undefined);
  const creds = url.startsWith('http://')
    ? credentials.createInsecure()
    : credentials.createSsl(read(opts.tls.ca_file), read(opts.tls.key_file), read(opts.tls.cert_file));
  return { url, metadata, credentials: creds, timeoutMillis: opts.export_timeout_ms };
}

function httpConfig(opts: TransportOptions, path: string) {
  return { url: endpointUrl(opts, path, opts.protocol), headers: { ...opts.headers }, timeoutMillis: opts.export_timeout_ms };
}

interface CallbackExporter<T> {
  export(items: T, cb: (r: ExportResult) => void): void;
  shutdown(): Promise<void>;
}

function sender<T>(x: CallbackExporter<T>): SignalSender<T> {
  return {
    send: (items) =>
      new Promise((resolve) => {
        try {
          x.export(items, resolve);
        } catch (e) {
          resolve({ code: ExportResultCode.FAILED, error: e as Error });
        }
      }),
    shutdown: () => x.shutdown().catch(() => undefined),
  };
}

/** A span sender over OTLP/gRPC or OTLP/HTTP (protobuf or JSON), as the options say. */
export function createTraceSender(opts: TransportOptions): SignalSender<ReadableSpan[]> {
  if (opts.protocol === 'grpc') return sender(new GrpcTraceExporter(grpcConfig(opts)));
  const cfg = httpConfig(opts, '/v1/traces');
  return sender(opts.protocol === 'http/json' ? new HttpJsonTraceExporter(cfg) : new HttpProtoTraceExporter(cfg));
}

/** A metrics sender over OTLP/gRPC or OTLP/HTTP, as the options say. */
export function createMetricSender(opts: TransportOptions): SignalSender<ResourceMetrics> {
  if (opts.protocol === 'grpc') return sender(new GrpcMetricExporter(grpcConfig(opts)));
  const cfg = httpConfig(opts, '/v1/metrics');
  return sender(opts.protocol === 'http/json' ? new HttpJsonMetricExporter(cfg) : new HttpProtoMetricExporter(cfg));
}

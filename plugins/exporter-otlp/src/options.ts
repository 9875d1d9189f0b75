/** Tables whose rows are traced requests, and so become spans. */
export const REQUEST_TABLES = Object.freeze(['http_events', 'mysql_events', 'pgsql_events', 'redis_events', 'dns_events']);

/** Options under `plugins: { '@nixie/exporter-otlp': {...} }` in nixie.yaml (snake_case, as the rest of the file). */
export interface OtlpOptions {
  /** Collector address: host:port or a URL. Empty: the exporter is off. */
  endpoint: string;
  /** grpc (default, port 4317) or http/protobuf and http/json (OTLP/HTTP, port 4318, paths /v1/traces and /v1/metrics). */
  protocol: 'grpc' | 'http/protobuf' | 'http/json';
  headers: Record<string, string>;
  /** Plain text (no TLS). A URL's scheme wins: http:// is insecure, https:// is TLS. */
  insecure: boolean;
  tls: { ca_file: string; cert_file: string; key_file: string };
  /** Request tables that become spans. */
  tables: string[];
  /** Fraction of requests exported as spans (0..1); metrics count every request. */
  sampling: number;
  traces: boolean;
  metrics: boolean;
  /** Spans held while the collector is slow or away; beyond this, new spans are dropped and counted. */
  max_queue_size: number;
  max_export_batch_size: number;
  /** Longest a span waits for its batch to fill. */
  scheduled_delay_ms: number;
  /** Per export request, retries included. */
  export_timeout_ms: number;
  /** Backoff between failed exports of the same batch: doubles from min to max. */
  retry_min_ms: number;
  retry_max_ms: number;
  max_concurrent_exports: number;
  metrics_period_ms: number;
  /** Histogram bucket bounds for request latency, in seconds. */
  latency_buckets_s: number[];
  /** Service name by executable name (as in /proc/<pid>/comm); the executable name otherwise. */
  services: Record<string, string>;
  /** Most distinct (service, route, method, status) series kept for request metrics; more fold into route "other". */
  max_metric_series: number;
}

const DEFAULT_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** JSON schema of OtlpOptions; ajv fills the defaults. */
export const OPTIONS_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    endpoint: { type: 'string', default: '' },
    protocol: { enum: ['grpc', 'http/protobuf', 'http/json'], default: 'grpc' },
    headers: { type: 'object', additionalProperties: { type: 'string' }, default: {} },
    insecure: { type: 'boolean', default: false },
    tls: {
      type: 'object',
      additionalProperties: false,
      default: {},
      properties: {
        ca_file: { type: 'string', default: '' },
        cert_file: { type: 'string', default: '' },
        key_file: { type: 'string', default: '' },
      },
    },
    tables: { type: 'array', items: { enum: [...REQUEST_TABLES] }, default: [...REQUEST_TABLES] },
    sampling: { type: 'number', minimum: 0, maximum: 1, default: 1 },
    traces: { type: 'boolean', default: true },
    metrics: { type: 'boolean', default: true },
    max_queue_size: { type: 'integer', minimum: 1, default: 20480 },
    max_export_batch_size: { type: 'integer', minimum: 1, default: 512 },
    scheduled_delay_ms: { type: 'integer', minimum: 1, default: 1000 },
    export_timeout_ms: { type: 'integer', minimum: 1, default: 10000 },
    retry_min_ms: { type: 'integer', minimum: 1, default: 500 },
    retry_max_ms: { type: 'integer', minimum: 1, default: 30000 },
    max_concurrent_exports: { type: 'integer', minimum: 1, default: 2 },
    metrics_period_ms: { type: 'integer', minimum: 100, default: 10000 },
    latency_buckets_s: { type: 'array', items: { type: 'number', exclusiveMinimum: 0 }, default: DEFAULT_BUCKETS },
    services: { type: 'object', additionalProperties: { type: 'string' }, default: {} },
    max_metric_series: { type: 'integer', minimum: 1, default: 2000 },
  },
} as const;

/** Options with every default filled, for code that builds an exporter without the plugin host. */
export function defaultOptions(overrides: Partial<OtlpOptions> = {}): OtlpOptions {
  return {
    endpoint: '',
    protocol: 'grpc',
    headers: {},
    insecure: false,
    tls: { ca_file: '', cert_file: '', key_file: '' },
    tables: [...REQUEST_TABLES],
    sampling: 1,
    traces: true,
    metrics: true,
    max_queue_size: 20480,
    max_export_batch_size: 512,
    scheduled_delay_ms: 1000,
    export_timeout_ms: 10000,
    retry_min_ms: 500,
    retry_max_ms: 30000,
    max_concurrent_exports: 2,
    metrics_period_ms: 10000,
    latency_buckets_s: [...DEFAULT_BUCKETS],
    services: {},
    max_metric_series: 2000,
    ...overrides,
  };
}

import { ExportResultCode } from '@opentelemetry/core';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { ResourceMetrics } from '@opentelemetry/sdk-metrics';
import { BatchQueue, createLogger, type Exporter, type ExporterStats, type Logger, type RowBatch } from '@nixie/core';
import { MetricsAggregator } from './metrics.js';
import type { OtlpOptions } from './options.js';
import { createMappers, newRequestInfo, type RequestMapper } from './request-mapper.js';
import { RowSpan } from './row-span.js';
import { ServiceResolver } from './service.js';
import { createMetricSender, createTraceSender, type SignalSender } from './transport.js';

export interface OtlpExporterDeps {
  traceSender?: SignalSender<ReadableSpan[]>;
  metricSender?: SignalSender<ResourceMetrics>;
  services?: ServiceResolver;
  log?: Logger;
  /** Sampling decision; Math.random by default (a test passes a fixed sequence). */
  random?: () => number;
}

/** Figures beyond ExporterStats, for health views and the benchmark. */
export interface OtlpExporterStats extends ExporterStats {
  spansSampledOut: number;
  metricExports: number;
  metricFailures: number;
  metricSeriesFolded: number;
}

/**
 * Turns request rows into OTLP spans (one per row, kind from trace_role, times from time_ and
 * latency) and request/process rows into OTLP metrics. export() only maps and queues; sending
 * happens in batches off the data path, with retries, and spans beyond the queue bound are counted.
 */
export class OtlpExporter implements Exporter {
  readonly name = '@nixie/exporter-otlp';
  readonly tables: readonly string[];
  private readonly queue: BatchQueue<ReadableSpan>;
  private readonly traceSender: SignalSender<ReadableSpan[]>;
  private readonly metricSender: SignalSender<ResourceMetrics>;
  private readonly mappers = createMappers();
  private readonly services: ServiceResolver;
  private readonly metrics: MetricsAggregator;
  private readonly info = newRequestInfo();
  private readonly log: Logger;
  private readonly random: () => number;
  private readonly spanTables: ReadonlySet<string>;
  private metricsTimer: NodeJS.Timeout | undefined;
  private started = false;
  private stopped = false;
  private sampledOut = 0;
  private metricExports = 0;
  private metricFailures = 0;
  private lastError = '';
  private metricsDirty = false;

  constructor(
    private readonly opts: OtlpOptions,
    deps: OtlpExporterDeps = {},
  ) {
    this.log = deps.log ?? createLogger('info');
    this.random = deps.random ?? Math.random;
    this.services = deps.services ?? new ServiceResolver(opts.services);
    this.metrics = new MetricsAggregator(opts.latency_buckets_s, opts.max_metric_series);
    this.spanTables = new Set(opts.tables);
    this.tables = opts.metrics ? [...opts.tables, 'process_stats'] : [...opts.tables];
    this.traceSender = deps.traceSender ?? createTraceSender(opts);
    this.metricSender = deps.metricSender ?? createMetricSender(opts);
    this.queue = new BatchQueue<ReadableSpan>({
      maxQueueSize: opts.max_queue_size,
      maxBatchSize: opts.max_export_batch_size,
      delayMs: opts.scheduled_delay_ms,
      retryMinMs: opts.retry_min_ms,
      retryMaxMs: opts.retry_max_ms,
      maxConcurrent: opts.max_concurrent_exports,
      send: (spans) => this.sendSpans(spans),
    });
  }

  async start(): Promise<void> {
    if (this.started || this.stopped) return;
    this.started = true;
    if (this.opts.metrics) {
      this.metricsTimer = setInterval(() => void this.exportMetrics(), this.opts.metrics_period_ms);
      this.metricsTimer.unref();
    }
  }

  /** Maps rows to spans and metric points; never blocks, never throws on a row. */
  export(table: string, batch: RowBatch): void {
    if (this.stopped) {
      if (this.spanTables.has(table) && this.opts.traces) this.queue.countDropped(batch.length);
      return;
    }
    if (table === 'process_stats') {
      if (this.opts.metrics) {
        this.metrics.recordProcessStats(batch, this.services);
        this.metricsDirty = true;
      }
      return;
    }
    if (!this.spanTables.has(table)) return;
    const mapper = this.mappers.get(table);
    if (!mapper) return;
    this.exportRequests(table, mapper, batch);
  }

  private exportRequests(table: string, mapper: RequestMapper, batch: RowBatch): void {
    mapper.bind(batch);
    const info = this.info;
    const traces = this.opts.traces;
    const sampling = this.opts.sampling;
    for (let i = 0; i < batch.length; i++) {
      mapper.describe(i, info);
      const service = this.services.serviceName(info.pid, info.pidStart);
      if (this.opts.metrics) this.metrics.recordRequest(table, service, info);
      if (!traces) continue;
      if (sampling < 1 && this.random() >= sampling) {
        this.sampledOut++;
        continue;
      }
      const span = new RowSpan(
        info.name,
        info.kind,
        info.startNs,
        info.endNs,
        mapper.attributes(i, info),
        this.services.resource(service),
        info.error ? info.errorMessage : undefined,
      );
      this.queue.offer(span);
    }
    if (this.opts.metrics) this.metricsDirty = true;
  }

  async forceFlush(): Promise<void> {
    await Promise.all([this.queue.flush(this.opts.export_timeout_ms * 3), this.exportMetrics()]);
  }

  async shutdown(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.metricsTimer);
    await Promise.all([this.queue.shutdown(this.opts.export_timeout_ms), this.exportMetrics(true)]);
    await Promise.all([this.traceSender.shutdown(), this.metricSender.shutdown()]);
  }

  stats(): OtlpExporterStats {
    const q = this.queue.stats();
    return {
      ...q,
      spansSampledOut: this.sampledOut,
      metricExports: this.metricExports,
      metricFailures: this.metricFailures,
      metricSeriesFolded: this.metrics.folded,
    };
  }

  /** Sends the cumulative request and process metrics now (also runs every metrics_period_ms). */
  async exportMetrics(final = false): Promise<void> {
    if (!this.opts.metrics || (!this.metricsDirty && !final)) return;
    this.metricsDirty = false;
    // Cumulative points: a failed send loses nothing, the next one carries the totals.
    for (const rm of this.metrics.collect(this.services)) {
      const r = await this.metricSender.send(rm);
      if (r.code === ExportResultCode.SUCCESS) this.metricExports++;
      else {
        this.metricFailures++;
        this.metricsDirty = true;
        this.noteError('metrics', r.error);
      }
    }
  }

  private async sendSpans(spans: ReadableSpan[]): Promise<boolean> {
    const r = await this.traceSender.send(spans);
    if (r.code === ExportResultCode.SUCCESS) {
      this.lastError = '';
      return true;
    }
    this.noteError('traces', r.error);
    return false;
  }

  /** Logs a failure once until the next success, so an absent collector does not flood the log. */
  private noteError(signal: string, e: Error | undefined): void {
    const msg = `${signal}: ${e?.message ?? 'export failed'}`;
    if (msg === this.lastError) return;
    this.lastError = msg;
    this.log.warn(`${this.name}: export to ${this.opts.endpoint} failed (${msg}); retrying with backoff`);
  }
}

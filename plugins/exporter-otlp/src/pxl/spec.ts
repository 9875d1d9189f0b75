/**
 * What `px.export(df, px.otel.Data(...))` compiles to: plain JSON, so that it can travel in a plan.
 * A value is read from a column of the exported dataframe or is a literal.
 */
export type OtelValue = { readonly column: string } | { readonly value: string | number | boolean };

/** px.otel.metric.Gauge(name=..., value=df.col, description=..., unit=..., attributes={...}) */
export interface OtelGaugeSpec {
  readonly kind: 'gauge';
  readonly name: string;
  readonly description?: string;
  readonly unit?: string;
  readonly value: OtelValue;
  readonly attributes: Readonly<Record<string, OtelValue>>;
}

/** px.otel.metric.Summary(name=..., count=df.c, sum=df.s, quantile_values={0.5: df.p50, ...}, ...) */
export interface OtelSummarySpec {
  readonly kind: 'summary';
  readonly name: string;
  readonly description?: string;
  readonly unit?: string;
  readonly count: OtelValue;
  readonly sum: OtelValue;
  readonly quantileValues: ReadonlyArray<{ readonly quantile: number; readonly value: OtelValue }>;
  readonly attributes: Readonly<Record<string, OtelValue>>;
}

/** px.otel.trace.Span(name=..., start_time=df.a, end_time=df.b, trace_id=..., span_id=..., parent_span_id=..., kind=..., attributes={...}) */
export interface OtelSpanSpec {
  readonly kind: 'span';
  readonly name: OtelValue;
  readonly startTime: OtelValue;
  readonly endTime: OtelValue;
  readonly traceId?: OtelValue;
  readonly spanId?: OtelValue;
  readonly parentSpanId?: OtelValue;
  /** OTLP span kind: 1 internal, 2 server, 3 client, 4 producer, 5 consumer (px.otel.trace.SPAN_KIND_*). */
  readonly spanKind?: number;
  readonly attributes: Readonly<Record<string, OtelValue>>;
}

export type OtelDataSpec = OtelGaugeSpec | OtelSummarySpec | OtelSpanSpec;

/** px.otel.Endpoint(url=..., headers={...}, insecure=..., timeout=...) */
export interface OtelEndpointSpec {
  readonly url: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly insecure?: boolean;
  readonly timeoutSeconds?: number;
}

/** px.otel.Data(resource={...}, data=[...], endpoint=...) */
export interface OtelExportSpec {
  readonly resource: Readonly<Record<string, OtelValue>>;
  readonly data: readonly OtelDataSpec[];
  readonly endpoint?: OtelEndpointSpec;
}

/** One output of a PxL run: a px.display table, or a px.export sink with its spec. */
export interface PxlOutput {
  readonly name: string;
  readonly kind?: 'display' | 'export';
  readonly otel?: OtelExportSpec;
  readonly batches: readonly import('@nixie/core').RowBatch[];
}

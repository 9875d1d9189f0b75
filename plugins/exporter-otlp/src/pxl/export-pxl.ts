import { randomBytes } from 'node:crypto';
import { columnIndex, formatUpid, valueAt, type RowBatch, type UInt128 } from '@nixie/core';
import { SCOPE } from '../row-span.js';
import { OtlpGrpcClient, type OtlpGrpcClientOptions } from './otlp-grpc-client.js';
import type { OtelDataSpec, OtelExportSpec, OtelValue } from './spec.js';

/** What one px.export delivered. */
export interface PxlExportCounts {
  gauges: number;
  summaries: number;
  spans: number;
}

export interface ExportPxlOptions {
  /** A client to reuse; otherwise one is made for the spec's endpoint (or `endpoint`) and closed after. */
  client?: OtlpGrpcClient;
  /** Where to send when the script names no px.otel.Endpoint. */
  endpoint?: OtlpGrpcClientOptions;
  /** Time for rows without a time_ column (ns). */
  nowNs?: number;
}

type Scalar = string | number | boolean;
interface AnyValue {
  stringValue?: string;
  intValue?: string;
  doubleValue?: number;
  boolValue?: boolean;
}
interface KeyValue {
  key: string;
  value: AnyValue;
}

function anyValue(v: Scalar): AnyValue {
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { boolValue: v };
  return Number.isInteger(v) ? { intValue: String(v) } : { doubleValue: v };
}

/** ns (float64) as the decimal string a fixed64 field takes. */
function nanos(ns: number): string {
  return BigInt(Math.max(0, Math.round(ns))).toString();
}

/** Reads spec values from a batch's rows. */
class RowReader {
  private readonly idx = new Map<string, number>();
  constructor(private readonly batch: RowBatch) {}

  value(v: OtelValue, i: number): Scalar {
    if ('value' in v) return v.value;
    let j = this.idx.get(v.column);
    if (j === undefined) {
      j = columnIndex(this.batch.schema, v.column);
      this.idx.set(v.column, j);
    }
    if (j < 0) return '';
    const x = valueAt(this.batch.columns[j]!, i);
    return typeof x === 'object' ? formatUpid(x as UInt128) : x;
  }

  number(v: OtelValue, i: number): number {
    const x = this.value(v, i);
    return typeof x === 'number' ? x : typeof x === 'boolean' ? Number(x) : Number(x) || 0;
  }

  attributes(spec: Readonly<Record<string, OtelValue>>, i: number): KeyValue[] {
    return Object.entries(spec).map(([key, v]) => ({ key, value: anyValue(this.value(v, i)) }));
  }
}

/** A hex id of `bytes` bytes from a value, or a fresh random one when the value is not one. */
function id(v: Scalar | undefined, bytes: number): Buffer {
  if (typeof v === 'string' && v.length === bytes * 2 && /^[0-9a-f]+$/i.test(v)) return Buffer.from(v, 'hex');
  return randomBytes(bytes);
}

interface ResourceGroup {
  attributes: KeyValue[];
  metrics: Map<string, { name: string; description: string; unit: string; gauge?: { dataPoints: unknown[] }; summary?: { dataPoints: unknown[] } }>;
  spans: unknown[];
}

/**
 * Turns the rows of one px.export output into OTLP requests and sends them: each row gives one
 * point per Gauge/Summary (at the row's time_) and one span per Span, under the resource its
 * attributes name. Resolves with what was sent; rejects if the collector refused or was unreachable.
 */
export async function exportPxlResult(spec: OtelExportSpec, batches: readonly RowBatch[], opts: ExportPxlOptions = {}): Promise<PxlExportCounts> {
  const counts: PxlExportCounts = { gauges: 0, summaries: 0, spans: 0 };
  const groups = new Map<string, ResourceGroup>();
  const nowNs = opts.nowNs ?? Date.now() * 1e6;
  for (const batch of batches) {
    const r = new RowReader(batch);
    const hasTime = columnIndex(batch.schema, 'time_') >= 0;
    for (let i = 0; i < batch.length; i++) {
      const resource = r.attributes(spec.resource, i);
      const key = JSON.stringify(resource);
      let g = groups.get(key);
      if (!g) groups.set(key, (g = { attributes: resource, metrics: new Map(), spans: [] }));
      const time = hasTime ? nanos(r.number({ column: 'time_' }, i)) : nanos(nowNs);
      for (const d of spec.data) addRow(g, d, r, i, time, counts);
    }
  }
  if (groups.size === 0) return counts;
  const metrics = [...groups.values()].filter((g) => g.metrics.size > 0);
  const traces = [...groups.values()].filter((g) => g.spans.length > 0);
  const client = opts.client ?? new OtlpGrpcClient(clientOptions(spec, opts));
  try {
    if (metrics.length > 0) {
      await client.exportMetrics({
        resourceMetrics: metrics.map((g) => ({ resource: { attributes: g.attributes }, scopeMetrics: [{ scope: SCOPE, metrics: [...g.metrics.values()] }] })),
      });
    }
    if (traces.length > 0) {
      await client.exportTraces({
        resourceSpans: traces.map((g) => ({ resource: { attributes: g.attributes }, scopeSpans: [{ scope: SCOPE, spans: g.spans }] })),
      });
    }
  } finally {
    if (!opts.client) client.close();
  }
  return counts;
}

function clientOptions(spec: OtelExportSpec, opts: ExportPxlOptions): OtlpGrpcClientOptions {
  const e = spec.endpoint;
  if (e?.url) return { url: e.url, headers: e.headers, insecure: e.insecure, timeoutMs: e.timeoutSeconds ? e.timeoutSeconds * 1000 : undefined };
  if (opts.endpoint) return opts.endpoint;
  throw new Error('px.export: no px.otel.Endpoint in the script and no default endpoint configured for @nixie/exporter-otlp');
}

function addRow(g: ResourceGroup, d: OtelDataSpec, r: RowReader, i: number, time: string, counts: PxlExportCounts): void {
  if (d.kind === 'span') {
    const start = r.number(d.startTime, i);
    const end = r.number(d.endTime, i);
    const traceId = id(d.traceId && r.value(d.traceId, i), 16);
    const parent = d.parentSpanId && r.value(d.parentSpanId, i);
    g.spans.push({
      traceId,
      spanId: id(d.spanId && r.value(d.spanId, i), 8),
      ...(typeof parent === 'string' && parent.length === 16 ? { parentSpanId: Buffer.from(parent, 'hex') } : {}),
      name: String(r.value(d.name, i)),
      kind: d.spanKind ?? 1,
      startTimeUnixNano: nanos(start),
      endTimeUnixNano: nanos(end),
      attributes: r.attributes(d.attributes, i),
    });
    counts.spans++;
    return;
  }
  let m = g.metrics.get(d.name);
  if (!m) {
    m = { name: d.name, description: d.description ?? '', unit: d.unit ?? '' };
    if (d.kind === 'gauge') m.gauge = { dataPoints: [] };
    else m.summary = { dataPoints: [] };
    g.metrics.set(d.name, m);
  }
  const attributes = r.attributes(d.attributes, i);
  if (d.kind === 'gauge') {
    const v = r.value(d.value, i);
    const n = typeof v === 'number' ? v : Number(v) || 0;
    m.gauge!.dataPoints.push({ attributes, timeUnixNano: time, ...(Number.isInteger(n) ? { asInt: String(n) } : { asDouble: n }) });
    counts.gauges++;
  } else {
    m.summary!.dataPoints.push({
      attributes,
      timeUnixNano: time,
      count: String(Math.max(0, Math.round(r.number(d.count, i)))),
      sum: r.number(d.sum, i),
      quantileValues: d.quantileValues.map((q) => ({ quantile: q.quantile, value: r.number(q.value, i) })),
    });
    counts.summaries++;
  }
}

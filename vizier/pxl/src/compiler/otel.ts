// px.export and px.otel.* (Pixie's OpenTelemetry export), and px.plugin.start_time/end_time.
// Added by the exporters engineer (issue #6) as a separate file; the compiler calls in from px.ts,
// semantics.ts and compile.ts. The spec is plain JSON; @nixie/exporter-otlp turns rows + spec into OTLP.
import { DataType as T } from '@nixie/core';
import type { SyntaxNode } from '@lezer/common';
import type { PlanNode } from '../plan.js';
import type { CallArgs, Interpreter } from './interp.js';
import { findColumn, kindName, type Value } from './values.js';

/** A value of the spec: a column of the exported dataframe, or a literal. */
export type OtelValue = { readonly column: string } | { readonly value: string | number | boolean };

export type OtelDataSpec =
  | { kind: 'gauge'; name: string; description?: string; unit?: string; value: OtelValue; attributes: Record<string, OtelValue> }
  | {
      kind: 'summary';
      name: string;
      description?: string;
      unit?: string;
      count: OtelValue;
      sum: OtelValue;
      quantileValues: Array<{ quantile: number; value: OtelValue }>;
      attributes: Record<string, OtelValue>;
    }
  | {
      kind: 'span';
      name: OtelValue;
      startTime: OtelValue;
      endTime: OtelValue;
      traceId?: OtelValue;
      spanId?: OtelValue;
      parentSpanId?: OtelValue;
      spanKind?: number;
      attributes: Record<string, OtelValue>;
    };

/** What px.otel.Data(...) describes; carried by an output of kind 'export'. */
export interface OtelExportSpec {
  resource: Record<string, OtelValue>;
  data: OtelDataSpec[];
  endpoint?: { url: string; headers?: Record<string, string>; insecure?: boolean; timeoutSeconds?: number };
}

/** The window of a scheduled run: px.plugin.start_time / end_time. */
export interface PluginWindow {
  readonly startNs: number;
  readonly endNs: number;
}

const windows = new WeakMap<Interpreter, PluginWindow>();
/** A script run by hand (not by the scheduler) looks back this far. */
const DEFAULT_WINDOW_NS = 30e9;

/** Sets px.plugin.start_time/end_time for a compilation. */
export function setPluginWindow(ip: Interpreter, w: PluginWindow | undefined): void {
  if (w) windows.set(ip, w);
}

const SPAN_KINDS: Record<string, number> = {
  SPAN_KIND_UNSPECIFIED: 0,
  SPAN_KIND_INTERNAL: 1,
  SPAN_KIND_SERVER: 2,
  SPAN_KIND_CLIENT: 3,
  SPAN_KIND_PRODUCER: 4,
  SPAN_KIND_CONSUMER: 5,
};

const MEMBERS: Record<string, readonly string[]> = {
  'px.otel': ['Data', 'Endpoint', 'metric', 'trace'],
  'px.otel.metric': ['Gauge', 'Summary'],
  'px.otel.trace': ['Span', ...Object.keys(SPAN_KINDS)],
  'px.plugin': ['start_time', 'end_time'],
};

/** `<module>.<name>` for the px.otel and px.plugin modules. */
export function otelMember(ip: Interpreter, mod: string, name: string, node: SyntaxNode): Value {
  const known = MEMBERS[mod];
  if (!known) return ip.fail('NIXIE_ERR_PXL_UNSUPPORTED', node, `module ${mod}`);
  if (!known.includes(name)) return ip.unknown('NIXIE_ERR_PXL_UNKNOWN_FUNCTION', node, `${mod}.${name}`, undefined, known.map((k) => `${mod}.${k}`));
  if (mod === 'px.plugin') {
    const w = windows.get(ip) ?? { startNs: ip.nowNs - DEFAULT_WINDOW_NS, endNs: ip.nowNs };
    return { k: 'num', v: name === 'start_time' ? w.startNs : w.endNs, type: T.TIME64NS, semantic: 'time_ns' };
  }
  if (name in SPAN_KINDS) return { k: 'num', v: SPAN_KINDS[name]!, type: T.INT64 };
  if (name === 'metric' || name === 'trace') return { k: 'module', name: `${mod}.${name}` };
  return { k: 'pxfn', name: `${mod.slice(3)}.${name}` };
}

/** Marker key of the dict values that px.otel constructors return. */
const SPEC = '__otel_spec__';

function specValue(spec: unknown): Value {
  return { k: 'dict', entries: [[SPEC, { k: 'str', v: JSON.stringify(spec) }]] };
}

function specOf(v: Value | undefined): Record<string, unknown> | undefined {
  if (v?.k !== 'dict' || v.entries.length !== 1 || v.entries[0]![0] !== SPEC) return undefined;
  const s = v.entries[0]![1];
  return s.k === 'str' ? (JSON.parse(s.v) as Record<string, unknown>) : undefined;
}

function arg(a: CallArgs, name: string, pos: number): Value | undefined {
  return a.kw.get(name) ?? a.pos[pos];
}

function toValue(ip: Interpreter, v: Value | undefined, what: string, node: SyntaxNode): OtelValue {
  if (v?.k === 'col' && v.expr.kind === 'col') return { column: v.expr.name };
  if (v?.k === 'str' || v?.k === 'num' || v?.k === 'bool') return { value: v.v };
  return ip.fail('NIXIE_ERR_PXL_ARGS', node, `${what} must be a column of the exported dataframe or a constant, got ${v ? kindName(v) : 'nothing'}`);
}

function str(ip: Interpreter, v: Value | undefined, what: string, node: SyntaxNode, optional = false): string | undefined {
  if (v === undefined || v.k === 'none') return optional ? undefined : ip.fail('NIXIE_ERR_PXL_ARGS', node, `${what} is required`);
  if (v.k !== 'str') return ip.fail('NIXIE_ERR_PXL_ARGS', node, `${what} must be a string, got ${kindName(v)}`);
  return v.v;
}

function attributes(ip: Interpreter, v: Value | undefined, what: string, node: SyntaxNode): Record<string, OtelValue> {
  if (v === undefined || v.k === 'none') return {};
  if (v.k !== 'dict') return ip.fail('NIXIE_ERR_PXL_ARGS', node, `${what} must be a dict, got ${kindName(v)}`);
  return Object.fromEntries(v.entries.map(([k, x]) => [k, toValue(ip, x, `${what}['${k}']`, node)]));
}

/** Calls px.otel.Data / Endpoint / metric.Gauge / metric.Summary / trace.Span. */
export function callOtel(ip: Interpreter, name: string, a: CallArgs): Value {
  const n = a.node;
  switch (name) {
    case 'otel.metric.Gauge':
      return specValue({
        kind: 'gauge',
        name: str(ip, arg(a, 'name', 0), 'Gauge name', n),
        description: str(ip, a.kw.get('description'), 'description', n, true),
        unit: str(ip, a.kw.get('unit'), 'unit', n, true),
        value: toValue(ip, arg(a, 'value', 1), 'Gauge value', n),
        attributes: attributes(ip, a.kw.get('attributes'), 'attributes', n),
      });
    case 'otel.metric.Summary': {
      const q = a.kw.get('quantile_values');
      if (q?.k !== 'dict') return ip.fail('NIXIE_ERR_PXL_ARGS', n, 'Summary needs quantile_values={0.5: df.p50, ...}');
      return specValue({
        kind: 'summary',
        name: str(ip, arg(a, 'name', 0), 'Summary name', n),
        description: str(ip, a.kw.get('description'), 'description', n, true),
        unit: str(ip, a.kw.get('unit'), 'unit', n, true),
        count: toValue(ip, a.kw.get('count'), 'Summary count', n),
        sum: toValue(ip, a.kw.get('sum'), 'Summary sum', n),
        quantileValues: q.entries.map(([k, v]) => {
          const quantile = Number(k);
          if (!(quantile >= 0 && quantile <= 1)) ip.fail('NIXIE_ERR_PXL_ARGS', n, `quantile ${k} must be a number from 0 to 1`);
          return { quantile, value: toValue(ip, v, `quantile_values[${k}]`, n) };
        }),
        attributes: attributes(ip, a.kw.get('attributes'), 'attributes', n),
      });
    }
    case 'otel.trace.Span': {
      const kind = a.kw.get('kind');
      const opt = (k: string) => (a.kw.get(k) && a.kw.get(k)!.k !== 'none' ? toValue(ip, a.kw.get(k), k, n) : undefined);
      return specValue({
        kind: 'span',
        name: toValue(ip, arg(a, 'name', 0), 'Span name', n),
        startTime: toValue(ip, a.kw.get('start_time'), 'Span start_time', n),
        endTime: toValue(ip, a.kw.get('end_time'), 'Span end_time', n),
        traceId: opt('trace_id'),
        spanId: opt('span_id'),
        parentSpanId: opt('parent_span_id'),
        spanKind: kind?.k === 'num' ? kind.v : 2,
        attributes: attributes(ip, a.kw.get('attributes'), 'attributes', n),
      });
    }
    case 'otel.Endpoint': {
      const h = a.kw.get('headers');
      const headers: Record<string, string> = {};
      if (h && h.k === 'dict') for (const [k, v] of h.entries) headers[k] = str(ip, v, `headers['${k}']`, n)!;
      const insecure = a.kw.get('insecure');
      const timeout = a.kw.get('timeout');
      return specValue({
        url: str(ip, arg(a, 'url', 0), 'Endpoint url', n),
        headers,
        insecure: insecure?.k === 'bool' ? insecure.v : false,
        ...(timeout?.k === 'num' ? { timeoutSeconds: timeout.v } : {}),
      });
    }
    case 'otel.Data': {
      const data = a.kw.get('data') ?? a.pos[1];
      if (data?.k !== 'list') return ip.fail('NIXIE_ERR_PXL_ARGS', n, 'px.otel.Data needs data=[px.otel.metric.Gauge(...), ...]');
      const endpoint = a.kw.get('endpoint');
      return specValue({
        resource: attributes(ip, a.kw.get('resource') ?? a.pos[0], 'resource', n),
        data: data.items.map((d) => specOf(d) ?? ip.fail('NIXIE_ERR_PXL_ARGS', n, `px.otel.Data data holds px.otel.metric.* and px.otel.trace.Span, got ${kindName(d)}`)),
        ...(endpoint && endpoint.k !== 'none' ? { endpoint: specOf(endpoint) ?? ip.fail('NIXIE_ERR_PXL_ARGS', n, 'endpoint must be px.otel.Endpoint(...)') } : {}),
      });
    }
  }
  return ip.fail('NIXIE_ERR_PXL_UNKNOWN_FUNCTION', n, `px.${name}`, '');
}

/** px.export(df, px.otel.Data(...)): an output of kind 'export' carrying the spec. */
export function pxExport(ip: Interpreter, a: CallArgs): Value {
  const df = a.pos[0] ?? a.kw.get('out');
  if (df?.k !== 'df') return ip.fail('NIXIE_ERR_PXL_ARGS', a.node, `px.export needs a dataframe, got ${df ? kindName(df) : 'nothing'}`);
  const raw = specOf(a.pos[1] ?? a.kw.get('export_spec'));
  if (!raw) return ip.fail('NIXIE_ERR_PXL_ARGS', a.node, 'px.export needs px.otel.Data(...) as its second argument');
  const spec = raw as unknown as OtelExportSpec;
  checkColumns(ip, df.df.plan, spec, a.node);
  let name = 'export';
  for (let i = 1; ip.outputs.some((o) => o.name === name); i++) name = `export_${i}`;
  ip.outputs.push({ name, plan: df.df.plan, kind: 'export', otel: spec });
  return { k: 'none' };
}

/** Every column the spec reads must be in the exported dataframe; metrics need time_ (as in Pixie). */
function checkColumns(ip: Interpreter, plan: PlanNode, spec: OtelExportSpec, node: SyntaxNode): void {
  const rel = plan.relation;
  const seen = new Set<string>();
  const walk = (x: unknown): void => {
    if (x && typeof x === 'object') {
      if ('column' in x && typeof (x as { column: unknown }).column === 'string') seen.add((x as { column: string }).column);
      else for (const v of Object.values(x)) walk(v);
    }
  };
  walk(spec.resource);
  walk(spec.data);
  for (const c of seen) {
    if (!findColumn(rel, c)) ip.unknown('NIXIE_ERR_PXL_UNKNOWN_COLUMN', node, c, 'the exported dataframe', rel.map((r) => r.name));
  }
  if (spec.data.some((d) => d.kind !== 'span') && !findColumn(rel, 'time_')) {
    ip.fail('NIXIE_ERR_PXL_ARGS', node, 'px.export of metrics needs a time_ column in the dataframe (the points\' timestamps)');
  }
}

import { ValueType, type Attributes } from '@opentelemetry/api';
import {
  AggregationTemporality,
  DataPointType,
  type GaugeMetricData,
  type HistogramMetricData,
  type MetricData,
  type ResourceMetrics,
  type SumMetricData,
} from '@opentelemetry/sdk-metrics';
import { readers } from './columns.js';
import { SPAN_KIND, type RequestInfo } from './request-mapper.js';
import { hrTime, SCOPE } from './row-span.js';
import type { ServiceResolver } from './service.js';
import type { RowBatch } from '@nixie/core';

interface Series {
  service: string;
  attributes: Attributes;
  count: number;
  sum: number;
  min: number;
  max: number;
  buckets: Float64Array;
}

interface ProcessPoint {
  service: string;
  pid: number;
  timeNs: number;
  firstNs: number;
  userNs: number;
  systemNs: number;
  rss: number;
  vsize: number;
  threads: number;
}

/** A process not reported for this long is forgotten. */
const PROCESS_TTL_NS = 5 * 60e9;

/**
 * Request count and latency histogram per service, route, method and status, and process CPU and
 * memory per service and pid; cumulative since start, collected as OTel ResourceMetrics (one per service).
 */
export class MetricsAggregator {
  private readonly series = new Map<string, Series>();
  private readonly processes = new Map<string, ProcessPoint>();
  private readonly startNs = Date.now() * 1e6;
  /** Requests whose series did not fit under the bound and were folded into route "other". */
  folded = 0;

  constructor(
    private readonly bounds: readonly number[],
    private readonly maxSeries: number,
  ) {}

  /** Adds one request (from a request table's row). */
  recordRequest(table: string, service: string, info: RequestInfo): void {
    let route = info.route;
    let key = seriesKey(service, table, route, info);
    let s = this.series.get(key);
    if (!s) {
      if (this.series.size >= this.maxSeries) {
        route = 'other';
        this.folded++;
        key = seriesKey(service, table, route, info);
        s = this.series.get(key);
      }
      if (!s) {
        s = { service, attributes: seriesAttributes(table, route, info), count: 0, sum: 0, min: Infinity, max: -Infinity, buckets: new Float64Array(this.bounds.length + 1) };
        this.series.set(key, s);
      }
    }
    const seconds = info.durationNs / 1e9;
    s.count++;
    s.sum += seconds;
    if (seconds < s.min) s.min = seconds;
    if (seconds > s.max) s.max = seconds;
    let b = 0;
    while (b < this.bounds.length && seconds > this.bounds[b]!) b++;
    s.buckets[b]!++;
  }

  /** Takes the latest CPU and memory figures of each process in a process_stats batch. */
  recordProcessStats(batch: RowBatch, services: ServiceResolver): void {
    const c = readers(batch, ['time_', 'upid', 'cpu_utime_ns', 'cpu_ktime_ns', 'rss_bytes', 'vsize_bytes', 'num_threads'] as const);
    for (let i = 0; i < batch.length; i++) {
      const pid = c.upid.high(i);
      const start = c.upid.low(i);
      const key = `${pid}:${start}`;
      const t = c.time_.num(i);
      let p = this.processes.get(key);
      if (!p) {
        p = { service: services.serviceName(pid, start), pid, timeNs: 0, firstNs: t, userNs: 0, systemNs: 0, rss: 0, vsize: 0, threads: 0 };
        this.processes.set(key, p);
      }
      if (t < p.timeNs) continue;
      p.timeNs = t;
      p.userNs = c.cpu_utime_ns.num(i);
      p.systemNs = c.cpu_ktime_ns.num(i);
      p.rss = c.rss_bytes.num(i);
      p.vsize = c.vsize_bytes.num(i);
      p.threads = c.num_threads.num(i);
    }
  }

  /** Everything so far as ResourceMetrics, one per service; empty when nothing was recorded. */
  collect(services: ServiceResolver, nowNs = Date.now() * 1e6): ResourceMetrics[] {
    const byService = new Map<string, MetricData[]>();
    const now = hrTime(nowNs);
    const start = hrTime(this.startNs);
    const bucketsOf = (service: string) => {
      let m = byService.get(service);
      if (!m) byService.set(service, (m = []));
      return m;
    };
    const counts = new Map<string, SumMetricData>();
    const hists = new Map<string, HistogramMetricData>();
    for (const s of this.series.values()) {
      let count = counts.get(s.service);
      let hist = hists.get(s.service);
      if (!count || !hist) {
        count = sum('nixie.request.count', 'Requests seen by eBPF capture', '{request}', ValueType.INT);
        hist = {
          descriptor: { name: 'nixie.request.duration', description: 'Request latency seen by eBPF capture', unit: 's', valueType: ValueType.DOUBLE },
          aggregationTemporality: AggregationTemporality.CUMULATIVE,
          dataPointType: DataPointType.HISTOGRAM,
          dataPoints: [],
        };
        counts.set(s.service, count);
        hists.set(s.service, hist);
        bucketsOf(s.service).push(count, hist);
      }
      count.dataPoints.push({ startTime: start, endTime: now, attributes: s.attributes, value: s.count });
      hist.dataPoints.push({
        startTime: start,
        endTime: now,
        attributes: s.attributes,
        value: { count: s.count, sum: s.sum, min: s.min, max: s.max, buckets: { boundaries: [...this.bounds], counts: [...s.buckets] } },
      });
    }
    const procMetrics = new Map<string, { cpu: SumMetricData; rss: GaugeMetricData; vsize: GaugeMetricData; threads: GaugeMetricData }>();
    for (const [key, p] of this.processes) {
      if (nowNs - p.timeNs > PROCESS_TTL_NS) {
        this.processes.delete(key);
        continue;
      }
      let m = procMetrics.get(p.service);
      if (!m) {
        m = {
          cpu: sum('process.cpu.time', 'CPU time of the process', 's', ValueType.DOUBLE),
          rss: gauge('process.memory.usage', 'Resident memory of the process', 'By'),
          vsize: gauge('process.memory.virtual', 'Virtual memory of the process', 'By'),
          threads: gauge('process.thread.count', 'Threads of the process', '{thread}'),
        };
        procMetrics.set(p.service, m);
        bucketsOf(p.service).push(m.cpu, m.rss, m.vsize, m.threads);
      }
      const pStart = hrTime(p.firstNs);
      const pEnd = hrTime(p.timeNs);
      m.cpu.dataPoints.push(
        { startTime: pStart, endTime: pEnd, attributes: { 'process.pid': p.pid, 'cpu.mode': 'user' }, value: p.userNs / 1e9 },
        { startTime: pStart, endTime: pEnd, attributes: { 'process.pid': p.pid, 'cpu.mode': 'system' }, value: p.systemNs / 1e9 },
      );
      m.rss.dataPoints.push({ startTime: pEnd, endTime: pEnd, attributes: { 'process.pid': p.pid }, value: p.rss });
      m.vsize.dataPoints.push({ startTime: pEnd, endTime: pEnd, attributes: { 'process.pid': p.pid }, value: p.vsize });
      m.threads.dataPoints.push({ startTime: pEnd, endTime: pEnd, attributes: { 'process.pid': p.pid }, value: p.threads });
    }
    return [...byService].map(([service, metrics]) => ({ resource: services.resource(service), scopeMetrics: [{ scope: SCOPE, metrics }] }));
  }
}

function seriesKey(service: string, table: string, route: string, info: RequestInfo): string {
  return `${service}\u0000${table}\u0000${route}\u0000${info.method}\u0000${info.status}\u0000${info.kind}\u0000${info.error ? 1 : 0}`;
}

function sum(name: string, description: string, unit: string, valueType: ValueType): SumMetricData {
  return {
    descriptor: { name, description, unit, valueType },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.SUM,
    isMonotonic: true,
    dataPoints: [],
  };
}

function gauge(name: string, description: string, unit: string): GaugeMetricData {
  return {
    descriptor: { name, description, unit, valueType: ValueType.DOUBLE },
    aggregationTemporality: AggregationTemporality.CUMULATIVE,
    dataPointType: DataPointType.GAUGE,
    dataPoints: [],
  };
}

/** Series attributes by the semantic conventions of the request's protocol. */
function seriesAttributes(table: string, route: string, info: RequestInfo): Attributes {
  const a: Attributes = { 'nixie.table': table, 'nixie.trace_role': info.kind === SPAN_KIND.CLIENT ? 'client' : 'server' };
  if (table === 'http_events') {
    a['http.route'] = route;
    if (info.method) a['http.request.method'] = info.method;
    if (info.status) a['http.response.status_code'] = info.status;
  } else if (table === 'dns_events') {
    a['dns.question.type'] = route;
  } else {
    a['db.system'] = table === 'mysql_events' ? 'mysql' : table === 'pgsql_events' ? 'postgresql' : 'redis';
    a['db.operation.name'] = route;
  }
  if (info.error) a['error.type'] = info.status ? String(info.status) : 'error';
  return a;
}

import assert from 'node:assert/strict';
import { createLogger, DataType as T, TableStore, type RowBatch, type TableSchema } from '@nixie/core';
import { exportPxlResult, ScriptScheduler, type OtelExportSpec, type PxlOutput, type ScriptWindow } from '../../src/index.js';
import { OtlpReceiver } from '../receiver.js';

const SCHEMA: TableSchema = {
  name: 'latency_by_service',
  columns: [
    { name: 'time_', type: T.TIME64NS },
    { name: 'service', type: T.STRING },
    { name: 'count', type: T.INT64 },
    { name: 'p50', type: T.FLOAT64 },
    { name: 'p99', type: T.FLOAT64 },
    { name: 'total', type: T.FLOAT64 },
    { name: 'start', type: T.TIME64NS },
  ],
};

function batchOf(rows: Array<Record<string, unknown>>): RowBatch[] {
  const store = new TableStore({ budgetBytes: 8 * 1024 * 1024, schemas: [SCHEMA] });
  for (const r of rows) store.table(SCHEMA.name).appendRow(r);
  return store.table(SCHEMA.name).takeUnpublished();
}

const T0 = Math.floor(Date.now() / 1000) * 1e9;

function spec(url: string): OtelExportSpec {
  return {
    resource: { 'service.name': { column: 'service' }, 'deployment.environment': { value: 'test' } },
    data: [
      { kind: 'gauge', name: 'http.latency.p50', unit: 'ms', value: { column: 'p50' }, attributes: { source: { value: 'nixie' } } },
      {
        kind: 'summary',
        name: 'http.latency',
        unit: 'ms',
        count: { column: 'count' },
        sum: { column: 'total' },
        quantileValues: [
          { quantile: 0.5, value: { column: 'p50' } },
          { quantile: 0.99, value: { column: 'p99' } },
        ],
        attributes: {},
      },
      { kind: 'span', name: { value: 'window' }, startTime: { column: 'start' }, endTime: { column: 'time_' }, spanKind: 2, attributes: { 'nixie.count': { column: 'count' } } },
    ],
    endpoint: { url, headers: { 'x-api-key': 'k1' }, insecure: true },
  };
}

describe('px.export: PxL output rows to OTLP gauges, summaries and spans', function () {
  this.timeout(20000);
  let receiver: OtlpReceiver;
  beforeEach(async () => {
    receiver = new OtlpReceiver();
    await receiver.start();
  });
  afterEach(() => receiver.stop());

  it('sends one point per row and metric under the resource its attributes name', async () => {
    const batches = batchOf([
      { time_: T0, service: 'cart', count: 10, p50: 1.5, p99: 9.25, total: 30, start: T0 - 5e9 },
      { time_: T0, service: 'web', count: 4, p50: 2, p99: 3, total: 9, start: T0 - 5e9 },
    ]);
    const counts = await exportPxlResult(spec(receiver.url), batches);
    assert.deepEqual(counts, { gauges: 2, summaries: 2, spans: 2 });
    assert.equal(receiver.lastMetadata['x-api-key'], 'k1');
    const gauges = receiver.metrics.filter((m) => m.name === 'http.latency.p50');
    assert.deepEqual(gauges.map((g) => [g.resource['service.name'], g.type, g.points[0]!.value, g.points[0]!.timeNs]).sort(), [
      ['cart', 'gauge', 1.5, BigInt(T0)],
      ['web', 'gauge', 2, BigInt(T0)],
    ]);
    assert.equal(gauges[0]!.resource['deployment.environment'], 'test');
    assert.equal(gauges[0]!.points[0]!.attributes.source, 'nixie');
    const summary = receiver.metrics.find((m) => m.name === 'http.latency' && m.resource['service.name'] === 'cart')!;
    assert.equal(summary.type, 'summary');
    assert.equal(summary.points[0]!.count, 10);
    assert.equal(summary.points[0]!.sum, 30);
    assert.deepEqual(summary.points[0]!.quantiles, [
      { quantile: 0.5, value: 1.5 },
      { quantile: 0.99, value: 9.25 },
    ]);
    const span = receiver.spans.find((s) => s.resource['service.name'] === 'web')!;
    assert.equal(span.name, 'window');
    assert.equal(span.kind, 2);
    assert.equal(span.startNs, BigInt(T0 - 5e9));
    assert.equal(span.endNs, BigInt(T0));
    assert.equal(span.attributes['nixie.count'], 4);
  });

  it('rejects when the collector is unreachable, so that the caller can retry the window', async () => {
    await receiver.stop();
    const s = { ...spec(receiver.url), endpoint: { url: receiver.url, insecure: true, timeoutSeconds: 1 } };
    await assert.rejects(exportPxlResult(s, batchOf([{ time_: T0, service: 'a', count: 1, p50: 1, p99: 1, total: 1, start: T0 }])));
  });

  it('a scheduled script delivers each window exactly once, and a failed window with the next run', async () => {
    // The runner stands in for the broker: it returns one row per window (what a px.export script over
    // px.plugin.start_time..end_time would), so each gauge names its window.
    let clock = T0;
    let failNext = false;
    const windows: ScriptWindow[] = [];
    const run = async (_script: string, w: ScriptWindow): Promise<PxlOutput[]> => {
      windows.push(w);
      return [
        {
          name: 'export',
          kind: 'export',
          otel: {
            resource: { 'service.name': { value: 'sched' } },
            data: [{ kind: 'gauge', name: 'window.start', value: { column: 'count' }, attributes: { end: { column: 'service' } } }],
            endpoint: failNext ? { url: 'http://127.0.0.1:1', insecure: true, timeoutSeconds: 1 } : { url: receiver.url, insecure: true },
          },
          batches: batchOf([{ time_: w.endNs, service: String(w.endNs), count: w.startNs, p50: 0, p99: 0, total: 0, start: 0 }]),
        },
      ];
    };
    const sched = new ScriptScheduler({ scripts: [{ name: 'every10s', script: 'px.export(...)', period_seconds: 10 }], run, now: () => clock, log: createLogger('silent') });
    for (let k = 1; k <= 3; k++) {
      clock += 10e9;
      const e = await sched.runNow('every10s');
      assert.equal(e.error, undefined);
    }
    failNext = true;
    clock += 10e9;
    assert.ok((await sched.runNow('every10s')).error);
    failNext = false;
    clock += 10e9;
    await sched.runNow('every10s');
    const got = receiver.metrics.filter((m) => m.name === 'window.start').map((m) => [m.points[0]!.value, Number(m.points[0]!.attributes.end)]);
    // Windows: (T0, T0+10s], (+10, +20], (+20, +30]; then the failed (+30, +40] is retried as (+30, +50].
    assert.deepEqual(got, [
      [T0 - 10e9 + 10e9, T0 + 10e9],
      [T0 + 10e9, T0 + 20e9],
      [T0 + 20e9, T0 + 30e9],
      [T0 + 30e9, T0 + 50e9],
    ]);
    for (let k = 1; k < windows.length; k++) assert.equal(windows[k]!.startNs, k === 4 ? windows[3]!.startNs : windows[k - 1]!.endNs);
    const st = sched.stats().every10s!;
    assert.equal(st.runs, 5);
    assert.equal(st.failures, 1);
    assert.equal(st.gauges, 4);
    await sched.stop();
  });
});

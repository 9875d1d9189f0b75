import assert from 'node:assert/strict';
import { createLogger, TableStore, TABLES } from '@nixie/core';
import { compileScript, runLocal } from '@nixie/engine';
import { ScriptScheduler, type OtelExportSpec, type PxlOutput, type ScriptWindow } from '../../src/index.js';
import { OtlpReceiver } from '../receiver.js';

/** A scheduled export script as a user writes it: the window comes from px.plugin.start_time/end_time. */
const script = (url: string) => `
import px
df = px.DataFrame('http_events', start_time=px.plugin.start_time, end_time=px.plugin.end_time)
df = df.groupby('req_path').agg(n=('latency', px.count), time_=('time_', px.max), p50=('latency', px.mean))
px.export(df, px.otel.Data(
  resource={'service.name': 'nixie-sched'},
  data=[
    px.otel.metric.Gauge(name='http.requests', value=df.n, attributes={'path': df.req_path}),
    px.otel.metric.Summary(name='http.latency', count=df.n, sum=df.p50, quantile_values={0.5: df.p50}),
  ],
  endpoint=px.otel.Endpoint(url='${url}', headers={'x-sched': '1'}, insecure=True),
))
`;

describe('scheduled px.export script, compiled by @nixie/pxl and run by @nixie/engine', function () {
  this.timeout(20000);
  let receiver: OtlpReceiver;
  before(async () => {
    receiver = new OtlpReceiver();
    await receiver.start();
  });
  after(() => receiver.stop());

  it('delivers the gauges of each window exactly once', async () => {
    const store = new TableStore({ budgetBytes: 32 * 1024 * 1024 });
    const T0 = Math.floor(Date.now() / 1000) * 1e9;
    let clock = T0;
    // Rows spread over three 10 s windows: window k has k+1 requests to /w<k>.
    for (let k = 0; k < 3; k++) {
      for (let j = 0; j <= k; j++) {
        store.table('http_events').appendRow({ time_: T0 + k * 10e9 + 1e9 + j * 1e6, upid: { high: 1, low: 1 }, req_method: 'GET', req_path: `/w${k}`, resp_status: 200, latency: 1000 * (j + 1), trace_role: 2 });
      }
    }
    const run = async (src: string, w: ScriptWindow): Promise<PxlOutput[]> => {
      const compiled = compileScript(src, { schemas: TABLES, pluginWindow: w, nowNs: w.endNs });
      return runLocal(compiled, store).map((r) => {
        const o = compiled.outputs.find((x) => x.name === r.name);
        return { name: r.name, kind: o?.kind, otel: o?.otel as OtelExportSpec | undefined, batches: r.batches };
      });
    };
    const sched = new ScriptScheduler({
      scripts: [{ name: 'http-gauges', script: script(receiver.url), period_seconds: 10 }],
      run,
      now: () => clock,
      log: createLogger('silent'),
    });
    sched.start();
    await sched.stop();
    for (let k = 0; k < 3; k++) {
      clock += 10e9;
      const e = await sched.runNow('http-gauges');
      assert.equal(e.error, undefined);
      assert.deepEqual(e.exported, { gauges: 1, summaries: 1, spans: 0 });
    }
    // A fourth window with no rows exports nothing.
    clock += 10e9;
    assert.deepEqual((await sched.runNow('http-gauges')).exported, { gauges: 0, summaries: 0, spans: 0 });
    const gauges = receiver.metrics.filter((m) => m.name === 'http.requests');
    assert.deepEqual(
      gauges.map((g) => [g.points[0]!.attributes.path, g.points[0]!.value]),
      [
        ['/w0', 1],
        ['/w1', 2],
        ['/w2', 3],
      ],
      'one gauge per window, none twice',
    );
    assert.equal(gauges[0]!.resource['service.name'], 'nixie-sched');
    assert.equal(receiver.lastMetadata['x-sched'], '1');
    const summary = receiver.metrics.find((m) => m.name === 'http.latency' && m.points[0]!.count === 3)!;
    assert.equal(summary.type, 'summary');
    assert.deepEqual(summary.points[0]!.quantiles, [{ quantile: 0.5, value: 2000 }]);
  });

  it('reports px.export mistakes at compile time with the nearest column', () => {
    const bad = `
import px
df = px.DataFrame('http_events')
px.export(df, px.otel.Data(resource={'service.name': df.req_pth}, data=[]))
`;
    assert.throws(() => compileScript(bad, { schemas: TABLES }), /req_path/);
    const noTime = `
import px
df = px.DataFrame('http_events')
df = df.groupby('req_path').agg(n=('latency', px.count))
px.export(df, px.otel.Data(resource={}, data=[px.otel.metric.Gauge(name='x', value=df.n)]))
`;
    assert.throws(() => compileScript(noTime, { schemas: TABLES }), /time_/);
  });
});

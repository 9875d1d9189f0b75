import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createLogger, TableStore, validateConfig } from '@nixie/core';
import { startLocalVizier } from '@nixie/vizier';
import { scheduledRequest, startScheduledScripts } from '../src/scheduled.js';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..', '..');

interface Receiver {
  url: string;
  metrics: { name: string; points: { value: number; attributes: Record<string, unknown> }[] }[];
  start(): Promise<void>;
  stop(): Promise<void>;
}

describe('scheduled_scripts in nixie up', function () {
  this.timeout(30_000);

  it('tells bundle names and files from inline PxL', () => {
    assert.deepEqual(scheduledRequest('px/http_data'), { bundle: 'px/http_data' });
    assert.deepEqual(scheduledRequest('import px\npx.display(px.DataFrame("http_events"))'), { script: 'import px\npx.display(px.DataFrame("http_events"))' });
  });

  it('runs a px.export script through the broker every period and sends its gauges over OTLP', async () => {
    // The exporter package's own test receiver: a real OTLP/gRPC collector endpoint.
    const { OtlpReceiver } = (await import(pathToFileURL(path.join(repo, 'plugins/exporter-otlp/dist/test/receiver.js')).href)) as { OtlpReceiver: new () => Receiver };
    const receiver = new OtlpReceiver();
    await receiver.start();
    const store = new TableStore({ budgetBytes: 32 << 20 });
    const script = `import px
df = px.DataFrame('http_events', start_time=px.plugin.start_time, end_time=px.plugin.end_time)
df = df.groupby('req_path').agg(n=('latency', px.count), time_=('time_', px.max))
px.export(df, px.otel.Data(resource={'service.name': 'sched-test'}, data=[px.otel.metric.Gauge(name='nixie.test.requests', value=df.n, attributes={'path': df.req_path})]))
`;
    const config = validateConfig({
      vizier: { listen: '127.0.0.1:0' },
      scheduled_scripts: [{ name: 'gauges', script, period_seconds: 1 }],
      plugins: { '@nixie/exporter-otlp': { endpoint: receiver.url, insecure: true } },
    });
    const v = await startLocalVizier({ config, store, agentId: 'sched-agent' });
    // Wait for the local agent to register with vizier before the first run.
    for (let i = 0; i < 50 && v.vizier.registry.live().length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    const scheduler = await startScheduledScripts(config, v.vizier.broker, createLogger(process.env.NIXIE_TEST_VERBOSE ? 'debug' : 'silent'));
    try {
      assert.ok(scheduler, 'a scheduler runs');
      const deadline = Date.now() + 15_000;
      const append = setInterval(() => store.table('http_events').appendRow({ time_: Date.now() * 1e6, req_path: '/sched', latency: 5, trace_role: 2 }), 100);
      try {
        while (Date.now() < deadline && receiver.metrics.filter((m) => m.name === 'nixie.test.requests').length < 2) await new Promise((r) => setTimeout(r, 200));
      } finally {
        clearInterval(append);
      }
      const gauges = receiver.metrics.filter((m) => m.name === 'nixie.test.requests');
      assert.ok(gauges.length >= 2, `gauges from two windows, got ${gauges.length}`);
      for (const g of gauges) {
        assert.equal(g.points[0]!.attributes.path, '/sched');
        assert.ok(g.points[0]!.value > 0 && g.points[0]!.value <= 15, `a window's count: ${g.points[0]!.value}`);
      }
    } finally {
      await scheduler?.stop();
      await v.stop();
      await receiver.stop();
    }
  });
});

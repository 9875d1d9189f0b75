import assert from 'node:assert/strict';
import { createLogger, PluginHost, type Exporter } from '@nixie/core';
import plugin, { PLUGIN_NAME, type OtlpExporterStats } from '../src/index.js';
import { OtlpReceiver } from './receiver.js';
import { httpRow, newStore, OWN_COMM, publish, redisRow, T0, UPID } from './rows.js';

const FAST = {
  insecure: true,
  scheduled_delay_ms: 20,
  export_timeout_ms: 1000,
  retry_min_ms: 50,
  retry_max_ms: 200,
  metrics_period_ms: 100000,
};

async function boot(options: Record<string, unknown>): Promise<{ host: PluginHost; exporter: Exporter }> {
  const host = new PluginHost({ log: createLogger('silent') });
  host.register(plugin, options);
  await host.start();
  assert.equal(host.exporters.length, 1);
  return { host, exporter: host.exporters[0]! };
}

describe('@nixie/exporter-otlp against a real OTLP/gRPC receiver', function () {
  this.timeout(30000);
  let receiver: OtlpReceiver;
  let host: PluginHost | undefined;

  beforeEach(async () => {
    receiver = new OtlpReceiver();
    await receiver.start();
  });
  afterEach(async () => {
    await host?.stop();
    host = undefined;
    await receiver.stop();
  });

  it('is off, registering no exporter, when no endpoint is configured', async () => {
    host = new PluginHost({ log: createLogger('silent') });
    host.register(plugin, {});
    await host.start();
    assert.equal(host.exporters.length, 0);
  });

  it('rejects options outside its schema, naming the option', () => {
    const h = new PluginHost({ log: createLogger('silent') });
    assert.throws(() => h.register(plugin, { endpoint: 'x', sampling: 2 }), /option sampling/);
  });

  it('sends HTTP rows as SERVER spans and Redis rows as CLIENT spans with times, attributes and resource', async () => {
    let exporter: Exporter;
    ({ host, exporter } = await boot({ endpoint: `127.0.0.1:${receiver.port}`, headers: { 'x-team': 'nixie' }, ...FAST }));
    const store = newStore();
    store.table('http_events').appendRow(httpRow(1));
    store.table('http_events').appendRow(httpRow(2, { resp_status: 503, resp_message: 'Service Unavailable', req_method: 'POST', req_path: '/orders' }));
    store.table('redis_events').appendRow(redisRow(3));
    publish(store, host);
    await exporter.forceFlush();
    await receiver.waitFor(() => receiver.spans.length === 3, 5000, '3 spans');
    assert.equal(receiver.lastMetadata['x-team'], 'nixie');

    const get = receiver.spans.find((s) => s.name === 'GET /users/{id}')!;
    assert.ok(get, `spans: ${receiver.spans.map((s) => s.name).join(', ')}`);
    assert.equal(get.kind, 2 /* SPAN_KIND_SERVER */);
    assert.equal(get.endNs, BigInt(T0 + 1e6));
    assert.equal(get.startNs, BigInt(T0 + 1e6 - 2_500_000));
    assert.deepEqual(get.attributes['http.request.method'], 'GET');
    assert.equal(get.attributes['url.path'], '/users/1');
    assert.equal(get.attributes['url.query'], 'full=1');
    assert.equal(get.attributes['http.route'], '/users/{id}');
    assert.equal(get.attributes['http.response.status_code'], 200);
    assert.equal(get.attributes['server.address'], '127.0.0.1');
    assert.equal(get.attributes['server.port'], 8080);
    assert.equal(get.attributes['client.address'], '127.0.0.1');
    assert.equal(get.attributes['client.port'], 40001);
    assert.equal(get.attributes['network.protocol.version'], '1.1');
    assert.equal(get.attributes['process.pid'], UPID.high);
    assert.equal(get.status.code, 0);
    assert.equal(get.resource['service.name'], OWN_COMM);
    assert.ok(get.resource['host.name']);
    assert.match(get.traceId, /^[0-9a-f]{32}$/);
    assert.match(get.spanId, /^[0-9a-f]{16}$/);

    const post = receiver.spans.find((s) => s.name === 'POST /orders')!;
    assert.equal(post.status.code, 2 /* STATUS_CODE_ERROR */);
    assert.equal(post.status.message, 'Service Unavailable');

    const set = receiver.spans.find((s) => s.name === 'SET')!;
    assert.equal(set.kind, 3 /* SPAN_KIND_CLIENT */);
    assert.equal(set.attributes['db.system'], 'redis');
    assert.equal(set.attributes['db.operation.name'], 'SET');
    assert.equal(set.attributes['db.query.text'], 'SET ["k3","v"]');
    assert.equal(set.attributes['server.address'], '127.0.0.1');
    assert.equal(set.attributes['server.port'], 6379);
    assert.equal(set.startNs, BigInt(T0 + 3e6 - 300_000));
    assert.equal(new Set(receiver.spans.map((s) => s.traceId)).size, 3, 'each request is its own trace');
    assert.equal(exporter.stats().exported, 3);
    assert.equal(exporter.stats().dropped, 0);
  });

  it('maps gRPC requests to rpc.* attributes and the method as span name', async () => {
    let exporter: Exporter;
    ({ host, exporter } = await boot({ endpoint: receiver.url, ...FAST }));
    const store = newStore();
    store.table('http_events').appendRow(
      httpRow(1, {
        major_version: 2,
        minor_version: 0,
        content_type: 2,
        trace_role: 1,
        req_method: 'POST',
        req_path: '/helloworld.Greeter/SayHello',
        resp_headers: '{":status":"200","content-type":"application/grpc","grpc-status":"5"}',
      }),
    );
    publish(store, host);
    await exporter.forceFlush();
    await receiver.waitFor(() => receiver.spans.length === 1, 5000, 'the gRPC span');
    const s = receiver.spans[0]!;
    assert.equal(s.name, 'helloworld.Greeter/SayHello');
    assert.equal(s.kind, 3);
    assert.equal(s.attributes['rpc.system'], 'grpc');
    assert.equal(s.attributes['rpc.service'], 'helloworld.Greeter');
    assert.equal(s.attributes['rpc.method'], 'SayHello');
    assert.equal(s.attributes['rpc.grpc.status_code'], 5);
    assert.equal(s.attributes['network.protocol.version'], '2');
    assert.equal(s.attributes['server.port'], 40001, 'a client span names the peer as the server');
    assert.equal(s.status.code, 2);
  });

  it('sends request count, latency histogram and process CPU/memory as OTLP metrics', async () => {
    let exporter: Exporter;
    ({ host, exporter } = await boot({ endpoint: receiver.url, ...FAST, services: { [OWN_COMM]: 'checkout' } }));
    const store = newStore();
    for (let i = 0; i < 4; i++) store.table('http_events').appendRow(httpRow(i, { req_path: `/items/${i}` }));
    store.table('process_stats').appendRow({ time_: T0, upid: UPID, cpu_utime_ns: 3e9, cpu_ktime_ns: 1e9, rss_bytes: 50e6, vsize_bytes: 900e6, num_threads: 7 });
    publish(store, host);
    await exporter.forceFlush();
    await receiver.waitFor(() => receiver.metrics.length > 0, 5000, 'metrics');
    const byName = new Map(receiver.metrics.map((m) => [m.name, m]));
    const count = byName.get('nixie.request.count')!;
    assert.equal(count.resource['service.name'], 'checkout', 'metadata.services mapping names the service');
    assert.equal(count.type, 'sum');
    assert.equal(count.points.length, 1, 'ids in paths fold into one route');
    assert.equal(count.points[0]!.value, 4);
    assert.equal(count.points[0]!.attributes['http.route'], '/items/{id}');
    assert.equal(count.points[0]!.attributes['http.request.method'], 'GET');
    const hist = byName.get('nixie.request.duration')!;
    assert.equal(hist.type, 'histogram');
    assert.equal(hist.points[0]!.count, 4);
    assert.ok(Math.abs(hist.points[0]!.sum! - 4 * 0.0025) < 1e-9);
    assert.equal(hist.points[0]!.bucketCounts!.reduce((a, b) => a + b, 0), 4);
    const cpu = byName.get('process.cpu.time')!;
    assert.deepEqual(
      cpu.points.map((p) => [p.attributes['cpu.mode'], p.value]).sort(),
      [
        ['system', 1],
        ['user', 3],
      ],
    );
    assert.equal(byName.get('process.memory.usage')!.points[0]!.value, 50e6);
    assert.equal(byName.get('process.thread.count')!.points[0]!.value, 7);
  });

  it('loses no span while the receiver is away within the queue bound, and counts the drops beyond it', async () => {
    let exporter: Exporter;
    ({ host, exporter } = await boot({ endpoint: receiver.url, ...FAST, max_queue_size: 100, max_export_batch_size: 30, metrics: false }));
    const store = newStore();
    await receiver.stop();
    for (let i = 0; i < 80; i++) store.table('http_events').appendRow(httpRow(i));
    publish(store, host);
    // Let several sends fail and back off while the receiver is away.
    await new Promise((r) => setTimeout(r, 600));
    let st = exporter.stats() as OtlpExporterStats;
    assert.ok(st.failed >= 1, `failed sends: ${st.failed}`);
    assert.equal(st.queued, 80);
    await receiver.start();
    await exporter.forceFlush();
    await receiver.waitFor(() => receiver.spans.length === 80, 15000, '80 spans after the receiver came back');
    st = exporter.stats() as OtlpExporterStats;
    assert.equal(st.dropped, 0);
    assert.equal(st.exported, 80);
    assert.equal(new Set(receiver.spans.map((s) => s.attributes['client.port'])).size, 80, 'every span once');

    await receiver.stop();
    for (let i = 0; i < 130; i++) store.table('http_events').appendRow(httpRow(1000 + i));
    publish(store, host);
    st = exporter.stats() as OtlpExporterStats;
    assert.equal(st.dropped, 30, 'the 30 spans beyond the bound of 100 are counted');
    await receiver.start();
    await exporter.forceFlush();
    await receiver.waitFor(() => receiver.spans.length === 180, 15000, '100 more spans');
    st = exporter.stats() as OtlpExporterStats;
    assert.equal(st.exported, 180);
    assert.equal(st.queued, 0);
  });

  it('samples spans at the configured ratio while metrics still count every request', async () => {
    let exporter: Exporter;
    ({ host, exporter } = await boot({ endpoint: receiver.url, ...FAST, sampling: 0.25 }));
    const store = newStore();
    for (let i = 0; i < 400; i++) store.table('redis_events').appendRow(redisRow(i));
    publish(store, host);
    await exporter.forceFlush();
    const st = exporter.stats() as OtlpExporterStats;
    assert.equal(st.exported + st.spansSampledOut, 400);
    assert.ok(st.exported > 50 && st.exported < 150, `exported ${st.exported} of 400 at 0.25`);
    await receiver.waitFor(() => receiver.metrics.some((m) => m.name === 'nixie.request.count'), 5000, 'metrics');
    const count = receiver.metrics.find((m) => m.name === 'nixie.request.count')!;
    assert.equal(count.points.reduce((a, p) => a + p.value!, 0), 400);
  });

  it('drops and counts rows offered after shutdown', async () => {
    let exporter: Exporter;
    ({ host, exporter } = await boot({ endpoint: receiver.url, ...FAST, metrics: false }));
    await host.stop();
    const store = newStore();
    store.table('http_events').appendRow(httpRow(1));
    publish(store, host);
    assert.equal(exporter.stats().dropped, 1);
    host = undefined;
    assert.equal(PLUGIN_NAME, '@nixie/exporter-otlp');
  });
});

import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { canTraceBpf, startTestAgent, type Row, type TestAgent } from '@nixie/e2e';
import { OtlpReceiver, type ReceivedSpan } from './receiver.js';

/** One RESP command over a fresh connection to the Redis on this machine; resolves with the raw reply. */
function redis(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const c = net.connect(6379, '127.0.0.1', () => c.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(a)}\r\n${a}\r\n`).join('')}`));
    c.once('data', (d) => {
      resolve(d.toString());
      c.end();
    });
    c.on('error', reject);
  });
}

/** The span time the exporter should send for a row time (ns as float64), in ns. */
const asNs = (t: number) => BigInt(Math.floor(t / 1e9)) * 1_000_000_000n + BigInt(Math.round(t - Math.floor(t / 1e9) * 1e9));

describe('e2e: traced HTTP and Redis traffic becomes OTLP spans at a real receiver', function () {
  this.timeout(60_000);
  const why = canTraceBpf();
  let receiver: OtlpReceiver;
  let t: TestAgent;
  let server: http.Server;
  let port: number;

  before(async function () {
    if (why) {
      console.log(`    skipped: ${why}`);
      this.skip();
    }
    receiver = new OtlpReceiver();
    await receiver.start();
    t = await startTestAgent({
      plugins: ['@nixie/protocol-http', '@nixie/protocol-redis', '@nixie/exporter-otlp'],
      // Redis runs on this host: trace the client side too (Pixie's rule would leave it to the server).
      config: { agent: { role_policy: 'both' }, plugins: { '@nixie/exporter-otlp': { endpoint: receiver.url, scheduled_delay_ms: 50, metrics_period_ms: 500 } } },
    });
    server = http.createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.end('traced');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    server?.closeAllConnections();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    await t?.stop();
    await receiver?.stop();
  });

  it('sends a SERVER span per HTTP request and a CLIENT span per Redis command, with the rows times', async () => {
    await new Promise<void>((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/otlp-e2e?x=1' }, (res) => res.resume().on('end', resolve)).on('error', reject);
    });
    assert.equal(await redis('SET', 'nixie:otlp-e2e', 'v1'), '+OK\r\n');
    const [httpRow] = await t.waitForRows('http_events', (r: Row) => r.local_port === port && r.trace_role === 2 && r.req_path === '/otlp-e2e?x=1');
    const [redisRow] = await t.waitForRows('redis_events', (r: Row) => r.remote_port === 6379 && String(r.req_args).includes('nixie:otlp-e2e'));
    const isHttp = (s: ReceivedSpan) => s.attributes['url.path'] === '/otlp-e2e' && s.kind === 2;
    const isRedis = (s: ReceivedSpan) => s.attributes['db.system'] === 'redis' && String(s.attributes['db.query.text']).includes('nixie:otlp-e2e');
    await receiver.waitFor(() => receiver.spans.some(isHttp) && receiver.spans.some(isRedis), 15_000, 'the HTTP and Redis spans');

    const h = receiver.spans.find(isHttp)!;
    assert.equal(h.name, 'GET /otlp-e2e');
    assert.equal(h.kind, 2 /* SERVER */);
    assert.equal(h.attributes['http.request.method'], 'GET');
    assert.equal(h.attributes['url.query'], 'x=1');
    assert.equal(h.attributes['http.response.status_code'], 200);
    assert.equal(h.attributes['server.port'], port);
    assert.equal(h.attributes['client.address'], '127.0.0.1');
    assert.equal(h.attributes['process.pid'], process.pid);
    assert.equal(h.endNs, asNs(httpRow!.time_ as number));
    assert.ok(Number(h.endNs - h.startNs) > 0 && Math.abs(Number(h.endNs - h.startNs) - (httpRow!.latency as number)) <= 512, 'duration = latency (to float64 precision)');
    assert.ok(h.resource['service.name'], 'service.name set');
    assert.ok(h.resource['host.name'], 'host.name set');

    // role_policy both: this process is the HTTP client too, so the same request has a CLIENT span.
    await receiver.waitFor(() => receiver.spans.some((s) => s.attributes['url.path'] === '/otlp-e2e' && s.kind === 3), 15_000, 'the HTTP client span');
    const hc = receiver.spans.find((s) => s.attributes['url.path'] === '/otlp-e2e' && s.kind === 3)!;
    assert.equal(hc.attributes['server.port'], port, 'a client span names the peer as the server');

    const r = receiver.spans.find(isRedis)!;
    assert.equal(r.kind, 3 /* CLIENT */);
    assert.equal(r.name, 'SET');
    assert.equal(r.attributes['db.operation.name'], 'SET');
    assert.equal(r.attributes['server.port'], 6379);
    assert.equal(r.attributes['server.address'], '127.0.0.1');
    assert.equal(r.endNs, asNs(redisRow!.time_ as number));

    // The agent's health view carries the exporter's drop count.
    const x = t.agent.host.exporters.find((e) => e.name === '@nixie/exporter-otlp');
    assert.ok(x, 'the exporter is registered with the agent');
    assert.equal(x.stats().dropped, 0);
  });
});

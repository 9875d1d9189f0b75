// End to end: real gRPC (@grpc/grpc-js) and node:http2 traffic traced by the BPF agent into http_events.
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { TraceRole } from '@nixie/core';
import { canTraceBpf, startTestAgent, type Row, type TestAgent } from '@nixie/e2e';
import { UNDECODED_HEADER } from '../src/hpack.js';
import { chat, collectHellosSlowly, greeterClient, sayHello, sayHellos, startGreeter, type GreeterServer } from './greeter.js';

const headers = (r: Row, col: string) => JSON.parse(String(r[col])) as Record<string, string>;

describe('e2e: HTTP/2 and gRPC through BPF into http_events', function () {
  this.timeout(60_000);
  const why = canTraceBpf();
  let t: TestAgent;
  let greeter: GreeterServer;

  before(async function () {
    if (why) {
      console.log(`    skipped: ${why}`);
      this.skip();
    }
    t = await startTestAgent({ plugins: ['@nixie/protocol-http2'], config: { agent: { body_limit_bytes: 512 } } });
    greeter = await startGreeter();
  });

  after(async () => {
    await greeter?.close();
    await t?.stop();
  });

  const onGreeter = (r: Row) => r.local_port === greeter.port && r.major_version === 2;

  it('records gRPC unary calls (ok and error) with path, bodies and status from trailers', async () => {
    const client = greeterClient(greeter.port);
    try {
      assert.deepEqual(await sayHello(client, 'e2e'), { message: 'Hello e2e' });
      await sayHello(client, 'fail');
    } finally {
      client.close();
    }
    const rows = await t.waitForRows('http_events', (r) => onGreeter(r) && r.req_path === '/nixie.test.Greeter/SayHello', { min: 2 });
    const ok = rows.find((r) => r.req_body === '\\x0a\\x03e2e')!;
    assert.ok(ok, `rows: ${JSON.stringify(rows)}`);
    assert.equal(ok.req_method, 'POST');
    assert.equal(ok.content_type, 2);
    assert.equal(ok.resp_status, 200);
    assert.equal(ok.resp_body, '\\x0a\\x09Hello e2e');
    assert.equal(headers(ok, 'resp_headers')['grpc-status'], '0');
    assert.equal(headers(ok, 'req_headers')[UNDECODED_HEADER], undefined);
    assert.equal(ok.trace_role, TraceRole.SERVER);
    assert.equal(ok.remote_addr, '127.0.0.1');
    assert.ok((ok.latency as number) >= 0);
    const failed = rows.find((r) => r.req_body === '\\x0a\\x04fail')!;
    assert.equal(headers(failed, 'resp_headers')['grpc-status'], '5');
    assert.equal(failed.resp_message, 'no such greeting');
  });

  it('latency spans the whole call: last response byte - first request byte (handler delays 200 ms)', async () => {
    const client = greeterClient(greeter.port);
    const call = { t0: 0, t1: 0 };
    try {
      await sayHello(client, 'warm-up'); // the connection and its SETTINGS first
      call.t0 = Date.now() * 1e6;
      assert.deepEqual(await sayHello(client, 'slow'), { message: 'Hello slow' });
      call.t1 = Date.now() * 1e6;
      // A request whose own frames span ~300 ms (grpc-js may send the first message a little after write(), hence the
      // margin): only a half-stream timed from its first frame gives latency >= 200 ms.
      assert.equal(await collectHellosSlowly(client, 'early', 'late', 300), 'Hello early and late');
    } finally {
      client.close();
    }
    const [slow] = await t.waitForRows('http_events', (r) => onGreeter(r) && r.req_body === '\\x0a\\x04slow');
    const latency = slow!.latency as number;
    assert.ok(latency >= 200e6, `latency ${latency} ns`);
    const reqStart = (slow!.time_ as number) - latency;
    assert.ok(reqStart < (slow!.time_ as number), 'the request starts before the response ends');
    assert.ok(reqStart >= call.t0 - 50e6 && reqStart <= call.t1, `request start ${reqStart} within the call [${call.t0}, ${call.t1}]`);

    const [coll] = await t.waitForRows('http_events', (r) => onGreeter(r) && r.req_path === '/nixie.test.Greeter/CollectHellos' && String(r.req_body).includes('early'));
    assert.ok((coll!.latency as number) >= 200e6, `client-streaming latency ${String(coll!.latency)} ns covers its first message`);
  });

  it('records gRPC server streaming and bidi calls as one row each', async () => {
    const client = greeterClient(greeter.port);
    try {
      assert.equal((await sayHellos(client, 'many', 4)).length, 4);
      assert.deepEqual(await chat(client, ['p', 'q']), ['Hi p', 'Hi q']);
    } finally {
      client.close();
    }
    const [stream] = await t.waitForRows('http_events', (r) => onGreeter(r) && r.req_path === '/nixie.test.Greeter/SayHellos');
    assert.equal(String(stream!.resp_body).split('\n').length, 4);
    assert.match(String(stream!.resp_body), /Hello many #3/);
    const [bidi] = await t.waitForRows('http_events', (r) => onGreeter(r) && r.req_path === '/nixie.test.Greeter/Chat');
    assert.match(String(bidi!.req_body), /p\n.*q/);
    assert.match(String(bidi!.resp_body), /Hi p\n.*Hi q/);
  });

  it("records node:http2 requests (GET, POST, 404) on one session", async () => {
    const server = http2.createServer();
    server.on('stream', (stream, h) => {
      const parts: Buffer[] = [];
      stream.on('data', (c: Buffer) => parts.push(c));
      stream.on('end', () => {
        if (h[':path'] === '/h2/missing') {
          stream.respond({ ':status': 404 });
          stream.end();
          return;
        }
        stream.respond({ ':status': 200, 'content-type': 'application/json' });
        stream.end(JSON.stringify({ path: h[':path'], got: Buffer.concat(parts).length }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const session = http2.connect(`http://127.0.0.1:${port}`);
    const call = (h: http2.OutgoingHttpHeaders, body?: string) =>
      new Promise<void>((resolve, reject) => {
        const s = session.request(h);
        s.on('data', () => undefined);
        s.on('end', () => resolve());
        s.on('error', reject);
        s.end(body);
      });
    try {
      await call({ ':method': 'GET', ':path': '/h2/hello', 'x-test': 'e2e' });
      await call({ ':method': 'POST', ':path': '/h2/echo', 'content-type': 'application/json' }, '{"n":1}');
      await call({ ':method': 'GET', ':path': '/h2/missing' });
    } finally {
      session.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    const rows = await t.waitForRows('http_events', (r) => r.local_port === port && String(r.req_path).startsWith('/h2/'), { min: 3 });
    const by = Object.fromEntries(rows.map((r) => [String(r.req_path), r]));
    assert.equal(by['/h2/hello']!.resp_body, '{"path":"/h2/hello","got":0}');
    assert.equal(headers(by['/h2/hello']!, 'req_headers')['x-test'], 'e2e');
    assert.equal(by['/h2/echo']!.req_body, '{"n":1}');
    assert.equal(by['/h2/echo']!.req_method, 'POST');
    assert.equal(by['/h2/missing']!.resp_status, 404);
    for (const r of rows) assert.equal(r.major_version, 2);
  });
});

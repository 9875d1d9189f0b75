// Decodes bytes recorded from real gRPC (@grpc/grpc-js) and Node http2 peers through a TCP proxy.
import assert from 'node:assert/strict';
import http2 from 'node:http2';
import { MessageType, type DecodedRecord } from '@nixie/core';
import { createHttp2Decoder } from '../src/decoder.js';
import { UNDECODED_HEADER } from '../src/hpack.js';
import { findHttp2Boundary } from '../src/parse.js';
import { concat } from './builders.js';
import { drive, splits } from '@nixie/core/testing';
import { chat, collectHellos, greeterClient, sayHello, sayHellos, startGreeter } from './greeter.js';
import { startRecordingProxy, type RecordingProxy } from './record-proxy.js';

function decodeAll(toServer: Uint8Array[], toClient: Uint8Array[]): DecodedRecord[] {
  const dec = createHttp2Decoder();
  const state = dec.createState();
  const reqs = drive(dec, state, MessageType.REQUEST, toServer).frames;
  const resps = drive(dec, state, MessageType.RESPONSE, toClient).frames;
  return dec.stitch(reqs, resps, state).records;
}

const headers = (r: DecodedRecord, col: 'req_headers' | 'resp_headers') => JSON.parse(String(r[col])) as Record<string, string>;

describe('http2 decoder on recorded real traffic', function () {
  this.timeout(30_000);

  describe('gRPC (@grpc/grpc-js)', () => {
    let records: DecodedRecord[];
    let proxy: RecordingProxy;

    before(async () => {
      const server = await startGreeter();
      proxy = await startRecordingProxy(server.port);
      const client = greeterClient(proxy.port);
      try {
        assert.deepEqual(await sayHello(client, 'world'), { message: 'Hello world' });
        assert.deepEqual(await sayHello(client, 'again'), { message: 'Hello again' });
        const err = await sayHello(client, 'fail');
        assert.equal((err as { code?: number }).code, 5);
        assert.equal((await sayHellos(client, 'stream', 3)).length, 3);
        assert.equal(await collectHellos(client, ['a', 'b']), 'Hello a and b');
        assert.deepEqual(await chat(client, ['x', 'y']), ['Hi x', 'Hi y']);
      } finally {
        client.close();
        await server.close();
        await proxy.close();
      }
      records = decodeAll(proxy.toServer, proxy.toClient);
    });

    it('records every call, with method, path and gRPC content type', () => {
      assert.deepEqual(
        records.map((r) => r.req_path),
        ['SayHello', 'SayHello', 'SayHello', 'SayHellos', 'CollectHellos', 'Chat'].map((m) => `/nixie.test.Greeter/${m}`),
      );
      for (const r of records) {
        assert.equal(r.req_method, 'POST');
        assert.equal(r.content_type, 2);
        assert.equal(r.major_version, 2);
        assert.equal(r.resp_status, 200);
      }
    });

    it('shows protobuf message bytes as bodies', () => {
      assert.equal(records[0]!.req_body, '\\x0a\\x05world');
      assert.equal(records[0]!.resp_body, '\\x0a\\x0bHello world');
      assert.equal(records[0]!.req_body_size, 12);
    });

    it('decodes later calls through the dynamic table, nothing undecoded', () => {
      assert.equal(records[1]!.req_body, '\\x0a\\x05again');
      for (const r of records) {
        assert.equal(headers(r, 'req_headers')[UNDECODED_HEADER], undefined);
        assert.equal(headers(r, 'resp_headers')[UNDECODED_HEADER], undefined);
        assert.equal(headers(r, 'req_headers')['content-type'], 'application/grpc');
      }
    });

    it('takes the gRPC status and message from trailers', () => {
      assert.equal(headers(records[0]!, 'resp_headers')['grpc-status'], '0');
      assert.equal(records[0]!.resp_message, 'OK');
      assert.equal(headers(records[2]!, 'resp_headers')['grpc-status'], '5');
      assert.equal(records[2]!.resp_message, 'no such greeting');
    });

    it('shows every message of a streaming call', () => {
      assert.equal(String(records[3]!.resp_body).split('\n').length, 3);
      assert.match(String(records[4]!.req_body), /\\x0a\\x01a\n\\x0a\\x01b/);
      assert.match(String(records[5]!.resp_body), /Hi x\n.*Hi y/);
    });

    it('gives the same rows for the recorded bytes split at every boundary', () => {
      const whole = concat(...proxy.toServer);
      const expected = decodeAll([whole], proxy.toClient);
      assert.deepEqual(expected, records);
      let n = 0;
      for (const chunks of splits(whole.subarray(0, Math.min(whole.length, 600)))) {
        const rest = whole.subarray(Math.min(whole.length, 600));
        assert.deepEqual(decodeAll([...chunks, rest], proxy.toClient), expected);
        n++;
      }
      assert.ok(n > 100);
    });

    it('keeps requests when capture starts mid-connection, marking what it could not decode', () => {
      // Start at a frame boundary half-way through both directions: the HPACK tables are unknown.
      const req = concat(...proxy.toServer);
      const resp = concat(...proxy.toClient);
      const cut = (buf: Uint8Array, frac: number) => buf.subarray(findHttp2Boundary(buf, Math.floor(buf.length * frac)));
      const late = decodeAll([cut(req, 0.5)], [cut(resp, 0.5)]);
      assert.ok(late.length >= 1, 'some calls decoded');
      assert.ok(late.some((r) => r.resp_status === 200));
      // A side whose HEADERS came before the cut is kept too, marked as undecoded.
      for (const r of late) assert.ok(r.req_path !== '' || headers(r, 'req_headers')[UNDECODED_HEADER] !== undefined);
    });
  });

  it('decodes a gRPC call seen without the calls before it: undecoded headers marked, body still gRPC', async () => {
    const server = await startGreeter();
    const proxy = await startRecordingProxy(server.port);
    const client = greeterClient(proxy.port);
    const skip = { req: 0, resp: 0 };
    try {
      await sayHello(client, 'one');
      skip.req = proxy.toServer.length;
      skip.resp = proxy.toClient.length;
      await sayHello(client, 'two');
    } finally {
      client.close();
      await server.close();
      await proxy.close();
    }
    const [r, ...more] = decodeAll(proxy.toServer.slice(skip.req), proxy.toClient.slice(skip.resp));
    assert.equal(more.length, 0);
    assert.ok(Number(headers(r!, 'req_headers')[UNDECODED_HEADER]) > 0);
    assert.equal(r!.req_method, 'POST');
    assert.equal(r!.resp_status, 200);
    assert.equal(r!.content_type, 2);
    assert.equal(r!.req_body, '\\x0a\\x03two');
    assert.equal(r!.resp_body, '\\x0a\\x09Hello two');
  });

  describe("Node's http2 module", () => {
    it('records GET and POST with headers, bodies and status', async () => {
      const server = http2.createServer();
      server.on('stream', (stream, h) => {
        const parts: Buffer[] = [];
        stream.on('data', (c: Buffer) => parts.push(c));
        stream.on('end', () => {
          if (h[':path'] === '/missing') {
            stream.respond({ ':status': 404 });
            stream.end();
            return;
          }
          stream.respond({ ':status': 200, 'content-type': 'application/json', 'x-served-by': 'nixie-test' });
          stream.end(JSON.stringify({ path: h[':path'], got: Buffer.concat(parts).length }));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      const proxy = await startRecordingProxy((server.address() as { port: number }).port);
      const session = http2.connect(`http://127.0.0.1:${proxy.port}`);
      const call = (h: http2.OutgoingHttpHeaders, body?: string) =>
        new Promise<string>((resolve, reject) => {
          const s = session.request(h);
          const parts: Buffer[] = [];
          s.on('data', (c: Buffer) => parts.push(c));
          s.on('end', () => resolve(Buffer.concat(parts).toString()));
          s.on('error', reject);
          s.end(body);
        });
      try {
        await call({ ':method': 'GET', ':path': '/hello?x=1', 'user-agent': 'nixie-test' });
        await call({ ':method': 'POST', ':path': '/echo', 'content-type': 'application/json' }, '{"n":42}');
        await call({ ':method': 'GET', ':path': '/missing' });
      } finally {
        session.close();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await proxy.close();
      }
      const records = decodeAll(proxy.toServer, proxy.toClient);
      assert.deepEqual(
        records.map((r) => [r.req_method, r.req_path, r.resp_status]),
        [['GET', '/hello?x=1', 200], ['POST', '/echo', 200], ['GET', '/missing', 404]],
      );
      assert.equal(records[0]!.resp_body, '{"path":"/hello?x=1","got":0}');
      assert.equal(records[0]!.content_type, 1);
      assert.equal(headers(records[0]!, 'req_headers')['user-agent'], 'nixie-test');
      assert.equal(headers(records[0]!, 'resp_headers')['x-served-by'], 'nixie-test');
      assert.equal(records[1]!.req_body, '{"n":42}');
      assert.equal(records[2]!.resp_message, 'Not Found');
    });
  });
});

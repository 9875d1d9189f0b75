import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { batchToObjects, byteHeap, createLogger, PluginHost, PROTOCOL, TableStore, TraceRole, type RowBatch } from '@nixie/core';
import httpPlugin from '@nixie/protocol-http';
import { EventKind } from '@nixie/bpf';
import { ConnStats } from '../src/conn-stats.js';
import { Pipeline } from '../src/pipeline.js';
import { RecordWriter } from '../src/record-writer.js';
import { RolePolicy } from '../src/role-policy.js';
import { EventWriter, type SyntheticConn } from '../src/synthetic.js';

async function setup(policy: 'auto' | 'both' = 'auto', protocols: Record<string, boolean> = {}) {
  const host = new PluginHost({ log: createLogger('silent') });
  host.register(httpPlugin);
  await host.boot();
  const store = new TableStore({ budgetBytes: 16 * 1024 * 1024 });
  const writer = new RecordWriter(store, host);
  const connStats = new ConnStats();
  const pipeline = new Pipeline({
    host, writer, connStats, policy: new RolePolicy(policy, new Set(['10.0.0.5'])), protocols,
    limits: { bodyLimitBytes: 8, headersLimitBytes: 8192 }, clockOffsetNs: 1e12, idleNs: 1e9,
  });
  const rows = (table: string) => [...store.table(table).scan()].flatMap((b: RowBatch) => batchToObjects(b));
  return { host, store, pipeline, connStats, rows };
}

const server: SyntheticConn = { pid: 100, startTimeNs: 5e9, fd: 7, generation: 123456, protocol: PROTOCOL.http, role: TraceRole.SERVER };
const REQ = Buffer.from('POST /items HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\nhello world');
const RESP = Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');

describe('Pipeline (synthetic BPF events)', () => {
  it('turns a server-side exchange into an http_events row with socket columns', async () => {
    const { pipeline, rows } = await setup();
    const w = new EventWriter();
    w.open(server, 1000, ['127.0.0.1', 8080], ['127.0.0.1', 40000]);
    w.data(server, 2000, 1, 0, REQ.subarray(0, 20));
    w.data(server, 2500, 1, 20, REQ.subarray(20));
    w.data(server, 9000, 0, 0, RESP);
    pipeline.handleBatch(w.batch());
    const [r] = rows('http_events');
    assert.ok(r);
    assert.equal(r.req_method, 'POST');
    assert.equal(r.req_path, '/items');
    assert.equal(r.req_body, 'hello wo', 'cut at the configured 8 bytes');
    assert.equal(r.req_body_size, 11);
    assert.equal(r.resp_status, 200);
    assert.equal(r.latency, 7000);
    assert.equal(r.time_, 1e12 + 9000);
    assert.equal(r.trace_role, TraceRole.SERVER);
    assert.equal(r.remote_addr, '127.0.0.1');
    assert.equal(r.remote_port, 40000);
    assert.equal(r.local_port, 8080);
    assert.deepEqual(r.upid, { high: 100, low: 500 }, "start time in clock ticks (5 s = 500), as process_stats writes");
  });

  it('takes events out of ring order (a ring that wrapped mid-batch): bytes outside the staged span are copied on their own', async () => {
    const w = new EventWriter();
    w.open(server, 1000, ['127.0.0.1', 8080], ['127.0.0.1', 40000]);
    for (let i = 0; i < 6; i++) {
      const req = Buffer.from(`GET /n/${i} HTTP/1.1\r\nHost: x\r\n\r\n`);
      w.data(server, 2000 + i * 100, 1, i * req.length, req);
      w.data(server, 2050 + i * 100, 0, i * RESP.length, RESP);
    }
    const inOrder = w.batch();
    const expected = await setup();
    expected.pipeline.handleBatch(inOrder);
    // The same events, the second exchange's last: the batch's span (first offset to the last event's end) ends
    // there, and does not hold the exchanges after it, which wait in their streams for the bytes before them.
    const o = [...inOrder.offsets.subarray(0, inOrder.count)];
    const wrapped = { buf: inOrder.buf, offsets: Uint32Array.from([...o.slice(0, 3), ...o.slice(5), o[3]!, o[4]!]), count: inOrder.count };
    const got = await setup();
    got.pipeline.handleBatch(wrapped);
    const paths = (rs: Record<string, unknown>[]) => rs.map((r) => [r.req_path, r.resp_body, r.latency]);
    assert.equal(expected.rows('http_events').length, 6);
    assert.deepEqual(paths(got.rows('http_events')), paths(expected.rows('http_events')));
  });

  it('skips a local client side under the auto policy but traces one whose peer is elsewhere', async () => {
    const { pipeline, rows } = await setup();
    const local: SyntheticConn = { ...server, fd: 8, generation: 1, role: TraceRole.CLIENT };
    const remote: SyntheticConn = { ...server, fd: 9, generation: 2, role: TraceRole.CLIENT };
    const w = new EventWriter();
    w.open(local, 1, ['127.0.0.1', 40001], ['127.0.0.1', 8080]);
    w.open(remote, 1, ['10.0.0.5', 40002], ['93.184.216.34', 80]);
    for (const c of [local, remote]) {
      w.data(c, 10, 0, 0, REQ);
      w.data(c, 20, 1, 0, RESP);
    }
    pipeline.handleBatch(w.batch());
    const all = rows('http_events');
    assert.deepEqual(all.map((r) => [r.remote_addr, r.trace_role]), [['93.184.216.34', TraceRole.CLIENT]]);
  });

  it('switches off a connection whose bytes keep failing to parse, and counts it', async () => {
    const { pipeline, rows } = await setup();
    const w = new EventWriter();
    w.open(server, 1, ['127.0.0.1', 1], ['127.0.0.1', 2]);
    for (let i = 0; i < 10; i++) {
      w.data(server, 10 + i, 1, i * 5, Buffer.from('\x00\x01\x02\x03\x04'));
      pipeline.handleBatch(w.batch());
      w.reset();
    }
    assert.equal(pipeline.counters.connectionsOff, 1);
    assert.ok(pipeline.counters.decodeErrors >= 5);
    assert.equal(rows('http_events').length, 0);
  });

  it('honours agent.protocols: a protocol turned off is not decoded', async () => {
    const { pipeline, rows } = await setup('auto', { http: false });
    const w = new EventWriter();
    w.data(server, 10, 1, 0, REQ);
    w.data(server, 20, 0, 0, RESP);
    pipeline.handleBatch(w.batch());
    assert.equal(rows('http_events').length, 0);
  });

  it('flushes at close and reports conn_stats bytes from the close totals', async () => {
    const { pipeline, connStats, store, rows } = await setup();
    const w = new EventWriter();
    w.open(server, 1, ['127.0.0.1', 8080], ['127.0.0.1', 40000]);
    w.data(server, 10, 1, 0, REQ);
    w.data(server, 20, 0, 0, RESP);
    w.close(server, 30, RESP.length, REQ.length);
    const other: SyntheticConn = { ...server, fd: 11, generation: 99 };
    w.open(other, 1, ['127.0.0.1', 8080], ['127.0.0.1', 40000]);
    w.close(other, 2, 100, 50, EventKind.CONN_STATS);
    pipeline.handleBatch(w.batch());
    assert.equal(rows('http_events').length, 1);
    connStats.report(pipeline.conns.all(), store.table('conn_stats'), 123);
    const cs = rows('conn_stats');
    assert.equal(cs.length, 1);
    assert.equal(cs[0]!.conn_open, 2);
    assert.equal(cs[0]!.conn_close, 1);
    assert.equal(cs[0]!.conn_active, 1);
    assert.equal(cs[0]!.bytes_sent, RESP.length + 100);
    assert.equal(cs[0]!.bytes_recv, REQ.length + 50);
    assert.deepEqual(cs[0]!.upid, { high: 100, low: 500 }, 'upid in clock ticks, as in http_events');
  });

  it('expires idle connections', async () => {
    const { pipeline } = await setup();
    const w = new EventWriter();
    w.open(server, 1, ['127.0.0.1', 8080], ['127.0.0.1', 40000]);
    pipeline.handleBatch(w.batch());
    assert.equal(pipeline.conns.size, 1);
    assert.equal(pipeline.expire(0.5e9), 0);
    assert.equal(pipeline.expire(2e9), 1);
    assert.equal(pipeline.conns.size, 0);
  });

  it('runs processRecords taps before writing, and survives a throwing one', async () => {
    const { host, pipeline, rows } = await setup();
    host.hooks.processRecords.for('http').tap('redactor', (recs) => recs.map((r) => ({ ...r, req_body: '[redacted]' })));
    host.hooks.processRecords.for('http').tap('broken', () => {
      throw new Error('boom');
    });
    const w = new EventWriter();
    w.data(server, 10, 1, 0, REQ);
    w.data(server, 20, 0, 0, RESP);
    pipeline.handleBatch(w.batch());
    assert.equal(rows('http_events')[0]!.req_body, '[redacted]');
    assert.equal(host.pluginErrorCount(), 1);
  });

  it('writes the same rows, counters and leftovers whether events come in one batch or many', async () => {
    // Split, pipelined, junk, 1xx and HEAD exchanges: a message may end in a later batch than it starts.
    const exchanges: Array<[Buffer, Buffer]> = [
      [REQ, RESP],
      [Buffer.from('HEAD /h HTTP/1.1\r\nHost: x\r\n\r\n'), Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 99\r\n\r\n')],
      [Buffer.from('GET /a HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n'),
        Buffer.from('HTTP/1.1 200 OK\r\nContent-Length: 1\r\n\r\naHTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nbb\r\n0\r\n\r\n')],
      [Buffer.from('GET /c HTTP/1.1\r\n\r\n'), Buffer.from('HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n')],
    ];
    const w = new EventWriter(4 << 20);
    let ts = 100;
    for (let c = 0; c < 6; c++) {
      const conn: SyntheticConn = { ...server, fd: 200 + c, generation: 7000 + c };
      w.open(conn, ts, ['127.0.0.1', 8080], ['127.0.0.1', 42000 + c]);
      let sent = 0;
      let recv = 0;
      for (let k = 0; k < 60; k++) {
        const [req, resp] = exchanges[(c + k) % exchanges.length]!;
        // Some messages come in two events (split anywhere), some responses first in the ring, one junk run.
        const cut = (k * 7 + c) % (req.length + 8);
        if (cut > 0 && cut < req.length) {
          w.data(conn, (ts += 10), 1, recv, req.subarray(0, cut));
          w.data(conn, (ts += 10), 1, recv + cut, req.subarray(cut));
        } else {
          w.data(conn, (ts += 10), 1, recv, req);
        }
        recv += req.length;
        if (c === 5 && k === 30) {
          const junk = Buffer.from('\x00\x01junk\r\n');
          w.data(conn, (ts += 10), 0, sent, junk);
          sent += junk.length;
        }
        const rcut = (k * 5 + c) % (resp.length + 4);
        if (rcut > 0 && rcut < resp.length) {
          w.data(conn, (ts += 10), 0, sent, resp.subarray(0, rcut));
          w.data(conn, (ts += 10), 0, sent + rcut, resp.subarray(rcut));
        } else {
          w.data(conn, (ts += 10), 0, sent, resp);
        }
        sent += resp.length;
      }
    }
    const all = w.batch();
    const whole = await setup();
    whole.pipeline.handleBatch(all);
    for (const size of [1, 2, 3, 7, 64]) {
      const got = await setup();
      for (let i = 0; i < all.count; i += size) {
        const n = Math.min(size, all.count - i);
        got.pipeline.handleBatch({ buf: all.buf, offsets: all.offsets.subarray(i, i + n), count: n });
      }
      const a = got.rows('http_events');
      assert.equal(a.length, whole.rows('http_events').length, `batches of ${size}`);
      assert.deepEqual(a, whole.rows('http_events'), `batches of ${size}`);
      assert.deepEqual(got.pipeline.counters, whole.pipeline.counters, `batches of ${size}`);
      assert.equal(got.pipeline.bufferedBytes(), whole.pipeline.bufferedBytes(), `batches of ${size}`);
    }
    // A buffer that does not start word aligned is read byte by byte (eventWords): the same rows.
    const shifted = Buffer.alloc(all.buf.length + 2).subarray(2);
    all.buf.copy(shifted);
    const bytewise = await setup();
    for (let i = 0; i < all.count; i += 3) {
      const n = Math.min(3, all.count - i);
      bytewise.pipeline.handleBatch({ buf: shifted, offsets: all.offsets.subarray(i, i + n), count: n });
    }
    assert.deepEqual(bytewise.rows('http_events'), whole.rows('http_events'));
    const rs = whole.rows('http_events');
    assert.ok(rs.length > 300);
    assert.ok(rs.some((r) => r.req_method === 'HEAD' && r.resp_body === '' && r.resp_status === 200), 'HEAD answered without a body');
    assert.ok(rs.some((r) => r.req_path === '/b' && r.resp_body === 'bb'), 'pipelined');
  });

  it('gives the byte heap blocks of a closed connection back at once (streams and decoder arenas), not at a later GC', async () => {
    const { pipeline, rows } = await setup();
    const heap = byteHeap();
    const round = (from: number) => {
      const w = new EventWriter(1 << 20);
      for (let c = from; c < from + 200; c++) {
        const conn: SyntheticConn = { ...server, fd: 300 + c, generation: 50_000 + c };
        w.open(conn, 10, ['127.0.0.1', 8080], ['127.0.0.1', 43000 + (c % 20000)]);
        w.data(conn, 20, 1, 0, REQ);
        w.data(conn, 30, 0, 0, RESP);
        w.close(conn, 40, RESP.length, REQ.length);
      }
      pipeline.handleBatch(w.batch());
    };
    round(0);
    const before = heap.stats().inUse;
    // 2,000 more connections: each holds 16 KiB of blocks while open (two streams, two arenas).
    for (let r = 1; r <= 10; r++) round(r * 200);
    assert.equal(rows('http_events').length, 2200);
    assert.equal(pipeline.conns.size, 0);
    assert.ok(heap.stats().inUse <= before + 64 * 1024, `heap in use ${heap.stats().inUse} after, ${before} before`);
  });

  it('writes the same rows through stitchInto (staged, batch-appended) as through records and processRecords taps', async () => {
    const fast = await setup();
    const slow = await setup();
    // A pass-through tap: the record path (stitch, records, appendValues) must be taken.
    slow.host.hooks.processRecords.for('http').tap('pass', (recs) => recs);
    const gz = gzipSync(Buffer.from('{"zipped":true,"pad":"' + 'z'.repeat(40) + '"}'));
    const exchanges: Array<[Buffer, Buffer]> = [
      [REQ, RESP],
      [Buffer.from('GET /caf\xe9?q="x" HTTP/1.1\r\nX-Name: Jos\xe9 "the" \\ one\r\nAccept: */*\r\n\r\n', 'latin1'),
        Buffer.from('HTTP/1.1 404 Not Found\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n4\r\ndefg\r\n0\r\n\r\n')],
      [Buffer.from('GET /gz HTTP/1.1\r\nSet: 1\r\nSet: 2\r\n\r\n'),
        Buffer.concat([Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Encoding: gzip\r\nContent-Length: ${gz.length}\r\n\r\n`), gz])],
      [Buffer.from('HEAD /h HTTP/1.0\r\n\r\n'), Buffer.from('HTTP/1.0 200 OK\r\nContent-Length: 99\r\n\r\n')],
    ];
    // More rows than one staging holds (4096), over many connections, so staged rows are flushed midway too.
    const w = new EventWriter(16 << 20);
    let ts = 100;
    for (let c = 0; c < 50; c++) {
      const conn: SyntheticConn = { ...server, fd: 100 + c, generation: 9000 + c };
      w.open(conn, ts, ['127.0.0.1', 8080], ['127.0.0.1', 41000 + c]);
      let sent = 0;
      let recv = 0;
      for (let k = 0; k < 100; k++) {
        const [req, resp] = exchanges[(c + k) % exchanges.length]!;
        w.data(conn, (ts += 10), 1, recv, req);
        w.data(conn, (ts += 10), 0, sent, resp);
        recv += req.length;
        sent += resp.length;
      }
    }
    const batch = w.batch();
    fast.pipeline.handleBatch(batch);
    slow.pipeline.handleBatch(batch);
    const a = fast.rows('http_events');
    const b = slow.rows('http_events');
    assert.equal(a.length, 5000);
    assert.deepEqual(a, b);
    assert.deepEqual(JSON.parse(a[1]!.req_headers as string), { 'X-Name': 'José "the" \\ one', Accept: '*/*' });
    assert.equal(a[1]!.req_path, '/café?q="x"');
    assert.equal(a[1]!.resp_body, 'abcdefg'.slice(0, 8));
    assert.equal(a[2]!.resp_body, '{"zipped', 'inflated, then cut at 8 bytes');
    assert.deepEqual(JSON.parse(a[2]!.req_headers as string), { Set: '1, 2' });
  });
});

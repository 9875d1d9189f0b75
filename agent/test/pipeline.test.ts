import assert from 'node:assert/strict';
import { batchToObjects, createLogger, PluginHost, PROTOCOL, TableStore, TraceRole, type RowBatch } from '@nixie/core';
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
});

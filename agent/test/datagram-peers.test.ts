import assert from 'node:assert/strict';
import { batchToObjects, createLogger, PluginHost, PROTOCOL, TableStore, TraceRole, type NixiePlugin, type RowBatch } from '@nixie/core';
import { ConnStats } from '../src/conn-stats.js';
import { Pipeline } from '../src/pipeline.js';
import { RecordWriter } from '../src/record-writer.js';
import { RolePolicy } from '../src/role-policy.js';
import { EventWriter, type SyntheticConn } from '../src/synthetic.js';
import { bracketDecoder } from './bracket-decoder.js';

/** The toy bracket protocol, parsed one datagram at a time (as DNS over UDP). */
const datagramPlugin: NixiePlugin = {
  name: 'datagram-bracket',
  apply(host) {
    host.hooks.registerDecoders.tap('datagram-bracket', (r) => r.add({ ...bracketDecoder, transport: 'datagram' }));
  },
};

async function setup() {
  const host = new PluginHost({ log: createLogger('silent') });
  host.register(datagramPlugin);
  await host.boot();
  const store = new TableStore({ budgetBytes: 16 * 1024 * 1024 });
  const pipeline = new Pipeline({
    host, writer: new RecordWriter(store, host), connStats: new ConnStats(), policy: new RolePolicy('both', new Set()), protocols: {},
    clockOffsetNs: 0, idleNs: 1e9,
  });
  const rows = () => [...store.table('http_events').scan()].flatMap((b: RowBatch) => batchToObjects(b));
  return { pipeline, rows };
}

const udpServer: SyntheticConn = { pid: 100, startTimeNs: 5e9, fd: 9, generation: 77, protocol: PROTOCOL.http, role: TraceRole.SERVER };

describe('Pipeline: unconnected datagram sockets', () => {
  it('gives each record the peer its datagrams named (recvfrom/sendto), not the socket\'s 0.0.0.0:0', async () => {
    const { pipeline, rows } = await setup();
    const w = new EventWriter();
    w.open(udpServer, 1, ['127.0.0.1', 53], ['0.0.0.0', 0], 2);
    // Two clients interleaved: each answer goes back to its asker.
    w.data(udpServer, 10, 1, 0, Buffer.from('[q-a]'), ['127.0.0.1', 40001]);
    w.data(udpServer, 11, 1, 5, Buffer.from('[q-b]'), ['10.1.2.3', 40002]);
    w.data(udpServer, 20, 0, 0, Buffer.from('[r-b]'), ['10.1.2.3', 40002]);
    w.data(udpServer, 21, 0, 5, Buffer.from('[r-a]'), ['127.0.0.1', 40001]);
    w.data(udpServer, 30, 1, 10, Buffer.from('[q-c]'), ['::1', 40003]);
    w.data(udpServer, 31, 0, 10, Buffer.from('[r-c]'), ['::1', 40003]);
    pipeline.handleBatch(w.batch());
    const byReq = new Map(rows().map((r) => [r.req_path, r]));
    assert.equal(byReq.size, 3);
    for (const [req, addr, port, resp] of [['q-a', '127.0.0.1', 40001, 'r-a'], ['q-b', '10.1.2.3', 40002, 'r-b'], ['q-c', '::1', 40003, 'r-c']] as const) {
      const r = byReq.get(req);
      assert.ok(r, req);
      assert.equal(r.resp_body, resp, 'paired with the answer to the same peer');
      assert.equal(r.remote_addr, addr);
      assert.equal(r.remote_port, port);
      assert.equal(r.local_port, 53);
      assert.deepEqual(r.upid, { high: 100, low: 500 });
    }
    assert.equal(pipeline.conns.size, 1, 'one socket; its peers hang off it');
  });

  it('forgets idle peers, and the socket\'s peers go with it at close', async () => {
    const { pipeline, rows } = await setup();
    const w = new EventWriter();
    w.open(udpServer, 1, ['127.0.0.1', 53], ['0.0.0.0', 0], 2);
    w.data(udpServer, 10, 1, 0, Buffer.from('[old]'), ['127.0.0.1', 40001]);
    w.data(udpServer, 2e9, 1, 5, Buffer.from('[new]'), ['127.0.0.1', 40002]);
    pipeline.handleBatch(w.batch());
    const t = pipeline.conns.all()[0]!;
    assert.equal(t.peers?.size, 2);
    pipeline.expire(2.5e9);
    assert.equal(t.peers?.size, 1, 'the peer idle for over idleNs is gone');
    const w2 = new EventWriter();
    w2.data(udpServer, 2.6e9, 0, 0, Buffer.from('[ans]'), ['127.0.0.1', 40002]);
    w2.close(udpServer, 2.7e9, 5, 10);
    pipeline.handleBatch(w2.batch());
    assert.deepEqual(rows().map((r) => [r.req_path, r.remote_port]), [['new', 40002]]);
    assert.equal(pipeline.conns.size, 0);
  });
});

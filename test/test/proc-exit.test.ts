// A process that exits without closing its sockets gets no CONN_CLOSE: the agent drops its connections on PROC_EXIT.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { UInt128 } from '@nixie/core';
import { canTraceBpf, startTestAgent, type Row, type TestAgent } from '../src/index.js';

/** Connects, sends one request, and SIGKILLs itself on the first response bytes: no close() ever runs. */
const CLIENT = `const s = require('net').connect(+process.argv[1], '127.0.0.1', () => s.write('GET /exit HTTP/1.1\\r\\nhost: x\\r\\n\\r\\n'));
s.once('data', () => process.kill(process.pid, 'SIGKILL'));`;

describe('e2e: connections of a process that exits without closing', function () {
  this.timeout(60_000);
  const why = canTraceBpf();
  let t: TestAgent;
  let server: http.Server;

  before(async function () {
    if (why) {
      console.log(`    skipped: ${why}`);
      this.skip();
    }
    // role_policy both: the child's client side is traced too, so it has a tracker of its own.
    t = await startTestAgent({ plugins: ['@nixie/protocol-http'], config: { agent: { role_policy: 'both' } } });
    server = http.createServer((_q, s) => s.end('bye'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });

  after(async () => {
    server?.closeAllConnections();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
    await t?.stop();
  });

  it('are dropped on the exit event: conn_stats counts them closed, none stays active, the record is written', async () => {
    const { port } = server.address() as AddressInfo;
    const child = spawn(process.execPath, ['-e', CLIENT, String(port)], { stdio: 'ignore' });
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_c, sig) => resolve(sig)));
    assert.equal(signal, 'SIGKILL', 'the child died without closing');
    const pid = child.pid!;
    const ofChild = (r: Row) => (r.upid as UInt128).high === pid;

    const [rec] = await t.waitForRows('http_events', (r) => ofChild(r) && r.req_path === '/exit');
    assert.equal(rec!.resp_body, 'bye');

    // conn_stats: the child's connection is closed (by the exit), not active.
    const deadline = Date.now() + 10_000;
    let last: Row | undefined;
    while (Date.now() < deadline) {
      t.agent.poll();
      t.agent.reportConnStats();
      const rows = t.rows('conn_stats').filter(ofChild);
      last = rows[rows.length - 1];
      if (last && last.conn_active === 0) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(last, 'conn_stats rows for the child');
    assert.equal(last.conn_active, 0, `still active: ${JSON.stringify(last)}`);
    assert.equal(last.conn_close, 1);
    assert.equal(last.conn_open, 1);
    assert.ok((last.bytes_sent as number) > 0 && (last.bytes_recv as number) > 0);
  });
});

// upid convention end to end: a traced request's upid (from BPF) equals the one process_stats writes (from /proc).
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { batchToObjects, createLogger, TableStore, type UInt128 } from '@nixie/core';
import { processStatsSource } from '@nixie/source-process';
import { canTraceBpf, startTestAgent, type Row, type TestAgent } from '../src/index.js';

/** A Node HTTP server in a child process (its own pid and start time); prints its port. */
const SERVER = `require('http').createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1', function () { console.log(this.address().port); });`;

function get(port: number, path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => res.resume().on('end', resolve)).on('error', reject);
  });
}

describe('e2e: upid joins http_events, conn_stats and process_stats', function () {
  this.timeout(60_000);
  const why = canTraceBpf();
  let t: TestAgent;
  let child: ChildProcess | undefined;

  before(async function () {
    if (why) {
      console.log(`    skipped: ${why}`);
      this.skip();
    }
    t = await startTestAgent({ plugins: ['@nixie/protocol-http'] });
  });

  after(async () => {
    child?.kill('SIGKILL');
    await t?.stop();
  });

  it("a traced request's upid is {pid, start time in clock ticks}, the one process_stats writes for the same process", async () => {
    child = spawn(process.execPath, ['-e', SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
    const port = await new Promise<number>((resolve, reject) => {
      child!.once('error', reject);
      child!.stdout!.once('data', (d: Buffer) => resolve(Number(d.toString().trim())));
    });
    await get(port, '/upid');
    const [row] = await t.waitForRows('http_events', (r: Row) => r.req_path === '/upid' && r.local_port === port);
    const upid = row!.upid as UInt128;
    assert.equal(upid.high, child.pid);

    const store = new TableStore({ budgetBytes: 8 << 20 });
    const source = processStatsSource({ pids: [child.pid!], process_period_seconds: 1, network_period_seconds: 1, proc_path: '/proc' });
    await source.collect({ store, log: createLogger('silent'), nowNs: Date.now() * 1e6 });
    const [ps] = [...store.table('process_stats').scan()].flatMap(batchToObjects);
    assert.ok(ps, 'a process_stats row for the server');
    assert.deepEqual(upid, ps.upid, 'http_events.upid = process_stats.upid');

    t.agent.reportConnStats();
    const cs = t.rows('conn_stats').filter((r) => (r.upid as UInt128).high === child!.pid);
    assert.ok(cs.length > 0, 'conn_stats rows for the server');
    for (const r of cs) assert.deepEqual(r.upid, ps.upid, 'conn_stats.upid = process_stats.upid');
  });
});

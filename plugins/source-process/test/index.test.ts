import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { batchToObjects, createLogger, PluginHost, TableStore, type UInt128 } from '@nixie/core';
import plugin, { parseNetDev, parseStat } from '../src/index.js';

describe('@nixie/source-process', () => {
  it('parses /proc/<pid>/stat with spaces and parentheses in the command', () => {
    const fields = Array.from({ length: 50 }, (_, i) => String(i + 3));
    const s = parseStat(`77 (my (odd) cmd) ${fields.join(' ')}`)!;
    assert.equal(s.minorFaults, 10);
    assert.equal(s.majorFaults, 12);
    assert.equal(s.utimeNs, 14 * 1e7);
    assert.equal(s.numThreads, 20);
    assert.equal(s.startTicks, 22);
    assert.equal(s.rssBytes, 24 * 4096);
  });

  it('sums /proc/net/dev counters without loopback', () => {
    const text = `Inter-|   Receive                                                |  Transmit
 face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
    lo:  100 1 0 0 0 0 0 0 100 1 0 0 0 0 0 0
  eth0:  5000 10 1 2 0 0 0 0 7000 20 3 4 0 0 0 0
  eth1:  1000 5 0 0 0 0 0 0 1000 5 0 0 0 0 0 0
`;
    assert.deepEqual(parseNetDev(text), { rxBytes: 6000, rxPackets: 15, rxErrors: 1, rxDrops: 2, txBytes: 8000, txPackets: 25, txErrors: 3, txDrops: 4 });
  });

  it('writes process_stats for a real child process whose CPU and memory grow, with its upid', async function () {
    this.timeout(20_000);
    // A child that allocates 64 MiB and burns CPU, then waits.
    const child = spawn(process.execPath, ['-e', 'const b=Buffer.alloc(64<<20,1);let x=0;const t=Date.now();while(Date.now()-t<400)x+=Math.sqrt(x+1);setInterval(()=>b[0]++,1000)']);
    try {
      await new Promise((r) => setTimeout(r, 1200));
      const host = new PluginHost({ log: createLogger('silent') });
      host.register(plugin, { pids: [child.pid!] });
      await host.boot();
      const store = new TableStore({ budgetBytes: 64 << 20 });
      for (const s of host.sources) await s.collect({ store, log: host.log, nowNs: Date.now() * 1e6 });
      const [row] = [...store.table('process_stats').scan()].flatMap(batchToObjects);
      assert.ok(row, 'a process_stats row');
      const upid = row.upid as UInt128;
      assert.equal(upid.high, child.pid);
      const startTicks = Number(readFileSync(`/proc/${child.pid}/stat`, 'latin1').split(') ')[1]!.split(' ')[19]);
      assert.equal(upid.low, startTicks);
      assert.ok((row.rss_bytes as number) > 64 * 1024 * 1024, `rss ${String(row.rss_bytes)}`);
      assert.ok((row.cpu_utime_ns as number) > 0.2e9, `utime ${String(row.cpu_utime_ns)}`);
      assert.ok((row.num_threads as number) >= 1);
      const net = [...store.table('network_stats').scan()].flatMap(batchToObjects);
      assert.equal(net.length, 1);
      assert.equal(net[0]!.pod_id, 'host');
    } finally {
      child.kill('SIGKILL');
    }
  });
});

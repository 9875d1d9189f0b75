import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { threadSchedPolicy } from '@nixie/bpf';
import { canTraceBpf, startTestAgent, type TestAgent } from '../src/index.js';

const SCHED_OTHER = 0;
const SCHED_BATCH = 3;

/** One GET to a server of this process, on a fresh connection; resolves with the server's port. */
async function oneRequest(path: string): Promise<number> {
  const server = http.createServer((_req, res) => res.end('ok'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => res.resume().on('end', resolve)).on('error', reject);
  });
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  return port;
}

describe('e2e: agent.bpf_hooks and agent.sched_policy', function () {
  this.timeout(60_000);
  const why = canTraceBpf();
  let t: TestAgent | undefined;

  before(function () {
    if (why) {
      console.log(`    skipped: ${why}`);
      this.skip();
    }
  });
  afterEach(async () => {
    await t?.stop();
    t = undefined;
  });

  it("'tracepoint' (the fallback, forced) records HTTP through the syscall tracepoints and reports it", async () => {
    t = await startTestAgent({ plugins: ['@nixie/protocol-http'], config: { agent: { bpf_hooks: 'tracepoint' } } });
    assert.equal(t.agent.stats().bpfHooks, 'tracepoint');
    const port = await oneRequest('/hooks-tracepoint');
    const rows = await t.waitForRows('http_events', (r) => r.local_port === port && r.req_path === '/hooks-tracepoint');
    assert.equal(rows[0]!.resp_body, 'ok');
  });

  it("'raw_tracepoint' (x86_64, forced) records HTTP through the sys_exit raw tracepoint and reports it", async function () {
    if (process.arch !== 'x64') {
      console.log(`      skipped: the raw tracepoint variant is built on x86_64 only (this is ${process.arch})`);
      this.skip();
    }
    t = await startTestAgent({ plugins: ['@nixie/protocol-http'], config: { agent: { bpf_hooks: 'raw_tracepoint' } } });
    assert.equal(t.agent.stats().bpfHooks, 'raw_tracepoint');
    const port = await oneRequest('/hooks-raw');
    const rows = await t.waitForRows('http_events', (r) => r.local_port === port && r.req_path === '/hooks-raw');
    assert.equal(rows[0]!.resp_body, 'ok');
  });

  it("'auto' (default) reports the hook kind in use and records HTTP", async () => {
    t = await startTestAgent({ plugins: ['@nixie/protocol-http'] });
    assert.ok(['fexit', 'raw_tracepoint', 'tracepoint'].includes(t.agent.stats().bpfHooks), t.agent.stats().bpfHooks);
    const port = await oneRequest('/hooks-auto');
    await t.waitForRows('http_events', (r) => r.local_port === port && r.req_path === '/hooks-auto');
    // The data path's bytes were in the byte heap, all of them.
    const s = t.agent.stats();
    assert.ok(s.byteHeapBytes > 0 && s.byteHeapUsedBytes > 0 && s.byteHeapUsedBytes <= s.byteHeapBytes, JSON.stringify(s));
    assert.equal(s.byteHeapOutside, 0);
  });

  it('drains as SCHED_BATCH by default (as the kernel reports it) and gives the thread its default back at stop', async () => {
    assert.equal(threadSchedPolicy(), SCHED_OTHER);
    t = await startTestAgent({ plugins: ['@nixie/protocol-http'] });
    assert.equal(threadSchedPolicy(), SCHED_BATCH);
    // The kernel's own view of the thread, not the helper's reading of it.
    assert.match(readFileSync(`/proc/${process.pid}/sched`, 'latin1'), /^policy\s+:\s+3$/m);
    await t.stop();
    t = undefined;
    assert.equal(threadSchedPolicy(), SCHED_OTHER);
  });

  it("sched_policy 'other' leaves the thread's policy alone", async () => {
    t = await startTestAgent({ plugins: ['@nixie/protocol-http'], config: { agent: { sched_policy: 'other' } } });
    assert.equal(threadSchedPolicy(), SCHED_OTHER);
  });
});

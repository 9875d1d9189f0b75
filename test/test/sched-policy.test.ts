import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { threadSchedPolicy } from '@nixie/bpf';
import { canTraceBpf, startTestAgent, type TestAgent } from '../src/index.js';

const SCHED_OTHER = 0;
const SCHED_BATCH = 3;

describe('e2e: agent.sched_policy', function () {
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

  it("'other' leaves the thread's policy alone", async () => {
    t = await startTestAgent({ plugins: ['@nixie/protocol-http'], config: { agent: { sched_policy: 'other' } } });
    assert.equal(threadSchedPolicy(), SCHED_OTHER);
  });
});

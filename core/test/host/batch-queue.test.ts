import assert from 'node:assert/strict';
import { BatchQueue, type SendResult } from '../../src/index.js';

function queue(send: (b: number[]) => Promise<SendResult<number>>, max = 10) {
  return new BatchQueue<number>({ maxQueueSize: max, maxBatchSize: 4, delayMs: 5, retryMinMs: 5, retryMaxMs: 20, maxConcurrent: 2, send });
}

describe('BatchQueue', () => {
  it('sends in batches of at most maxBatchSize and counts what it exported', async () => {
    const sent: number[][] = [];
    const q = queue(async (b) => {
      sent.push(b);
      return true;
    });
    for (let i = 0; i < 9; i++) q.offer(i);
    await q.flush(1000);
    assert.ok(sent.every((b) => b.length <= 4));
    assert.deepEqual(sent.flat().sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(q.stats(), { exported: 9, dropped: 0, rejected: 0, failed: 0, queued: 0 });
  });

  it('keeps a failed batch and sends it again after a backoff; drops beyond the bound are counted', async () => {
    let fail = 3;
    const got: number[] = [];
    const q = queue(async (b) => {
      if (fail-- > 0) return false;
      got.push(...b);
      return true;
    });
    for (let i = 0; i < 12; i++) q.offer(i);
    await q.flush(2000);
    assert.deepEqual(got.sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    const st = q.stats();
    assert.equal(st.dropped, 2);
    assert.equal(st.failed, 3);
    assert.equal(st.exported, 10);
  });

  it('retries only the items a partial result names and counts the rejected ones as dropped', async () => {
    let first = true;
    const got: number[] = [];
    const q = queue(async (b) => {
      if (first) {
        first = false;
        // 0 delivered, 1 refused for good, 2 and 3 to be sent again.
        got.push(b[0]!);
        return { retry: [b[2]!, b[3]!], rejected: 1 };
      }
      got.push(...b);
      return true;
    });
    for (let i = 0; i < 4; i++) q.offer(i);
    await q.flush(1000);
    assert.deepEqual(got.sort(), [0, 2, 3]);
    assert.deepEqual(q.stats(), { exported: 3, dropped: 1, rejected: 1, failed: 1, queued: 0 });
  });

  it('a send that rejects counts as a failure, never an unhandled rejection', async () => {
    let n = 0;
    const q = queue(async () => {
      if (n++ === 0) throw new Error('boom');
      return true;
    });
    q.offer(1);
    await q.flush(1000);
    assert.equal(q.stats().exported, 1);
    assert.equal(q.stats().failed, 1);
  });

  it('counts sends still in flight at the shutdown deadline as dropped when shutdown resolves; one that gets through later moves back to exported', async () => {
    const pending: Array<(r: SendResult<number>) => void> = [];
    const q = queue(() => new Promise((resolve) => pending.push(resolve)));
    for (let i = 0; i < 6; i++) q.offer(i);
    await q.shutdown(30);
    // Both batches (4 + 2) are still out: the counters are final now, not when the sends give up.
    assert.equal(pending.length, 2);
    assert.deepEqual(q.stats(), { exported: 0, dropped: 6, rejected: 0, failed: 0, queued: 0 });
    pending[0]!(false);
    pending[1]!(true);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(q.stats(), { exported: 2, dropped: 4, rejected: 0, failed: 0, queued: 0 });
  });

  it('after shutdown, refuses and counts new items', async () => {
    const q = queue(async () => true);
    await q.shutdown(100);
    assert.equal(q.offer(1), false);
    assert.equal(q.stats().dropped, 1);
  });
});

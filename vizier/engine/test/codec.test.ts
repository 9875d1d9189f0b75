import assert from 'node:assert/strict';
import { batchToObjects, HTTP_EVENTS } from '@nixie/core';
import { decodeAgentResult, decodeBatch, encodeAgentResult, encodeBatch } from '../src/codec.js';
import { sampleStore } from './sample.js';

describe('batch codec', () => {
  const store = sampleStore(30, 1e18);
  const batches = [...store.table('http_events').scan()];

  it('round-trips every column type, and views into shared chunks (sliced offsets)', () => {
    const whole = batches[0]!;
    for (const b of [whole, ...store.table('http_events').scan({ startTime: 1e18 - 20e9 })]) {
      const back = decodeBatch(encodeBatch(b));
      assert.deepEqual(back.schema, b.schema);
      assert.deepEqual(batchToObjects(back), batchToObjects(b));
    }
    assert.deepEqual(decodeBatch(encodeBatch(whole)).schema, HTTP_EVENTS);
  });

  it('decodes from an unaligned copy, as a transport may hand it over', () => {
    const bytes = encodeBatch(batches[0]!);
    const buf = new Uint8Array(bytes.length + 3);
    buf.set(bytes, 3);
    assert.deepEqual(batchToObjects(decodeBatch(buf.subarray(3))), batchToObjects(batches[0]!));
  });

  it('round-trips agent results with several nodes', () => {
    const r = [
      { id: 0, batches },
      { id: 3, batches: [] },
    ];
    const back = decodeAgentResult(encodeAgentResult(r));
    assert.deepEqual(back.map((x) => [x.id, x.batches.length]), [
      [0, batches.length],
      [3, 0],
    ]);
    assert.deepEqual(batchToObjects(back[0]!.batches[0]!), batchToObjects(batches[0]!));
  });

  it('rejects bytes that are not a batch', () => {
    assert.throws(() => decodeBatch(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])), /not an encoded row batch/);
  });
});

import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fc from 'fast-check';
import { ByteHeap, byteHeap, RESERVED_LOW } from '../src/heap.js';

const MiB = 1024 * 1024;

describe('ByteHeap', () => {
  it('hands out power-of-two blocks above the reserved low bytes, never two at once over the same bytes', () => {
    const heap = new ByteHeap(RESERVED_LOW + 4 * MiB);
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 1, max: 70_000 })), { maxLength: 200 }), (ops) => {
        const live: Buffer[] = [];
        for (const [free, size] of ops) {
          if (free && live.length > 0) {
            heap.release(live.splice(size % live.length, 1)[0]!);
            continue;
          }
          const b = heap.alloc(size);
          assert.ok(b.length >= size && (b.length & (b.length - 1)) === 0 && b.length >= 64, `block of ${b.length} for ${size}`);
          if (heap.owns(b)) assert.ok(b.byteOffset >= RESERVED_LOW && b.byteOffset + b.length <= heap.bytes.length);
          live.push(b);
        }
        const spans = live.filter((b) => heap.owns(b)).map((b) => [b.byteOffset, b.byteOffset + b.length] as const).sort((x, y) => x[0] - y[0]);
        for (let i = 1; i < spans.length; i++) assert.ok(spans[i - 1]![1] <= spans[i]![0], 'blocks overlap');
        for (const b of live) heap.release(b);
        assert.equal(heap.stats().inUse, 0);
      }),
      { numRuns: 200 },
    );
  });

  it('reuses a released block of the same class', () => {
    const heap = new ByteHeap(RESERVED_LOW + MiB);
    const a = heap.alloc(5000);
    heap.release(a);
    const b = heap.alloc(8000);
    assert.equal(b.byteOffset, a.byteOffset);
    assert.equal(b.length, 8192);
  });

  it('gives plain Buffers when full, when off, and for blocks over 64 MiB, and counts them', () => {
    const heap = new ByteHeap(RESERVED_LOW + 64 * 1024);
    const a = heap.alloc(60_000);
    assert.ok(heap.owns(a));
    const b = heap.alloc(100);
    assert.ok(!heap.owns(b) && b.length >= 100);
    assert.equal(heap.offsetOf(b), -1);
    heap.release(b); // a plain Buffer: left to the GC, not put on a free list
    assert.ok(!heap.owns(heap.alloc(100)));
    assert.equal(heap.stats().outside, 2);
    const off = new ByteHeap(0);
    assert.equal(off.memory, undefined);
    assert.ok(!off.owns(off.alloc(10)));
  });

  it('refuses to take back something that is not one of its blocks', () => {
    const heap = new ByteHeap(RESERVED_LOW + MiB);
    const a = heap.alloc(4096);
    assert.throws(() => heap.release(a.subarray(0, 100)), /not a block/);
  });

  it('copies between blocks with move() and copy(), and between heap and plain Buffers with copy()', () => {
    const heap = new ByteHeap(RESERVED_LOW + MiB);
    const a = heap.alloc(256);
    const b = heap.alloc(256);
    a.write('hello, heap', 0, 'latin1');
    heap.move(heap.offsetOf(b) + 3, heap.offsetOf(a), 5);
    assert.equal(b.toString('latin1', 3, 8), 'hello');
    heap.copy(a, 7, 11, b, 100);
    assert.equal(b.toString('latin1', 100, 104), 'heap');
    const plain = Buffer.alloc(16);
    heap.copy(a, 0, 5, plain, 1);
    assert.equal(plain.toString('latin1', 1, 6), 'hello');
    heap.copy(plain, 1, 6, b, 200);
    assert.equal(b.toString('latin1', 200, 205), 'hello');
  });

  it('moves like copyWithin: overlapping either way, any length, at block edges', () => {
    const heap = new ByteHeap(RESERVED_LOW + MiB);
    const blk = heap.alloc(4096);
    const base = heap.offsetOf(blk);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4096, maxLength: 4096 }), fc.nat(4095), fc.nat(4095), fc.nat(4096), (init, from, to, n) => {
        const len = Math.min(n, 4096 - from, 4096 - to);
        blk.set(init);
        const want = Buffer.from(init);
        want.copyWithin(to, from, from + len);
        heap.move(base + to, base + from, len);
        assert.deepEqual(blk, want);
      }),
      { numRuns: 300 },
    );
  });

  it('move3 does what move does for each of its three ranges, in order', () => {
    const heap = new ByteHeap(RESERVED_LOW + MiB);
    const blk = heap.alloc(4096);
    const base = heap.offsetOf(blk);
    const range = fc.tuple(fc.nat(4095), fc.nat(4095), fc.nat(300));
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4096, maxLength: 4096 }), range, range, range, (init, ...moves) => {
        const args: number[] = [];
        blk.set(init);
        const want = Buffer.from(init);
        for (const [from, to, n] of moves) {
          const len = Math.min(n, 4096 - from, 4096 - to);
          want.copyWithin(to, from, from + len);
          args.push(base + to, base + from, len);
        }
        const [t0, f0, n0, t1, f1, n1, t2, f2, n2] = args as [number, number, number, number, number, number, number, number, number];
        heap.move3(t0, f0, n0, t1, f1, n1, t2, f2, n2);
        assert.deepEqual(blk, want);
      }),
      { numRuns: 300 },
    );
  });

  it('is one per process, whichever copy of @nixie/core asks', () => {
    assert.equal(byteHeap(), byteHeap());
    assert.equal((globalThis as Record<symbol, unknown>)[Symbol.for('nixie.byteHeap')], byteHeap());
  });

  it('takes its size from NIXIE_BYTE_HEAP_MB, and names the variable when it is bad', () => {
    const probe = (v: string) =>
      spawnSync(process.execPath, ['--input-type=module', '-e', `import { byteHeap } from '@nixie/core'; console.log(byteHeap().bytes.length)`], {
        env: { ...process.env, NIXIE_BYTE_HEAP_MB: v }, encoding: 'utf8',
      });
    assert.equal(probe('64').stdout.trim(), String(64 * MiB));
    assert.equal(probe('0').stdout.trim(), '0');
    const bad = probe('lots');
    assert.notEqual(bad.status, 0);
    assert.match(bad.stderr, /NIXIE_BYTE_HEAP_MB=lots/);
  });
});

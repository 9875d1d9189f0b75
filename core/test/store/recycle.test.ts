import assert from 'node:assert/strict';
import fc from 'fast-check';
import { DataType, type TableSchema } from '../../src/types.js';
import { HTTP_EVENTS } from '../../src/tables.js';
import { Table } from '../../src/store/table.js';
import { TableStore } from '../../src/store/store.js';
import { batchToObjects, type RowBatch } from '../../src/column.js';

// Every value of row i is derived from i, so a row read back can be checked on its own: memory reused
// while a view of it was still held would show another row's values, or a mix of two rows.
const SCHEMA: TableSchema = {
  name: 'recycle_test',
  columns: [
    { name: 'time_', type: DataType.TIME64NS },
    { name: 'upid', type: DataType.UINT128 },
    { name: 'even', type: DataType.BOOLEAN },
    { name: 'path', type: DataType.STRING },
    { name: 'body', type: DataType.STRING },
    { name: 'n', type: DataType.INT64 },
  ],
};
const T0 = 1_000_000;

/** Row i; bodies up to `maxBody` bytes, as bytes or (every third row) as a JS string. */
function row(i: number, maxBody: number) {
  const len = (i * 37) % (maxBody + 1);
  const ch = String.fromCharCode(97 + (i % 26));
  return {
    time_: T0 + i,
    upid: { high: i, low: i * 3 },
    even: i % 2 === 0,
    // Lengths vary, and every fifth path is not ASCII (the native UTF-8 writer's path).
    path: `/p/${i}/${'x'.repeat(i % 7)}${i % 5 === 0 ? 'é€' : ''}`,
    body: i % 3 === 0 ? ch.repeat(len) : Buffer.alloc(len, ch),
    n: i * 2,
  };
}

/** The row indices of a batch, after checking that each of its rows is exactly row(i). */
function checkedIndices(batch: RowBatch, maxBody: number): number[] {
  return batchToObjects(batch).map((r) => {
    const i = (r.time_ as number) - T0;
    const want = row(i, maxBody);
    assert.deepEqual(r, { ...want, body: typeof want.body === 'string' ? want.body : want.body.toString() }, `row ${i} intact`);
    return i;
  });
}

const rowsOf = (batches: Iterable<RowBatch>) => [...batches].flatMap((b) => batchToObjects(b));

describe('Table memory reuse', () => {
  it('reuses evicted chunks when no view was taken, and stays within budget ±10%', () => {
    const budget = 4 * 1024 * 1024;
    const t = new Table(SCHEMA, budget);
    for (let i = 0; i < 20_000; i++) t.appendRow(row(i, 600));
    const s = t.stats();
    assert.ok(s.rowsEvicted > 0);
    assert.ok(s.chunksRecycled > 0, 'evicted chunks were reused');
    assert.ok(s.bytes <= budget * 1.1 && s.bytes >= budget * 0.9, `bytes ${s.bytes} within ±10% of ${budget}`);
    // Rows written over stale bytes read back exactly, oldest evicted first.
    const indices = [...t.scan()].flatMap((b) => checkedIndices(b, 600));
    assert.deepEqual(indices, Array.from({ length: s.rows }, (_, k) => 20_000 - s.rows + k));
  });

  it('never reuses the memory of a chunk a scan handed out, however long the view is held', () => {
    const t = new Table(SCHEMA, 256 * 1024);
    for (let i = 0; i < 2000; i++) t.appendRow(row(i, 600));
    const held = [...t.scan()];
    const before = held.map((b) => batchToObjects(b));
    const recycledBefore = t.stats().chunksRecycled;
    // Evict every chunk the scan saw, several times over.
    for (let i = 2000; i < 20_000; i++) t.appendRow(row(i, 600));
    assert.ok(t.stats().chunksRecycled > recycledBefore, 'chunks appended after the scan were reused');
    assert.deepEqual(
      held.map((b) => batchToObjects(b)),
      before,
    );
  });

  it('never reuses the memory of rows takeUnpublished handed out', () => {
    const t = new Table(SCHEMA, 256 * 1024);
    const held: RowBatch[] = [];
    for (let i = 0; i < 20_000; i++) {
      t.appendRow(row(i, 600));
      if (i % 500 === 0) held.push(...t.takeUnpublished());
    }
    for (const b of held) checkedIndices(b, 600);
  });

  it('a scan suspended while its chunks are evicted and reused yields only intact rows, in order', () => {
    const t = new Table(SCHEMA, 256 * 1024);
    for (let i = 0; i < 2000; i++) t.appendRow(row(i, 600));
    const scan = t.scan();
    const first = scan.next();
    assert.ok(!first.done);
    let next = 2000;
    const seen = checkedIndices(first.value, 600);
    for (const b of { [Symbol.iterator]: () => scan }) {
      for (let k = 0; k < 300; k++) t.appendRow(row(next++, 600));
      seen.push(...checkedIndices(b, 600));
    }
    for (let k = 1; k < seen.length; k++) assert.ok(seen[k]! > seen[k - 1]!, 'oldest first, no row twice');
    assert.ok(t.stats().chunksRecycled > 0);
  });

  it('keeps reusing memory when new rows are skipped, not taken, for publication', () => {
    const store = new TableStore({ budgetBytes: 1 << 20, schemas: [SCHEMA] });
    const t = store.table(SCHEMA.name);
    for (let i = 0; i < 20_000; i++) {
      t.appendRow(row(i, 600));
      if (i % 100 === 99) store.skipUnpublished();
    }
    assert.ok(t.stats().chunksRecycled > 0);
    assert.equal(t.stats().rowsUnpublishedLost, 0, 'skipped rows count as published');
    t.appendRow(row(20_000, 600));
    assert.deepEqual(
      t.takeUnpublished().flatMap((b) => checkedIndices(b, 600)),
      [20_000],
    );
  });

  it('publish hands out views, so a published chunk is not reused', () => {
    const store = new TableStore({ budgetBytes: 1 << 20, schemas: [SCHEMA] });
    const t = store.table(SCHEMA.name);
    const held: RowBatch[] = [];
    for (let i = 0; i < 20_000; i++) {
      t.appendRow(row(i, 600));
      store.publish((_, b) => held.push(b));
    }
    assert.equal(t.stats().chunksRecycled, 0);
    for (const b of held.filter((_, k) => k % 97 === 0)) checkedIndices(b, 600);
  });

  it('appendRow and appendValues store the same rows, into fresh and reused memory', () => {
    const a = new Table(SCHEMA, 128 * 1024);
    const b = new Table(SCHEMA, 128 * 1024);
    for (let i = 0; i < 5000; i++) {
      const r = row(i, 2000);
      a.appendRow(r);
      b.appendValues(SCHEMA.columns.map((c) => r[c.name as keyof typeof r]));
    }
    assert.ok(a.stats().chunksRecycled > 0);
    assert.deepEqual(rowsOf(a.scan()), rowsOf(b.scan()));
  });

  it('appendRow reads columns whose names are not identifiers', () => {
    const odd: TableSchema = {
      name: 'odd',
      columns: [
        { name: 'a"b', type: DataType.INT64 },
        { name: "c'\\d", type: DataType.STRING },
        { name: 'e\u2028f', type: DataType.INT64 },
        { name: 'two words', type: DataType.STRING },
      ],
    };
    const t = new Table(odd, 1 << 20);
    t.appendRow({ 'a"b': 1, "c'\\d": 'x', 'e\u2028f': 3, 'two words': 'y' });
    t.appendRow({});
    assert.deepEqual(rowsOf(t.scan()), [
      { 'a"b': 1, "c'\\d": 'x', 'e\u2028f': 3, 'two words': 'y' },
      { 'a"b': 0, "c'\\d": '', 'e\u2028f': 0, 'two words': '' },
    ]);
  });

  it('holds under any mix of appends, scans, publication and skips (property)', () => {
    type Op =
      | { op: 'append'; n: number; how: 'row' | 'values' | 'batch' }
      | { op: 'scan'; from: number; to: number }
      | { op: 'take' }
      | { op: 'skip' };
    const op: fc.Arbitrary<Op> = fc.oneof(
      {
        arbitrary: fc.record({ op: fc.constant('append' as const), n: fc.integer({ min: 1, max: 400 }), how: fc.constantFrom('row' as const, 'values' as const, 'batch' as const) }),
        weight: 6,
      },
      { arbitrary: fc.record({ op: fc.constant('scan' as const), from: fc.double({ min: 0, max: 1, noNaN: true }), to: fc.double({ min: 0, max: 1.2, noNaN: true }) }), weight: 2 },
      { arbitrary: fc.record({ op: fc.constant('take' as const) }), weight: 1 },
      { arbitrary: fc.record({ op: fc.constant('skip' as const) }), weight: 1 },
    );
    fc.assert(
      fc.property(fc.constantFrom(16, 600, 6000), fc.integer({ min: 32, max: 512 }), fc.array(op, { maxLength: 40 }), (maxBody, budgetKiB, ops) => {
        const t = new Table(SCHEMA, budgetKiB * 1024);
        const held: { batch: RowBatch; rows: ReturnType<typeof batchToObjects> }[] = [];
        let next = 0;
        let published = 0;
        for (const o of ops) {
          if (o.op === 'append' && o.how === 'batch') {
            // As the agent appends: rows staged elsewhere, appended as RowBatches.
            const staged = new Table(SCHEMA, 64 << 20);
            for (let k = 0; k < o.n; k++, next++) staged.appendRow(row(next, maxBody));
            for (const b of staged.scan()) t.appendBatch(b);
          } else if (o.op === 'append') {
            for (let k = 0; k < o.n; k++, next++) {
              const r = row(next, maxBody);
              if (o.how === 'values') t.appendValues(SCHEMA.columns.map((c) => r[c.name as keyof typeof r]));
              else t.appendRow(r);
            }
          } else if (o.op === 'scan') {
            const start = T0 + Math.floor(o.from * next);
            const end = T0 + Math.floor(o.to * next);
            for (const b of t.scan({ startTime: start, endTime: end })) {
              for (const i of checkedIndices(b, maxBody)) assert.ok(T0 + i >= start && T0 + i < end, 'row in range');
              held.push({ batch: b, rows: batchToObjects(b) });
            }
          } else if (o.op === 'take') {
            const got = t.takeUnpublished().flatMap((b) => {
              held.push({ batch: b, rows: batchToObjects(b) });
              return checkedIndices(b, maxBody);
            });
            // Each row once, oldest first; rows evicted before publication are counted, not handed out.
            for (const i of got) assert.ok(i >= published, 'not published twice');
            for (let k = 1; k < got.length; k++) assert.equal(got[k], got[k - 1]! + 1);
            published = next;
          } else {
            t.skipUnpublished();
            published = next;
          }
        }
        // Whatever happened since, every batch handed out still reads as it did.
        for (const h of held) assert.deepEqual(batchToObjects(h.batch), h.rows);
        const s = t.stats();
        const kept = [...t.scan()].flatMap((b) => checkedIndices(b, maxBody));
        assert.deepEqual(kept, Array.from({ length: s.rows }, (_, k) => next - s.rows + k), 'the newest rows, in order');
        assert.equal(s.rows + s.rowsEvicted, s.rowsIn);
      }),
      { numRuns: 150 },
    );
  });

  it('keeps http_events within its budget at the agent default share with reuse', () => {
    const store = new TableStore({ budgetBytes: 64 << 20 });
    const t = store.table(HTTP_EVENTS.name);
    const body = Buffer.alloc(512, 'b');
    for (let i = 0; i < 100_000; i++) {
      t.appendRow({ time_: T0 + i, req_path: `/item/${i}`, req_body: body, resp_body: body, latency: i });
    }
    const s = t.stats();
    assert.ok(s.chunksRecycled > 0);
    assert.ok(Math.abs(s.bytes - s.budgetBytes) <= s.budgetBytes * 0.1, `bytes ${s.bytes} within ±10% of ${s.budgetBytes}`);
  });
});

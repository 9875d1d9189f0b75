import assert from 'node:assert/strict';
import { HTTP_EVENTS, PROCESS_STATS } from '../../src/tables.js';
import { Table } from '../../src/store/table.js';
import { NumberBuilder, StringBuilder } from '../../src/store/builders.js';
import { TableStore, splitBudget } from '../../src/store/store.js';
import { batchToObjects, stringAt, type Column, type StringColumn } from '../../src/column.js';

const body = 'x'.repeat(512);

function httpRow(i: number) {
  return {
    time_: 1_000_000 + i,
    upid: { high: 4242, low: 99 },
    remote_addr: '127.0.0.1',
    remote_port: 40000 + (i % 1000),
    local_addr: '127.0.0.1',
    local_port: 8080,
    trace_role: 2,
    encrypted: false,
    major_version: 1,
    minor_version: 1,
    content_type: 0,
    req_headers: '{"Host":"x"}',
    req_method: 'GET',
    req_path: `/item/${i}`,
    req_body: body,
    req_body_size: 512,
    resp_headers: '{}',
    resp_status: 200,
    resp_message: 'OK',
    resp_body: body,
    resp_body_size: 512,
    latency: 1000 + i,
  };
}

describe('Table', () => {
  it('round-trips every column type through appendRow and scan', () => {
    const t = new Table(HTTP_EVENTS, 1 << 20);
    t.appendRow({ ...httpRow(1), req_path: '/ünïcode', encrypted: true });
    const [batch] = [...t.scan()];
    const [row] = batchToObjects(batch!);
    assert.equal(row!.req_path, '/ünïcode');
    assert.equal(row!.encrypted, true);
    assert.deepEqual(row!.upid, { high: 4242, low: 99 });
    assert.equal(row!.latency, 1001);
    assert.equal(row!.resp_body, body);
  });

  it('fills missing columns with zero values', () => {
    const t = new Table(PROCESS_STATS, 1 << 20);
    t.appendRow({ time_: 5 });
    const [row] = batchToObjects([...t.scan()][0]!);
    assert.equal(row!.rss_bytes, 0);
    assert.deepEqual(row!.upid, { high: 0, low: 0 });
  });

  it('stays within its byte budget ±10% after 5x the budget is appended', () => {
    const budget = 4 * 1024 * 1024;
    const t = new Table(HTTP_EVENTS, budget);
    let i = 0;
    while (t.stats().rowsIn === 0 || t.stats().rowsIn * 1300 < 5 * budget) t.appendRow(httpRow(i++));
    const s = t.stats();
    assert.ok(s.rowsEvicted > 0, 'something was evicted');
    assert.ok(s.bytes <= budget * 1.1, `bytes ${s.bytes} > budget*1.1`);
    assert.ok(s.bytes >= budget * 0.9, `bytes ${s.bytes} < budget*0.9`);
    assert.equal(s.rows + s.rowsEvicted, s.rowsIn);
  });

  it('evicts oldest rows first', () => {
    const t = new Table(HTTP_EVENTS, 256 * 1024);
    for (let i = 0; i < 2000; i++) t.appendRow(httpRow(i));
    const times = [...t.scan({ columns: ['time_'] })].flatMap((b) => [...(b.columns[0] as { values: Float64Array }).values]);
    assert.equal(times[times.length - 1], 1_000_000 + 1999, 'newest row kept');
    assert.ok(times[0]! > 1_000_000, 'oldest row evicted');
    for (let i = 1; i < times.length; i++) assert.ok(times[i]! > times[i - 1]!, 'order kept');
  });

  it('scans by time range with column selection', () => {
    const t = new Table(HTTP_EVENTS, 64 << 20);
    for (let i = 0; i < 5000; i++) t.appendRow(httpRow(i));
    const batches = [...t.scan({ startTime: 1_000_100, endTime: 1_000_200, columns: ['req_path', 'time_'] })];
    const n = batches.reduce((a, b) => a + b.length, 0);
    assert.equal(n, 100);
    const b = batches[0]!;
    assert.deepEqual(
      b.schema.columns.map((c) => c.name),
      ['req_path', 'time_'],
    );
    assert.equal(stringAt(b.columns[0] as StringColumn, 0), '/item/100');
  });

  it("a new table's chunks double from 1024 rows to its limits, its arrays never regrown after the first chunk", () => {
    // Counts the builders' array regrowths (private methods, patched for the test).
    const counts = { strings: 0, numbers: 0 };
    const sp = StringBuilder.prototype as unknown as { growData(n: number): void };
    const np = NumberBuilder.prototype as unknown as { appendFrom(...a: unknown[]): void; values: Float64Array };
    const growData = sp.growData;
    const appendFrom = np.appendFrom;
    sp.growData = function (this: unknown, n: number) {
      counts.strings++;
      growData.call(this, n);
    };
    np.appendFrom = function (this: { values: Float64Array }, ...a: unknown[]) {
      const before = this.values;
      appendFrom.apply(this, a);
      if (this.values !== before) counts.numbers++;
    };
    try {
      // 64 MiB: chunks of at most 2 MiB, reached after a few doublings (rows of ~180 bytes).
      const src = new Table(HTTP_EVENTS, 64 << 20);
      const dst = new Table(HTTP_EVENTS, 64 << 20);
      let i = 0;
      const feed = (n: number) => {
        // Paths a little longer (by under 1/16) in each chunk than in the last: the arrays have room for that.
        const path = (k: number) => `/item/${String(k).padStart(6, '0')}/${'p'.repeat(24 + Math.floor(Math.log2(k + 1)))}`;
        for (let k = 0; k < n; k++, i++) src.appendRow({ ...httpRow(i), req_path: path(i), remote_port: 40000, req_body: '', resp_body: '' });
      };
      feed(1024);
      const afterFirst = { ...counts };
      feed(40_000 - 1024);
      assert.deepEqual(counts, afterFirst, 'no array regrown after the first chunk (appendRow)');
      // The agent's path: batches of 300 rows into another new table, which holds 150 rows more first (so that the
      // batches cross its chunks' ends).
      const chunks = [...src.scan()];
      const head = chunks[0]!;
      dst.appendBatch({ ...head, length: 150, columns: head.columns.map((c) => sliceOf(c, 0, 150)) });
      for (const b of chunks) {
        for (let from = 0; from < b.length; from += 300) {
          const to = Math.min(b.length, from + 300);
          dst.appendBatch({ ...b, length: to - from, columns: b.columns.map((c) => sliceOf(c, from, to)) });
        }
      }
      for (const [t, lead] of [[src, 0], [dst, 150]] as const) {
        const sizes = [...t.scan({ columns: ['time_'] })].map((b) => b.length);
        assert.deepEqual(sizes.slice(0, 4), [1024, 2048, 4096, 8192], 'the first chunks double');
        // Then the byte limit (2 MiB) decides: the next chunks stop short of doubling again, at about one size.
        assert.ok(sizes[4]! > 8192 && sizes[4]! < 16384 && Math.abs(sizes[5]! - sizes[4]!) < sizes[4]! / 20, `chunk sizes ${sizes.join(',')}`);
        const times = [...t.scan({ columns: ['time_'] })].flatMap((b) => [...(b.columns[0] as { values: Float64Array }).values]);
        const want = Array.from({ length: 40_000 }, (_, k) => 1_000_000 + k);
        assert.deepEqual(times, [...want.slice(0, lead), ...want]);
      }
    } finally {
      sp.growData = growData;
      np.appendFrom = appendFrom;
    }
  });

  it('rejects an unknown column in a scan', () => {
    const t = new Table(HTTP_EVENTS, 1 << 20);
    assert.throws(() => [...t.scan({ columns: ['nope'] })], /no column nope/);
  });

  it('appends batches and publishes each row once', () => {
    const src = new Table(HTTP_EVENTS, 64 << 20);
    for (let i = 0; i < 300; i++) src.appendRow(httpRow(i));
    const dst = new Table(HTTP_EVENTS, 64 << 20);
    for (const b of src.scan()) dst.appendBatch(b);
    assert.equal(dst.rowCount, 300);
    const first = dst.takeUnpublished();
    assert.equal(first.reduce((a, b) => a + b.length, 0), 300);
    dst.appendRow(httpRow(300));
    const second = dst.takeUnpublished();
    assert.equal(second.reduce((a, b) => a + b.length, 0), 1);
    assert.equal(batchToObjects(second[0]!)[0]!.req_path, '/item/300');
    assert.equal(dst.takeUnpublished().length, 0);
  });
});

describe('TableStore', () => {
  it("gives http_events Pixie's 40 % share and splits the rest", () => {
    const b = splitBudget(1000_000_000, ['http_events', 'a', 'b'], {});
    assert.equal(b.get('http_events'), 400_000_000);
    assert.equal(b.get('a'), 300_000_000);
  });

  it('honours configured budgets as fractions or bytes', () => {
    const store = new TableStore({ budgetBytes: 100 << 20, tables: { http_events: 0.5, conn_stats: 1 << 20 } });
    assert.equal(store.table('http_events').budgetBytes, 50 << 20);
    assert.equal(store.table('conn_stats').budgetBytes, 1 << 20);
  });

  it('names the known tables when asked for an unknown one', () => {
    const store = new TableStore({ budgetBytes: 100 << 20 });
    assert.throws(() => store.table('htp_events'), (e: Error & { code?: string }) => e.code === 'NIXIE_ERR_STORE_UNKNOWN_TABLE' && /http_events/.test(e.message));
  });

  it('publishes new rows per table', () => {
    const store = new TableStore({ budgetBytes: 100 << 20 });
    store.table('http_events').appendRow(httpRow(1));
    const seen: string[] = [];
    store.publish((name, batch) => seen.push(`${name}:${batch.length}`));
    assert.deepEqual(seen, ['http_events:1']);
  });
});

/** Rows [from, to) of a column, as views (numbers, strings and UINT128 as the store's columns hold them). */
function sliceOf(c: Column, from: number, to: number): Column {
  if ('offsets' in c) return { ...c, offsets: c.offsets.subarray(from, to + 1) };
  if ('high' in c) return { ...c, high: c.high.subarray(from, to), low: c.low.subarray(from, to) };
  return { ...c, values: (c.values as Float64Array).subarray(from, to) } as Column;
}

import assert from 'node:assert/strict';
import { batchToObjects, byteHeap, DataType, stringAt, Table, type Column, type ColumnSchema, type StringColumn, type TableSchema } from '@nixie/core';
import { RowStaging } from '../src/row-staging.js';

/** A table of `n` columns cycling through the staged types. */
function schema(n: number): TableSchema {
  const types = [DataType.STRING, DataType.INT64, DataType.UINT128, DataType.BOOLEAN, DataType.FLOAT64];
  const columns: ColumnSchema[] = Array.from({ length: n }, (_, i) => ({ name: `c${i}`, type: types[i % types.length]! }));
  return { name: `t${n}`, columns };
}

/** Column c of row r as the batch holds it. */
function valueAt(col: Column, r: number): unknown {
  switch (col.type) {
    case DataType.STRING:
      return stringAt(col as StringColumn, r);
    case DataType.UINT128: {
      const u = col as { high: Float64Array; low: Float64Array };
      return `${u.high[r]}:${u.low[r]}`;
    }
    default:
      return Number((col as { values: ArrayLike<number> }).values[r]);
  }
}

/** What staging writes for column c of row r when the row sets it. */
function expected(s: TableSchema, c: number, r: number): unknown {
  switch (s.columns[c]!.type) {
    case DataType.STRING:
      return `v${r}-${c}${'x'.repeat((r * 7 + c) % 50)}`;
    case DataType.UINT128:
      return `${r}:${c}`;
    case DataType.BOOLEAN:
      return (r + c) % 2;
    default:
      return r * 100 + c;
  }
}

function empty(s: TableSchema, c: number): unknown {
  const t = s.columns[c]!.type;
  return t === DataType.STRING ? '' : t === DataType.UINT128 ? '0:0' : 0;
}

describe('RowStaging', () => {
  for (const width of [5, 22, 30, 31, 40]) {
    it(`keeps set values and gives unset ones their empty value (${width} columns, rows setting all, some or none)`, () => {
      const s = schema(width);
      const st = new RowStaging(s);
      const sets: boolean[][] = [];
      for (let round = 0; round < 2; round++) {
        sets.length = 0;
        for (let r = 0; r < 300; r++) {
          // Every third row sets all columns; the others skip a pattern of them (row 5: none).
          const set = s.columns.map((_, c) => r % 3 === 0 || (r !== 5 && (r + c) % 4 !== 0));
          sets.push(set);
          s.columns.forEach((col, c) => {
            if (!set[c]) return;
            const v = expected(s, c, r);
            if (col.type === DataType.STRING) {
              // Alternate the two ways a value is given: bytes and a JS string.
              if (r % 2 === 0) st.str(c, v as string);
              else st.bytesOf(c, Buffer.from(`__${v as string}__`), 2, 2 + Buffer.byteLength(v as string));
            } else if (col.type === DataType.UINT128) st.u128(c, r, c);
            else st.num(c, v as number);
          });
          st.commit();
        }
        const b = st.batch();
        assert.equal(b.length, 300);
        for (let r = 0; r < 300; r++) {
          for (let c = 0; c < width; c++) {
            assert.deepEqual(valueAt(b.columns[c]!, r), sets[r]![c] ? expected(s, c, r) : empty(s, c), `round ${round} row ${r} column ${c}`);
          }
        }
        st.reset();
      }
    });
  }
});

describe('RowStaging.appendTo', () => {
  it('appends what appendBatch(batch()) appends: every type, unset values, arenas grown between flushes', () => {
    const s = schema(22);
    const st = new RowStaging(s);
    const viaAppendTo = new Table(s, 1 << 30);
    const viaBatch = new Table(s, 1 << 30);
    for (let round = 0; round < 4; round++) {
      // Rows of later rounds carry longer strings: the 64 KiB first arenas are replaced between flushes.
      for (let r = 0; r < 200 * (round + 1); r++) {
        s.columns.forEach((col, c) => {
          if ((r + c + round) % 5 === 0) return;
          if (col.type === DataType.STRING) st.str(c, `${r}:${'s'.repeat((r * round * 13) % 900)}`);
          else if (col.type === DataType.UINT128) st.u128(c, r + round, c);
          else st.num(c, col.type === DataType.BOOLEAN ? (r + c) % 2 : r * 10 + c + round);
        });
        st.commit();
      }
      viaBatch.appendBatch(st.batch());
      st.appendTo(viaAppendTo);
      assert.equal(st.length, 0);
    }
    const rows = (t: Table) => [...t.scan()].flatMap(batchToObjects);
    assert.equal(viaAppendTo.rowCount, 2000);
    assert.deepEqual(rows(viaAppendTo), rows(viaBatch));
  });
});

describe('RowStaging fast paths', () => {
  const s: TableSchema = {
    name: 'fast',
    columns: [
      { name: 'addr', type: DataType.STRING },
      { name: 'n', type: DataType.INT64 },
      { name: 'a', type: DataType.STRING },
      { name: 'b', type: DataType.STRING },
      { name: 'c', type: DataType.STRING },
    ],
  };
  const strings = (b: ReturnType<RowStaging['batch']>, c: number): string[] =>
    Array.from({ length: b.length }, (_, r) => stringAt(b.columns[c] as StringColumn, r));

  it('strCached gives what str gives: same string over rows, a new one, another equal one, across resets and growth', () => {
    const st = new RowStaging(s);
    // Long enough that 3000 rows outgrow the column's first arena (64 KiB) more than once.
    const addrs = ['10.0.0.1', `2001:db8::${'1:'.repeat(10)}1`, 'fe80::1%eth0', 'é1'];
    for (let round = 0; round < 3; round++) {
      const want: string[] = [];
      for (let r = 0; r < 3000; r++) {
        // Runs of one string, then another; an equal string that is a different object; now and then a new one.
        const a = r % 97 === 0 ? `10.9.${r}.${round}` : addrs[Math.floor(r / 50) % addrs.length]!;
        const v = r % 7 === 0 ? a.split('').join('') : a;
        st.strCached(0, v);
        st.num(1, r);
        st.commit();
        want.push(v);
      }
      assert.deepEqual(strings(st.batch(), 0), want, `round ${round}`);
      st.reset();
    }
  });

  it('bytes3 gives what bytesOf gives for each range: in the heap or not, empty ranges, arenas that must grow', () => {
    const st = new RowStaging(s);
    const heap = byteHeap();
    const inHeap = heap.alloc(8192);
    const plain = Buffer.alloc(8192);
    for (const src of [inHeap, plain]) {
      for (let i = 0; i < src.length; i++) src[i] = 0x61 + ((i * 7) % 26);
      const want: string[][] = [[], [], []];
      for (let r = 0; r < 2000; r++) {
        const a = (r * 13) % 1000;
        const b = a + (r % 5 === 0 ? 0 : (r * 3) % 40);
        const c = b + (r % 11 === 0 ? 0 : (r * 17) % 300);
        const d = c + (r % 3 === 0 ? 0 : (r * 29) % 3000);
        st.bytes3(2, 3, 4, src, a, b, c, d, heap.offsetOf(src));
        st.str(0, 'x');
        st.num(1, r);
        st.commit();
        want[0]!.push(src.toString('latin1', a, b));
        want[1]!.push(src.toString('latin1', b, c));
        want[2]!.push(src.toString('latin1', c, d));
      }
      const batch = st.batch();
      for (let k = 0; k < 3; k++) assert.deepEqual(strings(batch, 2 + k), want[k], `column ${2 + k}, source ${src === plain ? 'plain' : 'in the heap'}`);
      st.reset();
    }
    heap.release(inHeap);
  });
});

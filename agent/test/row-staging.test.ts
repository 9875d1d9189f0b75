import assert from 'node:assert/strict';
import { DataType, stringAt, type Column, type ColumnSchema, type StringColumn, type TableSchema } from '@nixie/core';
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

import { DataType, stringAt, type Column, type RowBatch, type TableSchema } from '@nixie/core';

/** Reads one named column of a batch by row; absent columns read as empty/zero so mappers need no checks. */
export interface ColumnReader {
  str(i: number): string;
  num(i: number): number;
  /** upid halves; pid is the high half. */
  high(i: number): number;
  low(i: number): number;
}

const EMPTY: ColumnReader = { str: () => '', num: () => 0, high: () => 0, low: () => 0 };

function reader(col: Column | undefined): ColumnReader {
  if (!col) return EMPTY;
  switch (col.type) {
    case DataType.STRING:
      return { str: (i) => stringAt(col, i), num: (i) => Number(stringAt(col, i)) || 0, high: () => 0, low: () => 0 };
    case DataType.UINT128:
      return { str: () => '', num: (i) => col.high[i]!, high: (i) => col.high[i]!, low: (i) => col.low[i]! };
    case DataType.BOOLEAN:
      return { str: (i) => String(col.values[i] !== 0), num: (i) => col.values[i]!, high: () => 0, low: () => 0 };
    default:
      return { str: (i) => String(col.values[i]!), num: (i) => col.values[i]!, high: () => 0, low: () => 0 };
  }
}

/** Column readers of a batch by name, resolved once per batch. */
export function readers<const K extends string>(batch: RowBatch, names: readonly K[]): Record<K, ColumnReader> {
  const out = {} as Record<K, ColumnReader>;
  const index = indexOf(batch.schema);
  for (const n of names) {
    const j = index.get(n);
    out[n] = reader(j === undefined ? undefined : batch.columns[j]);
  }
  return out;
}

const indexes = new WeakMap<TableSchema, Map<string, number>>();

function indexOf(schema: TableSchema): Map<string, number> {
  let m = indexes.get(schema);
  if (!m) {
    m = new Map(schema.columns.map((c, j) => [c.name, j]));
    indexes.set(schema, m);
  }
  return m;
}

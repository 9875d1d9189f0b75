import { DataType, type TableSchema, type UInt128 } from './types.js';

/** Column views over typed arrays: the one columnar format shared by the store, the engine and exporters. */
export interface NumberColumn {
  readonly type: typeof DataType.INT64 | typeof DataType.FLOAT64 | typeof DataType.TIME64NS;
  readonly values: Float64Array;
}
export interface BooleanColumn {
  readonly type: typeof DataType.BOOLEAN;
  readonly values: Uint8Array;
}
export interface UInt128Column {
  readonly type: typeof DataType.UINT128;
  readonly high: Float64Array;
  readonly low: Float64Array;
}
/** UTF-8 bytes of all rows back to back; row i is bytes[offsets[i] .. offsets[i+1]). */
export interface StringColumn {
  readonly type: typeof DataType.STRING;
  readonly bytes: Uint8Array;
  readonly offsets: Uint32Array;
}
export type Column = NumberColumn | BooleanColumn | UInt128Column | StringColumn;

/** A batch of rows in columnar form. Columns are in schema order. */
export interface RowBatch {
  readonly schema: TableSchema;
  readonly length: number;
  readonly columns: readonly Column[];
}

const decoder = new TextDecoder();

/** Row i of a string column, decoded. */
export function stringAt(col: StringColumn, i: number): string {
  const a = col.offsets[i]!;
  const b = col.offsets[i + 1]!;
  if (a === b) return '';
  return decoder.decode(col.bytes.subarray(a, b));
}

/** Row i of any column as a plain JS value (string, number, boolean or UInt128). */
export function valueAt(col: Column, i: number): string | number | boolean | UInt128 {
  switch (col.type) {
    case DataType.STRING:
      return stringAt(col, i);
    case DataType.BOOLEAN:
      return col.values[i] !== 0;
    case DataType.UINT128:
      return { high: col.high[i]!, low: col.low[i]! };
    default:
      return col.values[i]!;
  }
}

/** Index of a column by name, or -1. */
export function columnIndex(schema: TableSchema, name: string): number {
  return schema.columns.findIndex((c) => c.name === name);
}

/** Rows of a batch as objects keyed by column name: for tests, exporters and printing, not for hot paths. */
export function batchToObjects(batch: RowBatch): Record<string, string | number | boolean | UInt128>[] {
  const out: Record<string, string | number | boolean | UInt128>[] = [];
  for (let i = 0; i < batch.length; i++) {
    const row: Record<string, string | number | boolean | UInt128> = {};
    batch.schema.columns.forEach((c, j) => {
      row[c.name] = valueAt(batch.columns[j]!, i);
    });
    out.push(row);
  }
  return out;
}

/** Formats a upid as Pixie prints it: high and low halves as hex, joined like a UUID. */
export function formatUpid(u: UInt128): string {
  const h = Math.trunc(u.high).toString(16).padStart(16, '0');
  const l = Math.trunc(u.low).toString(16).padStart(16, '0');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${l.slice(0, 4)}-${l.slice(4)}`;
}

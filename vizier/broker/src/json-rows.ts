import { DataType, formatUpid, stringAt, type RowBatch } from '@nixie/core';

/** A cell as JSON: numbers (non-finite as null), strings, booleans; upids as Pixie prints them. */
export type JsonCell = string | number | boolean | null;

/** The rows of a batch as arrays of JSON cells, in column order. */
export function batchRows(batch: RowBatch): JsonCell[][] {
  const rows: JsonCell[][] = new Array<JsonCell[]>(batch.length);
  for (let i = 0; i < batch.length; i++) rows[i] = new Array<JsonCell>(batch.columns.length);
  batch.columns.forEach((col, j) => {
    switch (col.type) {
      case DataType.STRING:
        for (let i = 0; i < batch.length; i++) rows[i]![j] = stringAt(col, i);
        break;
      case DataType.BOOLEAN:
        for (let i = 0; i < batch.length; i++) rows[i]![j] = col.values[i] !== 0;
        break;
      case DataType.UINT128:
        for (let i = 0; i < batch.length; i++) rows[i]![j] = formatUpid({ high: col.high[i]!, low: col.low[i]! });
        break;
      default:
        for (let i = 0; i < batch.length; i++) {
          const v = col.values[i]!;
          rows[i]![j] = Number.isFinite(v) ? v : null;
        }
    }
  });
  return rows;
}

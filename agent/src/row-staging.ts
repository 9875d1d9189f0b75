import { asciiInto, DataType, type Column, type RowBatch, type TableSchema } from '@nixie/core';

/** Rows staged before a flush: a pipeline batch's rows of one table go to the store as one batch append. */
const MAX_ROWS = 4096;

/** Node's native UTF-8 writer (on every Buffer; absent from the typings). */
interface NativeWrite {
  utf8Write(s: string, offset: number, length: number): number;
}

/**
 * One table's rows, written column by column into typed arrays (no object per row or value) and appended
 * to the table as a RowBatch. Values not set in a row are 0 / '' / false.
 */
export class RowStaging {
  /** Rows committed. */
  length = 0;
  /** Numbers (INT64, FLOAT64, TIME64NS; BOOLEAN as 0/1; UINT128's high half), per column. */
  private readonly nums: Float64Array[];
  /** UINT128's low half, per column. */
  private readonly lows: Float64Array[];
  /** STRING bytes per column, one arena each, and row offsets. */
  private readonly bytes: Buffer[];
  private readonly offsets: Uint32Array[];
  private readonly types: string[];
  /**
   * Columns set in the row being written, a bit each (tables of at most 30 columns; wider ones fill every
   * column at commit). A row that sets them all, as a decoder's rows do, needs no filling in.
   */
  private setMask = 0;
  private readonly allMask: number;

  constructor(readonly schema: TableSchema) {
    this.types = schema.columns.map((c) => c.type);
    this.nums = schema.columns.map((c) => new Float64Array(c.type === DataType.STRING ? 0 : MAX_ROWS));
    this.lows = schema.columns.map((c) => new Float64Array(c.type === DataType.UINT128 ? MAX_ROWS : 0));
    this.bytes = schema.columns.map((c) => Buffer.allocUnsafeSlow(c.type === DataType.STRING ? 64 * 1024 : 0));
    this.offsets = schema.columns.map((c) => new Uint32Array(c.type === DataType.STRING ? MAX_ROWS + 1 : 0));
    this.allMask = this.types.length <= 30 ? 2 ** this.types.length - 1 : -1;
  }

  get full(): boolean {
    return this.length === MAX_ROWS;
  }

  num(col: number, v: number): void {
    this.nums[col]![this.length] = v;
    this.setMask |= 1 << col;
  }

  u128(col: number, high: number, low: number): void {
    this.nums[col]![this.length] = high;
    this.lows[col]![this.length] = low;
    this.setMask |= 1 << col;
  }

  /** The column's byte arena with room for n more bytes at `at`. */
  private room(col: number, at: number, n: number): Buffer {
    let b = this.bytes[col]!;
    if (at + n > b.length) {
      const next = Buffer.allocUnsafeSlow(Math.max(b.length * 2, at + n));
      b.copy(next, 0, 0, at);
      this.bytes[col] = b = next;
    }
    return b;
  }

  /** Sets a STRING value from UTF-8 bytes src[from..to). */
  bytesOf(col: number, src: Uint8Array, from: number, to: number): void {
    const o = this.offsets[col]!;
    const start = o[this.length]!;
    const n = to - from;
    const b = this.room(col, start, n);
    // Short values: a JS copy is cheaper than a native call and a view. A JS byte loop costs ~1-2.5 ns a byte and a
    // native copy ~60-100 ns whatever the length, so they cross near 32 bytes (headers JSON, most bodies: native).
    if (n > 32) b.set(src.subarray(from, to), start);
    else for (let i = 0; i < n; i++) b[start + i] = src[from + i]!;
    o[this.length + 1] = start + n;
    this.setMask |= 1 << col;
  }

  /** Sets a STRING value from a JS string. */
  str(col: number, s: string): void {
    const o = this.offsets[col]!;
    const start = o[this.length]!;
    const b = this.room(col, start, s.length * 3);
    this.setMask |= 1 << col;
    const n = s.length;
    if (n <= 16 && asciiInto(s, b, start) === n) {
      o[this.length + 1] = start + n;
      return;
    }
    o[this.length + 1] = start + (b as unknown as NativeWrite).utf8Write(s, start, b.length - start);
  }

  /** Ends the current row; values not set are 0 / ''. */
  commit(): void {
    const row = this.length;
    if (this.allMask === -1) {
      // A wide table: every column of the next row starts empty, as reset() leaves row 0.
      this.length = row + 1;
      if (row + 1 < MAX_ROWS) this.clearRow(row + 1, -1);
      return;
    }
    if (this.setMask !== this.allMask) this.clearRow(row, this.setMask);
    this.setMask = 0;
    this.length = row + 1;
  }

  /** Gives row `row`'s columns not in `keep` (a bit per column; -1: none kept) their empty value. */
  private clearRow(row: number, keep: number): void {
    for (let c = 0; c < this.types.length; c++) {
      if (keep !== -1 && (keep & (1 << c)) !== 0) continue;
      const o = this.offsets[c]!;
      if (o.length > 0) {
        o[row + 1] = o[row]!;
      } else {
        this.nums[c]![row] = 0;
        if (this.lows[c]!.length > 0) this.lows[c]![row] = 0;
      }
    }
  }

  /** The staged rows as a RowBatch (views of the staging arrays: append it before staging more). */
  batch(): RowBatch {
    const n = this.length;
    const columns: Column[] = this.schema.columns.map((c, i): Column => {
      switch (c.type) {
        case DataType.STRING:
          return { type: c.type, bytes: this.bytes[i]!, offsets: this.offsets[i]!.subarray(0, n + 1) };
        case DataType.BOOLEAN:
          return { type: c.type, values: Uint8Array.from(this.nums[i]!.subarray(0, n)) };
        case DataType.UINT128:
          return { type: c.type, high: this.nums[i]!.subarray(0, n), low: this.lows[i]!.subarray(0, n) };
        default:
          return { type: c.type, values: this.nums[i]!.subarray(0, n) } as Column;
      }
    });
    return { schema: this.schema, length: n, columns };
  }

  /** Forgets the staged rows. */
  reset(): void {
    this.length = 0;
    for (let c = 0; c < this.types.length; c++) {
      const o = this.offsets[c]!;
      if (o.length > 0) {
        o[0] = 0;
        o[1] = 0;
      } else {
        this.nums[c]![0] = 0;
        if (this.lows[c]!.length > 0) this.lows[c]![0] = 0;
      }
    }
  }
}

import { asciiInto, byteHeap, DataType, type Column, type RowBatch, type Table, type TableSchema } from '@nixie/core';

/**
 * STRING bytes are staged in the byte heap, as decoders' text arenas are: a value goes from one to the other
 * with heap.move (one memory.copy), no view object.
 */
const heap = byteHeap();
/** A staging is gone: its byte arenas go back to the heap. */
const stagingGone = new FinalizationRegistry<Buffer[]>((bytes) => {
  for (const b of bytes) heap.release(b);
});

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
  /** Where each column's byte arena lies in the heap (-1: a plain Buffer). */
  private readonly bases: number[];
  private readonly offsets: Uint32Array[];
  private readonly types: string[];
  /**
   * Columns set in the row being written, a bit each (tables of at most 30 columns; wider ones fill every
   * column at commit). A row that sets them all, as a decoder's rows do, needs no filling in.
   */
  private setMask = 0;
  private readonly allMask: number;
  /**
   * Per STRING column, the last string strCached wrote and where its bytes lie in the column's arena (-1: none
   * since the last reset, which lets the arena be written over).
   */
  private readonly cachedStr: string[];
  private readonly cachedAt: Int32Array;
  private readonly cachedLen: Int32Array;
  /**
   * What appendTo hands the table, made once: the staging arrays whole (the table reads rows [0, length) of
   * them), so a flush builds no column objects or views. BOOLEAN columns get a byte copy of their numbers.
   */
  private readonly whole: { schema: TableSchema; length: number; columns: Column[] };
  private readonly boolValues: Uint8Array[];

  constructor(readonly schema: TableSchema) {
    this.types = schema.columns.map((c) => c.type);
    this.nums = schema.columns.map((c) => new Float64Array(c.type === DataType.STRING ? 0 : MAX_ROWS));
    this.lows = schema.columns.map((c) => new Float64Array(c.type === DataType.UINT128 ? MAX_ROWS : 0));
    this.bytes = schema.columns.map((c) => (c.type === DataType.STRING ? heap.alloc(64 * 1024) : Buffer.alloc(0)));
    this.bases = this.bytes.map((b) => heap.offsetOf(b));
    stagingGone.register(this, this.bytes);
    this.offsets = schema.columns.map((c) => new Uint32Array(c.type === DataType.STRING ? MAX_ROWS + 1 : 0));
    this.allMask = this.types.length <= 30 ? 2 ** this.types.length - 1 : -1;
    this.cachedStr = this.types.map(() => '');
    this.cachedAt = new Int32Array(this.types.length).fill(-1);
    this.cachedLen = new Int32Array(this.types.length);
    this.boolValues = this.types.map((t) => new Uint8Array(t === DataType.BOOLEAN ? MAX_ROWS : 0));
    this.whole = { schema, length: 0, columns: this.types.map((t, i) => this.wholeColumn(t, i)) };
  }

  private wholeColumn(type: string, i: number): Column {
    switch (type) {
      case DataType.STRING:
        return { type, bytes: this.bytes[i]!, offsets: this.offsets[i]! };
      case DataType.BOOLEAN:
        return { type, values: this.boolValues[i]! };
      case DataType.UINT128:
        return { type, high: this.nums[i]!, low: this.lows[i]! };
      default:
        return { type, values: this.nums[i]! } as Column;
    }
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
      const next = heap.alloc(Math.max(b.length * 2, at + n));
      const nextBase = heap.offsetOf(next);
      if (this.bases[col]! >= 0 && nextBase >= 0) heap.move(nextBase, this.bases[col]!, at);
      else next.set(b.subarray(0, at));
      heap.release(b);
      this.bytes[col] = b = next;
      this.bases[col] = nextBase;
    }
    return b;
  }

  /** Sets a STRING value from UTF-8 bytes src[from..to); srcBase: where src lies in the heap, if known (RowWriter.bytes). */
  bytesOf(col: number, src: Uint8Array, from: number, to: number, srcBase = heap.offsetOf(src)): void {
    const o = this.offsets[col]!;
    const start = o[this.length]!;
    const n = to - from;
    const b = this.room(col, start, n);
    // Short values: a JS copy is cheaper than a call. A JS byte loop costs ~1-2.5 ns a byte, heap.move within
    // the heap ~8 ns, and a copy between buffers ~60-100 ns (it makes a view) whatever the length.
    const db = this.bases[col]!;
    if (srcBase >= 0 && db >= 0 && n > 4) heap.move(db + start, srcBase + from, n);
    else if (n > 32) b.set(src.subarray(from, to), start);
    else for (let i = 0; i < n; i++) b[start + i] = src[from + i]!;
    o[this.length + 1] = start + n;
    this.setMask |= 1 << col;
  }

  /**
   * Sets STRING columns c0, c1, c2 (three different ones) from src[a..b), [b..c), [c..d), as bytesOf for each
   * does: with src and the arenas in the heap and room in each, one heap.move3 (one call from JS, not three).
   */
  bytes3(c0: number, c1: number, c2: number, src: Uint8Array, a: number, b: number, c: number, d: number, srcBase = heap.offsetOf(src)): void {
    const row = this.length;
    const o0 = this.offsets[c0]!;
    const o1 = this.offsets[c1]!;
    const o2 = this.offsets[c2]!;
    const e0 = o0[row]! + b - a;
    const e1 = o1[row]! + c - b;
    const e2 = o2[row]! + d - c;
    const d0 = this.bases[c0]!;
    const d1 = this.bases[c1]!;
    const d2 = this.bases[c2]!;
    if (srcBase < 0 || d0 < 0 || d1 < 0 || d2 < 0 || e0 > this.bytes[c0]!.length || e1 > this.bytes[c1]!.length || e2 > this.bytes[c2]!.length) {
      this.bytesOf(c0, src, a, b, srcBase);
      this.bytesOf(c1, src, b, c, srcBase);
      this.bytesOf(c2, src, c, d, srcBase);
      return;
    }
    heap.move3(d0 + o0[row]!, srcBase + a, b - a, d1 + o1[row]!, srcBase + b, c - b, d2 + o2[row]!, srcBase + c, d - c);
    o0[row + 1] = e0;
    o1[row + 1] = e1;
    o2[row + 1] = e2;
    this.setMask |= (1 << c0) | (1 << c1) | (1 << c2);
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

  /**
   * Sets a STRING value that is usually the same string as the column's last one from this method (a
   * connection's address on each of its rows): its bytes are then copied from that row with heap.move, not
   * encoded again (two addresses encoded per row were most of str()'s 2.1% of an http-replay profile). Set the
   * column once per row.
   */
  strCached(col: number, s: string): void {
    const at = this.cachedAt[col]!;
    if (at >= 0 && s === this.cachedStr[col]) {
      const o = this.offsets[col]!;
      const start = o[this.length]!;
      const n = this.cachedLen[col]!;
      this.room(col, start, n);
      // The arena only grows between resets: the cached bytes are still at `at` (room() keeps offsets).
      const db = this.bases[col]!;
      if (db >= 0) heap.move(db + start, db + at, n);
      else this.bytes[col]!.copyWithin(start, at, at + n);
      o[this.length + 1] = start + n;
      this.setMask |= 1 << col;
      return;
    }
    const start = this.offsets[col]![this.length]!;
    this.str(col, s);
    this.cachedStr[col] = s;
    this.cachedAt[col] = start;
    this.cachedLen[col] = this.offsets[col]![this.length + 1]! - start;
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

  /** Appends the staged rows to `table` (whose schema is this staging's), then forgets them. */
  appendTo(table: Table): void {
    const n = this.length;
    const w = this.whole;
    for (let c = 0; c < this.types.length; c++) {
      const t = this.types[c]!;
      // The arena may have been replaced by a bigger one since the last flush.
      if (t === DataType.STRING) (w.columns[c] as { bytes: Uint8Array }).bytes = this.bytes[c]!;
      else if (t === DataType.BOOLEAN) {
        const from = this.nums[c]!;
        const to = this.boolValues[c]!;
        for (let r = 0; r < n; r++) to[r] = from[r]!;
      }
    }
    w.length = n;
    table.appendBatch(w);
    this.reset();
  }

  /** Forgets the staged rows. */
  reset(): void {
    this.length = 0;
    this.cachedAt.fill(-1);
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

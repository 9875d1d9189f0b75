import { asciiInto } from '../bytes.js';
import { DataType, type ColumnSchema, type UInt128 } from '../types.js';
import type { Column } from '../column.js';


/** A growable column: append values, then view the filled prefix as a Column without copying. */
export interface ColumnBuilder {
  readonly length: number;
  /** Bytes this column's rows take (used part, not capacity). */
  readonly bytes: number;
  appendValue(v: unknown): void;
  /** Appends rows [from, to) of a column of the same type. */
  appendFrom(col: Column, from: number, to: number): void;
  /** A view of rows [0, length); valid after later appends too. */
  view(): Column;
  /** Copies rows whose indices are listed. */
  gather(idx: Uint32Array, n: number): Column;
  /** Shrinks backing storage to the filled size when much of it is unused. */
  trim(): void;
  /** Bytes of variable-size data (strings); sizes the next chunk's arena. */
  readonly dataBytes: number;
  /** Empties the column, keeping its memory for reuse; only for memory no view was ever handed out of. */
  reset(): void;
  /**
   * Makes room for at least `rows` rows and `dataBytes` of variable-size data; an array it has to replace gets
   * 1/16 more, so that a chunk a little fuller than the last does not regrow it.
   */
  reserve(rows: number, dataBytes: number): void;
}

/** Whether a backing array of `capacity` holding `used` is worth shrinking (to withMargin(used)). */
function wasteful(capacity: number, used: number): boolean {
  return capacity > used + (used >> 3) + 64;
}

/** `a`, or a copy of it in a new array of at least `need` elements (doubling, for appends one at a time). */
function grow<A extends Float64Array | Uint8Array | Uint32Array>(a: A, need: number): A {
  if (need <= a.length) return a;
  let cap = a.length * 2 || 64;
  while (cap < need) cap *= 2;
  return resized(a, cap);
}

/** `a`, or a copy of it in a new array with room for `need` elements and 1/16 more when it is shorter. */
function atLeast<A extends Float64Array | Uint8Array | Uint32Array>(a: A, need: number): A {
  return need <= a.length ? a : resized(a, withMargin(need));
}

/** A size with room for a little growth: reused arrays are replaced when a chunk outgrows them, not before. */
function withMargin(n: number): number {
  return n + (n >> 4) + 64;
}

function resized<A extends Float64Array | Uint8Array | Uint32Array>(a: A, cap: number): A {
  const b = new (a.constructor as new (n: number) => A)(cap);
  b.set(a);
  return b;
}

function toNumber(v: unknown): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (v === undefined || v === null) return 0;
  const n = Number(v);
  return Number.isNaN(n) ? 0 : n;
}

class NumberBuilder implements ColumnBuilder {
  private values: Float64Array;
  length = 0;
  constructor(
    private readonly type: typeof DataType.INT64 | typeof DataType.FLOAT64 | typeof DataType.TIME64NS,
    capacity: number,
  ) {
    this.values = new Float64Array(capacity);
  }
  get bytes(): number {
    return this.length * 8;
  }
  appendValue(v: unknown): void {
    if (this.length === this.values.length) this.values = grow(this.values, this.length + 1);
    this.values[this.length++] = toNumber(v);
  }
  /** The hot path for numbers: no conversion. */
  appendNumber(v: number): void {
    if (this.length === this.values.length) this.values = grow(this.values, this.length + 1);
    this.values[this.length++] = v;
  }
  appendFrom(col: Column, from: number, to: number): void {
    const src = (col as { values: Float64Array }).values;
    this.values = grow(this.values, this.length + (to - from));
    this.values.set(src.subarray(from, to), this.length);
    this.length += to - from;
  }
  view(): Column {
    return { type: this.type, values: this.values.subarray(0, this.length) };
  }
  gather(idx: Uint32Array, n: number): Column {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = this.values[idx[i]!]!;
    return { type: this.type, values: out };
  }
  trim(): void {
    if (wasteful(this.values.length, this.length)) this.values = resized(this.values.subarray(0, this.length), withMargin(this.length));
  }
  readonly dataBytes = 0;
  reset(): void {
    this.length = 0;
  }
  reserve(rows: number): void {
    this.values = atLeast(this.values, rows);
  }
  at(i: number): number {
    return this.values[i]!;
  }
}

class BooleanBuilder implements ColumnBuilder {
  private values: Uint8Array;
  length = 0;
  constructor(capacity: number) {
    this.values = new Uint8Array(capacity);
  }
  get bytes(): number {
    return this.length;
  }
  appendValue(v: unknown): void {
    if (this.length === this.values.length) this.values = grow(this.values, this.length + 1);
    this.values[this.length++] = v ? 1 : 0;
  }
  appendFrom(col: Column, from: number, to: number): void {
    const src = (col as { values: Uint8Array }).values;
    this.values = grow(this.values, this.length + (to - from));
    this.values.set(src.subarray(from, to), this.length);
    this.length += to - from;
  }
  view(): Column {
    return { type: DataType.BOOLEAN, values: this.values.subarray(0, this.length) };
  }
  gather(idx: Uint32Array, n: number): Column {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.values[idx[i]!]!;
    return { type: DataType.BOOLEAN, values: out };
  }
  trim(): void {
    if (wasteful(this.values.length, this.length)) this.values = resized(this.values.subarray(0, this.length), withMargin(this.length));
  }
  readonly dataBytes = 0;
  reset(): void {
    this.length = 0;
  }
  reserve(rows: number): void {
    this.values = atLeast(this.values, rows);
  }
}

class UInt128Builder implements ColumnBuilder {
  private high: Float64Array;
  private low: Float64Array;
  length = 0;
  constructor(capacity: number) {
    this.high = new Float64Array(capacity);
    this.low = new Float64Array(capacity);
  }
  get bytes(): number {
    return this.length * 16;
  }
  appendValue(v: unknown): void {
    if (this.length === this.high.length) {
      this.high = grow(this.high, this.length + 1);
      this.low = grow(this.low, this.length + 1);
    }
    const u = (v ?? { high: 0, low: 0 }) as UInt128;
    this.high[this.length] = u.high;
    this.low[this.length++] = u.low;
  }
  appendFrom(col: Column, from: number, to: number): void {
    const c = col as { high: Float64Array; low: Float64Array };
    this.high = grow(this.high, this.length + (to - from));
    this.low = grow(this.low, this.length + (to - from));
    this.high.set(c.high.subarray(from, to), this.length);
    this.low.set(c.low.subarray(from, to), this.length);
    this.length += to - from;
  }
  view(): Column {
    return { type: DataType.UINT128, high: this.high.subarray(0, this.length), low: this.low.subarray(0, this.length) };
  }
  gather(idx: Uint32Array, n: number): Column {
    const high = new Float64Array(n);
    const low = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      high[i] = this.high[idx[i]!]!;
      low[i] = this.low[idx[i]!]!;
    }
    return { type: DataType.UINT128, high, low };
  }
  trim(): void {
    if (!wasteful(this.high.length, this.length)) return;
    this.high = resized(this.high.subarray(0, this.length), withMargin(this.length));
    this.low = resized(this.low.subarray(0, this.length), withMargin(this.length));
  }
  readonly dataBytes = 0;
  reset(): void {
    this.length = 0;
  }
  reserve(rows: number): void {
    this.high = atLeast(this.high, rows);
    this.low = atLeast(this.low, rows);
  }
}

/** Node's native UTF-8 writer (on every Buffer; absent from the typings): (string, offset, max bytes) → bytes written. */
type Utf8Write = (this: Buffer, s: string, offset: number, length: number) => number;
// Looked up once and called with .call: node 20's V8 leaves method loads on typed arrays (`buf.set`,
// `buf.utf8Write`) as generic LoadIC calls in optimized code, a few ns each on the append path.
const utf8Write = (Buffer.prototype as unknown as { utf8Write: Utf8Write }).utf8Write;
const u8Set = Uint8Array.prototype.set;

/** Strings as UTF-8 in one arena per chunk: no JS object per stored row. */
class StringBuilder implements ColumnBuilder {
  // A Buffer, for its native UTF-8 write; exposed to readers as a plain Uint8Array view.
  private data: Buffer;
  private offsets: Uint32Array;
  length = 0;
  constructor(capacity: number, bytesHint: number) {
    this.data = Buffer.allocUnsafeSlow(Math.max(256, bytesHint));
    this.offsets = new Uint32Array(capacity + 1);
  }
  get dataBytes(): number {
    return this.offsets[this.length]!;
  }
  get bytes(): number {
    return this.offsets[this.length]! + this.length * 4;
  }
  appendValue(v: unknown): void {
    if (typeof v === 'string') this.appendString(v);
    else if (v instanceof Uint8Array) this.appendBytes(v);
    else this.appendString(v === undefined || v === null ? '' : String(v));
  }
  appendString(s: string): void {
    const len = this.length;
    if (len + 1 >= this.offsets.length) this.offsets = grow(this.offsets, len + 2);
    const at = this.offsets[len]!;
    const n = s.length;
    // UTF-8 needs at most 3 bytes per UTF-16 unit.
    if (at + n * 3 > this.data.length) this.growData(at + n * 3);
    // Short ASCII strings are copied in JS (see asciiInto); longer or other ones by the native writer.
    if (n <= 24 && asciiInto(s, this.data, at) === n) {
      this.offsets[len + 1] = at + n;
      this.length = len + 1;
      return;
    }
    // The native writer itself: Buffer#write's argument checks cost more than the copy for short strings.
    this.offsets[len + 1] = at + utf8Write.call(this.data, s, at, this.data.length - at);
    this.length = len + 1;
  }
  appendBytes(b: Uint8Array): void {
    const len = this.length;
    if (len + 1 >= this.offsets.length) this.offsets = grow(this.offsets, len + 2);
    const at = this.offsets[len]!;
    const end = at + b.length;
    if (end > this.data.length) this.growData(end);
    u8Set.call(this.data, b, at);
    this.offsets[len + 1] = end;
    this.length = len + 1;
  }
  appendFrom(col: Column, from: number, to: number): void {
    const c = col as { bytes: Uint8Array; offsets: Uint32Array };
    const a = c.offsets[from]!;
    const b = c.offsets[to]!;
    const base = this.offsets[this.length]!;
    this.offsets = grow(this.offsets, this.length + (to - from) + 1);
    if (base + (b - a) > this.data.length) this.growData(base + (b - a));
    u8Set.call(this.data, c.bytes.subarray(a, b), base);
    // Locals, not fields, in the loop: V8 does not keep this.offsets / this.length in registers across stores.
    const src = c.offsets;
    const dst = this.offsets;
    const shift = base - a;
    let len = this.length;
    for (let i = from + 1; i <= to; i++) dst[++len] = src[i]! + shift;
    this.length = len;
  }
  view(): Column {
    return {
      type: DataType.STRING,
      bytes: new Uint8Array(this.data.buffer, this.data.byteOffset, this.offsets[this.length]),
      offsets: this.offsets.subarray(0, this.length + 1),
    };
  }
  gather(idx: Uint32Array, n: number): Column {
    let total = 0;
    for (let i = 0; i < n; i++) total += this.offsets[idx[i]! + 1]! - this.offsets[idx[i]!]!;
    const bytes = new Uint8Array(total);
    const offsets = new Uint32Array(n + 1);
    let at = 0;
    for (let i = 0; i < n; i++) {
      const a = this.offsets[idx[i]!]!;
      const b = this.offsets[idx[i]! + 1]!;
      bytes.set(this.data.subarray(a, b), at);
      at += b - a;
      offsets[i + 1] = at;
    }
    return { type: DataType.STRING, bytes, offsets };
  }
  trim(): void {
    if (wasteful(this.data.length, this.offsets[this.length]!)) this.resizeData(withMargin(this.offsets[this.length]!));
    if (wasteful(this.offsets.length, this.length + 1)) this.offsets = resized(this.offsets.subarray(0, this.length + 1), withMargin(this.length + 1));
  }
  reset(): void {
    // offsets[0] is always 0; the rest is rewritten before it is read.
    this.length = 0;
  }
  reserve(rows: number, dataBytes: number): void {
    this.offsets = atLeast(this.offsets, rows + 1);
    if (dataBytes > this.data.length) this.resizeData(withMargin(dataBytes));
  }
  /** Grows the arena to hold `need` bytes (doubling), keeping the filled part. */
  private growData(need: number): void {
    let cap = this.data.length * 2;
    while (cap < need) cap *= 2;
    this.resizeData(cap);
  }
  /** Moves the filled part of the arena into a new one of `cap` bytes. */
  private resizeData(cap: number): void {
    const b = Buffer.allocUnsafeSlow(cap);
    this.data.copy(b, 0, 0, this.offsets[this.length]);
    this.data = b;
  }
}

/** A builder for a column of the given schema. */
export function createBuilder(col: ColumnSchema, capacity: number, bytesHint = capacity * 16): ColumnBuilder {
  switch (col.type) {
    case DataType.STRING:
      return new StringBuilder(capacity, bytesHint);
    case DataType.BOOLEAN:
      return new BooleanBuilder(capacity);
    case DataType.UINT128:
      return new UInt128Builder(capacity);
    default:
      return new NumberBuilder(col.type, capacity);
  }
}

export { NumberBuilder, StringBuilder };

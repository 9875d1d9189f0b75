import { DataType as T, type Column, type DataType, type RowBatch, type StringColumn } from '@nixie/core';
import type { PlanColumn } from '@nixie/pxl';

/** Strings computed by the engine, kept as JS strings until a batch leaves it. */
export interface StringArrayVec {
  readonly type: 'STRING_ARR';
  readonly values: string[];
}

/** A column inside the engine: core's columnar form, or computed strings. */
export type Vec = Column | StringArrayVec;

/** A batch inside the engine: columns aligned with the node's relation. */
export interface Batch {
  readonly length: number;
  readonly cols: Vec[];
}

const utf8 = new TextDecoder();
const encoder = new TextEncoder();

/** Row i of a UTF-8 string column; ASCII without a TextDecoder call. */
export function utf8At(col: StringColumn, i: number): string {
  const a = col.offsets[i]!;
  const b = col.offsets[i + 1]!;
  const n = b - a;
  if (n === 0) return '';
  if (n <= 32) {
    const bytes = col.bytes;
    let ascii = true;
    for (let j = a; j < b; j++) if (bytes[j]! > 127) ascii = false;
    if (ascii) {
      let s = '';
      for (let j = a; j < b; j++) s += String.fromCharCode(bytes[j]!);
      return s;
    }
  }
  return utf8.decode(col.bytes.subarray(a, b));
}

/** Row i of a string vector. */
export function strAt(v: Vec, i: number): string {
  if (v.type === 'STRING_ARR') return v.values[i]!;
  if (v.type === T.STRING) return utf8At(v, i);
  return '';
}

/** All rows of a string vector as JS strings. */
export function strings(v: Vec, n: number): string[] {
  if (v.type === 'STRING_ARR') return v.values;
  const out = new Array<string>(n);
  for (let i = 0; i < n; i++) out[i] = strAt(v, i);
  return out;
}

/** The logical type of a vector. */
export function vecType(v: Vec): DataType {
  return v.type === 'STRING_ARR' ? T.STRING : v.type;
}

/** UTF-8 column from JS strings. */
export function encodeStrings(values: readonly string[], n = values.length): StringColumn {
  const offsets = new Uint32Array(n + 1);
  let ascii = true;
  let total = 0;
  for (let i = 0; i < n; i++) {
    const s = values[i]!;
    total += s.length;
    if (ascii) for (let j = 0; j < s.length; j++) if (s.charCodeAt(j) > 127) ascii = false;
  }
  if (ascii) {
    const bytes = new Uint8Array(total);
    let p = 0;
    for (let i = 0; i < n; i++) {
      const s = values[i]!;
      for (let j = 0; j < s.length; j++) bytes[p++] = s.charCodeAt(j);
      offsets[i + 1] = p;
    }
    return { type: T.STRING, bytes, offsets };
  }
  const parts = new Array<Uint8Array>(n);
  total = 0;
  for (let i = 0; i < n; i++) {
    parts[i] = encoder.encode(values[i]!);
    total += parts[i]!.length;
  }
  const bytes = new Uint8Array(total);
  let p = 0;
  for (let i = 0; i < n; i++) {
    bytes.set(parts[i]!, p);
    p += parts[i]!.length;
    offsets[i + 1] = p;
  }
  return { type: T.STRING, bytes, offsets };
}

/** Core's column form of a vector (for results and the bus). */
export function toColumn(v: Vec, n: number): Column {
  return v.type === 'STRING_ARR' ? encodeStrings(v.values, n) : v;
}

/** A core RowBatch from an engine batch. */
export function toRowBatch(b: Batch, relation: readonly PlanColumn[], name: string): RowBatch {
  return {
    schema: { name, columns: relation.map((c) => (c.semantic ? { name: c.name, type: c.type, semantic: c.semantic } : { name: c.name, type: c.type })) },
    length: b.length,
    columns: b.cols.map((c) => toColumn(c, b.length)),
  };
}

/** The rows whose indices are listed, copied. idx[i] < 0 yields the type's zero value (outer joins). */
export function gather(v: Vec, idx: Int32Array | Uint32Array, n: number): Vec {
  switch (v.type) {
    case 'STRING_ARR': {
      const out = new Array<string>(n);
      for (let i = 0; i < n; i++) {
        const j = idx[i]!;
        out[i] = j < 0 ? '' : v.values[j]!;
      }
      return { type: 'STRING_ARR', values: out };
    }
    case T.STRING: {
      const offs = v.offsets;
      const offsets = new Uint32Array(n + 1);
      let total = 0;
      for (let i = 0; i < n; i++) {
        const j = idx[i]!;
        if (j >= 0) total += offs[j + 1]! - offs[j]!;
        offsets[i + 1] = total;
      }
      const bytes = new Uint8Array(total);
      const src = v.bytes;
      let p = 0;
      for (let i = 0; i < n; i++) {
        const j = idx[i]!;
        if (j < 0) continue;
        const a = offs[j]!;
        const b = offs[j + 1]!;
        if (b - a < 16) for (let k = a; k < b; k++) bytes[p++] = src[k]!;
        else {
          bytes.set(src.subarray(a, b), p);
          p += b - a;
        }
      }
      return { type: T.STRING, bytes, offsets };
    }
    case T.UINT128: {
      const high = new Float64Array(n);
      const low = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const j = idx[i]!;
        if (j >= 0) {
          high[i] = v.high[j]!;
          low[i] = v.low[j]!;
        }
      }
      return { type: T.UINT128, high, low };
    }
    case T.BOOLEAN: {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const j = idx[i]!;
        if (j >= 0) out[i] = v.values[j]!;
      }
      return { type: T.BOOLEAN, values: out };
    }
    default: {
      const out = new Float64Array(n);
      const src = v.values;
      for (let i = 0; i < n; i++) {
        const j = idx[i]!;
        if (j >= 0) out[i] = src[j]!;
      }
      return { type: v.type, values: out };
    }
  }
}

/** Rows [from, to) of a vector, as a view where the form allows. */
export function slice(v: Vec, from: number, to: number): Vec {
  switch (v.type) {
    case 'STRING_ARR':
      return { type: 'STRING_ARR', values: v.values.slice(from, to) };
    case T.STRING:
      return { type: T.STRING, bytes: v.bytes, offsets: v.offsets.subarray(from, to + 1) };
    case T.UINT128:
      return { type: T.UINT128, high: v.high.subarray(from, to), low: v.low.subarray(from, to) };
    case T.BOOLEAN:
      return { type: T.BOOLEAN, values: v.values.subarray(from, to) };
    default:
      return { type: v.type, values: v.values.subarray(from, to) };
  }
}

/** A vector of n copies of a constant. */
export function constant(type: DataType, value: number | string | boolean, n: number): Vec {
  switch (type) {
    case T.STRING:
      return { type: 'STRING_ARR', values: new Array<string>(n).fill(String(value)) };
    case T.BOOLEAN:
      return { type: T.BOOLEAN, values: new Uint8Array(n).fill(value ? 1 : 0) };
    case T.UINT128:
      return { type: T.UINT128, high: new Float64Array(n), low: new Float64Array(n) };
    default:
      return { type, values: new Float64Array(n).fill(Number(value)) };
  }
}

/** Builds a vector of `type` from per-row JS values (slow path: metadata, pluck, results of joins). */
export function fromValues(type: DataType, values: readonly (number | string | boolean)[]): Vec {
  const n = values.length;
  switch (type) {
    case T.STRING:
      return { type: 'STRING_ARR', values: values.map(String) };
    case T.BOOLEAN: {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = values[i] ? 1 : 0;
      return { type: T.BOOLEAN, values: out };
    }
    case T.UINT128:
      return { type: T.UINT128, high: new Float64Array(n), low: new Float64Array(n) };
    default: {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = Number(values[i]);
      return { type, values: out };
    }
  }
}

/** Numbers of a numeric vector (booleans as 0/1). */
export function nums(v: Vec): Float64Array | Uint8Array {
  if (v.type === T.INT64 || v.type === T.FLOAT64 || v.type === T.TIME64NS || v.type === T.BOOLEAN) return v.values;
  throw new Error(`expected a numeric column, got ${v.type}`);
}

/** An empty vector of a type. */
export function empty(type: DataType): Vec {
  return constant(type, type === T.STRING ? '' : 0, 0);
}

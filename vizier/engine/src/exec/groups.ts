import { DataType as T, type DataType } from '@nixie/core';
import { PairTable } from './pairs.js';
import { StringDict } from './strdict.js';
import { strAt, type Vec } from './vec.js';

/** Dense codes for one key column's distinct values. */
class KeyColumn {
  readonly dict = new StringDict();
  private readonly numCodes = new Map<number, number>();
  readonly numValues: number[] = [];
  private readonly u128Codes = new Map<number, Map<number, number>>();
  readonly hi: number[] = [];
  readonly lo: number[] = [];

  constructor(readonly type: DataType) {}

  codes(v: Vec, n: number, out: Int32Array): void {
    if (v.type === T.STRING) {
      for (let i = 0; i < n; i++) out[i] = this.dict.codeOfBytes(v, i);
    } else if (v.type === 'STRING_ARR') {
      for (let i = 0; i < n; i++) out[i] = this.dict.codeOf(v.values[i]!);
    } else if (v.type === T.UINT128) {
      for (let i = 0; i < n; i++) {
        const h = v.high[i]!;
        const l = v.low[i]!;
        let m = this.u128Codes.get(h);
        if (!m) this.u128Codes.set(h, (m = new Map()));
        let c = m.get(l);
        if (c === undefined) {
          c = this.hi.length;
          this.hi.push(h);
          this.lo.push(l);
          m.set(l, c);
        }
        out[i] = c;
      }
    } else {
      const vals = v.values;
      for (let i = 0; i < n; i++) {
        const x = vals[i]!;
        let c = this.numCodes.get(x);
        if (c === undefined) {
          c = this.numValues.length;
          this.numValues.push(x);
          this.numCodes.set(x, c);
        }
        out[i] = c;
      }
    }
  }

  /** The values of the given codes, as a vector. */
  output(codes: Int32Array, n: number): Vec {
    switch (this.type) {
      case T.STRING: {
        const out = new Array<string>(n);
        for (let i = 0; i < n; i++) out[i] = this.dict.values[codes[i]!]!;
        return { type: 'STRING_ARR', values: out };
      }
      case T.UINT128: {
        const high = new Float64Array(n);
        const low = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          high[i] = this.hi[codes[i]!]!;
          low[i] = this.lo[codes[i]!]!;
        }
        return { type: T.UINT128, high, low };
      }
      case T.BOOLEAN: {
        const out = new Uint8Array(n);
        for (let i = 0; i < n; i++) out[i] = this.numValues[codes[i]!]!;
        return { type: T.BOOLEAN, values: out };
      }
      default: {
        const out = new Float64Array(n);
        for (let i = 0; i < n; i++) out[i] = this.numValues[codes[i]!]!;
        return { type: this.type as typeof T.INT64, values: out };
      }
    }
  }
}

/**
 * Assigns dense group ids to rows by their key columns, across batches. Several keys combine pairwise
 * through nested maps of codes, so no per-row key object or string is built.
 */
export class GroupIndex {
  private readonly keys: KeyColumn[];
  private readonly pairs: PairTable[] = [];
  /** Per key, the key code of each group. */
  private groupCodes: Int32Array[];
  ngroups = 0;

  constructor(types: readonly DataType[]) {
    this.keys = types.map((t) => new KeyColumn(t));
    this.groupCodes = types.map(() => new Int32Array(64));
    for (let k = 1; k < types.length; k++) {
      this.pairs.push(new PairTable());
    }
  }

  /** Group id of every row of a batch, given its key columns. */
  assign(cols: readonly Vec[], n: number): Int32Array {
    const ids = new Int32Array(n);
    if (this.keys.length === 0) {
      if (n > 0 && this.ngroups === 0) this.ngroups = 1;
      return ids;
    }
    const perKey = this.keys.map((key, k) => {
      const c = k === 0 ? ids : new Int32Array(n);
      key.codes(cols[k]!, n, c);
      return k === 0 ? c.slice() : c;
    });
    for (let k = 1; k < this.keys.length; k++) {
      const codes = perKey[k]!;
      const pt = this.pairs[k - 1]!;
      for (let i = 0; i < n; i++) ids[i] = pt.id(ids[i]!, codes[i]!);
    }
    for (let i = 0; i < n; i++) {
      const g = ids[i]!;
      if (g < this.ngroups) continue;
      // Pair ids are dense and handed out in order of first appearance, so g === ngroups here.
      this.ensure(g + 1);
      for (let k = 0; k < this.keys.length; k++) this.groupCodes[k]![g] = perKey[k]![i]!;
      this.ngroups = g + 1;
    }
    return ids;
  }

  private ensure(n: number): void {
    if (n <= this.groupCodes[0]!.length) return;
    this.groupCodes = this.groupCodes.map((a) => {
      const b = new Int32Array(Math.max(n, a.length * 2));
      b.set(a);
      return b;
    });
  }

  /** The key columns of every group, in group id order. */
  output(): Vec[] {
    return this.keys.map((k, i) => k.output(this.groupCodes[i]!, this.ngroups));
  }
}

/** Row i of a key vector as text (for join keys). */
export function keyText(v: Vec, i: number): string | number {
  if (v.type === T.STRING || v.type === 'STRING_ARR') return strAt(v, i);
  if (v.type === T.UINT128) return `${v.high[i]}:${v.low[i]}`;
  return v.values[i]!;
}

import { DataType as T, type RowBatch, type TableStore } from '@nixie/core';
import type { Expr, PlanColumn } from '@nixie/pxl';
import { evalExpr, type EvalEnv } from './expr.js';
import { keyText } from './groups.js';
import { empty, gather, nums, strAt, strings, type Batch, type Vec } from './vec.js';

/** Scans a table of the store: batches are views of its chunks. */
export function scanSource(store: TableStore, table: string, columns: readonly string[], startTime?: number, endTime?: number): Batch[] {
  if (!store.has(table)) return [];
  const out: Batch[] = [];
  for (const b of store.table(table).scan({ startTime, endTime, columns })) out.push({ length: b.length, cols: [...b.columns] });
  return out;
}

/** Core RowBatches as engine batches (vizier inputs). */
export function fromRowBatches(batches: readonly RowBatch[]): Batch[] {
  return batches.map((b) => ({ length: b.length, cols: [...b.columns] }));
}

/** Keeps the rows where the predicate holds. */
export function filterBatches(input: Batch[], rel: readonly PlanColumn[], predicate: Expr, env: EvalEnv): Batch[] {
  const idx = new Map(rel.map((c, i) => [c.name, i]));
  const out: Batch[] = [];
  for (const b of input) {
    const mask = nums(evalExpr(predicate, b, idx, env));
    const sel = new Uint32Array(b.length);
    let n = 0;
    for (let i = 0; i < b.length; i++) if (mask[i]) sel[n++] = i;
    if (n === 0) continue;
    if (n === b.length) out.push(b);
    else out.push({ length: n, cols: b.cols.map((c) => gather(c, sel, n)) });
  }
  return out;
}

/** Computes the output columns of a map node. */
export function mapBatches(input: Batch[], rel: readonly PlanColumn[], exprs: readonly { name: string; expr: Expr }[], env: EvalEnv): Batch[] {
  const idx = new Map(rel.map((c, i) => [c.name, i]));
  return input.map((b) => ({ length: b.length, cols: exprs.map((e) => evalExpr(e.expr, b, idx, env)) }));
}

/** The first n rows. */
export function limitBatches(input: Batch[], n: number): Batch[] {
  const out: Batch[] = [];
  let left = n;
  for (const b of input) {
    if (left <= 0) break;
    if (b.length <= left) {
      out.push(b);
      left -= b.length;
      continue;
    }
    const sel = new Uint32Array(left);
    for (let i = 0; i < left; i++) sel[i] = i;
    out.push({ length: left, cols: b.cols.map((c) => gather(c, sel, left)) });
    left = 0;
  }
  return out;
}

/** All batches as one. */
export function concat(input: readonly Batch[], rel: readonly PlanColumn[]): Batch {
  if (input.length === 1) return input[0]!;
  const n = input.reduce((s, b) => s + b.length, 0);
  const cols = rel.map((c, j) => {
    const parts = input.map((b) => b.cols[j]!);
    if (parts.length === 0) return empty(c.type);
    return concatVecs(parts, input.map((b) => b.length), n);
  });
  return { length: n, cols };
}

function concatVecs(parts: Vec[], lens: number[], n: number): Vec {
  const first = parts[0]!;
  if (first.type === T.STRING || first.type === 'STRING_ARR') {
    if (parts.every((p) => p.type === T.STRING)) {
      let total = 0;
      parts.forEach((p, k) => {
        const o = (p as { offsets: Uint32Array }).offsets;
        total += o[lens[k]!]! - o[0]!;
      });
      const bytes = new Uint8Array(total);
      const offsets = new Uint32Array(n + 1);
      let at = 0;
      let row = 0;
      parts.forEach((p, k) => {
        const s = p as { bytes: Uint8Array; offsets: Uint32Array };
        const base = s.offsets[0]!;
        const end = s.offsets[lens[k]!]!;
        bytes.set(s.bytes.subarray(base, end), at);
        for (let i = 1; i <= lens[k]!; i++) offsets[row + i] = at + s.offsets[i]! - base;
        at += end - base;
        row += lens[k]!;
      });
      return { type: T.STRING, bytes, offsets };
    }
    const values: string[] = [];
    parts.forEach((p, k) => {
      for (const s of strings(p, lens[k]!)) values.push(s);
    });
    return { type: 'STRING_ARR', values };
  }
  if (first.type === T.UINT128) {
    const high = new Float64Array(n);
    const low = new Float64Array(n);
    let at = 0;
    parts.forEach((p) => {
      const u = p as { high: Float64Array; low: Float64Array };
      high.set(u.high, at);
      low.set(u.low, at);
      at += u.high.length;
    });
    return { type: T.UINT128, high, low };
  }
  if (first.type === T.BOOLEAN) {
    const values = new Uint8Array(n);
    let at = 0;
    parts.forEach((p) => {
      values.set(nums(p), at);
      at += nums(p).length;
    });
    return { type: T.BOOLEAN, values };
  }
  const values = new Float64Array(n);
  let at = 0;
  parts.forEach((p) => {
    values.set(nums(p), at);
    at += nums(p).length;
  });
  return { type: first.type, values };
}

/** Sorts all rows by the given columns. */
export function sortBatches(input: Batch[], rel: readonly PlanColumn[], by: readonly string[], ascending: readonly boolean[]): Batch[] {
  const all = concat(input, rel);
  const keys = by.map((k) => all.cols[rel.findIndex((c) => c.name === k)]!);
  const n = all.length;
  const idx = new Uint32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  const keyVals = keys.map((k) => (k.type === T.STRING || k.type === 'STRING_ARR' ? strings(k, n) : k.type === T.UINT128 ? Array.from({ length: n }, (_, i) => keyText(k, i)) : nums(k)));
  idx.sort((a, b) => {
    for (let k = 0; k < keyVals.length; k++) {
      const x = keyVals[k]![a]!;
      const y = keyVals[k]![b]!;
      if (x !== y) return (x < y ? -1 : 1) * (ascending[k] === false ? -1 : 1);
    }
    return a - b;
  });
  return n === 0 ? [] : [{ length: n, cols: all.cols.map((c) => gather(c, idx, n)) }];
}

/** Row i of any vector as text, for debugging and tests. */
export function cellText(v: Vec, i: number): string {
  if (v.type === T.STRING || v.type === 'STRING_ARR') return strAt(v, i);
  return String(keyText(v, i));
}

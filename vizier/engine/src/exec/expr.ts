import { DataType as T, type DataType } from '@nixie/core';
import type { Expr } from '@nixie/pxl';
import type { Metadata } from '../metadata/metadata.js';
import { SCALAR_IMPLS } from './functions.js';
import { constant, nums, type Batch, type Vec } from './vec.js';

/** What expression evaluation needs besides the batch. */
export interface EvalEnv {
  readonly metadata: Metadata;
}

/** Column index by name for a relation. */
export type ColIndex = ReadonlyMap<string, number>;

const enc = new TextEncoder();
const COMPARE = new Set(['equal', 'notEqual', 'lessThan', 'lessThanEqual', 'greaterThan', 'greaterThanEqual']);
const ARITH = new Set(['add', 'subtract', 'multiply', 'divide', 'modulo']);

/** Evaluates an expression over every row of a batch. */
export function evalExpr(e: Expr, b: Batch, idx: ColIndex, env: EvalEnv): Vec {
  switch (e.kind) {
    case 'col':
      return b.cols[idx.get(e.name)!]!;
    case 'lit':
      return constant(e.type, e.value, b.length);
    case 'call': {
      const fast = fastPath(e, b, idx, env);
      if (fast) return fast;
      const impl = SCALAR_IMPLS.get(e.fn);
      if (!impl) throw new Error(`engine has no function ${e.fn}`);
      return impl(e.args.map((a) => evalExpr(a, b, idx, env)), b.length, e.type, env.metadata);
    }
  }
}

/**
 * Column-vs-constant operators without materializing the constant: the shape of most filters
 * (`df.resp_status >= 400`, `df.req_method == 'GET'`) and of unit conversions (`df.latency / 1e6`).
 */
function fastPath(e: Extract<Expr, { kind: 'call' }>, b: Batch, idx: ColIndex, env: EvalEnv): Vec | undefined {
  if (e.args.length !== 2) return undefined;
  const [x, y] = e.args as [Expr, Expr];
  const litSide = y.kind === 'lit' ? 1 : x.kind === 'lit' ? 0 : -1;
  if (litSide < 0 || (!COMPARE.has(e.fn) && !ARITH.has(e.fn))) return undefined;
  const lit = (litSide === 1 ? y : x) as Extract<Expr, { kind: 'lit' }>;
  const other = evalExpr(litSide === 1 ? x : y, b, idx, env);
  const n = b.length;
  if (typeof lit.value === 'number' && other.type !== T.STRING && other.type !== 'STRING_ARR' && other.type !== T.UINT128) {
    const v = nums(other);
    const c = lit.value;
    const fn = litSide === 1 ? e.fn : flip(e.fn);
    if (COMPARE.has(e.fn)) return { type: T.BOOLEAN, values: compareScalar(fn, v, c, n) };
    return { type: e.type as typeof T.INT64, values: arithScalar(fn, v, c, n, litSide === 1, e.type) };
  }
  if (typeof lit.value === 'string' && other.type === T.STRING && (e.fn === 'equal' || e.fn === 'notEqual')) {
    const key = enc.encode(lit.value);
    const out = new Uint8Array(n);
    const { bytes, offsets } = other;
    const eq = e.fn === 'equal' ? 1 : 0;
    const len = key.length;
    for (let i = 0; i < n; i++) {
      const a = offsets[i]!;
      let same = offsets[i + 1]! - a === len;
      for (let j = 0; same && j < len; j++) same = bytes[a + j] === key[j];
      out[i] = same ? eq : 1 - eq;
    }
    return { type: T.BOOLEAN, values: out };
  }
  return undefined;
}

function flip(fn: string): string {
  switch (fn) {
    case 'lessThan':
      return 'greaterThan';
    case 'lessThanEqual':
      return 'greaterThanEqual';
    case 'greaterThan':
      return 'lessThan';
    case 'greaterThanEqual':
      return 'lessThanEqual';
    default:
      return fn;
  }
}

function compareScalar(fn: string, v: Float64Array | Uint8Array, c: number, n: number): Uint8Array {
  const out = new Uint8Array(n);
  switch (fn) {
    case 'equal':
      for (let i = 0; i < n; i++) out[i] = v[i] === c ? 1 : 0;
      break;
    case 'notEqual':
      for (let i = 0; i < n; i++) out[i] = v[i] !== c ? 1 : 0;
      break;
    case 'lessThan':
      for (let i = 0; i < n; i++) out[i] = v[i]! < c ? 1 : 0;
      break;
    case 'lessThanEqual':
      for (let i = 0; i < n; i++) out[i] = v[i]! <= c ? 1 : 0;
      break;
    case 'greaterThan':
      for (let i = 0; i < n; i++) out[i] = v[i]! > c ? 1 : 0;
      break;
    default:
      for (let i = 0; i < n; i++) out[i] = v[i]! >= c ? 1 : 0;
  }
  return out;
}

function arithScalar(fn: string, v: Float64Array | Uint8Array, c: number, n: number, colLeft: boolean, type: DataType): Float64Array {
  const out = new Float64Array(n);
  const int = type !== T.FLOAT64;
  switch (fn) {
    case 'add':
      for (let i = 0; i < n; i++) out[i] = v[i]! + c;
      break;
    case 'subtract':
      if (colLeft) for (let i = 0; i < n; i++) out[i] = v[i]! - c;
      else for (let i = 0; i < n; i++) out[i] = c - v[i]!;
      break;
    case 'multiply':
      for (let i = 0; i < n; i++) out[i] = v[i]! * c;
      break;
    case 'divide':
      if (colLeft) for (let i = 0; i < n; i++) out[i] = v[i]! / c;
      else for (let i = 0; i < n; i++) out[i] = c / v[i]!;
      break;
    default:
      for (let i = 0; i < n; i++) {
        const a = colLeft ? v[i]! : c;
        const d = colLeft ? c : v[i]!;
        out[i] = a - Math.floor(a / d) * d;
      }
  }
  if (int && fn !== 'divide') for (let i = 0; i < n; i++) out[i] = Math.trunc(out[i]!);
  return out;
}

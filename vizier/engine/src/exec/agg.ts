import { DataType as T, type DataType } from '@nixie/core';
import type { AggSpec, PlanColumn } from '@nixie/pxl';
import { GroupIndex } from './groups.js';
import { TDigest, quantilesJson } from './tdigest.js';
import { fromValues, nums, strAt, type Batch, type Vec } from './vec.js';

/** One aggregate's per-group state. */
interface AggState {
  /** Adds raw values (full and partial stages). */
  update(v: Vec, gids: Int32Array, n: number): void;
  /** Adds partial states (final stage); `cols` are this aggregate's state columns. */
  merge(cols: Vec[], gids: Int32Array, n: number): void;
  partial(ng: number): Vec[];
  final(ng: number): Vec;
}

function growF64(a: Float64Array, n: number, fill = 0): Float64Array {
  if (n <= a.length) return a;
  const b = new Float64Array(Math.max(n, a.length * 2));
  if (fill !== 0) b.fill(fill);
  b.set(a);
  return b;
}

class SumState implements AggState {
  acc: Float64Array = new Float64Array(64);
  constructor(
    private readonly type: DataType,
    private readonly countOnly: boolean,
  ) {}
  update(v: Vec, gids: Int32Array, n: number): void {
    const acc = (this.acc = growF64(this.acc, maxId(gids, n) + 1));
    if (this.countOnly) for (let i = 0; i < n; i++) acc[gids[i]!]!++;
    else {
      const x = nums(v);
      for (let i = 0; i < n; i++) acc[gids[i]!] += x[i]!;
    }
  }
  merge(cols: Vec[], gids: Int32Array, n: number): void {
    const acc = (this.acc = growF64(this.acc, maxId(gids, n) + 1));
    const x = nums(cols[0]!);
    for (let i = 0; i < n; i++) acc[gids[i]!] += x[i]!;
  }
  partial(ng: number): Vec[] {
    return [this.final(ng)];
  }
  final(ng: number): Vec {
    return { type: this.type as typeof T.INT64, values: growF64(this.acc, ng).slice(0, ng) };
  }
}

class MinMaxState implements AggState {
  acc: Float64Array;
  constructor(
    private readonly type: DataType,
    private readonly isMax: boolean,
  ) {
    this.acc = new Float64Array(64).fill(isMax ? -Infinity : Infinity);
  }
  update(v: Vec, gids: Int32Array, n: number): void {
    const acc = (this.acc = growF64(this.acc, maxId(gids, n) + 1, this.isMax ? -Infinity : Infinity));
    const x = nums(v);
    if (this.isMax) {
      for (let i = 0; i < n; i++) if (x[i]! > acc[gids[i]!]!) acc[gids[i]!] = x[i]!;
    } else for (let i = 0; i < n; i++) if (x[i]! < acc[gids[i]!]!) acc[gids[i]!] = x[i]!;
  }
  merge(cols: Vec[], gids: Int32Array, n: number): void {
    this.update(cols[0]!, gids, n);
  }
  partial(ng: number): Vec[] {
    return [this.final(ng)];
  }
  final(ng: number): Vec {
    const out = growF64(this.acc, ng, this.isMax ? -Infinity : Infinity).slice(0, ng);
    for (let i = 0; i < ng; i++) if (!Number.isFinite(out[i]!)) out[i] = 0;
    return { type: this.type as typeof T.INT64, values: out };
  }
}

class MeanState implements AggState {
  sum = new SumState(T.FLOAT64, false);
  cnt = new SumState(T.INT64, true);
  update(v: Vec, gids: Int32Array, n: number): void {
    this.sum.update(v, gids, n);
    this.cnt.update(v, gids, n);
  }
  merge(cols: Vec[], gids: Int32Array, n: number): void {
    this.sum.merge([cols[0]!], gids, n);
    this.cnt.merge([cols[1]!], gids, n);
  }
  partial(ng: number): Vec[] {
    return [this.sum.final(ng), this.cnt.final(ng)];
  }
  final(ng: number): Vec {
    const s = this.sum.final(ng) as { values: Float64Array };
    const c = this.cnt.final(ng) as { values: Float64Array };
    const out = new Float64Array(ng);
    for (let i = 0; i < ng; i++) out[i] = c.values[i]! > 0 ? s.values[i]! / c.values[i]! : 0;
    return { type: T.FLOAT64, values: out };
  }
}

class AnyState implements AggState {
  vals: (number | string)[] = [];
  hi: number[] = [];
  lo: number[] = [];
  constructor(private readonly type: DataType) {}
  update(v: Vec, gids: Int32Array, n: number): void {
    for (let i = 0; i < n; i++) {
      const g = gids[i]!;
      if (g < this.vals.length && this.vals[g] !== undefined) continue;
      if (v.type === T.UINT128) {
        this.hi[g] = v.high[i]!;
        this.lo[g] = v.low[i]!;
        this.vals[g] = 0;
      } else this.vals[g] = v.type === T.STRING || v.type === 'STRING_ARR' ? strAt(v, i) : v.values[i]!;
    }
  }
  merge(cols: Vec[], gids: Int32Array, n: number): void {
    this.update(cols[0]!, gids, n);
  }
  partial(ng: number): Vec[] {
    return [this.final(ng)];
  }
  final(ng: number): Vec {
    if (this.type === T.UINT128) {
      const high = new Float64Array(ng);
      const low = new Float64Array(ng);
      for (let i = 0; i < ng; i++) {
        high[i] = this.hi[i] ?? 0;
        low[i] = this.lo[i] ?? 0;
      }
      return { type: T.UINT128, high, low };
    }
    const out = new Array<number | string>(ng);
    for (let i = 0; i < ng; i++) out[i] = this.vals[i] ?? (this.type === T.STRING ? '' : 0);
    return fromValues(this.type, out);
  }
}

class QuantilesState implements AggState {
  digests: TDigest[] = [];
  private at(g: number): TDigest {
    let d = this.digests[g];
    if (!d) this.digests[g] = d = new TDigest();
    return d;
  }
  update(v: Vec, gids: Int32Array, n: number): void {
    const x = nums(v);
    for (let i = 0; i < n; i++) this.at(gids[i]!).add(x[i]!);
  }
  merge(cols: Vec[], gids: Int32Array, n: number): void {
    for (let i = 0; i < n; i++) this.at(gids[i]!).merge(TDigest.deserialize(strAt(cols[0]!, i)));
  }
  partial(ng: number): Vec[] {
    const out = new Array<string>(ng);
    for (let i = 0; i < ng; i++) out[i] = this.at(i).serialize();
    return [{ type: 'STRING_ARR', values: out }];
  }
  final(ng: number): Vec {
    const out = new Array<string>(ng);
    for (let i = 0; i < ng; i++) out[i] = quantilesJson(this.at(i));
    return { type: 'STRING_ARR', values: out };
  }
}

function maxId(gids: Int32Array, n: number): number {
  let m = 0;
  for (let i = 0; i < n; i++) if (gids[i]! > m) m = gids[i]!;
  return m;
}

function makeState(a: AggSpec, argType: DataType): AggState {
  switch (a.fn) {
    case 'count':
      return new SumState(T.INT64, true);
    case 'sum':
      return new SumState(a.type, false);
    case 'min':
      return new MinMaxState(a.type, false);
    case 'max':
      return new MinMaxState(a.type, true);
    case 'mean':
      return new MeanState();
    case 'any':
      return new AnyState(argType);
    case 'quantiles':
      return new QuantilesState();
    default:
      throw new Error(`engine has no aggregate ${a.fn}`);
  }
}

/** Number of state columns an aggregate uses in a partial batch. */
const stateWidth = (a: AggSpec): number => (a.fn === 'mean' ? 2 : 1);

/**
 * Aggregation in one of three stages (see AggStage): `full` and `partial` read raw rows, `final`
 * reads partial states; `partial` emits states, the others emit aggregate values.
 */
export function aggregate(
  stage: 'full' | 'partial' | 'final',
  input: Batch[],
  inRel: readonly PlanColumn[],
  groups: readonly string[],
  aggs: readonly AggSpec[],
): Batch {
  const idx = new Map(inRel.map((c, i) => [c.name, i]));
  const keyIdx = groups.map((g) => idx.get(g)!);
  const gi = new GroupIndex(keyIdx.map((i) => inRel[i]!.type));
  const states = aggs.map((a) => makeState(a, stage === 'final' ? a.type : inRel[idx.get(a.arg)!]!.type));
  // In a partial batch each aggregate's state columns follow the group columns, in order.
  const stateStart: number[] = [];
  let p = groups.length;
  for (const a of aggs) {
    stateStart.push(p);
    p += stateWidth(a);
  }
  for (const b of input) {
    if (b.length === 0) continue;
    const gids = gi.assign(keyIdx.map((i) => b.cols[i]!), b.length);
    aggs.forEach((a, j) => {
      if (stage === 'final') {
        const s = stateStart[j]!;
        states[j]!.merge(b.cols.slice(s, s + stateWidth(a)), gids, b.length);
      } else states[j]!.update(b.cols[idx.get(a.arg)!]!, gids, b.length);
    });
  }
  // Without group keys an aggregate has one row even over no input (count 0), except partials.
  const ng = groups.length === 0 && stage !== 'partial' ? 1 : gi.ngroups;
  const cols = gi.output();
  for (const s of states) {
    if (stage === 'partial') cols.push(...s.partial(ng));
    else cols.push(s.final(ng));
  }
  return { length: ng, cols };
}

import { DataType as T } from '@nixie/core';
import type { JoinColumn, JoinHow, PlanColumn } from '@nixie/pxl';
import { GroupIndex } from './groups.js';
import { concat } from './ops.js';
import { gather, type Batch, type Vec } from './vec.js';

/**
 * Hash join: the right side is indexed by its key columns (dense key ids through a GroupIndex shared
 * with the probe side), the left side probes. Rows without a match get zero values ('' / 0 / false)
 * on the other side, as Pixie has no nulls.
 */
export function hashJoin(
  how: JoinHow,
  left: Batch[],
  leftRel: readonly PlanColumn[],
  right: Batch[],
  rightRel: readonly PlanColumn[],
  leftOn: readonly string[],
  rightOn: readonly string[],
  columns: readonly JoinColumn[],
): Batch {
  const l = concat(left, leftRel);
  const r = concat(right, rightRel);
  const li = leftOn.map((k) => leftRel.findIndex((c) => c.name === k));
  const ri = rightOn.map((k) => rightRel.findIndex((c) => c.name === k));
  const keys = new GroupIndex(ri.map((i) => rightRel[i]!.type));
  const rIds = keys.assign(ri.map((i) => r.cols[i]!), r.length);
  const nRightKeys = keys.ngroups;
  // Chain rows of the right side by key: head[key] -> first row, next[row] -> following row.
  const head = new Int32Array(nRightKeys).fill(-1);
  const next = new Int32Array(r.length).fill(-1);
  for (let i = r.length - 1; i >= 0; i--) {
    next[i] = head[rIds[i]!]!;
    head[rIds[i]!] = i;
  }
  const lIds = keys.assign(li.map((i) => l.cols[i]!), l.length);
  let lOut = new Int32Array(Math.max(16, l.length));
  let rOut = new Int32Array(lOut.length);
  let n = 0;
  const push = (a: number, b: number): void => {
    if (n === lOut.length) {
      const la = new Int32Array(n * 2);
      la.set(lOut);
      lOut = la;
      const ra = new Int32Array(n * 2);
      ra.set(rOut);
      rOut = ra;
    }
    lOut[n] = a;
    rOut[n++] = b;
  };
  const matched = new Uint8Array(r.length);
  const keepLeft = how === 'left' || how === 'outer';
  for (let i = 0; i < l.length; i++) {
    const k = lIds[i]!;
    let j = k < nRightKeys ? head[k]! : -1;
    if (j < 0) {
      if (keepLeft) push(i, -1);
      continue;
    }
    for (; j >= 0; j = next[j]!) {
      push(i, j);
      matched[j] = 1;
    }
  }
  if (how === 'right' || how === 'outer') for (let j = 0; j < r.length; j++) if (!matched[j]) push(-1, j);
  const cols: Vec[] = columns.map((c) => {
    const side = c.side === 'left' ? l : r;
    const rel = c.side === 'left' ? leftRel : rightRel;
    const v = side.cols[rel.findIndex((x) => x.name === c.from)]!;
    return gather(v, c.side === 'left' ? lOut : rOut, n);
  });
  // An unmatched right row of a right/outer join takes its key from the right side.
  if (how === 'right' || how === 'outer') {
    leftOn.forEach((k, ki) => {
      const outIdx = columns.findIndex((c) => c.side === 'left' && c.from === k);
      if (outIdx < 0) return;
      const from = gather(r.cols[ri[ki]!]!, rOut, n);
      cols[outIdx] = fillMissing(cols[outIdx]!, from, lOut, n);
    });
  }
  return { length: n, cols };
}

function fillMissing(v: Vec, from: Vec, lOut: Int32Array, n: number): Vec {
  let any = false;
  for (let i = 0; i < n && !any; i++) any = lOut[i]! < 0;
  if (!any) return v;
  const idx = new Int32Array(n);
  // Take the left value where there is a left row, else the right key (gather over a 2n concat).
  const both = concat(
    [
      { length: n, cols: [v] },
      { length: n, cols: [from] },
    ],
    [{ name: 'k', type: v.type === 'STRING_ARR' ? T.STRING : v.type }],
  );
  for (let i = 0; i < n; i++) idx[i] = lOut[i]! < 0 ? n + i : i;
  return gather(both.cols[0]!, idx, n);
}

import os from 'node:os';
import { DataType as T, type TableStore } from '@nixie/core';
import type { PlanNode } from '@nixie/pxl';
import { aggregate } from './agg.js';
import type { EvalEnv } from './expr.js';
import { hashJoin } from './join.js';
import { filterBatches, limitBatches, mapBatches, scanSource, sortBatches } from './ops.js';
import { encodeStrings, fromValues, type Batch } from './vec.js';

/** Where a plan's leaves read from. */
export interface ExecContext extends EvalEnv {
  readonly store?: TableStore;
  readonly remote?: ReadonlyMap<number, Batch[]>;
  readonly agentId?: string;
}

/** Runs a plan tree bottom-up; every operator takes and returns whole lists of batches. */
export function executeNode(n: PlanNode, ctx: ExecContext): Batch[] {
  switch (n.op) {
    case 'source':
      return ctx.store ? scanSource(ctx.store, n.table, n.columns, n.startTime, n.endTime) : [];
    case 'udtf':
      return udtf(n.fn, ctx);
    case 'remote':
      return ctx.remote?.get(n.id) ?? [];
    case 'map':
      return mapBatches(executeNode(n.input, ctx), n.input.relation, n.exprs, ctx);
    case 'filter':
      return filterBatches(executeNode(n.input, ctx), n.input.relation, n.predicate, ctx);
    case 'agg': {
      const out = aggregate(n.stage, executeNode(n.input, ctx), n.input.relation, n.groups, n.aggs);
      return out.length > 0 ? [out] : [];
    }
    case 'join': {
      const out = hashJoin(n.how, executeNode(n.left, ctx), n.left.relation, executeNode(n.right, ctx), n.right.relation, n.leftOn, n.rightOn, n.columns);
      return out.length > 0 ? [out] : [];
    }
    case 'union':
      return n.inputs.flatMap((i) => executeNode(i, ctx));
    case 'limit':
      return limitBatches(executeNode(n.input, ctx), n.n);
    case 'sort':
      return sortBatches(executeNode(n.input, ctx), n.relation, n.by, n.ascending);
  }
}

function udtf(fn: string, ctx: ExecContext): Batch[] {
  const store = ctx.store;
  if (!store) return [];
  if (fn === 'GetSchemas') {
    const rows: string[][] = [[], [], [], [], []];
    for (const s of store.schemas()) {
      for (const c of s.columns) {
        rows[0]!.push(s.name);
        rows[1]!.push(c.name);
        rows[2]!.push(c.type);
        rows[3]!.push(c.semantic ?? 'none');
        rows[4]!.push(c.desc ?? '');
      }
    }
    return [{ length: rows[0]!.length, cols: rows.map((r) => encodeStrings(r)) }];
  }
  if (fn === 'GetAgentStatus') {
    let rows = 0;
    let bytes = 0;
    for (const s of Object.values(store.stats())) {
      rows += s.rows;
      bytes += s.bytes;
    }
    const vals: [typeof T.STRING | typeof T.INT64, number | string][] = [
      [T.STRING, ctx.agentId ?? os.hostname()],
      [T.STRING, os.hostname()],
      [T.INT64, process.pid],
      [T.STRING, 'HEALTHY'],
      [T.INT64, Math.round(process.uptime() * 1e9)],
      [T.INT64, rows],
      [T.INT64, bytes],
      [T.INT64, process.memoryUsage().rss],
    ];
    return [{ length: 1, cols: vals.map(([t, v]) => fromValues(t, [v])) }];
  }
  throw new Error(`engine has no table function ${fn}`);
}

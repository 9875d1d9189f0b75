import type { Expr, PlanColumn, PlanNode } from '@nixie/pxl';

function exprCols(e: Expr, out: Set<string>): void {
  if (e.kind === 'col') out.add(e.name);
  else if (e.kind === 'call') for (const a of e.args) exprCols(a, out);
}

/**
 * Drops columns no output needs: sources scan fewer columns, maps compute fewer expressions, and
 * filters gather less. A node's relation shrinks to what its parent reads; names do not change.
 */
export function prunePlan(n: PlanNode, need: ReadonlySet<string> = new Set(n.relation.map((c) => c.name))): PlanNode {
  const keep = (rel: readonly PlanColumn[], s: ReadonlySet<string>): PlanColumn[] => rel.filter((c) => s.has(c.name));
  switch (n.op) {
    case 'source': {
      const columns = n.columns.filter((c) => need.has(c));
      return { ...n, columns, relation: keep(n.relation, need) };
    }
    case 'map': {
      const exprs = n.exprs.filter((e) => need.has(e.name));
      const inNeed = new Set<string>();
      for (const e of exprs) exprCols(e.expr, inNeed);
      return { ...n, exprs, input: prunePlan(n.input, inNeed), relation: keep(n.relation, need) };
    }
    case 'filter': {
      const inNeed = new Set(need);
      exprCols(n.predicate, inNeed);
      const input = prunePlan(n.input, inNeed);
      return { ...n, input, relation: input.relation };
    }
    case 'agg':
      return { ...n, input: prunePlan(n.input, new Set([...n.groups, ...n.aggs.map((a) => a.arg)])) };
    case 'join': {
      const columns = n.columns.filter((c) => need.has(c.name));
      const l = new Set([...n.leftOn, ...columns.filter((c) => c.side === 'left').map((c) => c.from)]);
      const r = new Set([...n.rightOn, ...columns.filter((c) => c.side === 'right').map((c) => c.from)]);
      return { ...n, columns, left: prunePlan(n.left, l), right: prunePlan(n.right, r), relation: keep(n.relation, need) };
    }
    case 'limit': {
      const input = prunePlan(n.input, need);
      return { ...n, input, relation: input.relation };
    }
    case 'sort': {
      const input = prunePlan(n.input, new Set([...need, ...n.by]));
      return { ...n, input, relation: input.relation };
    }
    default:
      // Unions stay whole (their inputs line up by position); leaves are what they are.
      return n;
  }
}

import type { AggSpec, CompiledScript, PlanColumn, PlanNode } from '@nixie/pxl';
import { partialStateColumns } from './exec/agg-state.js';
import type { AgentFragment, DistributedPlan, VizierFragment } from './types.js';

/**
 * Splits a compiled script for distributed execution. Agents run every maximal chain
 * source -> filter/map, topped by a partial aggregation when an aggregation follows it (or by a
 * copy of a limit); the vizier runs the rest over `remote` leaves: final aggregation, joins,
 * unions, sorts, limits. Identical chains (the same dataframe used twice) run once.
 */
export function splitPlan(compiled: CompiledScript): DistributedPlan {
  const nodes: { id: number; plan: PlanNode }[] = [];
  const ids = new Map<string, number>();
  const remote = (plan: PlanNode): PlanNode => {
    const key = JSON.stringify(plan);
    let id = ids.get(key);
    if (id === undefined) {
      id = nodes.length;
      ids.set(key, id);
      nodes.push({ id, plan });
    }
    return { op: 'remote', id, relation: plan.relation };
  };
  const visit = (n: PlanNode): PlanNode => {
    if (isAgentChain(n)) return remote(n);
    switch (n.op) {
      case 'agg':
        if (n.stage === 'full' && isAgentChain(n.input)) {
          const partial: PlanNode = { op: 'agg', stage: 'partial', input: n.input, groups: n.groups, aggs: n.aggs, relation: partialRelation(n.input.relation, n.groups, n.aggs) };
          return { ...n, stage: 'final', input: remote(partial) };
        }
        return { ...n, input: visit(n.input) };
      case 'limit':
        if (isAgentChain(n.input)) return { ...n, input: remote(n) };
        return { ...n, input: visit(n.input) };
      case 'map':
      case 'filter':
      case 'sort':
        return { ...n, input: visit(n.input) };
      case 'join':
        return { ...n, left: visit(n.left), right: visit(n.right) };
      case 'union':
        return { ...n, inputs: n.inputs.map(visit) };
      default:
        return n;
    }
  };
  const outputs = compiled.outputs.map((o) => ({ name: o.name, plan: visit(o.plan) }));
  const agent: AgentFragment = { nodes };
  const vizier: VizierFragment = { outputs };
  return { agent, vizier };
}

/** Whether a subtree is a source followed only by maps and filters. */
function isAgentChain(n: PlanNode): boolean {
  for (let cur: PlanNode = n; ; ) {
    if (cur.op === 'source' || cur.op === 'udtf') return true;
    if (cur.op !== 'map' && cur.op !== 'filter') return false;
    cur = cur.input;
  }
}

/** The relation a partial aggregation emits: group columns, then each aggregate's state columns. */
export function partialRelation(input: readonly PlanColumn[], groups: readonly string[], aggs: readonly AggSpec[]): PlanColumn[] {
  const out: PlanColumn[] = groups.map((g) => input.find((c) => c.name === g)!);
  for (const a of aggs) out.push(...partialStateColumns(a, input.find((c) => c.name === a.arg)?.type));
  return out;
}

import type { TableStore } from '@nixie/core';
import type { CompiledScript } from '@nixie/pxl';
import { executeNode, type ExecContext } from './exec/execute.js';
import { fromRowBatches } from './exec/ops.js';
import { toRowBatch, type Batch } from './exec/vec.js';
import { HostMetadata } from './metadata/host.js';
import type { Metadata } from './metadata/metadata.js';
import { prunePlan } from './prune.js';
import { splitPlan } from './split.js';
import type { AgentFragment, AgentResult, ExecOptions, QueryResult, VizierFragment } from './types.js';

let defaultMetadata: Metadata | undefined;
function metadataOf(opts: ExecOptions): Metadata {
  return opts.metadata ?? (defaultMetadata ??= new HostMetadata());
}

/** Runs every node of an agent fragment over the local table store. */
export function executeAgentFragment(fragment: AgentFragment, store: TableStore, opts: ExecOptions = {}): AgentResult {
  const ctx: ExecContext = { store, metadata: metadataOf(opts), agentId: opts.agentId };
  return fragment.nodes.map((n) => {
    const plan = prunePlan(n.plan);
    return { id: n.id, batches: executeNode(plan, ctx).map((b) => toRowBatch(b, plan.relation, `fragment_${n.id}`)) };
  });
}

/** Runs the vizier fragment over the results of every agent that answered. */
export function executeVizierFragment(fragment: VizierFragment, inputs: readonly AgentResult[], opts: ExecOptions = {}): QueryResult[] {
  const remote = new Map<number, Batch[]>();
  for (const r of inputs) {
    for (const { id, batches } of r) {
      let list = remote.get(id);
      if (!list) remote.set(id, (list = []));
      list.push(...fromRowBatches(batches));
    }
  }
  const ctx: ExecContext = { remote, metadata: metadataOf(opts), agentId: opts.agentId };
  return fragment.outputs.map((o) => ({
    name: o.name,
    batches: executeNode(o.plan, ctx).map((b) => toRowBatch(b, o.plan.relation, o.name)),
  }));
}

/** Split + agent + vizier in one process: single-host use and tests. */
export function runLocal(compiled: CompiledScript, store: TableStore, opts: ExecOptions = {}): QueryResult[] {
  const { agent, vizier } = splitPlan(compiled);
  return executeVizierFragment(vizier, [executeAgentFragment(agent, store, opts)], opts);
}

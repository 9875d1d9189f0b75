import type { TableStore } from '@nixie/core';
import type { CompiledScript } from '@nixie/pxl';
import type { AgentFragment, AgentResult, ExecOptions, QueryResult, VizierFragment } from './types.js';

/** Runs every node of an agent fragment over the local table store. */
export function executeAgentFragment(fragment: AgentFragment, store: TableStore, opts: ExecOptions = {}): AgentResult {
  void store;
  void opts;
  return fragment.nodes.map((n) => ({ id: n.id, batches: [] }));
}

/** Runs the vizier fragment over the results of every agent that answered. */
export function executeVizierFragment(fragment: VizierFragment, inputs: readonly AgentResult[], opts: ExecOptions = {}): QueryResult[] {
  void inputs;
  void opts;
  return fragment.outputs.map((o) => ({ name: o.name, batches: [] }));
}

/** Split + agent + vizier in one process: single-host use and tests. */
export function runLocal(compiled: CompiledScript, store: TableStore, opts: ExecOptions = {}): QueryResult[] {
  void compiled;
  void store;
  void opts;
  return [];
}

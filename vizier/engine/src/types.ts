import type { RowBatch } from '@nixie/core';
import type { PlanNode } from '@nixie/pxl';
import type { Metadata } from './metadata/metadata.js';

/** What every agent runs: chains of source -> filter/map -> (partial agg | limit), each with an id. */
export interface AgentFragment {
  readonly nodes: readonly { readonly id: number; readonly plan: PlanNode }[];
}

/** What the vizier runs: each output's plan, whose leaves are `remote` nodes naming agent fragment ids. */
export interface VizierFragment {
  readonly outputs: readonly { readonly name: string; readonly plan: PlanNode }[];
}

/** Both halves of a compiled script. Plain JSON: send it as it is. */
export interface DistributedPlan {
  readonly agent: AgentFragment;
  readonly vizier: VizierFragment;
}

/** One agent's answer: the batches of each agent fragment node. */
export type AgentResult = { readonly id: number; readonly batches: RowBatch[] }[];

/** One output table of a query. */
export interface QueryResult {
  readonly name: string;
  readonly batches: RowBatch[];
}

/** Options of the executors. */
export interface ExecOptions {
  /** Resolves upids, pods, services and IPs; a HostMetadata over /proc by default. */
  readonly metadata?: Metadata;
  /** Agent id, for udtfs that report it (GetSchemas rows carry no id; agent_stats does). */
  readonly agentId?: string;
}

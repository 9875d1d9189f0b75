import type { DataType, SemanticType, TableSchema } from '@nixie/core';
import type { OtelExportSpec, PluginWindow } from './compiler/otel.js';

/**
 * The logical plan: plain JSON (no classes, no typed arrays), so that the broker can send fragments
 * to agents as they are. Every node carries the relation it outputs.
 */

/** One output column of a plan node. */
export interface PlanColumn {
  readonly name: string;
  readonly type: DataType;
  readonly semantic?: SemanticType;
}

/** A scalar expression, evaluated column-at-a-time over a node's input relation. */
export type Expr =
  | { readonly kind: 'col'; readonly name: string; readonly type: DataType }
  | { readonly kind: 'lit'; readonly type: DataType; readonly value: number | string | boolean }
  | { readonly kind: 'call'; readonly fn: string; readonly args: readonly Expr[]; readonly type: DataType };

/** One aggregate in an agg node: `out = fn(arg)`. */
export interface AggSpec {
  readonly name: string;
  /** count, sum, mean, min, max, any, quantiles. */
  readonly fn: string;
  readonly arg: string;
  readonly type: DataType;
  readonly semantic?: SemanticType;
}

export type JoinHow = 'inner' | 'left' | 'right' | 'outer';

/** Where a join output column comes from. */
export interface JoinColumn {
  readonly side: 'left' | 'right';
  readonly from: string;
  readonly name: string;
}

/**
 * Aggregation stages. `full` is one-pass (single process); `partial` emits group columns + state
 * columns (one RowBatch, serializable); `final` merges partial states and emits the aggregates.
 */
export type AggStage = 'full' | 'partial' | 'final';

export type PlanNode =
  | {
      readonly op: 'source';
      readonly table: string;
      readonly columns: readonly string[];
      /** Inclusive, ns since epoch; absent = unbounded. */
      readonly startTime?: number;
      /** Exclusive, ns since epoch; absent = unbounded. */
      readonly endTime?: number;
      readonly relation: readonly PlanColumn[];
    }
  | {
      /** A table-valued function run on each agent (GetSchemas, GetTables). */
      readonly op: 'udtf';
      readonly fn: string;
      readonly relation: readonly PlanColumn[];
    }
  | { readonly op: 'map'; readonly input: PlanNode; readonly exprs: readonly { readonly name: string; readonly expr: Expr }[]; readonly relation: readonly PlanColumn[] }
  | { readonly op: 'filter'; readonly input: PlanNode; readonly predicate: Expr; readonly relation: readonly PlanColumn[] }
  | {
      readonly op: 'agg';
      readonly stage: AggStage;
      readonly input: PlanNode;
      readonly groups: readonly string[];
      readonly aggs: readonly AggSpec[];
      readonly relation: readonly PlanColumn[];
    }
  | {
      readonly op: 'join';
      readonly how: JoinHow;
      readonly left: PlanNode;
      readonly right: PlanNode;
      readonly leftOn: readonly string[];
      readonly rightOn: readonly string[];
      readonly columns: readonly JoinColumn[];
      readonly relation: readonly PlanColumn[];
    }
  | { readonly op: 'union'; readonly inputs: readonly PlanNode[]; readonly relation: readonly PlanColumn[] }
  | { readonly op: 'limit'; readonly input: PlanNode; readonly n: number; readonly relation: readonly PlanColumn[] }
  | {
      readonly op: 'sort';
      readonly input: PlanNode;
      readonly by: readonly string[];
      readonly ascending: readonly boolean[];
      readonly relation: readonly PlanColumn[];
    }
  | {
      /** On the vizier: the rows every agent returned for agent fragment `id`. */
      readonly op: 'remote';
      readonly id: number;
      readonly relation: readonly PlanColumn[];
    };

/** One result table of a script: `px.display(df, name)` or a vis.json global func / widget. */
export interface PlanOutput {
  readonly name: string;
  readonly plan: PlanNode;
  /** 'export' for px.export (its rows go to `otel`'s endpoint, see @nixie/exporter-otlp); display otherwise. */
  readonly kind?: 'display' | 'export';
  readonly otel?: OtelExportSpec;
}

/** What compileScript returns. */
export interface CompiledScript {
  readonly outputs: readonly PlanOutput[];
  /** `nowNs` the relative times were resolved against. */
  readonly nowNs: number;
}

/** A call of a script function whose returned dataframe becomes output `outputName`. */
export interface FuncCall {
  readonly outputName: string;
  readonly func: string;
  /** Argument values as strings (CLI and vis.json form), converted by the parameter's annotation. */
  readonly args: Readonly<Record<string, string>>;
}

export interface CompileOptions {
  /** Tables the script may read. */
  readonly schemas: ReadonlyMap<string, TableSchema>;
  /** Arguments for `funcName` (strings, converted by the parameter annotations). */
  readonly args?: Readonly<Record<string, string>>;
  /** Run this script function with `args`; its returned dataframe is output `funcName`. */
  readonly funcName?: string;
  /** Run these script functions (vis.json globalFuncs / widgets). */
  readonly calls?: readonly FuncCall[];
  /** "Now" for px.now() and relative times; Date.now() in ns by default. */
  readonly nowNs?: number;
  /** px.plugin.start_time / end_time (a scheduled export script's window); default the 30 s before now. */
  readonly pluginWindow?: PluginWindow;
}

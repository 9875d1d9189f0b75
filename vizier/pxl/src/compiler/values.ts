import { DataType as T, type DataType, type SemanticType } from '@nixie/core';
import type { SyntaxNode } from '@lezer/common';
import type { Expr, PlanColumn, PlanNode } from '../plan.js';

/** A dataframe under construction: mutable, because `df.a = ...` changes it in place. */
export interface DataFrameRef {
  plan: PlanNode;
}

/** A parameter of a script function. */
export interface Param {
  readonly name: string;
  readonly annotation?: string;
  readonly def?: SyntaxNode;
}

/** What a PxL expression evaluates to at compile time. */
export type Value =
  | { readonly k: 'none' }
  | { readonly k: 'str'; readonly v: string }
  | { readonly k: 'num'; readonly v: number; readonly type: DataType; readonly semantic?: SemanticType }
  | { readonly k: 'bool'; readonly v: boolean }
  | { readonly k: 'list'; readonly items: Value[] }
  | { readonly k: 'dict'; readonly entries: [string, Value][] }
  | { readonly k: 'module'; readonly name: string }
  | { readonly k: 'pxfn'; readonly name: string }
  | { readonly k: 'builtin'; readonly name: string }
  | { readonly k: 'df'; readonly df: DataFrameRef }
  | { readonly k: 'col'; readonly expr: Expr; readonly semantic?: SemanticType }
  | { readonly k: 'groupby'; readonly df: DataFrameRef; readonly keys: string[] }
  | { readonly k: 'ctx'; readonly df: DataFrameRef }
  | { readonly k: 'method'; readonly self: Value; readonly name: string }
  | { readonly k: 'func'; readonly name: string; readonly params: Param[]; readonly body: SyntaxNode; readonly node: SyntaxNode };

export const NONE: Value = { k: 'none' };

/** The Python-ish name of a value's kind, for error messages. */
export function kindName(v: Value): string {
  switch (v.k) {
    case 'str':
      return 'str';
    case 'num':
      return v.type === T.FLOAT64 ? 'float' : 'int';
    case 'bool':
      return 'bool';
    case 'none':
      return 'None';
    case 'df':
      return 'DataFrame';
    case 'col':
      return `column expression (${v.expr.type})`;
    case 'groupby':
      return 'GroupBy';
    default:
      return v.k;
  }
}

/** The expression of a column or scalar value, or undefined if it has none. */
export function toExpr(v: Value): { expr: Expr; semantic?: SemanticType } | undefined {
  switch (v.k) {
    case 'col':
      return { expr: v.expr, semantic: v.semantic };
    case 'str':
      return { expr: { kind: 'lit', type: T.STRING, value: v.v } };
    case 'num':
      return { expr: { kind: 'lit', type: v.type, value: v.v }, semantic: v.semantic };
    case 'bool':
      return { expr: { kind: 'lit', type: T.BOOLEAN, value: v.v } };
    default:
      return undefined;
  }
}

/** Column names an expression reads. */
export function exprColumns(e: Expr, out: Set<string> = new Set()): Set<string> {
  if (e.kind === 'col') out.add(e.name);
  else if (e.kind === 'call') for (const a of e.args) exprColumns(a, out);
  return out;
}

/** The relation of a dataframe, by name. */
export function findColumn(rel: readonly PlanColumn[], name: string): PlanColumn | undefined {
  return rel.find((c) => c.name === name);
}

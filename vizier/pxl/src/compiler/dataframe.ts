import { DataType as T, type SemanticType } from '@nixie/core';
import type { SyntaxNode } from '@lezer/common';
import { AGG_FUNCS, isTypeErr } from '../functions.js';
import type { AggSpec, Expr, JoinColumn, JoinHow, PlanColumn, PlanNode } from '../plan.js';
import { argNode, type CallArgs, type Interpreter } from './interp.js';
import { exprColumns, findColumn, kindName, toExpr, type DataFrameRef, type Value } from './values.js';

/** Methods a dataframe has; any other attribute is a column. */
export const DF_METHODS = ['groupby', 'agg', 'merge', 'head', 'drop', 'append', 'sort', 'stream', 'ctx'];

/** The value of column `name` of a dataframe, or an unknown-column error naming the nearest one. */
export function column(ip: Interpreter, df: DataFrameRef, name: string, node: SyntaxNode): Value {
  const c = findColumn(df.plan.relation, name);
  if (!c) return ip.unknown('NIXIE_ERR_PXL_UNKNOWN_COLUMN', node, name, 'the dataframe', df.plan.relation.map((x) => x.name));
  return { k: 'col', expr: { kind: 'col', name, type: c.type }, semantic: c.semantic };
}

/** Checks that every column an expression reads is in the dataframe. */
export function checkExpr(ip: Interpreter, df: DataFrameRef, e: Expr, node: SyntaxNode): void {
  for (const name of exprColumns(e)) {
    if (!findColumn(df.plan.relation, name)) ip.unknown('NIXIE_ERR_PXL_UNKNOWN_COLUMN', node, name, 'the dataframe', df.plan.relation.map((x) => x.name));
  }
}

/** A map node that keeps every column and sets `name` (replacing it in place, or appending it). */
export function setColumn(ip: Interpreter, df: DataFrameRef, name: string, v: Value, node: SyntaxNode): void {
  const e = toExpr(v);
  if (!e) ip.fail('NIXIE_ERR_PXL_TYPE', node, `cannot assign a ${kindName(v)} to column ${name}`);
  checkExpr(ip, df, e.expr, node);
  const rel = df.plan.relation;
  const exprs = rel.map((c) => ({ name: c.name, expr: { kind: 'col', name: c.name, type: c.type } as Expr }));
  const relation: PlanColumn[] = [...rel];
  const col: PlanColumn = withSemantic({ name, type: e.expr.type }, e.semantic);
  const i = rel.findIndex((c) => c.name === name);
  if (i >= 0) {
    exprs[i] = { name, expr: e.expr };
    relation[i] = col;
  } else {
    exprs.push({ name, expr: e.expr });
    relation.push(col);
  }
  df.plan = { op: 'map', input: df.plan, exprs, relation };
}

function withSemantic(c: PlanColumn, s: SemanticType | undefined): PlanColumn {
  return s && s !== 'none' ? { ...c, semantic: s } : c;
}

/** `df[['a', 'b']]`: keeps those columns, in that order. */
export function project(ip: Interpreter, df: DataFrameRef, names: string[], node: SyntaxNode): PlanNode {
  const relation = names.map((n) => {
    const c = findColumn(df.plan.relation, n);
    if (!c) ip.unknown('NIXIE_ERR_PXL_UNKNOWN_COLUMN', node, n, 'the dataframe', df.plan.relation.map((x) => x.name));
    return c;
  });
  return { op: 'map', input: df.plan, exprs: relation.map((c) => ({ name: c.name, expr: { kind: 'col', name: c.name, type: c.type } })), relation };
}

/** `df[cond]`. */
export function filter(ip: Interpreter, df: DataFrameRef, cond: Extract<Value, { k: 'col' }>, node: SyntaxNode): PlanNode {
  if (cond.expr.type !== T.BOOLEAN) ip.fail('NIXIE_ERR_PXL_TYPE', node, `a filter needs a BOOLEAN expression, got ${cond.expr.type}`);
  checkExpr(ip, df, cond.expr, node);
  return { op: 'filter', input: df.plan, predicate: cond.expr, relation: df.plan.relation };
}

/** Strings of a str-or-list argument (column names). */
export function names(ip: Interpreter, v: Value | undefined, what: string, node: SyntaxNode): string[] {
  if (v === undefined) return [];
  if (v.k === 'str') return [v.v];
  if (v.k === 'list' && v.items.every((i) => i.k === 'str')) return v.items.map((i) => (i as { v: string }).v);
  return ip.fail('NIXIE_ERR_PXL_TYPE', node, `${what} must be a column name or a list of them, got ${kindName(v)}`);
}

const df = (v: Value): v is Extract<Value, { k: 'df' }> => v.k === 'df';

/** Calls dataframe (or groupby) method `name`. */
export function callMethod(ip: Interpreter, self: Value, name: string, a: CallArgs): Value {
  const arg = (i: number, kw: string): Value | undefined => a.pos[i] ?? a.kw.get(kw);
  if (self.k === 'groupby') {
    if (name !== 'agg') ip.fail('NIXIE_ERR_PXL_UNSUPPORTED', a.node, `GroupBy.${name}`);
    return { k: 'df', df: { plan: aggregate(ip, self.df, self.keys, a) } };
  }
  if (!df(self)) return ip.fail('NIXIE_ERR_PXL_TYPE', a.node, `${kindName(self)} has no method ${name}`);
  const d = self.df;
  switch (name) {
    case 'groupby': {
      const keys = names(ip, arg(0, 'by'), 'groupby keys', a.node);
      for (const k of keys) column(ip, d, k, argNode(a, 0, 'by'));
      return { k: 'groupby', df: { plan: d.plan }, keys };
    }
    case 'agg':
      return { k: 'df', df: { plan: aggregate(ip, d, [], a) } };
    case 'head': {
      const n = arg(0, 'n') ?? { k: 'num', v: 5, type: T.INT64 };
      if (n.k !== 'num' || n.v < 0) ip.fail('NIXIE_ERR_PXL_TYPE', a.node, 'head(n) needs a non-negative integer');
      return { k: 'df', df: { plan: { op: 'limit', input: d.plan, n: Math.floor(n.v), relation: d.plan.relation } } };
    }
    case 'drop': {
      const cols = names(ip, arg(0, 'columns'), 'drop columns', a.node);
      for (const c of cols) column(ip, d, c, a.node);
      const keep = d.plan.relation.filter((c) => !cols.includes(c.name)).map((c) => c.name);
      return { k: 'df', df: { plan: project(ip, d, keep, a.node) } };
    }
    case 'stream':
      return self;
    case 'sort': {
      const by = names(ip, arg(0, 'by'), 'sort keys', a.node);
      for (const c of by) column(ip, d, c, a.node);
      const asc = arg(1, 'ascending') ?? { k: 'bool', v: true };
      const ascending = asc.k === 'list' ? asc.items.map((i) => ip.truthy(i, a.node)) : by.map(() => ip.truthy(asc, a.node));
      return { k: 'df', df: { plan: { op: 'sort', input: d.plan, by, ascending, relation: d.plan.relation } } };
    }
    case 'append': {
      const first = arg(0, 'objs');
      const others = first?.k === 'list' ? first.items : first ? [first] : [];
      const inputs: PlanNode[] = [d.plan];
      for (const o of others) {
        if (!df(o)) ip.fail('NIXIE_ERR_PXL_TYPE', a.node, `append needs dataframes, got ${kindName(o)}`);
        inputs.push(alignUnion(ip, d.plan.relation, o.df, a.node));
      }
      return { k: 'df', df: { plan: { op: 'union', inputs, relation: d.plan.relation } } };
    }
    case 'merge':
      return { k: 'df', df: { plan: merge(ip, d, a) } };
    default:
      return ip.unknown('NIXIE_ERR_PXL_UNKNOWN_FUNCTION', a.node, `DataFrame.${name}`, undefined, DF_METHODS.map((m) => `DataFrame.${m}`));
  }
}

function alignUnion(ip: Interpreter, rel: readonly PlanColumn[], o: DataFrameRef, node: SyntaxNode): PlanNode {
  const orel = o.plan.relation;
  if (orel.length !== rel.length) ip.fail('NIXIE_ERR_PXL_TYPE', node, `append needs the same columns: ${rel.map((c) => c.name).join(', ')} vs ${orel.map((c) => c.name).join(', ')}`);
  for (const c of rel) {
    const oc = findColumn(orel, c.name);
    if (!oc) ip.fail('NIXIE_ERR_PXL_TYPE', node, `append: the other dataframe has no column ${c.name}`);
    if (oc.type !== c.type) ip.fail('NIXIE_ERR_PXL_TYPE', node, `append: column ${c.name} is ${c.type} here and ${oc.type} there`);
  }
  if (rel.every((c, i) => orel[i]!.name === c.name)) return o.plan;
  return { op: 'map', input: o.plan, exprs: rel.map((c) => ({ name: c.name, expr: { kind: 'col', name: c.name, type: c.type } })), relation: rel };
}

function aggregate(ip: Interpreter, d: DataFrameRef, groups: string[], a: CallArgs): PlanNode {
  if (a.pos.length > 0) ip.fail('NIXIE_ERR_PXL_ARGS', a.node, 'agg takes keyword arguments: out=(column, px.fn)');
  const aggs: AggSpec[] = [];
  const relation: PlanColumn[] = groups.map((g) => findColumn(d.plan.relation, g)!);
  for (const [out, spec] of a.kw) {
    if (spec.k !== 'list' || spec.items.length !== 2 || spec.items[0]!.k !== 'str' || spec.items[1]!.k !== 'pxfn') {
      ip.fail('NIXIE_ERR_PXL_ARGS', a.node, `agg argument ${out} must be a tuple (column name, px.<aggregate>)`);
    }
    const col = (spec.items[0] as { v: string }).v;
    const fn = (spec.items[1] as { name: string }).name;
    const src = findColumn(d.plan.relation, col);
    if (!src) ip.unknown('NIXIE_ERR_PXL_UNKNOWN_COLUMN', argNode(a, -1, out), col, 'the dataframe', d.plan.relation.map((x) => x.name));
    const rt = AGG_FUNCS.get(fn);
    if (!rt) ip.unknown('NIXIE_ERR_PXL_UNKNOWN_FUNCTION', argNode(a, -1, out), `px.${fn}`, undefined, [...AGG_FUNCS.keys()].map((k) => `px.${k}`));
    const type = rt(src.type);
    if (isTypeErr(type)) ip.fail('NIXIE_ERR_PXL_TYPE', argNode(a, -1, out), `${out}: ${type.error}`);
    const semantic = fn === 'count' || fn === 'quantiles' ? undefined : src.semantic;
    aggs.push({ name: out, fn, arg: col, type, ...(semantic ? { semantic } : {}) });
    relation.push(withSemantic({ name: out, type }, semantic));
  }
  return { op: 'agg', stage: 'full', input: d.plan, groups, aggs, relation };
}

function merge(ip: Interpreter, d: DataFrameRef, a: CallArgs): PlanNode {
  const right = a.pos[0] ?? a.kw.get('right');
  if (!right || !df(right)) return ip.fail('NIXIE_ERR_PXL_ARGS', a.node, 'merge needs a dataframe to merge with');
  const howV = a.kw.get('how') ?? a.pos[1] ?? { k: 'str', v: 'inner' };
  const how = howV.k === 'str' ? howV.v : '';
  if (!['inner', 'left', 'right', 'outer'].includes(how)) ip.fail('NIXIE_ERR_PXL_ARGS', a.node, `merge how= must be inner, left, right or outer, got ${how || kindName(howV)}`);
  const on = a.kw.get('on');
  const leftOn = names(ip, a.kw.get('left_on') ?? on, 'left_on', a.node);
  const rightOn = names(ip, a.kw.get('right_on') ?? on, 'right_on', a.node);
  if (leftOn.length === 0 || leftOn.length !== rightOn.length) ip.fail('NIXIE_ERR_PXL_ARGS', a.node, 'merge needs left_on and right_on with as many columns each');
  const l = d.plan.relation;
  const r = right.df.plan.relation;
  leftOn.forEach((k, i) => {
    const lc = findColumn(l, k) ?? ip.unknown('NIXIE_ERR_PXL_UNKNOWN_COLUMN', a.node, k, 'the left dataframe', l.map((c) => c.name));
    const rc = findColumn(r, rightOn[i]!) ?? ip.unknown('NIXIE_ERR_PXL_UNKNOWN_COLUMN', a.node, rightOn[i]!, 'the right dataframe', r.map((c) => c.name));
    if (lc.type !== rc.type) ip.fail('NIXIE_ERR_PXL_TYPE', a.node, `merge keys ${k} (${lc.type}) and ${rightOn[i]} (${rc.type}) differ in type`);
  });
  const sv = a.kw.get('suffixes');
  const suffixes = sv?.k === 'list' && sv.items.length === 2 && sv.items.every((i) => i.k === 'str') ? sv.items.map((i) => (i as { v: string }).v) : ['_x', '_y'];
  const columns: JoinColumn[] = [];
  const relation: PlanColumn[] = [];
  const seen = new Set<string>();
  const add = (side: 'left' | 'right', c: PlanColumn, other: readonly PlanColumn[]): void => {
    const name = findColumn(other, c.name) ? c.name + suffixes[side === 'left' ? 0 : 1] : c.name;
    if (seen.has(name)) ip.fail('NIXIE_ERR_PXL_ARGS', a.node, `merge would output column ${name} twice; pass suffixes=`);
    seen.add(name);
    columns.push({ side, from: c.name, name });
    relation.push({ ...c, name });
  };
  for (const c of l) add('left', c, r);
  for (const c of r) add('right', c, l);
  return { op: 'join', how: how as JoinHow, left: d.plan, right: right.df.plan, leftOn, rightOn, columns, relation };
}

import { DataType as T, type DataType } from '@nixie/core';
import type { SyntaxNode } from '@lezer/common';
import { AGG_FUNCS, isTypeErr, SCALAR_FUNCS } from '../functions.js';
import type { Expr, PlanColumn, PlanNode } from '../plan.js';
import { call } from './operators.js';
import { argNode, type CallArgs, type Interpreter } from './interp.js';
import { kindName, toExpr, type DataFrameRef, type Value } from './values.js';
import { names } from './dataframe.js';
import { parseDuration, parseTime } from './time.js';
import { callOtel, pxExport } from './otel.js';

/** Table-valued functions each agent answers (px.GetSchemas(), px.GetAgentStatus()). */
export const UDTFS: ReadonlyMap<string, readonly PlanColumn[]> = new Map<string, readonly PlanColumn[]>([
  [
    'GetSchemas',
    ['table_name', 'column_name', 'column_type', 'column_semantic_type', 'column_desc'].map((name) => ({ name, type: T.STRING })),
  ],
  [
    'GetAgentStatus',
    [
      { name: 'agent_id', type: T.STRING },
      { name: 'hostname', type: T.STRING },
      { name: 'pid', type: T.INT64 },
      { name: 'agent_state', type: T.STRING },
      { name: 'uptime_ns', type: T.INT64, semantic: 'duration_ns' },
      { name: 'table_rows', type: T.INT64 },
      { name: 'table_bytes', type: T.INT64, semantic: 'bytes' },
      { name: 'rss_bytes', type: T.INT64, semantic: 'bytes' },
    ],
  ],
]);

const CASTS = new Set(['DurationNanos', 'Bytes', 'Percent', 'Time', 'Pod', 'Service', 'Namespace', 'Node']);
const SPECIAL = ['DataFrame', 'display', 'debug', 'export', 'otel', 'plugin', ...UDTFS.keys()];
/** Type names usable as annotations (px.Service, ...) that are not functions. */
const TYPE_NAMES = ['Pod', 'Service', 'Namespace', 'Node', 'Container', 'UPID', 'Time'];

/** Every name px.<name> resolves to. */
export function pxNames(): string[] {
  return [...SPECIAL, ...SCALAR_FUNCS.keys(), ...AGG_FUNCS.keys(), ...TYPE_NAMES];
}

/** `px.<name>` as a value. */
export function pxMember(ip: Interpreter, name: string, node: SyntaxNode): Value {
  if (name === 'otel' || name === 'plugin') return { k: 'module', name: `px.${name}` };
  if (pxNames().includes(name)) return { k: 'pxfn', name };
  return ip.unknown('NIXIE_ERR_PXL_UNKNOWN_FUNCTION', node, `px.${name}`, undefined, pxNames().map((n) => `px.${n}`));
}

/** Calls px.<name>(...). */
export function callPx(ip: Interpreter, name: string, a: CallArgs): Value {
  if (name.startsWith('otel.')) return callOtel(ip, name, a);
  switch (name) {
    case 'export':
      return pxExport(ip, a);
    case 'DataFrame':
      return { k: 'df', df: { plan: dataFrame(ip, a) } };
    case 'display':
    case 'debug': {
      const d = a.pos[0] ?? a.kw.get('out');
      if (!d || d.k !== 'df') return ip.fail('NIXIE_ERR_PXL_ARGS', a.node, `px.${name} needs a dataframe, got ${d ? kindName(d) : 'nothing'}`);
      const n = a.pos[1] ?? a.kw.get('name') ?? { k: 'str', v: 'output' };
      if (n.k !== 'str') ip.fail('NIXIE_ERR_PXL_ARGS', a.node, `px.${name} name must be a string`);
      addOutput(ip, n.v, d.df);
      return { k: 'none' };
    }
    case 'now':
      return { k: 'num', v: ip.nowNs, type: T.TIME64NS, semantic: 'time_ns' };
    case 'parse_duration': {
      const s = a.pos[0];
      const d = s?.k === 'str' ? parseDuration(s.v) : undefined;
      if (d === undefined) return ip.fail('NIXIE_ERR_PXL_ARGS', a.node, `px.parse_duration needs a duration string like '5m', got ${s ? kindName(s) : 'nothing'}`);
      return { k: 'num', v: d, type: T.INT64, semantic: 'duration_ns' };
    }
  }
  const udtf = UDTFS.get(name);
  if (udtf) return { k: 'df', df: { plan: { op: 'udtf', fn: name, relation: udtf } } };
  if (AGG_FUNCS.has(name)) return ip.fail('NIXIE_ERR_PXL_ARGS', a.node, `px.${name} is an aggregate: use it in agg(out=(column, px.${name}))`);
  if (TYPE_NAMES.includes(name) && !CASTS.has(name)) return ip.fail('NIXIE_ERR_PXL_ARGS', a.node, `px.${name} is a type, not a function`);
  const sig = SCALAR_FUNCS.get(name)!;
  const args = flatten(ip, name, a);
  if (args.length < sig.min || args.length > sig.max) {
    ip.fail('NIXIE_ERR_PXL_ARGS', a.node, `px.${name} takes ${sig.min === sig.max ? sig.min : `${sig.min} to ${sig.max}`} arguments, got ${args.length}`);
  }
  if (CASTS.has(name)) {
    const v = args[0]!;
    // Semantic casts change how a value is shown, not the value.
    if (v.k === 'num') return { ...v, type: name === 'Time' ? T.TIME64NS : v.type, semantic: sig.semantic };
    if (v.k === 'str') return v;
  }
  const exprs: Expr[] = args.map((v, i) => {
    const e = toExpr(v);
    if (!e) return ip.fail('NIXIE_ERR_PXL_TYPE', a.node, `argument ${i + 1} of px.${name} must be a column or a constant, got ${kindName(v)}`);
    return e.expr;
  });
  const types: DataType[] = exprs.map((e) => e.type);
  const ret = sig.ret(types);
  if (isTypeErr(ret)) {
    const m = /^argument (\d+)/.exec(ret.error);
    return ip.fail('NIXIE_ERR_PXL_TYPE', m ? argNode(a, Number(m[1]) - 1, '') : a.node, `px.${name}: ${ret.error}`);
  }
  if (CASTS.has(name)) {
    const e = exprs[0]!;
    const expr = name === 'Time' && e.type !== T.TIME64NS ? call('Time', [e], T.TIME64NS) : e;
    return { k: 'col', expr, semantic: sig.semantic };
  }
  return { k: 'col', expr: call(name, exprs, ret), semantic: sig.semantic };
}

/** Flattens the list of equals_any and the args dict of script_reference into positional args. */
function flatten(ip: Interpreter, name: string, a: CallArgs): Value[] {
  if (a.kw.size > 0) ip.fail('NIXIE_ERR_PXL_ARGS', a.node, `px.${name} takes positional arguments`);
  if (name === 'equals_any' && a.pos[1]?.k === 'list') return [a.pos[0]!, ...a.pos[1].items];
  if (name === 'script_reference' && a.pos[2]?.k === 'dict') {
    return [a.pos[0]!, a.pos[1]!, ...a.pos[2].entries.flatMap(([k, v]): Value[] => [{ k: 'str', v: k }, v])];
  }
  return a.pos;
}

function addOutput(ip: Interpreter, name: string, df: DataFrameRef): void {
  let n = name;
  for (let i = 1; ip.outputs.some((o) => o.name === n); i++) n = `${name}_${i}`;
  ip.outputs.push({ name: n, plan: df.plan });
}

function timeArg(ip: Interpreter, v: Value | undefined, what: string, node: SyntaxNode): number | undefined {
  if (v === undefined || v.k === 'none') return undefined;
  if (v.k === 'num') return v.v;
  if (v.k === 'str') {
    const t = parseTime(v.v, ip.nowNs);
    if (t === undefined) ip.fail('NIXIE_ERR_PXL_ARGS', node, `${what} must be a time like '-5m', a date or ns since epoch, got '${v.v}'`);
    return t;
  }
  return ip.fail('NIXIE_ERR_PXL_ARGS', node, `${what} must be a constant time, got ${kindName(v)}`);
}

function dataFrame(ip: Interpreter, a: CallArgs): PlanNode {
  const table = a.pos[0] ?? a.kw.get('table');
  if (!table || table.k !== 'str') return ip.fail('NIXIE_ERR_PXL_ARGS', a.node, 'px.DataFrame needs table= (a table name)');
  for (const k of a.kw.keys()) {
    if (!['table', 'select', 'start_time', 'end_time'].includes(k)) ip.fail('NIXIE_ERR_PXL_ARGS', a.node, `px.DataFrame has no argument ${k}`);
  }
  const schema = ip.schemas.get(table.v);
  if (!schema) return ip.unknown('NIXIE_ERR_PXL_UNKNOWN_TABLE', argNode(a, 0, 'table'), table.v, undefined, ip.schemas.keys());
  const all = schema.columns.map((c) => c.name);
  const sel = a.kw.get('select') ?? a.pos[1];
  const selNode = argNode(a, 1, 'select');
  const columns = sel && sel.k !== 'none' ? names(ip, sel, 'select', selNode) : all;
  const relation: PlanColumn[] = columns.map((c) => {
    const col = schema.columns.find((x) => x.name === c);
    if (!col) return ip.unknown('NIXIE_ERR_PXL_UNKNOWN_COLUMN', selNode, c, table.v, all);
    return col.semantic && col.semantic !== 'none' ? { name: col.name, type: col.type, semantic: col.semantic } : { name: col.name, type: col.type };
  });
  const startTime = timeArg(ip, a.kw.get('start_time') ?? a.pos[2], 'start_time', argNode(a, 2, 'start_time'));
  const endTime = timeArg(ip, a.kw.get('end_time') ?? a.pos[3], 'end_time', argNode(a, 3, 'end_time'));
  return {
    op: 'source',
    table: table.v,
    columns,
    ...(startTime !== undefined ? { startTime } : {}),
    ...(endTime !== undefined ? { endTime } : {}),
    relation,
  };
}

import { DataType as T } from '@nixie/core';
import { otelMember } from './otel.js';
import type { SyntaxNode } from '@lezer/common';
import { call } from './operators.js';
import { callMethod, column, DF_METHODS, filter, names, project, setColumn } from './dataframe.js';
import type { CallArgs, Interpreter, Semantics } from './interp.js';
import { callPx, pxMember } from './px.js';
import { findColumn, kindName, type DataFrameRef, type Value } from './values.js';

/** df.ctx[key] from a upid column: the metadata function for each key. */
const CTX_UPID: Readonly<Record<string, string>> = {
  pod: 'upid_to_pod_name',
  pod_name: 'upid_to_pod_name',
  pod_id: 'upid_to_pod_id',
  service: 'upid_to_service_name',
  service_name: 'upid_to_service_name',
  service_id: 'upid_to_service_id',
  namespace: 'upid_to_namespace',
  node: 'upid_to_node_name',
  node_name: 'upid_to_node_name',
  hostname: 'upid_to_hostname',
  pid: 'upid_to_pid',
  cmdline: 'upid_to_cmdline',
  cmd: 'upid_to_cmdline',
  container: 'upid_to_container_name',
  container_name: 'upid_to_container_name',
  container_id: 'upid_to_container_id',
};
/** df.ctx[key] from a pod_id column (network_stats). */
const CTX_POD: Readonly<Record<string, string>> = {
  pod: 'pod_id_to_pod_name',
  pod_name: 'pod_id_to_pod_name',
  service: 'pod_id_to_service_name',
  service_name: 'pod_id_to_service_name',
  namespace: 'pod_id_to_namespace',
};

function ctx(ip: Interpreter, d: DataFrameRef, key: string, node: SyntaxNode): Value {
  if (findColumn(d.plan.relation, 'upid')) {
    const fn = CTX_UPID[key];
    if (!fn) return ip.unknown('NIXIE_ERR_PXL_UNKNOWN_COLUMN', node, key, 'ctx', Object.keys(CTX_UPID));
    return { k: 'col', expr: call(fn, [{ kind: 'col', name: 'upid', type: T.UINT128 }], fn === 'upid_to_pid' ? T.INT64 : T.STRING) };
  }
  if (findColumn(d.plan.relation, 'pod_id')) {
    const fn = CTX_POD[key];
    if (!fn) return ip.unknown('NIXIE_ERR_PXL_UNKNOWN_COLUMN', node, key, 'ctx (from pod_id)', Object.keys(CTX_POD));
    return { k: 'col', expr: call(fn, [{ kind: 'col', name: 'pod_id', type: T.STRING }], T.STRING) };
  }
  return ip.fail('NIXIE_ERR_PXL_UNKNOWN_COLUMN', node, 'upid', 'the dataframe', ` (df.ctx['${key}'] needs a upid or pod_id column)`);
}

function builtin(ip: Interpreter, name: string, a: CallArgs): Value {
  const v = a.pos[0];
  const bad = (): never => ip.fail('NIXIE_ERR_PXL_ARGS', a.node, `${name}() cannot convert ${v ? kindName(v) : 'nothing'}`);
  switch (name) {
    case 'int':
    case 'float': {
      const n = v?.k === 'num' ? v.v : v?.k === 'str' ? Number(v.v.trim()) : v?.k === 'bool' ? Number(v.v) : NaN;
      if (Number.isNaN(n) || (v?.k === 'str' && v.v.trim() === '')) return bad();
      return { k: 'num', v: name === 'int' ? Math.trunc(n) : n, type: name === 'int' ? T.INT64 : T.FLOAT64 };
    }
    case 'str':
      return v?.k === 'num' || v?.k === 'str' ? { k: 'str', v: String(v.v) } : v?.k === 'bool' ? { k: 'str', v: v.v ? 'True' : 'False' } : bad();
    case 'bool':
      return { k: 'bool', v: v ? ip.truthy(v, a.node) : false };
    case 'len':
      return v?.k === 'list' ? { k: 'num', v: v.items.length, type: T.INT64 } : v?.k === 'str' ? { k: 'num', v: v.v.length, type: T.INT64 } : bad();
    case 'list':
      return v?.k === 'list' ? v : bad();
    default:
      return { k: 'none' };
  }
}

/** The PxL meaning of member access, subscripts, assignment and calls. */
export function pxlSemantics(ip: Interpreter): Semantics {
  return {
    member(obj, name, node) {
      switch (obj.k) {
        case 'module':
          if (obj.name.startsWith('px.')) return otelMember(ip, obj.name, name, node);
          if (obj.name !== 'px') ip.fail('NIXIE_ERR_PXL_UNSUPPORTED', node, `module ${obj.name}`);
          return pxMember(ip, name, node);
        case 'df':
          if (name === 'ctx') return { k: 'ctx', df: obj.df };
          if (DF_METHODS.includes(name) && !findColumn(obj.df.plan.relation, name)) return { k: 'method', self: obj, name };
          return column(ip, obj.df, name, node);
        case 'groupby':
          if (name === 'agg') return { k: 'method', self: obj, name };
          return ip.fail('NIXIE_ERR_PXL_UNSUPPORTED', node, `GroupBy.${name}`);
        default:
          return ip.fail('NIXIE_ERR_PXL_TYPE', node, `${kindName(obj)} has no attribute ${name}`);
      }
    },
    subscript(obj, key, node) {
      if (obj.k === 'ctx') {
        if (key.k !== 'str') ip.fail('NIXIE_ERR_PXL_TYPE', node, 'ctx keys are strings');
        return ctx(ip, obj.df, key.v, node);
      }
      if (obj.k === 'df') {
        if (key.k === 'str') return column(ip, obj.df, key.v, node);
        if (key.k === 'list') return { k: 'df', df: { plan: project(ip, obj.df, names(ip, key, 'the column list', node), node) } };
        if (key.k === 'col') return { k: 'df', df: { plan: filter(ip, obj.df, key, node) } };
        return ip.fail('NIXIE_ERR_PXL_TYPE', node, `a dataframe cannot be indexed by ${kindName(key)}`);
      }
      if (obj.k === 'list' && key.k === 'num') {
        const i = key.v < 0 ? obj.items.length + key.v : key.v;
        return obj.items[i] ?? ip.fail('NIXIE_ERR_PXL_ARGS', node, 'list index out of range');
      }
      if (obj.k === 'dict' && key.k === 'str') {
        return obj.entries.find(([k]) => k === key.v)?.[1] ?? ip.fail('NIXIE_ERR_PXL_ARGS', node, `no key ${key.v}`);
      }
      return ip.fail('NIXIE_ERR_PXL_TYPE', node, `${kindName(obj)} cannot be indexed by ${kindName(key)}`);
    },
    assignMember(obj, name, value, node) {
      if (obj.k !== 'df') ip.fail('NIXIE_ERR_PXL_TYPE', node, `cannot set attribute ${name} of ${kindName(obj)}`);
      setColumn(ip, obj.df, name, value, node);
    },
    call(fn, a) {
      switch (fn.k) {
        case 'pxfn':
          return callPx(ip, fn.name, a);
        case 'method':
          return callMethod(ip, fn.self, fn.name, a);
        case 'func':
          return ip.callFunc(fn, a);
        case 'builtin':
          return builtin(ip, fn.name, a);
        default:
          return ip.fail('NIXIE_ERR_PXL_TYPE', a.node, `${kindName(fn)} is not callable`);
      }
    },
  };
}

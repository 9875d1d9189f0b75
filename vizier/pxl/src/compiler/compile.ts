import { DataType as T } from '@nixie/core';
import { parser } from '@lezer/python';
import { didYouMean, pxlError } from '../errors.js';
import { nearest } from '@nixie/core';
import type { CompileOptions, CompiledScript, FuncCall } from '../plan.js';
import { Interpreter } from './interp.js';
import { setPluginWindow } from './otel.js';
import { pxlSemantics } from './semantics.js';
import type { Param, Value } from './values.js';

/** Compiles a PxL script to one logical plan per output; throws PxlError with line:column. */
export function compileScript(source: string, opts: CompileOptions): CompiledScript {
  const nowNs = opts.nowNs ?? Date.now() * 1e6;
  const ip = new Interpreter(source, parser.parse(source), opts.schemas, nowNs);
  ip.sem = pxlSemantics(ip);
  setPluginWindow(ip, opts.pluginWindow);
  ip.run();
  const calls: FuncCall[] = [...(opts.calls ?? [])];
  if (opts.funcName) calls.push({ outputName: opts.funcName, func: opts.funcName, args: opts.args ?? {} });
  const funcs = () => [...ip.globals.vars].filter(([, v]) => v.k === 'func').map(([k]) => k);
  for (const c of calls) {
    const f = ip.globals.vars.get(c.func);
    if (!f || f.k !== 'func') throw pxlError('NIXIE_ERR_PXL_UNKNOWN_FUNCTION', undefined, c.func, didYouMean(nearest(c.func, funcs())));
    const kw = new Map<string, Value>();
    for (const [k, s] of Object.entries(c.args)) {
      const p = f.params.find((x) => x.name === k);
      if (!p) throw pxlError('NIXIE_ERR_PXL_ARGS', ip.pos(f.node.from), `${c.func}() has no argument ${k}${didYouMean(nearest(k, f.params.map((x) => x.name)))}`);
      kw.set(k, convertArg(ip, c.func, p, s));
    }
    const out = ip.callFunc(f, { pos: [], kw, node: f.node });
    if (out.k === 'df') {
      let n = c.outputName;
      for (let i = 1; ip.outputs.some((o) => o.name === n); i++) n = `${c.outputName}_${i}`;
      ip.outputs.push({ name: n, plan: out.df.plan });
    } else if (out.k !== 'none') {
      throw pxlError('NIXIE_ERR_PXL_TYPE', ip.pos(f.node.from), `${c.func}() must return a dataframe to be shown as ${c.outputName}`);
    }
  }
  if (ip.outputs.length === 0) throw pxlError('NIXIE_ERR_PXL_NO_OUTPUT', undefined, funcs().join(', ') || 'none defined');
  return { outputs: ip.outputs, nowNs };
}

/** Converts a CLI / vis.json argument string by the parameter's annotation. */
function convertArg(ip: Interpreter, func: string, p: Param, s: string): Value {
  const bad = (what: string): never => {
    throw pxlError('NIXIE_ERR_PXL_ARGS', ip.pos(0), `argument ${p.name} of ${func}() must be ${what}, got '${s}'`);
  };
  switch (p.annotation) {
    case 'int': {
      const n = Number(s);
      return Number.isInteger(n) && s.trim() !== '' ? { k: 'num', v: n, type: T.INT64 } : bad('an integer');
    }
    case 'float': {
      const n = Number(s);
      return Number.isFinite(n) && s.trim() !== '' ? { k: 'num', v: n, type: T.FLOAT64 } : bad('a number');
    }
    case 'bool':
      if (/^(true|1|yes)$/i.test(s)) return { k: 'bool', v: true };
      if (/^(false|0|no)$/i.test(s)) return { k: 'bool', v: false };
      return bad('true or false');
    default:
      return { k: 'str', v: s };
  }
}

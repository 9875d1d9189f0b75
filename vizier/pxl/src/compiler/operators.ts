import { DataType as T, type DataType } from '@nixie/core';
import type { SyntaxNode } from '@lezer/common';
import { isNumeric, isTypeErr, type TypeErr } from '../functions.js';
import type { Expr } from '../plan.js';
import type { Interpreter } from './interp.js';
import { kindName, toExpr, type Value } from './values.js';

const COMPARE: Readonly<Record<string, string>> = {
  '==': 'equal',
  '!=': 'notEqual',
  '<': 'lessThan',
  '<=': 'lessThanEqual',
  '>': 'greaterThan',
  '>=': 'greaterThanEqual',
};
const ARITH: Readonly<Record<string, string>> = { '+': 'add', '-': 'subtract', '*': 'multiply', '/': 'divide', '%': 'modulo' };

/** Result type of an arithmetic operator on column types, or an error message. */
export function arithType(fn: string, a: DataType, b: DataType): DataType | TypeErr {
  if (fn === 'add' && a === T.STRING && b === T.STRING) return T.STRING;
  if (!isNumeric(a) || !isNumeric(b)) return { error: `cannot apply ${fn} to ${a} and ${b}` };
  if (fn === 'divide') return T.FLOAT64;
  if (a === T.FLOAT64 || b === T.FLOAT64) return T.FLOAT64;
  if (fn === 'add' && (a === T.TIME64NS) !== (b === T.TIME64NS)) return T.TIME64NS;
  if (fn === 'subtract' && a === T.TIME64NS && b !== T.TIME64NS) return T.TIME64NS;
  return T.INT64;
}

function comparable(a: DataType, b: DataType): boolean {
  return a === b || (isNumeric(a) && isNumeric(b));
}

function foldNum(op: string, a: Extract<Value, { k: 'num' }>, b: Extract<Value, { k: 'num' }>): Value | undefined {
  const fn = ARITH[op];
  const type = fn ? arithType(fn, a.type, b.type) : T.INT64;
  const t = isTypeErr(type) ? T.INT64 : type;
  switch (op) {
    case '+':
      return { k: 'num', v: a.v + b.v, type: t, semantic: a.semantic ?? b.semantic };
    case '-':
      return { k: 'num', v: a.v - b.v, type: t, semantic: a.semantic ?? b.semantic };
    case '*':
      return { k: 'num', v: a.v * b.v, type: t };
    case '/':
      return { k: 'num', v: a.v / b.v, type: T.FLOAT64 };
    case '%':
      return { k: 'num', v: a.v - Math.floor(a.v / b.v) * b.v, type: t };
    case '//':
      return { k: 'num', v: Math.floor(a.v / b.v), type: a.type === T.FLOAT64 || b.type === T.FLOAT64 ? T.FLOAT64 : T.INT64 };
    case '**':
      return { k: 'num', v: a.v ** b.v, type: a.type === T.FLOAT64 || b.type === T.FLOAT64 || b.v < 0 ? T.FLOAT64 : T.INT64 };
    default:
      return undefined;
  }
}

function foldCompare(op: string, a: number | string | boolean, b: number | string | boolean): boolean {
  switch (op) {
    case '==':
      return a === b;
    case '!=':
      return a !== b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    default:
      return a >= b;
  }
}

const scalar = (v: Value): number | string | boolean | undefined => (v.k === 'num' || v.k === 'str' || v.k === 'bool' ? v.v : undefined);

/** Evaluates `l op r`: folded when both sides are constants, an expression when a column is involved. */
export function binaryOp(ip: Interpreter, op: string, l: Value, r: Value, node: SyntaxNode): Value {
  const ls = scalar(l);
  const rs = scalar(r);
  if (ls !== undefined && rs !== undefined) {
    if (op in COMPARE) return { k: 'bool', v: foldCompare(op, ls, rs) };
    if (op === 'and' || op === 'or') return ip.truthy(l, node) === (op === 'or') ? l : r;
    if (l.k === 'num' && r.k === 'num') {
      const v = foldNum(op, l, r);
      if (v) return v;
    }
    if (l.k === 'str' && r.k === 'str' && op === '+') return { k: 'str', v: l.v + r.v };
    if (l.k === 'str' && r.k === 'num' && op === '*') return { k: 'str', v: l.v.repeat(r.v) };
    if (l.k === 'bool' && r.k === 'bool' && (op === '&' || op === '|')) return { k: 'bool', v: op === '&' ? l.v && r.v : l.v || r.v };
  }
  if (op === 'is' || op === 'is not') {
    if (l.k === 'col' || r.k === 'col') ip.fail('NIXIE_ERR_PXL_UNSUPPORTED', node, '`is` on a column');
    const same = l.k === r.k && (l.k === 'none' || scalar(l) === scalar(r));
    return { k: 'bool', v: op === 'is' ? same : !same };
  }
  if (op === 'in' || op === 'not in') return inOp(ip, op, l, r, node);
  if (l.k !== 'col' && r.k !== 'col') {
    if ((op === 'and' || op === 'or') && l.k !== 'df' && r.k !== 'df') return ip.truthy(l, node) === (op === 'or') ? l : r;
    return ip.fail('NIXIE_ERR_PXL_TYPE', node, `unsupported operand types for ${op}: ${kindName(l)} and ${kindName(r)}`);
  }
  const le = toExpr(l);
  const re = toExpr(r);
  if (!le || !re) return ip.fail('NIXIE_ERR_PXL_TYPE', node, `unsupported operand types for ${op}: ${kindName(l)} and ${kindName(r)}`);
  const a = le.expr.type;
  const b = re.expr.type;
  if (op in COMPARE) {
    if (!comparable(a, b)) ip.fail('NIXIE_ERR_PXL_TYPE', node, `cannot compare ${a} with ${b}`);
    if (a === T.UINT128 && op !== '==' && op !== '!=') ip.fail('NIXIE_ERR_PXL_TYPE', node, 'UINT128 values can only be tested for equality');
    return { k: 'col', expr: call(COMPARE[op]!, [le.expr, re.expr], T.BOOLEAN) };
  }
  if (op === 'and' || op === 'or' || op === '&' || op === '|') {
    if (a !== T.BOOLEAN || b !== T.BOOLEAN) ip.fail('NIXIE_ERR_PXL_TYPE', node, `${op} needs BOOLEAN operands, got ${a} and ${b}`);
    return { k: 'col', expr: call(op === 'and' || op === '&' ? 'logicalAnd' : 'logicalOr', [le.expr, re.expr], T.BOOLEAN) };
  }
  if (op === '//') {
    const d = arithType('divide', a, b);
    if (isTypeErr(d)) ip.fail('NIXIE_ERR_PXL_TYPE', node, d.error);
    return { k: 'col', expr: call('floor', [call('divide', [le.expr, re.expr], T.FLOAT64)], T.INT64) };
  }
  if (op === '**') {
    if (!isNumeric(a) || !isNumeric(b)) ip.fail('NIXIE_ERR_PXL_TYPE', node, `cannot raise ${a} to ${b}`);
    return { k: 'col', expr: call('pow', [le.expr, re.expr], T.FLOAT64) };
  }
  const fn = ARITH[op];
  if (!fn) return ip.fail('NIXIE_ERR_PXL_UNSUPPORTED', node, `operator ${op} on columns`);
  const type = arithType(fn, a, b);
  if (isTypeErr(type)) return ip.fail('NIXIE_ERR_PXL_TYPE', node, type.error);
  // Adding or subtracting keeps a duration or byte count what it is (latency - 5, bytes + bytes).
  const keep = fn === 'add' || fn === 'subtract' || (fn === 'multiply' && (l.k !== 'col' || r.k !== 'col'));
  return { k: 'col', expr: call(fn, [le.expr, re.expr], type), semantic: keep && type !== T.FLOAT64 ? (le.semantic ?? re.semantic) : undefined };
}

function inOp(ip: Interpreter, op: string, l: Value, r: Value, node: SyntaxNode): Value {
  if (r.k === 'str' && l.k === 'str') return { k: 'bool', v: r.v.includes(l.v) === (op === 'in') };
  if (r.k !== 'list') return ip.fail('NIXIE_ERR_PXL_TYPE', node, `${op} needs a list on the right, got ${kindName(r)}`);
  if (l.k !== 'col') {
    const s = scalar(l);
    const found = r.items.some((it) => scalar(it) === s);
    return { k: 'bool', v: found === (op === 'in') };
  }
  const args: Expr[] = [l.expr];
  for (const it of r.items) {
    const e = toExpr(it);
    if (!e || e.expr.kind !== 'lit') return ip.fail('NIXIE_ERR_PXL_TYPE', node, `${op} needs a list of constants`);
    if (!comparable(e.expr.type, l.expr.type)) ip.fail('NIXIE_ERR_PXL_TYPE', node, `cannot compare ${l.expr.type} with ${e.expr.type}`);
    args.push(e.expr);
  }
  const any = call('equals_any', args, T.BOOLEAN);
  return { k: 'col', expr: op === 'in' ? any : call('logicalNot', [any], T.BOOLEAN) };
}

/** Evaluates a unary operator (`not`, `-`, `+`, `~`). */
export function unaryOp(ip: Interpreter, op: string, v: Value, node: SyntaxNode): Value {
  if (v.k === 'col') {
    if (op === 'not' || op === '~') {
      if (v.expr.type !== T.BOOLEAN) ip.fail('NIXIE_ERR_PXL_TYPE', node, `${op} needs a BOOLEAN, got ${v.expr.type}`);
      return { k: 'col', expr: call('logicalNot', [v.expr], T.BOOLEAN) };
    }
    if (!isNumeric(v.expr.type)) ip.fail('NIXIE_ERR_PXL_TYPE', node, `${op} needs a number, got ${v.expr.type}`);
    return op === '+' ? v : { k: 'col', expr: call('negate', [v.expr], v.expr.type), semantic: v.semantic };
  }
  if (op === 'not') return { k: 'bool', v: !ip.truthy(v, node) };
  if (v.k === 'num' && (op === '-' || op === '+')) return { ...v, v: op === '-' ? -v.v : v.v };
  if (v.k === 'bool' && op === '~') return { k: 'bool', v: !v.v };
  return ip.fail('NIXIE_ERR_PXL_TYPE', node, `bad operand type for unary ${op}: ${kindName(v)}`);
}

/** A call expression node. */
export function call(fn: string, args: Expr[], type: DataType): Expr {
  return { kind: 'call', fn, args, type };
}

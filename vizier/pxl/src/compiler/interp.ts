import { DataType as T, nearest, type TableSchema } from '@nixie/core';
import type { SyntaxNode, Tree } from '@lezer/common';
import { didYouMean, PxlError, pxlError, type PxlErrorCode, type SourcePos } from '../errors.js';
import type { PlanOutput } from '../plan.js';
import { binaryOp, unaryOp } from './operators.js';
import { NONE, kindName, type Param, type Value } from './values.js';

/** Variables of a script (globals) or of one function call (locals over globals). */
export class Scope {
  readonly vars = new Map<string, Value>();
  constructor(readonly parent?: Scope) {}
  get(name: string): Value | undefined {
    return this.vars.get(name) ?? this.parent?.get(name);
  }
  names(): string[] {
    return [...this.vars.keys(), ...(this.parent?.names() ?? [])];
  }
}

/** Arguments of a call: positional values, then keyword values with the node for errors. */
export interface CallArgs {
  readonly pos: Value[];
  readonly kw: Map<string, Value>;
  readonly node: SyntaxNode;
  /** Nodes of the arguments, for errors that point at one of them. */
  readonly posNodes?: SyntaxNode[];
  readonly kwNodes?: Map<string, SyntaxNode>;
}

/** The node of positional argument i or keyword `kw`, else the whole argument list. */
export function argNode(a: CallArgs, i: number, kw: string): SyntaxNode {
  return a.kwNodes?.get(kw) ?? a.posNodes?.[i] ?? a.node;
}

/** Hooks the interpreter calls for px.*, dataframe methods and member access. */
export interface Semantics {
  member(obj: Value, name: string, node: SyntaxNode): Value;
  subscript(obj: Value, key: Value, node: SyntaxNode): Value;
  assignMember(obj: Value, name: string, value: Value, node: SyntaxNode): void;
  call(fn: Value, args: CallArgs): Value;
}

class Return {
  constructor(readonly value: Value) {}
}

const BUILTINS = ['int', 'float', 'str', 'bool', 'len', 'print', 'list'];

/** Walks the syntax tree, evaluating statements and expressions to compile-time values. */
export class Interpreter {
  readonly globals = new Scope();
  readonly outputs: PlanOutput[] = [];
  sem!: Semantics;
  private readonly lineStarts: number[] = [0];

  constructor(
    readonly src: string,
    readonly tree: Tree,
    readonly schemas: ReadonlyMap<string, TableSchema>,
    readonly nowNs: number,
  ) {
    for (let i = 0; i < src.length; i++) if (src.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  /** 1-based line and column of a source offset. */
  pos(offset: number): SourcePos {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.lineStarts[lo]! + 1 };
  }

  /** Throws a coded error located at `node`. */
  fail(code: PxlErrorCode, node: SyntaxNode, ...args: unknown[]): never {
    throw pxlError(code, this.pos(node.from), ...args);
  }

  /** Throws an unknown-name error with the nearest candidate as suggestion. */
  unknown(code: PxlErrorCode, node: SyntaxNode, name: string, where: string | undefined, candidates: Iterable<string>): never {
    const s = nearest(name, candidates);
    const args = where === undefined ? [name, didYouMean(s)] : [name, where, didYouMean(s)];
    const e = pxlError(code, this.pos(node.from), ...args);
    throw new PxlError(e.code, e.message.replace(/^\d+:\d+: /, ''), e.pos, s);
  }

  text(node: SyntaxNode): string {
    return this.src.slice(node.from, node.to);
  }

  /** Reports the first syntax error, then runs the top-level statements. */
  run(): void {
    let bad: SyntaxNode | undefined;
    this.tree.iterate({
      enter: (n) => {
        if (bad) return false;
        if (n.type.isError) bad = n.node;
        return undefined;
      },
    });
    if (bad) {
      const near = this.src.slice(bad.from, bad.from + 20).split('\n')[0];
      this.fail('NIXIE_ERR_PXL_SYNTAX', bad, near ? `invalid syntax near "${near}"` : 'invalid syntax (unexpected end of line)');
    }
    this.execBlock(this.tree.topNode, this.globals);
  }

  /** Runs the statements under a Script or Body node; returns the `return` value if one ran. */
  execBlock(block: SyntaxNode, scope: Scope): Return | undefined {
    for (let s = block.firstChild; s; s = s.nextSibling) {
      const r = this.exec(s, scope);
      if (r) return r;
    }
    return undefined;
  }

  private exec(s: SyntaxNode, scope: Scope): Return | undefined {
    switch (s.name) {
      case ':':
      case 'Comment':
      case 'PassStatement':
        return undefined;
      case 'ImportStatement': {
        const names = s.getChildren('VariableName').map((n) => this.text(n));
        for (const n of names) {
          if (n !== 'px' && n !== 'pxviews' && n !== 'pxtrace') this.fail('NIXIE_ERR_PXL_UNSUPPORTED', s, `import ${n}`);
          scope.vars.set(n, { k: 'module', name: n });
        }
        return undefined;
      }
      case 'ExpressionStatement': {
        const e = s.firstChild!;
        if (e.name !== 'String') this.eval(e, scope);
        return undefined;
      }
      case 'AssignStatement':
        this.assign(s, scope);
        return undefined;
      case 'FunctionDefinition':
        this.define(s, scope);
        return undefined;
      case 'ReturnStatement': {
        const e = s.firstChild!.nextSibling;
        return new Return(e ? this.eval(e, scope) : NONE);
      }
      case 'IfStatement':
        return this.execIf(s, scope);
      default:
        return this.fail('NIXIE_ERR_PXL_UNSUPPORTED', s, s.name.replace(/Statement$/, '').toLowerCase() + ' statements');
    }
  }

  private execIf(s: SyntaxNode, scope: Scope): Return | undefined {
    // Children: if cond Body (elif cond Body)* (else Body)?
    for (let c = s.firstChild; c; c = c.nextSibling) {
      if (c.name === 'if' || c.name === 'elif') {
        const cond = c.nextSibling!;
        const body = cond.nextSibling!;
        if (this.truthy(this.eval(cond, scope), cond)) return this.execBlock(body, scope);
        c = body;
      } else if (c.name === 'else') {
        return this.execBlock(c.nextSibling!, scope);
      }
    }
    return undefined;
  }

  /** Python truthiness of a compile-time value; columns cannot drive control flow. */
  truthy(v: Value, node: SyntaxNode): boolean {
    switch (v.k) {
      case 'none':
        return false;
      case 'bool':
        return v.v;
      case 'num':
        return v.v !== 0;
      case 'str':
        return v.v !== '';
      case 'list':
        return v.items.length > 0;
      case 'col':
        return this.fail('NIXIE_ERR_PXL_TYPE', node, 'a column expression cannot be used as a condition here; filter with df[...] or use px.select');
      default:
        return true;
    }
  }

  private assign(s: SyntaxNode, scope: Scope): void {
    const target = s.firstChild!;
    const op = target.nextSibling!;
    if (op.name !== 'AssignOp' || this.text(op) !== '=') this.fail('NIXIE_ERR_PXL_UNSUPPORTED', op, `assignment operator ${this.text(op)}`);
    const valueNode = op.nextSibling!;
    if (valueNode.nextSibling && valueNode.nextSibling.name === 'AssignOp') this.fail('NIXIE_ERR_PXL_UNSUPPORTED', s, 'chained assignment');
    const value = this.eval(valueNode, scope);
    if (target.name === 'VariableName') {
      scope.vars.set(this.text(target), value);
      return;
    }
    if (target.name === 'MemberExpression') {
      const obj = this.eval(target.firstChild!, scope);
      const sel = target.firstChild!.nextSibling!;
      if (sel.name === '.') {
        this.sem.assignMember(obj, this.text(sel.nextSibling!), value, target);
        return;
      }
      const key = this.eval(sel.nextSibling!, scope);
      if (key.k !== 'str') this.fail('NIXIE_ERR_PXL_TYPE', sel.nextSibling!, `a column name must be a string, got ${kindName(key)}`);
      this.sem.assignMember(obj, key.v, value, target);
      return;
    }
    this.fail('NIXIE_ERR_PXL_UNSUPPORTED', target, `assignment to ${target.name}`);
  }

  private define(s: SyntaxNode, scope: Scope): void {
    const nameNode = s.getChild('VariableName')!;
    const params: Param[] = [];
    const list = s.getChild('ParamList')!;
    for (let c = list.firstChild; c; c = c.nextSibling) {
      if (c.name !== 'VariableName') {
        if (c.name === '*' || c.name === '**') this.fail('NIXIE_ERR_PXL_UNSUPPORTED', c, 'variadic parameters');
        continue;
      }
      let annotation: string | undefined;
      let def: SyntaxNode | undefined;
      let n = c.nextSibling;
      if (n?.name === 'TypeDef') {
        annotation = this.text(n.lastChild!);
        n = n.nextSibling;
      }
      if (n?.name === 'AssignOp') def = n.nextSibling!;
      params.push({ name: this.text(c), annotation, def });
      if (def) c = def;
    }
    const name = this.text(nameNode);
    scope.vars.set(name, { k: 'func', name, params, body: s.getChild('Body')!, node: s });
  }

  /** Evaluates an expression node. */
  eval(e: SyntaxNode, scope: Scope): Value {
    switch (e.name) {
      case 'Number': {
        const t = this.text(e).replace(/_/g, '');
        const isFloat = /[.eE]/.test(t) && !/^0[xX]/.test(t);
        return { k: 'num', v: Number(t), type: isFloat ? T.FLOAT64 : T.INT64 };
      }
      case 'String':
        return { k: 'str', v: this.stringValue(e) };
      case 'ContinuedString':
        return { k: 'str', v: e.getChildren('String').map((s) => this.stringValue(s)).join('') };
      case 'Boolean':
        return { k: 'bool', v: this.text(e) === 'True' };
      case 'None':
        return NONE;
      case 'VariableName': {
        const name = this.text(e);
        const v = scope.get(name);
        if (v) return v;
        if (BUILTINS.includes(name)) return { k: 'builtin', name };
        return this.unknown('NIXIE_ERR_PXL_UNKNOWN_NAME', e, name, undefined, [...scope.names(), ...BUILTINS]);
      }
      case 'ParenthesizedExpression':
        return this.eval(e.firstChild!.nextSibling!, scope);
      case 'ArrayExpression':
      case 'TupleExpression':
        return { k: 'list', items: this.elements(e).map((n) => this.eval(n, scope)) };
      case 'DictionaryExpression': {
        const els = this.elements(e);
        const entries: [string, Value][] = [];
        for (let i = 0; i + 1 < els.length; i += 2) {
          const key = this.eval(els[i]!, scope);
          // Numeric keys (px.otel.metric.Summary's quantile_values={0.5: ...}) are kept as their text.
          if (key.k !== 'str' && key.k !== 'num') this.fail('NIXIE_ERR_PXL_TYPE', els[i]!, 'dictionary keys must be strings or numbers');
          entries.push([key.k === 'num' ? String(key.v) : key.v, this.eval(els[i + 1]!, scope)]);
        }
        return { k: 'dict', entries };
      }
      case 'MemberExpression': {
        const obj = this.eval(e.firstChild!, scope);
        const sel = e.firstChild!.nextSibling!;
        if (sel.name === '.') return this.sem.member(obj, this.text(sel.nextSibling!), sel.nextSibling!);
        return this.sem.subscript(obj, this.eval(sel.nextSibling!, scope), sel.nextSibling!);
      }
      case 'CallExpression':
        return this.sem.call(this.eval(e.firstChild!, scope), this.args(e.getChild('ArgList')!, scope));
      case 'BinaryExpression': {
        if (this.isBoolOp(e)) return this.evalBool(e, scope);
        const l = e.firstChild!;
        let op = l.nextSibling!;
        let opText = this.text(op);
        if (op.name === 'not' && op.nextSibling?.name === 'in') {
          op = op.nextSibling;
          opText = 'not in';
        } else if (op.name === 'is' && op.nextSibling?.name === 'not') {
          op = op.nextSibling;
          opText = 'is not';
        }
        const r = op.nextSibling!;
        return binaryOp(this, opText, this.eval(l, scope), this.eval(r, scope), op);
      }
      case 'UnaryExpression': {
        if (this.isBoolOp(e)) return this.evalBool(e, scope);
        const op = e.firstChild!;
        return unaryOp(this, this.text(op), this.eval(op.nextSibling!, scope), op);
      }
      case 'ConditionalExpression': {
        const [a, cond, b] = [e.firstChild!, e.getChild('if')!.nextSibling!, e.getChild('else')!.nextSibling!];
        return this.truthy(this.eval(cond, scope), cond) ? this.eval(a, scope) : this.eval(b, scope);
      }
      default:
        return this.fail('NIXIE_ERR_PXL_UNSUPPORTED', e, e.name.replace(/Expression$/, ' expressions').replace(/^FormatString$/, 'f-strings'));
    }
  }

  private isBoolOp(e: SyntaxNode): boolean {
    if (e.name === 'UnaryExpression') return e.firstChild?.name === 'not';
    if (e.name !== 'BinaryExpression') return false;
    const op = e.firstChild?.nextSibling?.name;
    return (op === 'and' || op === 'or') && e.firstChild!.nextSibling!.nextSibling?.name !== 'in';
  }

  /**
   * `and`, `or` and `not` with Python's precedence (or < and < not). @lezer/python parses
   * `not a or b` as `not (a or b)`, so the operator chain is flattened and parsed again here.
   */
  private evalBool(e: SyntaxNode, scope: Scope): Value {
    const toks: (SyntaxNode | 'and' | 'or' | 'not')[] = [];
    const flat = (n: SyntaxNode): void => {
      if (this.isBoolOp(n)) {
        if (n.name === 'UnaryExpression') {
          toks.push('not');
          flat(n.firstChild!.nextSibling!);
        } else {
          flat(n.firstChild!);
          toks.push(n.firstChild!.nextSibling!.name as 'and' | 'or');
          flat(n.firstChild!.nextSibling!.nextSibling!);
        }
      } else toks.push(n);
    };
    flat(e);
    let i = 0;
    const opNode = (): SyntaxNode => {
      const t = toks.find((x): x is SyntaxNode => typeof x !== 'string');
      return t ?? e;
    };
    const parseNot = (): Value => {
      if (toks[i] === 'not') {
        i++;
        return unaryOp(this, 'not', parseNot(), opNode());
      }
      const t = toks[i++];
      if (t === undefined || typeof t === 'string') return this.fail('NIXIE_ERR_PXL_SYNTAX', e, 'invalid boolean expression');
      return this.eval(t, scope);
    };
    const parseAnd = (): Value => {
      let v = parseNot();
      while (toks[i] === 'and') {
        i++;
        v = binaryOp(this, 'and', v, parseNot(), e);
      }
      return v;
    };
    let v = parseAnd();
    while (toks[i] === 'or') {
      i++;
      v = binaryOp(this, 'or', v, parseAnd(), e);
    }
    return v;
  }

  /** Element nodes of a list, tuple or dict literal (punctuation skipped). */
  private elements(e: SyntaxNode): SyntaxNode[] {
    const out: SyntaxNode[] = [];
    for (let c = e.firstChild; c; c = c.nextSibling) {
      if (c.name === '[' || c.name === ']' || c.name === '(' || c.name === ')' || c.name === '{' || c.name === '}' || c.name === ',' || c.name === ':') continue;
      if (c.name === 'for') this.fail('NIXIE_ERR_PXL_UNSUPPORTED', c, 'comprehensions');
      out.push(c);
    }
    return out;
  }

  private args(list: SyntaxNode, scope: Scope): CallArgs {
    const pos: Value[] = [];
    const kw = new Map<string, Value>();
    const posNodes: SyntaxNode[] = [];
    const kwNodes = new Map<string, SyntaxNode>();
    for (let c = list.firstChild; c; c = c.nextSibling) {
      if (c.name === '(' || c.name === ')' || c.name === ',') continue;
      if (c.name === '*' || c.name === '**') this.fail('NIXIE_ERR_PXL_UNSUPPORTED', c, 'argument unpacking');
      if (c.name === 'VariableName' && c.nextSibling?.name === 'AssignOp') {
        const valueNode = c.nextSibling.nextSibling!;
        kw.set(this.text(c), this.eval(valueNode, scope));
        kwNodes.set(this.text(c), valueNode);
        c = valueNode;
        continue;
      }
      if (kw.size > 0) this.fail('NIXIE_ERR_PXL_SYNTAX', c, 'positional argument follows keyword argument');
      pos.push(this.eval(c, scope));
      posNodes.push(c);
    }
    return { pos, kw, node: list, posNodes, kwNodes };
  }

  private stringValue(e: SyntaxNode): string {
    const t = this.text(e);
    const m = /^([rRbBuU]*)('''|"""|'|")/.exec(t)!;
    const raw = /[rR]/.test(m[1]!);
    const body = t.slice(m[0].length, t.length - m[2]!.length);
    if (raw) return body;
    return body.replace(/\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|.|\n)/g, (_, c: string) => {
      switch (c[0]) {
        case 'n':
          return '\n';
        case 't':
          return '\t';
        case 'r':
          return '\r';
        case '0':
          return '\0';
        case '\n':
          return '';
        case 'x':
        case 'u':
          return c.length > 1 ? String.fromCharCode(parseInt(c.slice(1), 16)) : `\\${c}`;
        case '\\':
        case "'":
        case '"':
          return c;
        default:
          return `\\${c}`;
      }
    });
  }

  /** Calls a script function with bound values; returns what it returns. */
  callFunc(f: Extract<Value, { k: 'func' }>, args: CallArgs): Value {
    const local = new Scope(this.globals);
    if (args.pos.length > f.params.length) this.fail('NIXIE_ERR_PXL_ARGS', args.node, `${f.name}() takes ${f.params.length} arguments, got ${args.pos.length}`);
    f.params.forEach((p, i) => {
      const v = i < args.pos.length ? args.pos[i] : args.kw.get(p.name);
      if (v !== undefined) local.vars.set(p.name, v);
      else if (p.def) local.vars.set(p.name, this.eval(p.def, this.globals));
      else this.fail('NIXIE_ERR_PXL_ARGS', args.node, `${f.name}() is missing argument ${p.name}`);
    });
    for (const k of args.kw.keys()) {
      if (!f.params.some((p) => p.name === k)) {
        const s = nearest(k, f.params.map((p) => p.name));
        this.fail('NIXIE_ERR_PXL_ARGS', args.node, `${f.name}() has no argument ${k}${didYouMean(s)}`);
      }
    }
    const r = this.execBlock(f.body, local);
    return r ? r.value : NONE;
  }
}

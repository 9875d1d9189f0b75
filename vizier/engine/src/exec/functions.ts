import { DataType as T, formatUpid, type DataType, type UInt128 } from '@nixie/core';
import type { Metadata } from '../metadata/metadata.js';
import { fromValues, nums, strAt, strings, type Vec } from './vec.js';

/** A scalar function over whole columns: arguments, row count, result type, metadata. */
export type ScalarImpl = (args: Vec[], n: number, type: DataType, md: Metadata) => Vec;

const num = (type: DataType, values: Float64Array): Vec => ({ type: type as typeof T.INT64, values });
const bool = (values: Uint8Array): Vec => ({ type: T.BOOLEAN, values });
const strs = (values: string[]): Vec => ({ type: 'STRING_ARR', values });
const isStr = (v: Vec): boolean => v.type === T.STRING || v.type === 'STRING_ARR';

function numeric2(f: (a: number, b: number) => number): ScalarImpl {
  return (args, n, type) => {
    const a = nums(args[0]!);
    const b = nums(args[1]!);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = f(a[i]!, b[i]!);
    if (type !== T.FLOAT64) for (let i = 0; i < n; i++) out[i] = Math.trunc(out[i]!);
    return num(type, out);
  };
}

function numeric1(f: (a: number) => number): ScalarImpl {
  return (args, n, type) => {
    const a = nums(args[0]!);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = f(a[i]!);
    return num(type, out);
  };
}

function str1<R extends number | string | boolean>(f: (s: string) => R): ScalarImpl {
  return (args, n, type) => {
    const out = new Array<R>(n);
    for (let i = 0; i < n; i++) out[i] = f(strAt(args[0]!, i));
    return fromValues(type, out);
  };
}

function strN<R extends number | string | boolean>(f: (...s: (string | number)[]) => R): ScalarImpl {
  return (args, n, type) => {
    const cols = args.map((a) => (isStr(a) ? strings(a, n) : nums(a)));
    const out = new Array<R>(n);
    const row = new Array<string | number>(args.length);
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < cols.length; j++) row[j] = cols[j]![i]!;
      out[i] = f(...row);
    }
    return fromValues(type, out);
  };
}

function compare(op: (c: number) => boolean): ScalarImpl {
  return (args, n) => {
    const [a, b] = args as [Vec, Vec];
    const out = new Uint8Array(n);
    if (isStr(a)) {
      for (let i = 0; i < n; i++) {
        const x = strAt(a, i);
        const y = strAt(b, i);
        out[i] = op(x < y ? -1 : x > y ? 1 : 0) ? 1 : 0;
      }
    } else if (a.type === T.UINT128 && b.type === T.UINT128) {
      for (let i = 0; i < n; i++) {
        const c = a.high[i] === b.high[i] && a.low[i] === b.low[i] ? 0 : 1;
        out[i] = op(c) ? 1 : 0;
      }
    } else {
      const x = nums(a);
      const y = nums(b);
      for (let i = 0; i < n; i++) out[i] = op(x[i]! < y[i]! ? -1 : x[i]! > y[i]! ? 1 : 0) ? 1 : 0;
    }
    return bool(out);
  };
}

function upidFn(f: (u: UInt128, md: Metadata) => string | number): ScalarImpl {
  return (args, n, type, md) => {
    const v = args[0]!;
    if (v.type !== T.UINT128) throw new Error('expected a upid column');
    // Few distinct processes per batch: resolve each once.
    const cache = new Map<number, Map<number, string | number>>();
    const out = new Array<string | number>(n);
    const u = { high: 0, low: 0 };
    for (let i = 0; i < n; i++) {
      const hi = v.high[i]!;
      const lo = v.low[i]!;
      let m = cache.get(hi);
      if (!m) cache.set(hi, (m = new Map()));
      let r = m.get(lo);
      if (r === undefined) {
        u.high = hi;
        u.low = lo;
        r = f(u, md);
        m.set(lo, r);
      }
      out[i] = r;
    }
    return fromValues(type, out);
  };
}

function cachedStr(f: (s: string, md: Metadata) => string): ScalarImpl {
  return (args, n, _type, md) => {
    const cache = new Map<string, string>();
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) {
      const s = strAt(args[0]!, i);
      let r = cache.get(s);
      if (r === undefined) cache.set(s, (r = f(s, md)));
      out[i] = r;
    }
    return strs(out);
  };
}

const regexCache = new Map<string, RegExp>();
function regex(p: string, flags = ''): RegExp {
  const key = `${flags}/${p}`;
  let r = regexCache.get(key);
  if (!r) {
    try {
      r = new RegExp(flags.includes('g') ? p : `^(?:${p})$`, flags);
    } catch {
      r = /(?!)/;
    }
    if (regexCache.size > 256) regexCache.clear();
    regexCache.set(key, r);
  }
  return r;
}

function pluckRaw(json: string, key: string, cache: Map<string, unknown>): unknown {
  let obj = cache.get(json);
  if (obj === undefined) {
    try {
      obj = JSON.parse(json) as unknown;
    } catch {
      obj = null;
    }
    cache.set(json, obj);
  }
  return obj !== null && typeof obj === 'object' ? (obj as Record<string, unknown>)[key] : undefined;
}

function pluck(conv: (v: unknown) => string | number): ScalarImpl {
  return (args, n, type) => {
    const cache = new Map<string, unknown>();
    const out = new Array<string | number>(n);
    for (let i = 0; i < n; i++) out[i] = conv(pluckRaw(strAt(args[0]!, i), strAt(args[1]!, i), cache));
    return fromValues(type, out);
  };
}

const toNum = (v: unknown, int: boolean): number => {
  const x = typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : typeof v === 'boolean' ? Number(v) : 0;
  return Number.isFinite(x) ? (int ? Math.trunc(x) : x) : 0;
};

/** Every scalar function and operator of @nixie/pxl's catalog, by name. */
export const SCALAR_IMPLS: ReadonlyMap<string, ScalarImpl> = new Map<string, ScalarImpl>([
  [
    'add',
    (args, n, type, md) => {
      if (type !== T.STRING) return numeric2((a, b) => a + b)(args, n, type, md);
      const a = strings(args[0]!, n);
      const b = strings(args[1]!, n);
      return strs(a.map((s, i) => s + b[i]));
    },
  ],
  ['subtract', numeric2((a, b) => a - b)],
  ['multiply', numeric2((a, b) => a * b)],
  ['divide', numeric2((a, b) => a / b)],
  ['modulo', numeric2((a, b) => a - Math.floor(a / b) * b)],
  ['negate', numeric1((a) => -a)],
  ['equal', compare((c) => c === 0)],
  ['notEqual', compare((c) => c !== 0)],
  ['lessThan', compare((c) => c < 0)],
  ['lessThanEqual', compare((c) => c <= 0)],
  ['greaterThan', compare((c) => c > 0)],
  ['greaterThanEqual', compare((c) => c >= 0)],
  [
    'logicalAnd',
    (args, n) => {
      const a = nums(args[0]!);
      const b = nums(args[1]!);
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = a[i]! & b[i]!;
      return bool(out);
    },
  ],
  [
    'logicalOr',
    (args, n) => {
      const a = nums(args[0]!);
      const b = nums(args[1]!);
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = a[i]! | b[i]!;
      return bool(out);
    },
  ],
  [
    'logicalNot',
    (args, n) => {
      const a = nums(args[0]!);
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = a[i] ? 0 : 1;
      return bool(out);
    },
  ],
  ['contains', strN((s, sub) => String(s).includes(String(sub)))],
  ['regex_match', strN((p, s) => regex(String(p)).test(String(s)))],
  ['substring', strN((s, pos, len) => String(s).substr(Number(pos), Number(len)))],
  ['replace', strN((p, s, r) => String(s).replace(regex(String(p), 'g'), String(r).replace(/\\(\d)/g, '$$$1')))],
  ['find', strN((s, sub) => String(s).indexOf(String(sub)))],
  ['length', str1((s) => Buffer.byteLength(s))],
  ['tolower', str1((s) => s.toLowerCase())],
  ['toupper', str1((s) => s.toUpperCase())],
  ['trim', str1((s) => s.trim())],
  ['atoi', strN((s, d = 0) => (/^\s*[-+]?\d+\s*$/.test(String(s)) ? parseInt(String(s), 10) : Number(d)))],
  ['atof', strN((s, d = 0) => (String(s).trim() !== '' && Number.isFinite(Number(s)) ? Number(s) : Number(d)))],
  ['floor', numeric1(Math.floor)],
  ['ceil', numeric1(Math.ceil)],
  ['round', numeric1(Math.round)],
  ['abs', numeric1(Math.abs)],
  ['sqrt', numeric1(Math.sqrt)],
  ['log', numeric1(Math.log)],
  ['pow', numeric2((a, b) => a ** b)],
  ['bin', numeric2((a, b) => (b > 0 ? Math.floor(a / b) * b : a))],
  ['int64', numeric1(Math.trunc)],
  ['float64', numeric1((a) => a)],
  ['Time', numeric1((a) => a)],
  [
    'select',
    (args, n, type) => {
      const c = nums(args[0]!);
      const [a, b] = [args[1]!, args[2]!];
      if (type === T.STRING) {
        const out = new Array<string>(n);
        for (let i = 0; i < n; i++) out[i] = strAt(c[i] ? a : b, i);
        return strs(out);
      }
      if (type === T.UINT128 && a.type === T.UINT128 && b.type === T.UINT128) {
        const high = new Float64Array(n);
        const low = new Float64Array(n);
        for (let i = 0; i < n; i++) {
          const s = c[i] ? a : b;
          high[i] = s.high[i]!;
          low[i] = s.low[i]!;
        }
        return { type: T.UINT128, high, low };
      }
      const x = nums(a);
      const y = nums(b);
      if (type === T.BOOLEAN) {
        const out = new Uint8Array(n);
        for (let i = 0; i < n; i++) out[i] = c[i] ? x[i]! : y[i]!;
        return bool(out);
      }
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = c[i] ? x[i]! : y[i]!;
      return num(type, out);
    },
  ],
  ['upid_to_pid', upidFn((u, md) => md.pid(u))],
  ['upid_to_cmdline', upidFn((u, md) => md.cmdline(u))],
  ['upid_to_pod_name', upidFn((u, md) => md.pod(u))],
  ['upid_to_pod_id', upidFn((u, md) => md.podId(u))],
  ['upid_to_service_name', upidFn((u, md) => md.service(u))],
  ['upid_to_service_id', upidFn((u, md) => md.service(u))],
  ['upid_to_namespace', upidFn((u, md) => md.namespace(u))],
  ['upid_to_node_name', upidFn((u, md) => md.node(u))],
  ['upid_to_hostname', upidFn((u, md) => md.node(u))],
  ['upid_to_container_id', upidFn((u, md) => md.containerId(u))],
  ['upid_to_container_name', upidFn((u, md) => md.containerName(u))],
  ['upid_to_string', upidFn((u) => formatUpid(u))],
  ['ip_to_pod_id', cachedStr((s, md) => md.ipToPodId(s))],
  ['pod_id_to_pod_name', cachedStr((s, md) => md.podIdToPodName(s))],
  ['pod_id_to_service_name', cachedStr((s, md) => md.podIdToServiceName(s))],
  ['pod_id_to_namespace', cachedStr((s, md) => md.podIdToNamespace(s))],
  ['pod_name_to_namespace', cachedStr((s, md) => md.podNameToNamespace(s))],
  ['nslookup', cachedStr((s, md) => md.nslookup(s))],
  ['pluck', pluck((v) => (v === undefined || v === null ? '' : typeof v === 'string' ? v : JSON.stringify(v)))],
  ['pluck_float64', pluck((v) => toNum(v, false))],
  ['pluck_int64', pluck((v) => toNum(v, true))],
  [
    'script_reference',
    (args, n) => {
      const cols = args.map((a) => (isStr(a) ? strings(a, n) : a.type === T.UINT128 ? null : nums(a)));
      const out = new Array<string>(n);
      for (let i = 0; i < n; i++) {
        const argv: Record<string, string | number> = {};
        for (let j = 2; j + 1 < args.length; j += 2) argv[String(cols[j]![i])] = cols[j + 1] ? cols[j + 1]![i]! : '';
        out[i] = JSON.stringify({ label: cols[0]![i], script: cols[1]![i], args: argv });
      }
      return strs(out);
    },
  ],
  [
    'equals_any',
    (args, n) => {
      const out = new Uint8Array(n);
      if (isStr(args[0]!)) {
        const v = strings(args[0]!, n);
        const cands = args.slice(1).map((c) => strAt(c, 0));
        for (let i = 0; i < n; i++) out[i] = cands.includes(v[i]!) ? 1 : 0;
      } else {
        const v = nums(args[0]!);
        const cands = args.slice(1).map((c) => nums(c)[0]);
        for (let i = 0; i < n; i++) out[i] = cands.includes(v[i]!) ? 1 : 0;
      }
      return bool(out);
    },
  ],
]);


import { DataType as T, type DataType, type SemanticType } from '@nixie/core';

/**
 * PxL's function catalog: names, argument checks and result types. The compiler type-checks
 * against it; @nixie/engine implements every name listed here (a test keeps the two in step).
 */
export interface ScalarSig {
  /** Minimum and maximum argument counts. */
  readonly min: number;
  readonly max: number;
  /** Result type from argument types, or an error message. */
  readonly ret: (args: readonly DataType[]) => DataType | TypeErr;
  readonly semantic?: SemanticType;
}

const NUMERIC: readonly DataType[] = [T.INT64, T.FLOAT64, T.TIME64NS];
const isNum = (t: DataType): boolean => NUMERIC.includes(t);

function fixed(params: readonly (DataType | 'num' | 'any')[], out: DataType | ((a: readonly DataType[]) => DataType)): (args: readonly DataType[]) => DataType | TypeErr {
  return (args) => {
    for (let i = 0; i < args.length && i < params.length; i++) {
      const p = params[i]!;
      const a = args[i]!;
      if (p === 'any') continue;
      if (p === 'num' ? !isNum(a) : p !== a) return { error: `argument ${i + 1} must be ${p === 'num' ? 'a number' : p}, got ${a}` };
    }
    return typeof out === 'function' ? out(args) : out;
  };
}

const sig = (min: number, max: number, ret: ScalarSig['ret'], semantic?: SemanticType): ScalarSig => ({ min, max, ret, semantic });
const S = T.STRING;
const U = T.UINT128;

/** A type error message (types themselves are strings, so errors are boxed). */
export interface TypeErr {
  readonly error: string;
}

/** Whether a signature's result is an error. */
export function isTypeErr(x: unknown): x is TypeErr {
  return typeof x === 'object' && x !== null && 'error' in x;
}

/** Scalar functions callable as px.<name>(...). */
export const SCALAR_FUNCS: ReadonlyMap<string, ScalarSig> = new Map<string, ScalarSig>([
  ['contains', sig(2, 2, fixed([S, S], T.BOOLEAN))],
  ['regex_match', sig(2, 2, fixed([S, S], T.BOOLEAN))],
  ['substring', sig(3, 3, fixed([S, T.INT64, T.INT64], S))],
  ['replace', sig(3, 3, fixed([S, S, S], S))],
  ['find', sig(2, 2, fixed([S, S], T.INT64))],
  ['length', sig(1, 1, fixed([S], T.INT64))],
  ['tolower', sig(1, 1, fixed([S], S))],
  ['toupper', sig(1, 1, fixed([S], S))],
  ['trim', sig(1, 1, fixed([S], S))],
  ['atoi', sig(1, 2, fixed([S, T.INT64], T.INT64))],
  ['atof', sig(1, 2, fixed([S, T.FLOAT64], T.FLOAT64))],
  ['floor', sig(1, 1, fixed(['num'], T.INT64))],
  ['ceil', sig(1, 1, fixed(['num'], T.INT64))],
  ['round', sig(1, 1, fixed(['num'], T.INT64))],
  ['abs', sig(1, 1, fixed(['num'], (a) => a[0]!))],
  ['sqrt', sig(1, 1, fixed(['num'], T.FLOAT64))],
  ['log', sig(1, 1, fixed(['num'], T.FLOAT64))],
  ['pow', sig(2, 2, fixed(['num', 'num'], T.FLOAT64))],
  ['bin', sig(2, 2, fixed(['num', 'num'], (a) => a[0]!))],
  ['select', sig(3, 3, (a) => (a[0] !== T.BOOLEAN ? { error: 'the condition must be BOOLEAN' } : a[1] !== a[2] && !(isNum(a[1]!) && isNum(a[2]!)) ? { error: `both branches must have one type, got ${a[1]} and ${a[2]}` } : a[1] === T.FLOAT64 || a[2] === T.FLOAT64 ? T.FLOAT64 : a[1]!))],
  ['now', sig(0, 0, () => T.TIME64NS, 'time_ns')],
  ['parse_duration', sig(1, 1, fixed([S], T.INT64), 'duration_ns')],
  ['DurationNanos', sig(1, 1, fixed(['num'], T.INT64), 'duration_ns')],
  ['Bytes', sig(1, 1, fixed(['num'], T.INT64), 'bytes')],
  ['Percent', sig(1, 1, fixed(['num'], T.FLOAT64), 'percent')],
  ['Time', sig(1, 1, fixed(['num'], T.TIME64NS), 'time_ns')],
  ['Pod', sig(1, 1, fixed([S], S))],
  ['Service', sig(1, 1, fixed([S], S))],
  ['Namespace', sig(1, 1, fixed([S], S))],
  ['Node', sig(1, 1, fixed([S], S))],
  ['int64', sig(1, 1, fixed(['num'], T.INT64))],
  ['float64', sig(1, 1, fixed(['num'], T.FLOAT64))],
  ['upid_to_pid', sig(1, 1, fixed([U], T.INT64))],
  ['upid_to_cmdline', sig(1, 1, fixed([U], S))],
  ['upid_to_pod_name', sig(1, 1, fixed([U], S))],
  ['upid_to_pod_id', sig(1, 1, fixed([U], S))],
  ['upid_to_service_name', sig(1, 1, fixed([U], S))],
  ['upid_to_service_id', sig(1, 1, fixed([U], S))],
  ['upid_to_namespace', sig(1, 1, fixed([U], S))],
  ['upid_to_node_name', sig(1, 1, fixed([U], S))],
  ['upid_to_hostname', sig(1, 1, fixed([U], S))],
  ['upid_to_container_id', sig(1, 1, fixed([U], S))],
  ['upid_to_container_name', sig(1, 1, fixed([U], S))],
  ['upid_to_string', sig(1, 1, fixed([U], S))],
  ['ip_to_pod_id', sig(1, 1, fixed([S], S))],
  ['pod_id_to_pod_name', sig(1, 1, fixed([S], S))],
  ['pod_id_to_service_name', sig(1, 1, fixed([S], S))],
  ['pod_id_to_namespace', sig(1, 1, fixed([S], S))],
  ['pod_name_to_namespace', sig(1, 1, fixed([S], S))],
  ['nslookup', sig(1, 1, fixed([S], S))],
  ['pluck', sig(2, 2, fixed([S, S], S))],
  ['pluck_float64', sig(2, 2, fixed([S, S], T.FLOAT64))],
  ['pluck_int64', sig(2, 2, fixed([S, S], T.INT64))],
  // script_reference(label, script, k1, v1, ...): the compiler flattens the args dict.
  ['script_reference', sig(2, 64, fixed([S, S], S))],
  // equals_any(value, candidates...): the compiler flattens the list.
  ['equals_any', sig(2, 256, () => T.BOOLEAN)],
]);

/** Aggregate functions usable in agg(out=(col, px.<name>)). Result type from the argument type. */
export const AGG_FUNCS: ReadonlyMap<string, (arg: DataType) => DataType | TypeErr> = new Map<string, (arg: DataType) => DataType | TypeErr>([
  ['count', () => T.INT64],
  ['sum', (a) => (isNum(a) || a === T.BOOLEAN ? (a === T.FLOAT64 ? T.FLOAT64 : T.INT64) : { error: `sum needs a number, got ${a}` })],
  ['mean', (a) => (isNum(a) || a === T.BOOLEAN ? T.FLOAT64 : { error: `mean needs a number, got ${a}` })],
  ['min', (a) => (isNum(a) ? a : { error: `min needs a number, got ${a}` })],
  ['max', (a) => (isNum(a) ? a : { error: `max needs a number, got ${a}` })],
  ['any', (a) => a],
  ['quantiles', (a) => (isNum(a) ? T.STRING : { error: `quantiles needs a number, got ${a}` })],
]);

/** Operators, as the engine names them. */
export const OPERATOR_FUNCS: readonly string[] = [
  'add', 'subtract', 'multiply', 'divide', 'modulo', 'negate',
  'equal', 'notEqual', 'lessThan', 'lessThanEqual', 'greaterThan', 'greaterThanEqual',
  'logicalAnd', 'logicalOr', 'logicalNot',
];

/** Whether a type is one of the numeric ones (INT64, FLOAT64, TIME64NS). */
export function isNumeric(t: DataType): boolean {
  return isNum(t);
}

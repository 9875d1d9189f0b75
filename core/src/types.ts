/** Column data types, as Pixie names them. */
export const DataType = Object.freeze({
  /** Nanoseconds since the Unix epoch. Stored as float64: exact to 256 ns at today's epoch values. */
  TIME64NS: 'TIME64NS',
  /** Two 64-bit halves; a upid keeps pid in `high` and process start time in clock ticks since boot (/proc/<pid>/stat field 22) in `low`. */
  UINT128: 'UINT128',
  /** Signed integer; stored as float64, exact within ±2^53. */
  INT64: 'INT64',
  FLOAT64: 'FLOAT64',
  STRING: 'STRING',
  BOOLEAN: 'BOOLEAN',
} as const);
export type DataType = (typeof DataType)[keyof typeof DataType];

/** Semantic hints that change how a value is shown (Pixie's ST_* types). */
export type SemanticType =
  | 'none'
  | 'upid'
  | 'duration_ns'
  | 'bytes'
  | 'percent'
  | 'ip_addr'
  | 'port'
  | 'http_status'
  | 'http_method'
  | 'time_ns';

export interface ColumnSchema {
  readonly name: string;
  readonly type: DataType;
  readonly semantic?: SemanticType;
  readonly desc?: string;
}

export interface TableSchema {
  readonly name: string;
  readonly desc?: string;
  readonly columns: readonly ColumnSchema[];
}

/** A 128-bit unsigned value as two halves, each kept below 2^53. */
export interface UInt128 {
  high: number;
  low: number;
}

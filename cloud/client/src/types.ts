/** Types of vizier's HTTP API (POST /api/v1/run NDJSON lines and the GET endpoints). */

export type Cell = string | number | boolean | null;

export interface ColumnInfo {
  readonly name: string;
  /** TIME64NS, UINT128, INT64, FLOAT64, STRING or BOOLEAN. */
  readonly type: string;
  readonly semantic?: string;
}

export interface AgentWarning {
  readonly agent: string;
  readonly error: string;
}

/** One line of a /run response. */
export type RunEvent =
  | { readonly type: 'started'; readonly queryId: string; readonly agents: readonly string[] }
  | { readonly type: 'agent'; readonly agent: string; readonly ok: boolean; readonly rows: number; readonly ms: number }
  | ({ readonly type: 'warning' } & AgentWarning)
  | { readonly type: 'table'; readonly table: string; readonly columns: readonly ColumnInfo[] }
  | { readonly type: 'rows'; readonly table: string; readonly rows: readonly (readonly Cell[])[] }
  | { readonly type: 'end'; readonly queryId: string; readonly rows: number; readonly ms: number; readonly warnings: readonly AgentWarning[] }
  | { readonly type: 'error'; readonly code: string; readonly message: string };

/** What to run: PxL source (with an optional vis.json object) or a bundled script's name. */
export interface RunRequest {
  readonly script?: string;
  readonly bundle?: string;
  readonly vis?: unknown;
  readonly args?: Readonly<Record<string, string | number | boolean>>;
  readonly func?: string;
  /** "Now" for relative times, ns since epoch. */
  readonly nowNs?: number;
}

export interface AgentInfo {
  readonly id: string;
  readonly instance: string;
  readonly host: string;
  readonly pid: number;
  readonly state: 'live' | 'expired';
  readonly tables: readonly string[];
  readonly registeredAt: number;
  readonly lastHeartbeat: number;
  readonly startedAt: number;
  readonly restarts: number;
}

export interface ScriptInfo {
  readonly name: string;
  readonly short: string;
  readonly long: string;
}

export interface TableInfo {
  readonly name: string;
  readonly desc?: string;
  readonly columns: readonly ColumnInfo[];
}

/** A whole result: each output table with its columns and rows, and the agents that did not answer. */
export interface RunResult {
  readonly tables: Map<string, { columns: ColumnInfo[]; rows: Cell[][] }>;
  readonly warnings: AgentWarning[];
  readonly rows: number;
  readonly ms: number;
}

export { NixieClient, NixieApiError, rowObject, type ClientOptions } from './client.js';
export type { Cell, ColumnInfo, AgentWarning, RunEvent, RunRequest, RunResult, AgentInfo, ScriptInfo, TableInfo } from './types.js';

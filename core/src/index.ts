export { DataType, type SemanticType, type ColumnSchema, type TableSchema, type UInt128 } from './types.js';
export {
  type Column,
  type NumberColumn,
  type BooleanColumn,
  type UInt128Column,
  type StringColumn,
  type RowBatch,
  stringAt,
  valueAt,
  columnIndex,
  batchToObjects,
  formatUpid,
} from './column.js';
export {
  SOCKET_COLUMNS,
  HTTP_EVENTS,
  MYSQL_EVENTS,
  PGSQL_EVENTS,
  REDIS_EVENTS,
  DNS_EVENTS,
  CONN_STATS,
  PROCESS_STATS,
  NETWORK_STATS,
  JVM_STATS,
  STACK_TRACES,
  AGENT_STATS,
  TABLES,
  DEFAULT_BUDGET_SHARE,
} from './tables.js';
export { PROTOCOL, protocolName, TraceRole, type ProtocolName } from './protocols.js';
export { MessageType, DEFAULT_DECODER_LIMITS, type DecoderLimits, type Frame, type ParseContext, type ParseResult, type DecodedRecord, type StitchResult, type StitchCounts, type RowWriter, type Decoder } from './decoder.js';
export { ERROR_CODES, NixieError, createError, isNixieError, type ErrorCode } from './errors.js';
export { createLogger, type Logger, type LogLevel } from './logger.js';
export { editDistance, nearest } from './util.js';
export { asciiInto, concat } from './bytes.js';
export { ByteHeap, byteHeap, RESERVED_LOW, type ByteHeapStats, type WasmMemory } from './heap.js';
export { Table, sliceRange, type ScanOptions, type TableStats, type RowInput } from './store/table.js';
export { TableStore, splitBudget, type TableStoreOptions, type PublishListener } from './store/store.js';
export { CONFIG_SCHEMA } from './config/schema.js';
export type { NixieConfig } from './config/types.js';
export { loadConfig, validateConfig, applyEnv, defaultConfigPath, NON_CONFIG_ENV, type LoadedConfig } from './config/load.js';
export { createHooks, STAGE, DATA_PATH_HOOKS, type Hooks, type Registry, type LifecycleContext, type RecordsEvent, type DecodedEvent } from './host/hooks.js';
export type { MetricSource, SourceContext, Exporter, ExporterStats } from './host/interfaces.js';
export { InMemoryExporter, NoopExporter } from './host/exporters.js';
export { BatchQueue, type BatchQueueOptions, type BatchQueueStats, type SendBatch, type SendResult } from './host/batch-queue.js';
export type { NixiePlugin, PluginManifest } from './host/plugin.js';
export { PluginHost, type PluginFault, type PluginHostOptions } from './host/host.js';
export { BUILTIN_PLUGINS, dataDir, pluginsDir, resolvePlugin, loadPlugins, dependencyOrder, type LoadPluginsResult, type LoadPluginsOptions } from './host/loader.js';
export { CORE_VERSION } from './version.js';
export { TRUNCATED, TextSink, decodeText } from './text.js';

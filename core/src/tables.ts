import { DataType as T, type ColumnSchema, type TableSchema } from './types.js';

/** Columns every socket-trace table starts with (Pixie's canonical order). */
export const SOCKET_COLUMNS: readonly ColumnSchema[] = Object.freeze([
  { name: 'time_', type: T.TIME64NS, semantic: 'time_ns', desc: 'Time the response completed (ns since epoch)' },
  { name: 'upid', type: T.UINT128, semantic: 'upid', desc: 'Process: pid and process start time' },
  { name: 'remote_addr', type: T.STRING, semantic: 'ip_addr', desc: 'IP address of the peer' },
  { name: 'remote_port', type: T.INT64, semantic: 'port', desc: 'Port of the peer' },
  { name: 'local_addr', type: T.STRING, semantic: 'ip_addr', desc: 'IP address on this side' },
  { name: 'local_port', type: T.INT64, semantic: 'port', desc: 'Port on this side' },
  { name: 'trace_role', type: T.INT64, desc: 'Side traced: 1 client, 2 server' },
  { name: 'encrypted', type: T.BOOLEAN, desc: 'Whether the traffic was TLS before capture' },
]);

const LATENCY: ColumnSchema = { name: 'latency', type: T.INT64, semantic: 'duration_ns', desc: 'Request to response time (ns)' };

function socketTable(name: string, desc: string, cols: ColumnSchema[]): TableSchema {
  return Object.freeze({ name, desc, columns: Object.freeze([...SOCKET_COLUMNS, ...cols, LATENCY]) });
}

export const HTTP_EVENTS = socketTable('http_events', 'HTTP/1.x, HTTP/2 and gRPC requests with responses', [
  { name: 'major_version', type: T.INT64 },
  { name: 'minor_version', type: T.INT64 },
  { name: 'content_type', type: T.INT64, desc: '0 unknown, 1 JSON, 2 gRPC' },
  { name: 'req_headers', type: T.STRING, desc: 'Request headers as a JSON object' },
  { name: 'req_method', type: T.STRING, semantic: 'http_method' },
  { name: 'req_path', type: T.STRING },
  { name: 'req_body', type: T.STRING, desc: 'Request body, cut at the configured size' },
  { name: 'req_body_size', type: T.INT64, semantic: 'bytes', desc: 'Full request body size' },
  { name: 'resp_headers', type: T.STRING, desc: 'Response headers as a JSON object' },
  { name: 'resp_status', type: T.INT64, semantic: 'http_status' },
  { name: 'resp_message', type: T.STRING },
  { name: 'resp_body', type: T.STRING, desc: 'Response body, cut at the configured size' },
  { name: 'resp_body_size', type: T.INT64, semantic: 'bytes', desc: 'Full response body size' },
]);

export const MYSQL_EVENTS = socketTable('mysql_events', 'MySQL/MariaDB commands with responses', [
  { name: 'req_cmd', type: T.INT64, desc: 'MySQL command byte (COM_*)' },
  { name: 'req_body', type: T.STRING },
  { name: 'resp_status', type: T.INT64, desc: '0 unknown, 1 none, 2 OK, 3 ERR' },
  { name: 'resp_body', type: T.STRING },
]);

export const PGSQL_EVENTS = socketTable('pgsql_events', 'PostgreSQL queries with responses', [
  { name: 'req_cmd', type: T.STRING },
  { name: 'req', type: T.STRING },
  { name: 'resp', type: T.STRING },
]);

export const REDIS_EVENTS = socketTable('redis_events', 'Redis commands with responses', [
  { name: 'req_cmd', type: T.STRING },
  { name: 'req_args', type: T.STRING },
  { name: 'resp', type: T.STRING },
]);

export const DNS_EVENTS = socketTable('dns_events', 'DNS queries with answers', [
  { name: 'req_header', type: T.STRING, desc: 'JSON' },
  { name: 'req_body', type: T.STRING, desc: 'JSON' },
  { name: 'resp_header', type: T.STRING, desc: 'JSON' },
  { name: 'resp_body', type: T.STRING, desc: 'JSON' },
]);

function table(name: string, desc: string, columns: ColumnSchema[]): TableSchema {
  return Object.freeze({ name, desc, columns: Object.freeze(columns) });
}

const TIME: ColumnSchema = { name: 'time_', type: T.TIME64NS, semantic: 'time_ns' };
const UPID: ColumnSchema = { name: 'upid', type: T.UINT128, semantic: 'upid' };
const bytes = (name: string, desc?: string): ColumnSchema => ({ name, type: T.INT64, semantic: 'bytes', desc });
const int = (name: string, desc?: string): ColumnSchema => ({ name, type: T.INT64, desc });

export const CONN_STATS = table('conn_stats', 'Per-connection-group traffic counters', [
  TIME,
  UPID,
  { name: 'remote_addr', type: T.STRING, semantic: 'ip_addr' },
  { name: 'remote_port', type: T.INT64, semantic: 'port' },
  int('trace_role', '1 client, 2 server'),
  int('addr_family', 'AF_INET 2, AF_INET6 10'),
  int('protocol', 'Inferred protocol id'),
  { name: 'ssl', type: T.BOOLEAN },
  int('conn_open', 'Connections opened (cumulative)'),
  int('conn_close', 'Connections closed (cumulative)'),
  int('conn_active', 'Connections open now'),
  bytes('bytes_sent', 'Bytes sent (cumulative)'),
  bytes('bytes_recv', 'Bytes received (cumulative)'),
]);

export const PROCESS_STATS = table('process_stats', 'Per-process CPU, memory and IO counters', [
  TIME,
  UPID,
  int('major_faults'),
  int('minor_faults'),
  { name: 'cpu_utime_ns', type: T.INT64, semantic: 'duration_ns' },
  { name: 'cpu_ktime_ns', type: T.INT64, semantic: 'duration_ns' },
  int('num_threads'),
  bytes('vsize_bytes'),
  bytes('rss_bytes'),
  bytes('rchar_bytes'),
  bytes('wchar_bytes'),
  bytes('read_bytes'),
  bytes('write_bytes'),
]);

export const NETWORK_STATS = table('network_stats', 'Per-pod (per network namespace) interface counters', [
  TIME,
  { name: 'pod_id', type: T.STRING },
  bytes('rx_bytes'),
  int('rx_packets'),
  int('rx_errors'),
  int('rx_drops'),
  bytes('tx_bytes'),
  int('tx_packets'),
  int('tx_errors'),
  int('tx_drops'),
]);

export const JVM_STATS = table('jvm_stats', 'JVM garbage collection and heap figures', [
  TIME,
  UPID,
  { name: 'young_gc_time', type: T.INT64, semantic: 'duration_ns' },
  { name: 'full_gc_time', type: T.INT64, semantic: 'duration_ns' },
  bytes('used_heap_size'),
  bytes('total_heap_size'),
  bytes('max_heap_size'),
]);

export const STACK_TRACES = table('stack_traces.beta', 'Sampled CPU stack traces', [
  TIME,
  UPID,
  int('stack_trace_id'),
  { name: 'stack_trace', type: T.STRING, desc: 'Folded frames, outermost first, joined by ;' },
  int('count'),
]);

export const AGENT_STATS = table('agent_stats', "The agent's own health", [
  TIME,
  { name: 'agent_id', type: T.STRING },
  int('events_in', 'Events drained from the ring buffer (cumulative)'),
  int('events_dropped', 'Events the kernel could not queue (cumulative)'),
  int('decode_errors', 'Frames that failed to parse (cumulative)'),
  int('plugin_errors', 'Exceptions caught from plugins (cumulative)'),
  int('live_trackers', 'Connections tracked now'),
  int('records_out', 'Rows written to tables (cumulative)'),
  int('export_dropped', 'Records exporters dropped (cumulative)'),
  bytes('heap_used_bytes'),
  bytes('rss_bytes'),
]);

/** Every table core knows, by name. Plugins may add more through the host. */
export const TABLES: ReadonlyMap<string, TableSchema> = new Map(
  [
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
  ].map((t) => [t.name, t]),
);

/** Pixie's default share of the store budget per table; the rest is split evenly among other tables. */
export const DEFAULT_BUDGET_SHARE: Readonly<Record<string, number>> = Object.freeze({
  http_events: 0.4,
  'stack_traces.beta': 0.1,
});

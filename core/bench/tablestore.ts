/**
 * Table store: append and time-range scan of http_events-shaped rows with 512-byte bodies.
 * Usage: npm run bench -- tablestore [rows]. Last line: JSON figures.
 */
import { HTTP_EVENTS } from '../src/tables.js';
import { Table } from '../src/store/table.js';
import type { NumberColumn, StringColumn } from '../src/column.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const body = 'b'.repeat(512);
const templates = Array.from({ length: 1024 }, (_, i) => ({
  time_: 0,
  upid: { high: 1000 + (i % 7), low: 123456789 },
  remote_addr: `10.0.${i % 255}.${(i * 7) % 255}`,
  remote_port: 30000 + i,
  local_addr: '10.0.0.1',
  local_port: 8080,
  trace_role: 2,
  encrypted: false,
  major_version: 1,
  minor_version: 1,
  content_type: 1,
  req_headers: '{"Host":"svc","User-Agent":"bench","Accept":"*/*"}',
  req_method: i % 3 ? 'GET' : 'POST',
  req_path: `/api/v1/items/${i}`,
  req_body: body,
  req_body_size: 512,
  resp_headers: '{"Content-Type":"application/json","Content-Length":"512"}',
  resp_status: 200,
  resp_message: 'OK',
  resp_body: body,
  resp_body_size: 512,
  latency: 0,
}));

const t0 = 1_700_000_000_000_000_000;
/** Appends `n` rows; bodies as bytes (the agent's path: decoders hand captured bytes) or as JS strings. */
function fill(table: Table, n: number, bodiesAsBytes: boolean): number {
  const bytes = Buffer.from(body);
  for (const r of templates as Record<string, unknown>[]) r.req_body = r.resp_body = bodiesAsBytes ? bytes : body;
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const r = templates[i & 1023]!;
    r.time_ = t0 + i * 1000;
    r.latency = 1000 + (i % 5000);
    table.appendRow(r);
  }
  return Number(process.hrtime.bigint() - start);
}
const stringBodiesNs = fill(new Table(HTTP_EVENTS, 8 * 1024 * 1024 * 1024), Math.min(rows, 300_000), false);
const table = new Table(HTTP_EVENTS, 8 * 1024 * 1024 * 1024);
const appendNs = fill(table, rows, true);
const bytesPerRow = table.bytes / table.rowCount;

// Scan the middle half by time, reading two numeric columns and one string column's lengths.
const scanOnce = (from: number, to: number) => {
  let n = 0;
  let sum = 0;
  for (const b of table.scan({ startTime: from, endTime: to, columns: ['time_', 'latency', 'req_path'] })) {
    const lat = (b.columns[1] as NumberColumn).values;
    const path = b.columns[2] as StringColumn;
    for (let i = 0; i < b.length; i++) sum += lat[i]! + (path.offsets[i + 1]! - path.offsets[i]!);
    n += b.length;
  }
  return { n, sum };
};
scanOnce(t0, t0 + rows * 1000); // warm
let start = process.hrtime.bigint();
const full = scanOnce(t0, t0 + rows * 1000 + 1);
const fullNs = Number(process.hrtime.bigint() - start);
start = process.hrtime.bigint();
const half = scanOnce(t0 + (rows / 4) * 1000, t0 + (rows * 3 / 4) * 1000);
const halfNs = Number(process.hrtime.bigint() - start);
if (full.n !== rows || half.n !== rows / 2) throw new Error(`scan returned ${full.n}/${half.n} rows`);

const figures = {
  bench: 'tablestore',
  rows,
  append_rows_per_s: Math.round(rows / (appendNs / 1e9)),
  append_rows_per_s_string_bodies: Math.round(Math.min(rows, 300_000) / (stringBodiesNs / 1e9)),
  scan_rows_per_s: Math.round(full.n / (fullNs / 1e9)),
  range_scan_rows_per_s: Math.round(half.n / (halfNs / 1e9)),
  bytes_per_row: Math.round(bytesPerRow),
  heap_mb: Math.round(process.memoryUsage().heapUsed / 1e6),
  rss_mb: Math.round(process.memoryUsage().rss / 1e6),
};
console.log(`appended ${rows} rows in ${(appendNs / 1e6).toFixed(0)} ms; full scan ${(fullNs / 1e6).toFixed(1)} ms; half-range scan ${(halfNs / 1e6).toFixed(1)} ms`);
console.log(JSON.stringify(figures));

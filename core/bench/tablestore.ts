/**
 * Table store: append and time-range scan of http_events-shaped rows (22 columns, two 512-byte bodies,
 * 1314 bytes a row stored), appended one row at a time with Table#appendRow.
 * Usage: npm run bench -- tablestore [rows] [case]. Last line: JSON figures.
 *
 * Each case runs in its own child process (all of them unless one is named), so that no case appends into
 * memory another one freed: whether memory is fresh (first-touch page faults, about half the cost of an
 * append) or reused is exactly what these figures tell apart. Figures (rows = 1,000,000 unless given):
 * - append_rows_per_s (case steady): the agent's steady state. http_events at the budget the agent gives it
 *   by default (TableStore with the default config: store.budget_bytes 1 GiB, http_events' 40 % share,
 *   ~410 MiB), filled to that budget first (not timed: the agent is there after a few seconds), then `rows`
 *   more rows appended (timed). Each chunk sealed in the timed part evicts the oldest one, whose memory the
 *   next chunk reuses (nothing is scanned or published, as in an agent no exporter listens to).
 * - append_batch_rows_per_s (case batch): as steady, but the rows are appended with Table#appendBatch, as
 *   RowBatches of 1024 rows (views of another table holding 8192 of the same rows), as the agent's record
 *   writer flushes its staged rows; the staging itself (the agent's cost) is not measured.
 * - append_rows_per_s_fresh_memory (case fresh): `rows` rows into an empty table with an 8 GiB budget, so
 *   nothing is evicted and every row lands in memory never touched before. This was append_rows_per_s until
 *   the store reused evicted chunks' memory (then measured after the string-bodies run, in one process).
 * - append_rows_per_s_string_bodies (case strings): as fresh, 300,000 rows, the bodies as JS strings
 *   (UTF-8 encoded on append) instead of bytes.
 * - scan_rows_per_s, range_scan_rows_per_s (case fresh): that 1M-row table scanned over its whole time range,
 *   then over its middle half, reading time_, latency and req_path's lengths (median of 5 scans each, after a
 *   warm-up scan). bytes_per_row: that table's bytes a row.
 * - steady_budget_mib, steady_bytes_mib: the steady table's budget and the bytes it holds at the end;
 *   chunks_recycled: chunks of the timed part that reused an evicted chunk's memory (~9,700 rows a chunk).
 * - heap_mb_<case>, rss_mb_<case>: each case's process at its end.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { HTTP_EVENTS } from '../src/tables.js';
import { Table, sliceRange } from '../src/store/table.js';
import { TableStore } from '../src/store/store.js';
import { validateConfig } from '../src/config/load.js';
import type { NumberColumn, RowBatch, StringColumn } from '../src/column.js';

const rows = Number(process.argv[2] ?? 1_000_000);
const only = process.argv[3];
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
/** Appends `n` rows from row number `first`; bodies as bytes (the agent's path: decoders hand captured bytes) or as JS strings. */
function fill(table: Table, first: number, n: number, bodiesAsBytes: boolean): number {
  const bytes = Buffer.from(body);
  for (const r of templates as Record<string, unknown>[]) r.req_body = r.resp_body = bodiesAsBytes ? bytes : body;
  const start = process.hrtime.bigint();
  for (let i = first; i < first + n; i++) {
    const r = templates[i & 1023]!;
    r.time_ = t0 + i * 1000;
    r.latency = 1000 + (i % 5000);
    table.appendRow(r);
  }
  return Number(process.hrtime.bigint() - start);
}

type Figures = Record<string, number | string>;

/** http_events as the agent has it: the store built as createAgent builds it, from the default config. */
function agentTable(): Table {
  const config = validateConfig({});
  return new TableStore({ budgetBytes: config.store.budget_bytes, tables: config.store.tables }).table(HTTP_EVENTS.name);
}

function steady(): Figures {
  const table = agentTable();
  let first = 0;
  for (; table.stats().rowsEvicted === 0; first += 1024) fill(table, first, 1024, true);
  const before = table.stats();
  const ns = fill(table, first, rows, true);
  const after = table.stats();
  console.log(`steady state (budget ${(table.budgetBytes / 2 ** 20).toFixed(0)} MiB): ${rows} rows in ${(ns / 1e6).toFixed(0)} ms`);
  return {
    append_rows_per_s: Math.round(rows / (ns / 1e9)),
    steady_budget_mib: Math.round(table.budgetBytes / 2 ** 20),
    steady_bytes_mib: Math.round(after.bytes / 2 ** 20),
    chunks_recycled: after.chunksRecycled - before.chunksRecycled,
  };
}

function batch(): Figures {
  // The same rows, staged once as 1024-row RowBatches (the agent's RowStaging flushes up to 4096 rows a batch).
  const src = new Table(HTTP_EVENTS, 8 * 1024 * 1024 * 1024);
  fill(src, 0, 8192, true);
  const batches: RowBatch[] = [];
  for (const b of src.scan()) {
    for (let from = 0; from < b.length; from += 1024) {
      const to = Math.min(b.length, from + 1024);
      batches.push({ schema: b.schema, length: to - from, columns: b.columns.map((c) => sliceRange(c, from, to)) });
    }
  }
  const table = agentTable();
  let k = 0;
  while (table.stats().rowsEvicted === 0) table.appendBatch(batches[k++ % batches.length]!);
  const start = process.hrtime.bigint();
  let n = 0;
  while (n < rows) {
    const b = batches[k++ % batches.length]!;
    table.appendBatch(b);
    n += b.length;
  }
  const ns = Number(process.hrtime.bigint() - start);
  console.log(`steady state, appendBatch: ${n} rows in ${(ns / 1e6).toFixed(0)} ms`);
  return { append_batch_rows_per_s: Math.round(n / (ns / 1e9)) };
}

function fresh(): Figures {
  const table = new Table(HTTP_EVENTS, 8 * 1024 * 1024 * 1024);
  const appendNs = fill(table, 0, rows, true);
  // Scan by time, reading two numeric columns and one string column's lengths.
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
  /** Median time of 5 scans (one takes a few ms: a single one is mostly noise on a shared machine). */
  const timeScan = (from: number, to: number, want: number) => {
    const ns: number[] = [];
    for (let k = 0; k < 5; k++) {
      const start = process.hrtime.bigint();
      const { n } = scanOnce(from, to);
      ns.push(Number(process.hrtime.bigint() - start));
      if (n !== want) throw new Error(`scan returned ${n} rows, not ${want}`);
    }
    return ns.sort((a, b) => a - b)[2]!;
  };
  scanOnce(t0, t0 + rows * 1000); // warm
  const fullNs = timeScan(t0, t0 + rows * 1000 + 1, rows);
  const halfNs = timeScan(t0 + (rows / 4) * 1000, t0 + ((rows * 3) / 4) * 1000, rows / 2);
  console.log(`fresh memory: ${rows} rows in ${(appendNs / 1e6).toFixed(0)} ms; full scan ${(fullNs / 1e6).toFixed(1)} ms; half-range scan ${(halfNs / 1e6).toFixed(1)} ms`);
  return {
    append_rows_per_s_fresh_memory: Math.round(rows / (appendNs / 1e9)),
    scan_rows_per_s: Math.round(rows / (fullNs / 1e9)),
    range_scan_rows_per_s: Math.round(rows / 2 / (halfNs / 1e9)),
    bytes_per_row: Math.round(table.bytes / table.rowCount),
  };
}

function strings(): Figures {
  const n = Math.min(rows, 300_000);
  const ns = fill(new Table(HTTP_EVENTS, 8 * 1024 * 1024 * 1024), 0, n, false);
  console.log(`string bodies: ${n} rows in ${(ns / 1e6).toFixed(0)} ms`);
  return { append_rows_per_s_string_bodies: Math.round(n / (ns / 1e9)) };
}

const CASES: Readonly<Record<string, () => Figures>> = { steady, batch, fresh, strings };

const memory = () => ({ heap_mb: Math.round(process.memoryUsage().heapUsed / 1e6), rss_mb: Math.round(process.memoryUsage().rss / 1e6) });
if (only) {
  const run = CASES[only];
  if (!run) throw new Error(`tablestore: no case ${only} (cases: ${Object.keys(CASES).join(', ')})`);
  console.log(JSON.stringify({ bench: 'tablestore', case: only, rows, ...run(), ...memory() }));
} else {
  const figures: Figures = { bench: 'tablestore', rows };
  for (const name of Object.keys(CASES)) {
    const r = spawnSync(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), String(rows), name], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    const lines = r.stdout.trim().split('\n');
    if (r.status !== 0) throw new Error(`tablestore case ${name} failed (status ${r.status}): ${r.stdout}`);
    for (const l of lines.slice(0, -1)) console.log(l);
    for (const [k, v] of Object.entries(JSON.parse(lines[lines.length - 1]!) as Figures)) {
      if (k === 'bench' || k === 'case' || k === 'rows') continue;
      figures[k === 'heap_mb' || k === 'rss_mb' ? `${k}_${name}` : k] = v;
    }
  }
  console.log(JSON.stringify(figures));
}

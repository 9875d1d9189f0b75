// `npm run bench -- query-engine`: PxL queries over 1 M http_events rows in a TableStore, in one process.
// Last line: {"bench":"query-engine","rows":...,"filter_project_ms":...,"groupby_quantiles_ms":...}.
import { DataType as T, HTTP_EVENTS, TABLES, TableStore, type Column, type RowBatch } from '@nixie/core';
import { compileScript } from '@nixie/pxl';
import { encodeStrings } from '../src/exec/vec.js';
import { runLocal } from '../src/run.js';
import type { Metadata } from '../src/metadata/metadata.js';
import { HostMetadata } from '../src/metadata/host.js';

const ROWS = Number(process.env.BENCH_ROWS ?? 1_000_000);
const NOW = Date.now() * 1e6;

/** Deterministic rows: 50 paths, 4 methods, 3 statuses, 20 processes, log-normal-ish latency. */
function fill(store: TableStore): void {
  const table = store.table('http_events');
  let seed = 42;
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed / 0x7fffffff;
  };
  const paths = Array.from({ length: 50 }, (_, i) => `/api/v1/resource${i}/items`);
  const methods = ['GET', 'POST', 'PUT', 'DELETE'];
  const step = 65536;
  for (let from = 0; from < ROWS; from += step) {
    const n = Math.min(step, ROWS - from);
    const cols: Column[] = HTTP_EVENTS.columns.map((c) => {
      switch (c.type) {
        case T.STRING: {
          const v = new Array<string>(n);
          for (let i = 0; i < n; i++) {
            v[i] = c.name === 'req_path' ? paths[Math.floor(rnd() * 50)]! : c.name === 'req_method' ? methods[Math.floor(rnd() * 4)]! : c.name.endsWith('addr') ? '10.0.0.1' : c.name.endsWith('headers') ? '{}' : 'ok';
          }
          return encodeStrings(v);
        }
        case T.UINT128: {
          const high = new Float64Array(n);
          const low = new Float64Array(n);
          for (let i = 0; i < n; i++) {
            high[i] = 1000 + Math.floor(rnd() * 20);
            low[i] = 12345;
          }
          return { type: T.UINT128, high, low };
        }
        case T.BOOLEAN:
          return { type: T.BOOLEAN, values: new Uint8Array(n) };
        default: {
          const v = new Float64Array(n);
          for (let i = 0; i < n; i++) {
            const r = from + i;
            v[i] =
              c.name === 'time_' ? NOW - 240e9 + (r / ROWS) * 230e9
              : c.name === 'resp_status' ? (rnd() < 0.9 ? 200 : rnd() < 0.5 ? 404 : 500)
              : c.name === 'latency' ? Math.floor(Math.exp(13 + rnd() * 3))
              : c.name === 'trace_role' ? 2
              : Math.floor(rnd() * 1000);
          }
          return { type: c.type as typeof T.INT64, values: v };
        }
      }
    });
    const batch: RowBatch = { schema: HTTP_EVENTS, length: n, columns: cols };
    table.appendBatch(batch);
  }
}

function time(name: string, src: string, store: TableStore, md: Metadata): { ms: number; rows: number } {
  const runs: number[] = [];
  let rows = 0;
  for (let i = 0; i < 5; i++) {
    const t0 = performance.now();
    const compiled = compileScript(src, { schemas: TABLES, nowNs: NOW });
    const out = runLocal(compiled, store, { metadata: md });
    runs.push(performance.now() - t0);
    rows = out[0]!.batches.reduce((s, b) => s + b.length, 0);
  }
  runs.sort((a, b) => a - b);
  const ms = Math.round(runs[2]! * 10) / 10;
  console.log(`${name}: median ${ms} ms over 5 runs (min ${runs[0]!.toFixed(1)}), ${rows} rows out`);
  return { ms, rows };
}

const store = new TableStore({ budgetBytes: 2 * 1024 ** 3, tables: { http_events: 1.5 * 1024 ** 3 } });
const t0 = performance.now();
fill(store);
console.log(`filled ${store.table('http_events').rowCount} http_events rows in ${(performance.now() - t0).toFixed(0)} ms`);
const md = new HostMetadata();

const fp = time(
  'filter_project',
  `import px
df = px.DataFrame(table='http_events', start_time='-5m')
df = df[df.resp_status >= 400 and df.req_method == 'GET']
df.latency_ms = df.latency / 1000000
df = df[['time_', 'req_path', 'resp_status', 'latency_ms']]
px.display(df)
`,
  store,
  md,
);
const gq = time(
  'groupby_quantiles',
  `import px
df = px.DataFrame(table='http_events', start_time='-5m')
df = df.groupby(['req_path', 'req_method']).agg(latency_quantiles=('latency', px.quantiles), n=('latency', px.count))
df.p99 = px.pluck_float64(df.latency_quantiles, 'p99')
px.display(df)
`,
  store,
  md,
);
console.log(JSON.stringify({ bench: "query-engine", rows: ROWS, filter_project_ms: fp.ms, groupby_quantiles_ms: gq.ms }));

import { DataType as T, TABLES, TableStore, type RowInput, type TableSchema } from '@nixie/core';

/** A row of `schema` with plausible values: this process's upid, recent times, small counters. */
export function sampleRow(schema: TableSchema, i: number, nowNs: number): RowInput {
  const row: Record<string, unknown> = {};
  for (const c of schema.columns) {
    switch (c.type) {
      case T.TIME64NS:
        row[c.name] = nowNs - (60 - i) * 1e9;
        break;
      case T.UINT128:
        row[c.name] = { high: process.pid, low: 777 };
        break;
      case T.BOOLEAN:
        row[c.name] = i % 2 === 0;
        break;
      case T.STRING:
        row[c.name] =
          c.name.endsWith('addr') ? '127.0.0.1'
          : c.name === 'req_method' ? (i % 3 === 0 ? 'POST' : 'GET')
          : c.name === 'req_path' ? `/path/${i % 4}`
          : c.name === 'stack_trace' ? `main;work;fn${i % 3}`
          : c.name === 'pod_id' ? 'host/pod'
          : c.name === 'agent_id' ? 'agent-1'
          : c.name.includes('header') || c.name.endsWith('body') ? '{"a":1}'
          : `${c.name}-${i}`;
        break;
      default:
        row[c.name] =
          c.name === 'resp_status' ? (i % 5 === 0 ? 500 : 200)
          : c.name === 'trace_role' ? 2
          : c.name === 'latency' ? 1e6 * (1 + (i % 10))
          : i * 100;
    }
  }
  return row;
}

/** A store with `rows` sample rows in every table core knows. */
export function sampleStore(rows: number, nowNs: number): TableStore {
  const store = new TableStore({ budgetBytes: 64 * 1024 * 1024 });
  for (const schema of TABLES.values()) {
    const t = store.table(schema.name);
    for (let i = 0; i < rows; i++) t.appendRow(sampleRow(schema, i, nowNs));
  }
  return store;
}

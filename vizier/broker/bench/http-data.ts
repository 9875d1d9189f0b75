import type { Table } from '@nixie/core';

const PATHS = ['/api/users', '/api/orders', '/api/items', '/healthz', '/login', '/api/cart', '/api/search', '/static/app.js'];
const STATUSES = [200, 200, 200, 200, 200, 201, 204, 301, 404, 500];

/** Appends `rows` synthetic http_events rows (deterministic per seed), times within the last minute. */
export function fillBenchHttpEvents(table: Table, rows: number, seed: number, nowNs: number): void {
  let x = (seed * 2654435761) >>> 0 || 1;
  const rand = (): number => {
    // xorshift32: cheap, deterministic, good enough to spread groups.
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
  const values: unknown[] = [];
  const cols = table.schema.columns.map((c) => c.name);
  for (let i = 0; i < rows; i++) {
    const row: Record<string, unknown> = {
      time_: nowNs - 60e9 + (i / rows) * 59e9,
      upid: { high: 100 + seed, low: 1 },
      remote_addr: `10.0.${seed}.${i % 250}`,
      remote_port: 30000 + (i % 1000),
      local_addr: '10.1.0.1',
      local_port: 8080,
      trace_role: 2,
      encrypted: false,
      major_version: 1,
      minor_version: 1,
      req_method: i % 5 === 0 ? 'POST' : 'GET',
      req_path: PATHS[Math.floor(rand() * PATHS.length)]!,
      resp_status: STATUSES[Math.floor(rand() * STATUSES.length)]!,
      latency: Math.floor(rand() * rand() * 50e6),
      req_body_size: 0,
      resp_body_size: Math.floor(rand() * 4096),
    };
    values.length = 0;
    for (const c of cols) values.push(row[c]);
    table.appendValues(values);
  }
}

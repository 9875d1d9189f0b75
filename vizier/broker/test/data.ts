import type { Table } from '@nixie/core';

/** Paths every agent serves, plus one of its own, so that a merge across agents is visible. */
export const SHARED_PATHS = ['/api/a', '/api/b'];

/** The path only agent `index` has. */
export const ownPath = (index: number): string => `/only/${index}`;

/**
 * Fills http_events with `rows` rows for agent `index`: row i has path SHARED_PATHS[i % 2] (every
 * third row: the agent's own path), latency (index + 1) * 1000 + i, status 200 or 500 (every 10th).
 * Times run back from `nowNs`, one per µs, all within the last minute.
 */
export function fillHttpEvents(table: Table, index: number, rows: number, nowNs: number): void {
  for (let i = 0; i < rows; i++) {
    table.appendRow({
      time_: nowNs - (rows - i) * 1000,
      upid: { high: 1000 + index, low: 1 },
      remote_addr: `10.0.0.${index + 1}`,
      remote_port: 40000 + (i % 100),
      local_addr: '127.0.0.1',
      local_port: 8080,
      trace_role: 2,
      encrypted: false,
      req_method: 'GET',
      req_path: i % 3 === 2 ? ownPath(index) : SHARED_PATHS[i % 2]!,
      resp_status: i % 10 === 0 ? 500 : 200,
      latency: (index + 1) * 1000 + i,
      major_version: 1,
      minor_version: 1,
    });
  }
}

/** What a groupby over req_path must give for agents 0..agents-1 with `rows` rows each. */
export function expectedByPath(agents: number, rows: number): Map<string, { n: number; total: number; max: number }> {
  const out = new Map<string, { n: number; total: number; max: number }>();
  for (let a = 0; a < agents; a++) {
    for (let i = 0; i < rows; i++) {
      const path = i % 3 === 2 ? ownPath(a) : SHARED_PATHS[i % 2]!;
      const lat = (a + 1) * 1000 + i;
      const e = out.get(path) ?? { n: 0, total: 0, max: -Infinity };
      e.n++;
      e.total += lat;
      e.max = Math.max(e.max, lat);
      out.set(path, e);
    }
  }
  return out;
}

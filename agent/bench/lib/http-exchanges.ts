import { createLogger, PluginHost, TableStore } from '@nixie/core';
import httpPlugin from '@nixie/protocol-http';
import { RecordWriter } from '../../src/record-writer.js';

/**
 * The HTTP/1.1 exchanges the benchmarks replay (http-replay, http-rows, and protocol-http's wasm-parse): a GET
 * with a JSON answer three times in four, a POST with a JSON body and a 201 otherwise; ids and bodies vary with i.
 */
export function exchange(i: number): [Buffer, Buffer] {
  const id = 1000 + (i % 997);
  if (i % 4 === 3) {
    const body = JSON.stringify({ user: id, items: [1, 2, 3], note: 'x'.repeat(i % 50) });
    return [
      Buffer.from(`POST /api/v1/orders HTTP/1.1\r\nHost: shop.local:8080\r\nUser-Agent: load/1.0\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`),
      Buffer.from(`HTTP/1.1 201 Created\r\nContent-Type: application/json\r\nContent-Length: ${`{"order":${id}}`.length}\r\nConnection: keep-alive\r\n\r\n{"order":${id}}`),
    ];
  }
  const body = JSON.stringify({ id, name: `user-${id}`, email: `u${id}@example.com` });
  return [
    Buffer.from(`GET /api/v1/users/${id}?fields=name,email HTTP/1.1\r\nHost: shop.local:8080\r\nUser-Agent: load/1.0\r\nAccept: application/json\r\n\r\n`),
    Buffer.from(`HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nDate: Sat, 21 Nov 2026 05:00:00 GMT\r\nContent-Length: ${body.length}\r\nConnection: keep-alive\r\n\r\n${body}`),
  ];
}

/** A plugin host with the HTTP plugin, a TableStore of 256 MiB and a RecordWriter into it: what both HTTP benches run on. */
export async function httpWriter(): Promise<{ host: PluginHost; store: TableStore; writer: RecordWriter }> {
  const host = new PluginHost({ log: createLogger('silent') });
  host.register(httpPlugin);
  await host.boot();
  const store = new TableStore({ budgetBytes: 256 * 1024 * 1024 });
  return { host, store, writer: new RecordWriter(store, host) };
}

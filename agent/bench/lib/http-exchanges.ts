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

// `npm run bench -- wasm-parse [rounds] [wasm file]`: http1.wasm's parse_message alone, on the messages of
// agent/bench/http-replay.ts (exchange()), each where it lies in the byte heap as a stream's buffer would be and
// its text written to one arena block. Prints ns per message and a digest of every result (slots and text), so
// two builds can be compared for speed and for identical output.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { byteHeap } from '@nixie/core';

const rounds = Number(process.argv[2] ?? 200);
const file = process.argv[3] ?? new URL('../dist/wasm/http1.wasm', import.meta.url);

/** exchange() of agent/bench/http-replay.ts. */
function exchange(i) {
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

const heap = byteHeap();
const x = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(file)), { env: { memory: heap.memory } }).exports;
const res = new Int32Array(heap.memory.buffer, x.res_ptr(), 16);
const parse = x.parse_message;

const PAIRS = 1000;
const types = [];
const offsets = [];
const lengths = [];
for (let i = 0; i < PAIRS; i++) {
  const pair = exchange(i);
  for (let t = 0; t < 2; t++) {
    const block = heap.alloc(pair[t].length);
    pair[t].copy(block);
    types.push(t);
    offsets.push(heap.offsetOf(block));
    lengths.push(pair[t].length);
  }
}
const out = heap.alloc(64 * 1024);
const outBase = heap.offsetOf(out);
const n = types.length;

// Every result once, digested: the same for two builds that agree.
const digest = createHash('sha256');
for (let m = 0; m < n; m++) {
  const kind = parse(types[m], offsets[m], lengths[m], lengths[m], 0, 8192, 512, outBase, out.length);
  if (kind !== 0) throw new Error(`message ${m}: kind ${kind}`);
  digest.update(new Uint8Array(res.buffer, res.byteOffset, 64).slice());
  digest.update(out.subarray(0, res[9]));
}

function pass() {
  let k = 0;
  for (let m = 0; m < n; m++) k += parse(types[m], offsets[m], lengths[m], lengths[m], 0, 8192, 512, outBase, out.length);
  return k;
}
for (let r = 0; r < 50; r++) pass();
const samples = [];
for (let s = 0; s < 7; s++) {
  const t0 = process.hrtime.bigint();
  for (let r = 0; r < rounds; r++) pass();
  samples.push(Number(process.hrtime.bigint() - t0) / (rounds * n));
}
samples.sort((a, b) => a - b);
const bytes = lengths.reduce((a, b) => a + b, 0) / n;
console.log(JSON.stringify({
  bench: 'wasm-parse',
  messages: n,
  mean_bytes: +bytes.toFixed(1),
  ns_per_message_min: +samples[0].toFixed(1),
  ns_per_message_median: +samples[3].toFixed(1),
  digest: digest.digest('hex').slice(0, 16),
}));

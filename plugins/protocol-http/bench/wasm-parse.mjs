// `npm run bench -- wasm-parse [rounds] [wasm file]`: http1.wasm's parse_message alone, on the messages
// http-replay replays, each where it lies in the byte heap as a stream's buffer would be and its text written
// to one arena block. Prints ns per message and a digest of every result (slots and text), so
// two builds can be compared for speed and for identical output.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { byteHeap } from '@nixie/core';
// The exchanges http-replay replays (agent/bench/lib/http-exchanges.ts, built with the rest of the repository).
import { exchange } from '../../../agent/dist/bench/lib/http-exchanges.js';

const rounds = Number(process.argv[2] ?? 200);
const file = process.argv[3] ?? new URL('../dist/wasm/http1.wasm', import.meta.url);

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

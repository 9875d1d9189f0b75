// Decode + stitch throughput of the HTTP/2 decoder over a recorded gRPC session (fixtures/grpc-session.*.bin,
// made by bench/record-fixture.ts); the `decoders` benchmark aggregates it. Aggregated by bench/decoders.ts
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { DecoderBenchFigure } from '@nixie/core/testing';
import { MessageType, type Decoder, type Frame } from '@nixie/core';
import { createHttp2Decoder } from '../src/decoder.js';
import type { HalfStream } from '../src/half-stream.js';


const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures');

/** Parses one direction's bytes as the agent does, in chunks of `chunk` bytes (a socket read's worth). */
export function parseChunked<F extends Frame, S>(d: Decoder<F, S>, type: MessageType, buf: Uint8Array, chunk: number, state: S, out: F[]): void {
  let pos = 0;
  let avail = Math.min(chunk, buf.length);
  while (pos < buf.length) {
    const r = d.parseFrame(type, buf.subarray(pos, avail), state);
    if (r.kind === 'success') {
      out.push(r.frame);
      pos += r.consumed;
    } else if (r.kind === 'ignored') {
      pos += r.consumed;
    } else if (r.kind === 'needs-more-data' && avail < buf.length) {
      avail = Math.min(avail + chunk, buf.length);
    } else if (r.kind === 'invalid') {
      const b = d.findFrameBoundary(type, buf.subarray(pos, avail), 1);
      if (b < 0) return;
      pos += b;
    } else {
      return;
    }
    if (pos >= avail && avail < buf.length) avail = Math.min(pos + chunk, buf.length);
  }
}

/** Decodes + stitches the recorded session in a loop for about `seconds`; returns records/s. */
export function benchDecoder(opts: { seconds?: number } = {}): DecoderBenchFigure {
  const req = new Uint8Array(readFileSync(path.join(FIXTURES, 'grpc-session.client.bin')));
  const resp = new Uint8Array(readFileSync(path.join(FIXTURES, 'grpc-session.server.bin')));
  const d = createHttp2Decoder();
  let records = 0;
  const t0 = process.hrtime.bigint();
  const deadline = t0 + BigInt(Math.round((opts.seconds ?? 1) * 1e9));
  let now = t0;
  while (now < deadline) {
    const state = d.createState();
    const q: HalfStream[] = [];
    const r: HalfStream[] = [];
    parseChunked(d, MessageType.REQUEST, req, 16384, state, q);
    parseChunked(d, MessageType.RESPONSE, resp, 16384, state, r);
    records += d.stitch(q, r, state).records.length;
    now = process.hrtime.bigint();
  }
  const secs = Number(now - t0) / 1e9;
  return { protocol: 'http2', records, seconds: secs, recordsPerSec: Math.round(records / secs) };
}

// Decode + stitch throughput over a recorded Redis stream; the `decoders` benchmark aggregates it.
import { MessageType, type Decoder, type Frame } from '@nixie/core';
import { redisDecoder } from '../src/index.js';
import { command, resp, bytes } from '../test/builders.js';
import { concat } from '@nixie/core/testing';

export interface DecoderBenchFigure {
  protocol: string;
  records: number;
  seconds: number;
  recordsPerSec: number;
}

/** Parses every frame of one direction's bytes, resyncing on invalid input. */
export function parseAll<F extends Frame, S>(d: Decoder<F, S>, type: MessageType, buf: Uint8Array, state: S, out: F[]): void {
  let pos = 0;
  while (pos < buf.length) {
    const r = d.parseFrame(type, buf.subarray(pos), state);
    if (r.kind === 'success') {
      out.push(r.frame);
      pos += r.consumed;
    } else if (r.kind === 'ignored') {
      pos += r.consumed;
    } else if (r.kind === 'invalid') {
      const b = d.findFrameBoundary(type, buf.subarray(pos), 1);
      if (b < 0) return;
      pos += b;
    } else {
      return;
    }
  }
}

/** Runs parse + stitch over recorded request/response streams for about `seconds`. */
export function runBench<F extends Frame, S>(d: Decoder<F, S>, req: Uint8Array, res: Uint8Array, seconds: number): DecoderBenchFigure {
  let records = 0;
  const t0 = process.hrtime.bigint();
  const deadline = t0 + BigInt(Math.round(seconds * 1e9));
  let now = t0;
  while (now < deadline) {
    const state = d.createState();
    const q: F[] = [];
    const r: F[] = [];
    parseAll(d, MessageType.REQUEST, req, state, q);
    parseAll(d, MessageType.RESPONSE, res, state, r);
    records += d.stitch(q, r, state).records.length;
    now = process.hrtime.bigint();
  }
  const secs = Number(now - t0) / 1e9;
  return { protocol: d.protocol, records, seconds: secs, recordsPerSec: Math.round(records / secs) };
}

/** A recorded-like session: 1000 commands (GET/SET/HSET/LRANGE/pipelined), each with its reply. */
function streams(): [Uint8Array, Uint8Array] {
  const q: Uint8Array[] = [];
  let r = '';
  for (let i = 0; i < 250; i++) {
    q.push(command('SET', `key:${i}`, `value-${i}-${'x'.repeat(i % 64)}`));
    r += resp.simple('OK');
    q.push(command('GET', `key:${i}`));
    r += resp.bulk(`value-${i}-${'x'.repeat(i % 64)}`);
    q.push(command('HSET', `h:${i}`, 'f1', 'v1', 'f2', 'v2'));
    r += resp.int(2);
    q.push(command('LRANGE', 'list', '0', '9'));
    r += resp.array(...Array.from({ length: 10 }, (_, j) => resp.bulk(`item-${j}`)));
  }
  return [concat(...q), bytes(r)];
}

/** Decodes + stitches the recorded stream in a loop for about `seconds`; returns records/s. */
export function benchDecoder(opts: { seconds?: number } = {}): DecoderBenchFigure {
  const [req, res] = streams();
  return runBench(redisDecoder, req, res, opts.seconds ?? 1);
}

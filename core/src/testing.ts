/**
 * Test support for decoder plugins (`@nixie/core/testing`): feed bytes to a decoder the way the agent's
 * stream does, and the usual ways of cutting them.
 */
import { MessageType, type Decoder, type Frame } from './decoder.js';

/** What feeding one direction produced. */
export interface Driven<F> {
  frames: F[];
  invalid: number;
  ignored: number;
  /** Bytes left unparsed at the end. */
  rest: number;
}

/**
 * Feeds chunks (one direction, in order) to a decoder as the agent's stream does: append, parse frames at
 * the head until it needs more data, resync with findFrameBoundary on invalid bytes, stop at eos.
 * Throws if the decoder consumes nothing or more than it was given, or names a boundary outside the bytes.
 */
export function drive<F extends Frame, S>(d: Decoder<F, S>, state: S, type: MessageType, chunks: Uint8Array[]): Driven<F> {
  const out: Driven<F> = { frames: [], invalid: 0, ignored: 0, rest: 0 };
  let buf: Uint8Array = new Uint8Array(0);
  let eos = false;
  for (const c of chunks) {
    if (eos) break;
    const next = new Uint8Array(buf.length + c.length);
    next.set(buf);
    next.set(c, buf.length);
    buf = next;
    let pos = 0;
    while (pos < buf.length) {
      const view = buf.subarray(pos);
      const r = d.parseFrame(type, view, state);
      if (r.kind === 'success' || r.kind === 'ignored') {
        if (r.consumed <= 0 || r.consumed > view.length) throw new Error(`bad consumed ${r.consumed}`);
        if (r.kind === 'success') out.frames.push(r.frame);
        else out.ignored++;
        pos += r.consumed;
      } else if (r.kind === 'invalid') {
        out.invalid++;
        const b = d.findFrameBoundary(type, view, 1);
        if (b < 0) {
          pos = buf.length;
        } else {
          if (b < 1 || b > view.length) throw new Error(`bad boundary ${b}`);
          pos += b;
        }
      } else {
        if (r.kind === 'eos') eos = true;
        break;
      }
    }
    buf = buf.subarray(pos);
  }
  out.rest = buf.length;
  return out;
}

/** Concatenates byte arrays (from the package proper: the broker uses it too). */
export { concat } from './bytes.js';

/** The bytes split at k, as two chunks. */
export function splitAt(b: Uint8Array, k: number): Uint8Array[] {
  return [b.subarray(0, k), b.subarray(k)];
}

/** The bytes one at a time. */
export function bytewise(b: Uint8Array): Uint8Array[] {
  return Array.from(b, (x) => Uint8Array.of(x));
}

/** Every way to cut the bytes in two, then byte by byte. */
export function* splits(b: Uint8Array): Generator<Uint8Array[]> {
  for (let i = 0; i <= b.length; i++) yield splitAt(b, i);
  yield bytewise(b);
}

/** Stamps frames with increasing times so that stitching sees requests before their responses. */
export function stamp<F extends Frame>(frames: F[], t0: number, step: number): F[] {
  frames.forEach((f, i) => {
    f.startNs = t0 + i * step;
    f.endNs = f.startNs;
  });
  return frames;
}

/**
 * A seed message damaged for fuzzing: each edit [at, v] deletes the byte at `at` (v < 0), overwrites one
 * (odd `at`) or inserts v (even `at`); then the bytes are cut to max(cut, length - cut).
 */
export function mutate(seed: Uint8Array, edits: ReadonlyArray<readonly [number, number]>, cut: number): Uint8Array {
  let b = Array.from(seed);
  for (const [at, v] of edits) {
    if (v < 0) b.splice(at, 1);
    else if (at % 2) b[at % b.length] = v;
    else b.splice(at, 0, v);
  }
  b = b.slice(0, Math.max(cut, b.length - cut));
  return Uint8Array.from(b);
}

/** One decoder's throughput, as the `decoders` benchmark aggregates it. */
export interface DecoderBenchFigure {
  protocol: string;
  records: number;
  seconds: number;
  recordsPerSec: number;
}

/** Parses every frame of one direction's bytes from the start, resyncing at the next boundary after invalid bytes. */
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

/**
 * Parses and stitches recorded request and response bytes (one connection's two directions) over and over, a
 * fresh decoder state each time, for about `seconds`: the decoder's records per second.
 */
export function benchStreams<F extends Frame, S>(d: Decoder<F, S>, req: Uint8Array, res: Uint8Array, seconds: number): DecoderBenchFigure {
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

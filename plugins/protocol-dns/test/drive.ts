// Feeds bytes to a decoder the way the agent does: buffer, parse in a loop, resync on invalid.
import type { Decoder, Frame, MessageType } from '@nixie/core';

export interface DriveResult<F> {
  frames: F[];
  /** Bytes left unparsed at the end. */
  rest: number;
  invalid: number;
}

/** Parses `chunks` (one direction) in order with one buffer; `frames` in arrival order. */
export function drive<F extends Frame, S>(dec: Decoder<F, S>, state: S, type: MessageType, chunks: Uint8Array[]): DriveResult<F> {
  const frames: F[] = [];
  let buf = new Uint8Array(0);
  let invalid = 0;
  let eos = false;
  for (const c of chunks) {
    if (eos) break;
    const next = new Uint8Array(buf.length + c.length);
    next.set(buf);
    next.set(c, buf.length);
    buf = next;
    let off = 0;
    while (off < buf.length) {
      const view = buf.subarray(off);
      const r = dec.parseFrame(type, view, state);
      if (r.kind === 'success') {
        if (r.consumed <= 0 || r.consumed > view.length) throw new Error(`bad consumed ${r.consumed}`);
        frames.push(r.frame);
        off += r.consumed;
      } else if (r.kind === 'ignored') {
        if (r.consumed <= 0 || r.consumed > view.length) throw new Error(`bad consumed ${r.consumed}`);
        off += r.consumed;
      } else if (r.kind === 'needs-more-data') {
        break;
      } else if (r.kind === 'invalid') {
        invalid++;
        const b = dec.findFrameBoundary(type, view, 1);
        if (b < 0) {
          off = buf.length;
          break;
        }
        off += b;
      } else {
        eos = true;
        break;
      }
    }
    buf = buf.slice(off);
  }
  return { frames, rest: buf.length, invalid };
}

/** Every way to cut `bytes` in two, plus byte-by-byte. */
export function* splits(bytes: Uint8Array): Generator<Uint8Array[]> {
  for (let i = 0; i <= bytes.length; i++) yield [bytes.subarray(0, i), bytes.subarray(i)];
  yield Array.from(bytes, (b) => Uint8Array.of(b));
}

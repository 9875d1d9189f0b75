import { MessageType, type Decoder, type Frame } from '@nixie/core';

/** What feeding one direction produced. */
export interface Driven<F> {
  frames: F[];
  invalid: number;
  ignored: number;
  /** Bytes left unparsed at the end. */
  rest: number;
}

/**
 * Feeds chunks to a decoder the way the agent's stream does: append, parse frames at the head until
 * it needs more data, resync with findFrameBoundary on invalid bytes.
 */
export function drive<F extends Frame, S>(d: Decoder<F, S>, type: MessageType, chunks: Uint8Array[], state: S): Driven<F> {
  const out: Driven<F> = { frames: [], invalid: 0, ignored: 0, rest: 0 };
  let buf: Uint8Array = new Uint8Array(0);
  for (const c of chunks) {
    const next = new Uint8Array(buf.length + c.length);
    next.set(buf);
    next.set(c, buf.length);
    buf = next;
    let pos = 0;
    for (;;) {
      if (pos >= buf.length) break;
      const view = buf.subarray(pos);
      const r = d.parseFrame(type, view, state);
      if (r.kind === 'success') {
        if (r.consumed <= 0 || r.consumed > view.length) throw new Error(`bad consumed ${r.consumed}`);
        out.frames.push(r.frame);
        pos += r.consumed;
      } else if (r.kind === 'ignored') {
        if (r.consumed <= 0 || r.consumed > view.length) throw new Error(`bad consumed ${r.consumed}`);
        out.ignored++;
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
        break;
      }
    }
    buf = buf.subarray(pos);
  }
  out.rest = buf.length;
  return out;
}

/** Concatenates byte arrays. */
export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/** The bytes split at k, as two chunks. */
export function splitAt(b: Uint8Array, k: number): Uint8Array[] {
  return [b.subarray(0, k), b.subarray(k)];
}

/** The bytes one at a time. */
export function bytewise(b: Uint8Array): Uint8Array[] {
  const out: Uint8Array[] = [];
  for (let i = 0; i < b.length; i++) out.push(b.subarray(i, i + 1));
  return out;
}

/** Stamps frames with increasing times so that stitching sees requests before their responses. */
export function stamp<F extends Frame>(frames: F[], t0: number, step: number): F[] {
  frames.forEach((f, i) => {
    f.startNs = t0 + i * step;
    f.endNs = f.startNs;
  });
  return frames;
}

export { MessageType };
